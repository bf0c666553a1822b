// Caredesk agent UI: CSRF on every request, live updates, presence, keyboard shortcuts.
// No inline scripts anywhere, so the Content-Security-Policy can forbid them.
(function () {
  "use strict";
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content || "";
  const conversation = document.querySelector("[data-conversation-id]");
  const conversationId = conversation ? Number(conversation.dataset.conversationId) : null;
  const me = conversation ? Number(conversation.dataset.me) : null;

  document.addEventListener("htmx:configRequest", (event) => {
    event.detail.headers["X-CSRF-Token"] = csrf;
  });

  // After a successful send, clear the composer; on an error, show what to do.
  document.addEventListener("htmx:afterRequest", (event) => {
    const form = event.detail.elt.closest ? event.detail.elt.closest("form[data-reset-on-success]") : null;
    const hint = document.getElementById("composer-hint");
    if (event.detail.successful) {
      if (form && event.detail.elt === form) form.reset();
      if (hint) hint.textContent = "Replies go out through the outbox, exactly once.";
      return;
    }
    let message = "Something went wrong: try again.";
    try { message = JSON.parse(event.detail.xhr.responseText).detail || message; } catch (_) { /* not JSON */ }
    if (typeof message !== "string") message = "Check the form and try again.";
    if (hint) { hint.textContent = message; hint.classList.add("error"); } else { window.alert(message); }
  });

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body),
      credentials: "same-origin",
    });
  }

  // Live updates: the server streams the event log; refresh what it concerns, but never
  // under the agent's fingers: while they are in the side pane (a tag, a reason, an owner
  // being picked), the refresh waits until they leave it.
  const pending = new Map();
  const deferred = new Set();
  const busyIn = (selector) => {
    const active = document.activeElement;
    return active instanceof HTMLElement && active.closest(selector) !== null && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName);
  };
  function refresh(selector) {
    if (pending.has(selector)) return;
    pending.set(selector, setTimeout(() => {
      pending.delete(selector);
      if (busyIn(selector)) { deferred.add(selector); return; }
      const el = document.querySelector(selector);
      if (el && window.htmx) window.htmx.trigger(el, "refresh");
    }, 150));
  }
  document.addEventListener("focusout", () => {
    setTimeout(() => {
      for (const selector of Array.from(deferred)) {
        if (!busyIn(selector)) { deferred.delete(selector); refresh(selector); }
      }
    }, 0);
  });
  if (window.EventSource && csrf) {
    const dot = document.getElementById("live-dot");
    const source = new EventSource("/live");
    source.onopen = () => dot && dot.classList.add("on");
    source.onerror = () => dot && dot.classList.remove("on");
    const handle = (event) => {
      let data = {};
      try { data = JSON.parse(event.data); } catch (_) { return; }
      if (conversationId !== null) {
        // What this agent did is already on screen: the request that did it re-rendered it.
        if (data.conversation_id === conversationId && data.actor_agent_id !== me) {
          refresh("#thread-pane");
          refresh("#side-pane");
        }
      } else {
        refresh("#queue");
      }
    };
    ["message", "assigned", "status", "tagged", "untagged", "delivery", "presence"].forEach((kind) =>
      source.addEventListener(kind, handle));
    source.addEventListener("signed-out", () => { source.close(); window.location.href = "/login"; });
  }

  // Presence: tell colleagues we are here, and when we type.
  if (conversationId !== null && csrf && document.getElementById("reply-text")) {
    const url = `/api/v1/conversations/${conversationId}/presence`;
    post(url, { typing: false });
    setInterval(() => post(url, { typing: false }), 20000);
    let lastTyping = 0;
    document.getElementById("reply-text").addEventListener("input", () => {
      const now = Date.now();
      if (now - lastTyping > 3000) { lastTyping = now; post(url, { typing: true }); }
    });
  }

  // Keyboard shortcuts.
  const rows = () => Array.from(document.querySelectorAll(".queue .row"));
  let selected = -1;
  function select(index) {
    const all = rows();
    if (!all.length) return;
    selected = Math.max(0, Math.min(index, all.length - 1));
    all.forEach((row, i) => row.classList.toggle("selected", i === selected));
    all[selected].scrollIntoView({ block: "nearest" });
  }
  let lastKey = "";
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    const typing = target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
    if (typing) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && target.form) {
        event.preventDefault();
        target.form.requestSubmit();
      } else if (event.key === "Escape") {
        target.blur();
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const key = event.key;
    const click = (id) => { const el = document.getElementById(id); if (el) { event.preventDefault(); el.click(); } };
    if (lastKey === "g" && key === "i") { window.location.href = "/inbox"; return; }
    lastKey = key;
    switch (key) {
      case "j": select(selected + 1); break;
      case "k": select(selected - 1); break;
      case "o": case "Enter": {
        const row = rows()[selected];
        if (row) window.location.href = row.dataset.href;
        break;
      }
      case "r": case "n": {
        const text = document.getElementById("reply-text");
        if (text) {
          event.preventDefault();
          const choice = document.querySelector(`#composer input[value="${key === "r" ? "public" : "note"}"]`);
          if (choice) choice.checked = true;
          text.focus();
        }
        break;
      }
      case "a": click("take"); break;
      case "e": click("resolve"); break;
      case "/": { const s = document.getElementById("search"); if (s) { event.preventDefault(); s.focus(); } break; }
      case "?": { const d = document.getElementById("shortcuts"); if (d && !d.open) d.showModal(); break; }
      default: break;
    }
  });
})();
