"""The agent workspace in a real browser: Chromium on the app served by uvicorn.

What an agent does all day, end to end: sign in, read the queue, open a conversation, answer
with Ctrl+Enter and watch the reply leave through the outbox, see colleagues and customers
live, work from the keyboard. Plus what must never happen: customer text running as code.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy import select

from caredesk.access import load_viewer
from caredesk.actions.conversations import do_set_status
from caredesk.clock import utcnow
from caredesk.connectors.base import RateLimited
from caredesk.db.engine import write_transaction
from caredesk.importers.twcs import import_twcs, latest_time
from caredesk.ingest.inbound import InboundMessage
from caredesk.ingest.pipeline import Ingestor
from caredesk.models import ConversationStatus
from caredesk.models.tables import messages
from tests.browser.conftest import (
    Browsing,
    LiveServer,
    own_action,
    wait_until_htmx_is_idle,
    wait_until_live,
)
from tests.conftest import SAMPLE
from tests.factories import customer_post
from tests.web_support import PASSWORD

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DELIVERY_S = 10_000  # ms; the in-process worker polls every 0.5 s


def open_conversation(page: Page, conversation_id: int) -> None:
    page.goto(f"/conversations/{conversation_id}")
    wait_until_live(page)


def send_with_ctrl_enter(page: Page, text: str) -> None:
    composer = page.locator("#reply-text")
    composer.fill(text)
    composer.press("Control+Enter")
    expect(composer).to_have_value("")  # the composer clears once the server took it


def customer_says(server: LiveServer, *posts: InboundMessage) -> None:
    """New customer posts, ingested the way a connector's poll would (live: logged for /live)."""
    Ingestor(server.engine, server.world.workspace_id, create_accounts=True, live=True).ingest(list(posts))


def test_an_agent_signs_in_through_the_form_and_sees_the_customers_waiting(browse: Browsing) -> None:
    page = browse.signed_out()
    page.goto("/inbox")
    expect(page).to_have_url(re.compile(r"/login$"))  # signed out: the form first
    page.get_by_label("E-mail").fill(browse.server.world.emails["agent"])
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("That e-mail and password don't match.")

    page.get_by_label("E-mail").fill(browse.server.world.emails["agent"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(r"/inbox$"))
    expect(page.locator(".topbar .who")).to_contain_text("Agent")
    rows = page.locator(".queue .row")
    # Li has waited longer (since minute 3) than Maria (since minute 9); Omar wrote to
    # @other_brand, which the agent's team does not answer for.
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Love the new app!")
    expect(rows.nth(1)).to_contain_text("Still nothing, third time asking")
    expect(page.locator(".queue")).not_to_contain_text("Other brand question")
    assert browse.csp_violations(page) == []


def test_the_inbox_shows_how_many_followers_a_waiting_customer_has(browse: Browsing) -> None:
    page = browse.signed_in("agent")
    maria = page.locator(".queue .row", has_text="Still nothing, third time asking")
    expect(maria.locator(".reach")).to_have_text("1.2k followers", timeout=1_000)


def test_an_agent_answers_with_ctrl_enter_and_sees_the_reply_queued_then_sent(browse: Browsing) -> None:
    world = browse.server.world
    # The network asks for a one-second pause first, so the reply visibly waits in the outbox
    # whenever the worker happens to pick it up; the worker then sends it on its own.
    world.loopback.fail_next(RateLimited("slow down", retry_after_s=1))
    page = browse.signed_in("agent")
    page.locator(".queue .row", has_text="Still nothing, third time asking").click()
    expect(page).to_have_url(re.compile(rf"/conversations/{world.conversations['acme']}$"))
    expect(page.locator("#thread")).to_contain_text("My order #4411 never arrived")
    wait_until_live(page)

    send_with_ctrl_enter(page, "Refund sent, Maria.")

    reply = page.locator("#thread .msg-outbound", has_text="Refund sent, Maria.")
    expect(reply.locator(".delivery")).to_have_text("queued")
    expect(reply.locator(".delivery")).to_have_text("sent", timeout=DELIVERY_S)
    expect(page.locator(".owner-line")).to_have_text("Agent")  # answering took the conversation
    [sent] = world.loopback.sent
    assert (sent.text, sent.reply_to_network_id, sent.brand_handle) == (
        "Refund sent, Maria.",
        "a3",
        "acme_help",
    )


def test_a_colleague_sees_the_reply_and_the_customers_answer_arrive_without_reloading(
    browse: Browsing,
) -> None:
    conversation = browse.server.world.conversations["acme"]
    agent = browse.signed_in("agent")
    open_conversation(agent, conversation)
    colleague = browse.signed_in("agent2")
    open_conversation(colleague, conversation)
    colleague.evaluate("window.__sameDocument = true")

    send_with_ctrl_enter(agent, "Refund sent, Maria.")
    expect(colleague.locator("#thread")).to_contain_text("Refund sent, Maria.")
    expect(colleague.locator(".owner-line")).to_have_text("Agent")

    customer_says(
        browse.server, customer_post("a4", by="maria", reply_to="a3", minutes=30, text="Got it, thank you!")
    )
    expect(agent.locator("#thread")).to_contain_text("Got it, thank you!")
    expect(colleague.locator("#thread")).to_contain_text("Got it, thank you!")
    assert colleague.evaluate("window.__sameDocument") is True  # updated in place, never reloaded


def test_an_agent_sees_when_a_colleague_is_typing_a_reply_to_the_same_customer(browse: Browsing) -> None:
    conversation = browse.server.world.conversations["acme"]
    agent = browse.signed_in("agent")
    open_conversation(agent, conversation)
    notice = agent.locator(".collision")
    expect(notice).to_have_count(0)  # alone so far

    colleague = browse.signed_in("agent2")
    open_conversation(colleague, conversation)
    expect(notice).to_contain_text("Agent2 is looking at this")
    expect(colleague.locator(".collision")).to_contain_text("Agent is looking at this")

    colleague.locator("#reply-text").press_sequentially("Hi Maria, ")
    expect(notice).to_contain_text("Agent2 is typing a reply")


def test_a_colleague_arriving_does_not_wipe_the_tag_an_agent_is_typing(browse: Browsing) -> None:
    conversation = browse.server.world.conversations["acme"]
    agent = browse.signed_in("agent")
    open_conversation(agent, conversation)
    agent.get_by_placeholder("Add a tag").fill("refund")

    colleague = browse.signed_in("agent2")
    open_conversation(colleague, conversation)
    expect(agent.locator(".collision")).to_contain_text("Agent2 is looking at this")
    expect(agent.get_by_placeholder("Add a tag")).to_have_value("refund", timeout=1_000)


def test_markup_in_customer_messages_shows_as_text_and_never_runs(browse: Browsing) -> None:
    script = "<script>window.__pwned = 1</script>"
    image = '<img src=x onerror="window.__pwned=2">'
    page = browse.signed_in("agent")
    open_conversation(page, browse.server.world.conversations["acme"])

    customer_says(
        browse.server,
        customer_post("a4", by="maria", reply_to="a3", minutes=30, text=f"{script} {image} hello?"),
        customer_post("h1", by=f'">{image}', minutes=31, text="Hi <b>there</b>"),
    )

    thread = page.locator("#thread")
    expect(thread).to_contain_text(f"{script} {image} hello?")  # arrived live, swapped in by htmx
    assert thread.locator("script, img").count() == 0
    assert page.evaluate("window.__pwned") is None

    page.goto("/inbox")
    queue = page.locator(".queue")
    expect(queue).to_contain_text(f"{script} {image} hello?")
    expect(queue).to_contain_text("Hi <b>there</b>")
    expect(queue).to_contain_text(f'">{image}')  # the customer's name
    assert queue.locator("script, img, b").count() == 0
    assert page.evaluate("window.__pwned") is None
    assert browse.csp_violations(page) == []
    assert browse.errors[page] == []


def test_the_keyboard_opens_assigns_and_resolves_a_conversation(browse: Browsing) -> None:
    world = browse.server.world
    page = browse.signed_in("agent")
    page.keyboard.press("?")
    expect(page.locator("#shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#shortcuts")).to_be_hidden()

    page.keyboard.press("j")
    expect(page.locator(".queue .row").first).to_have_class(re.compile(r"\bselected\b"))
    page.keyboard.press("o")
    expect(page).to_have_url(re.compile(rf"/conversations/{world.conversations['acme2']}$"))
    expect(page.locator(".thread-head h1")).to_have_text("li")
    wait_until_live(page)

    with own_action(page):
        page.keyboard.press("a")
    expect(page.locator(".owner-line")).to_have_text("Agent")
    page.keyboard.press("e")
    expect(page.locator(".thread-head .status")).to_have_text("resolved")

    page.keyboard.press("g")
    page.keyboard.press("i")
    expect(page).to_have_url(re.compile(r"/inbox$"))
    expect(page.locator(".queue .row")).to_have_count(1)  # only Maria still waits
    assert browse.csp_violations(page) == []


def test_a_read_only_user_reads_the_conversation_but_gets_no_composer(browse: Browsing) -> None:
    page = browse.signed_in("reader")
    page.goto(f"/conversations/{browse.server.world.conversations['acme']}")
    expect(page.locator("#thread")).to_contain_text("Still nothing, third time asking")
    expect(page.get_by_text("You have read-only access.")).to_be_visible()
    expect(page.locator("#composer, #reply-text")).to_have_count(0)
    expect(page.get_by_role("button", name="Assign to me")).to_have_count(0)
    expect(page.locator(".status-buttons")).to_have_count(0)


def test_the_workspace_on_real_tweets_for_the_screenshots(browse: Browsing) -> None:
    """Docs screenshots, from the bundled sample of real tweets. Saved with CAREDESK_SCREENSHOTS=1."""
    server = browse.server
    newest = latest_time(SAMPLE)
    assert newest is not None
    report = import_twcs(  # triaged, as the demo does: the inbox shows its priorities and flags
        Ingestor(server.engine, server.world.workspace_id, create_accounts=True, triage=True),
        SAMPLE,
        shift=utcnow() - newest,
    )
    assert report.bad_rows == 0
    with write_transaction(server.engine) as connection:  # the world's 2017 fixtures: out of the way
        admin = load_viewer(connection, server.world.agents["admin"])
        for name in ("acme", "acme2", "other"):
            do_set_status(connection, admin, server.world.conversations[name], ConversationStatus.RESOLVED)
    save = os.environ.get("CAREDESK_SCREENSHOTS") == "1"
    if save:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def shoot(page: Page, name: str) -> None:
        if save:
            page.screenshot(path=SCREENSHOTS / name)

    page = browse.signed_out()
    page.goto("/login")
    page.get_by_label("E-mail").fill(server.world.emails["admin"])
    shoot(page, "login.png")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # The admin sees the whole workspace: every brand of the sample, not only @acme_help.
    wait_until_live(page)
    rows = page.locator(".queue .row")
    expect(rows).to_have_count(50)
    expect(page.locator(".queue-head")).to_contain_text("showing 1–50")
    assert len(set(rows.locator(".to").all_inner_texts())) > 5
    shoot(page, "inbox.png")

    with server.engine.connect() as connection:
        bug_report = messages.c.text.contains("Numbers disappear when entering info")
        conversation = connection.scalar(select(messages.c.conversation_id).where(bug_report))
    open_conversation(page, conversation)
    expect(page.locator("#thread .msg")).to_have_count(3)
    supervisor = browse.signed_in("supervisor")
    open_conversation(supervisor, conversation)
    expect(page.locator(".collision")).to_contain_text("Supervisor is looking at this")
    wait_until_htmx_is_idle(page)
    with own_action(page):
        page.get_by_role("button", name="Assign to me").click()
    expect(page.locator(".owner-line")).to_have_text("Admin")
    with own_action(page):
        page.get_by_placeholder("Add a tag").fill("ios-11.1")
        page.get_by_placeholder("Add a tag").press("Enter")
    expect(page.locator(".tags")).to_contain_text("ios-11.1")
    page.keyboard.press("n")
    send_with_ctrl_enter(page, "Same autofill bug as case 4471: engineering has a fix in 11.1.1 beta.")
    page.keyboard.press("r")
    send_with_ctrl_enter(
        page,
        "@116854 Thanks for the video, that helps a lot. Which iPhone is this on, and does it happen "
        "in Safari too? A fix is on its way in the next update.",
    )
    reply = page.locator("#thread .msg-outbound", has_text="Thanks for the video")
    expect(reply.locator(".delivery")).to_have_text("sent", timeout=DELIVERY_S)
    page.locator("#reply-text").blur()
    shoot(page, "conversation.png")
    assert browse.csp_violations(page) == []
    page.goto("/settings/accounts")
    expect(page.locator("h1")).to_have_text("Brand accounts")
    shoot(page, "settings-accounts.png")
