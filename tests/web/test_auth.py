"""Authentication and sessions (security notes, items 8–11 and 24).

Logins are throttled and do not tell a wrong password from an unknown address; every login
starts a fresh, unguessable session in an HttpOnly SameSite cookie; every change needs the
CSRF token; signing out, a new password, a new role or deactivation end sessions; the login
redirect stays on this site; no other origin is let in; pages forbid inline script.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from http.cookies import SimpleCookie

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine, select

from caredesk.auth.sessions import token_hash
from caredesk.db.engine import write_transaction
from caredesk.models import Role
from caredesk.models.tables import agent_sessions
from caredesk.people import deactivate, set_password, set_role
from caredesk.web.deps import SESSION_COOKIE
from tests.web.support import HTML, changes, client, dump, log_in, login_token, state
from tests.web_support import PASSWORD, World

ClientFor = Callable[[str], TestClient]
LOGIN_CSRF_COOKIE = "caredesk_login_csrf"


def set_cookies(response: Response) -> dict[str, SimpleCookie]:
    """The cookies a response sets, by name, with their attributes."""
    found = {}
    for header in response.headers.get_list("set-cookie"):
        cookie: SimpleCookie = SimpleCookie()
        cookie.load(header)
        for name in cookie:
            found[name] = cookie
    return found


def cookie_header(response: Response, name: str) -> str:
    [header] = [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}=")]
    return header


def session_token(response: Response) -> str:
    token = set_cookies(response)[SESSION_COOKIE][SESSION_COOKIE].value
    assert token
    return token


# --- Item 8: throttling; failures all look alike ---------------------------------------------


def test_five_failed_logins_for_one_address_lock_it_even_against_the_right_password(
    engine: Engine, world: World
) -> None:
    attacker, colleague = client(engine, world), client(engine, world)
    email = world.emails["agent"]
    for _ in range(5):
        assert log_in(attacker, email, "not the password at all").status_code == 401
    for variant in (email, email.upper(), f"  {email} "):
        locked = log_in(attacker, variant, PASSWORD)
        assert locked.status_code == 429, variant
        assert "Too many failed sign-ins" in locked.text
        assert SESSION_COOKIE not in set_cookies(locked)
    assert log_in(colleague, world.emails["agent"], PASSWORD).status_code == 429  # from anywhere
    assert log_in(colleague, world.emails["admin"], PASSWORD).status_code == 303  # others unaffected


def test_a_wrong_password_an_unknown_address_and_a_deactivated_agent_get_the_same_answer(
    engine: Engine, world: World
) -> None:
    with write_transaction(engine) as connection:
        deactivate(connection, world.agents["agent2"])
    browser = client(engine, world)
    answers = [
        log_in(browser, world.emails["agent"], "not the password at all"),
        log_in(browser, "nobody@acme.test", "not the password at all"),
        log_in(browser, world.emails["agent2"], PASSWORD),
    ]
    assert {answer.status_code for answer in answers} == {401}
    # Each form carries its own CSRF token; the rest of the page must be the same.
    pages = {re.sub(r'name="csrf_token" value="[^"]*"', "", answer.text) for answer in answers}
    assert len(pages) == 1
    assert "That e-mail and password don&#39;t match." in answers[0].text
    assert all(SESSION_COOKIE not in set_cookies(answer) for answer in answers)


# --- Item 10: a new, unguessable session at every login --------------------------------------


def test_every_login_starts_a_new_session_and_ignores_a_planted_one(engine: Engine, world: World) -> None:
    browser = client(engine, world)
    browser.cookies.set(SESSION_COOKIE, "attacker-chosen-session-id")
    tokens = []
    for _ in range(3):
        answer = log_in(browser, world.emails["agent"], PASSWORD)
        assert answer.status_code == 303
        tokens.append(session_token(answer))
    assert len(set(tokens)) == 3
    assert "attacker-chosen-session-id" not in tokens
    for token in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
        assert len(token) * 6 >= 128, token  # base64url: 6 bits a character
        assert len(token) >= 43  # 32 random bytes
    stored = repr(dump(engine))
    assert not any(token in stored for token in tokens)  # only hashes are kept
    assert all(token_hash(token) in stored for token in tokens)
    planted = client(engine, world)
    planted.cookies.set(SESSION_COOKIE, "attacker-chosen-session-id")
    assert planted.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize("token", ["", " ", "null", "undefined", "0"])
def test_an_empty_or_made_up_session_token_never_matches(engine: Engine, world: World, token: str) -> None:
    browser = client(engine, world)
    browser.cookies.set(SESSION_COOKIE, token)
    assert browser.get("/api/v1/me").status_code == 401
    page = browser.get("/inbox", headers=HTML, follow_redirects=False)
    assert (page.status_code, page.headers["location"]) == (303, "/login")


def test_the_stored_hash_of_a_session_is_not_a_session_token(
    engine: Engine, world: World, client_for: ClientFor
) -> None:
    client_for("admin")
    with engine.connect() as connection:
        stored = connection.scalar(select(agent_sessions.c.token_hash))
    browser = client(engine, world)
    browser.cookies.set(SESSION_COOKIE, stored)
    assert browser.get("/api/v1/me").status_code == 401


# --- Item 11: cookie flags -------------------------------------------------------------------


def test_session_and_login_cookies_are_http_only_and_same_site_lax(engine: Engine, world: World) -> None:
    browser = client(engine, world)
    form = browser.get("/login")
    answer = log_in(browser, world.emails["agent"], PASSWORD)
    for response, name in ((form, LOGIN_CSRF_COOKIE), (answer, SESSION_COOKIE)):
        morsel = set_cookies(response)[name][name]
        assert morsel["httponly"] is True, name
        assert morsel["samesite"].lower() == "lax", name
        assert morsel["path"] == "/", name
        assert not morsel["secure"], name  # plain http here: a Secure cookie would never come back
    assert int(set_cookies(answer)[SESSION_COOKIE][SESSION_COOKIE]["max-age"]) <= 12 * 3600


@pytest.mark.parametrize(
    ("secure_cookies", "base_url"), [(True, "http://testserver"), (False, "https://testserver")]
)
def test_cookies_are_secure_behind_tls_or_when_the_app_is_told_so(
    engine: Engine, world: World, secure_cookies: bool, base_url: str
) -> None:
    browser = client(engine, world, secure_cookies=secure_cookies, base_url=base_url)
    form_cookie = browser.get("/login")
    token = login_token(browser)
    browser.cookies.set(LOGIN_CSRF_COOKIE, token)  # a Secure cookie is not sent back over http
    answer = browser.post(
        "/login",
        data={"email": world.emails["agent"], "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    for response, name in ((form_cookie, LOGIN_CSRF_COOKIE), (answer, SESSION_COOKIE)):
        header = cookie_header(response, name)
        assert "; Secure" in header and "HttpOnly" in header and "SameSite=lax" in header, header


# --- Item 11: CSRF ---------------------------------------------------------------------------


def test_changes_without_the_right_csrf_token_are_refused_and_write_nothing(
    engine: Engine, world: World, client_for: ClientFor
) -> None:
    agent = client_for("agent")
    others_token = client_for("agent2").headers["X-CSRF-Token"]
    own_token = agent.headers.pop("X-CSRF-Token")
    conversation_id = world.conversations["acme"]
    api = f"/api/v1/conversations/{conversation_id}"
    attempts = [
        ("POST", f"{api}/replies", {"json": {"text": "forged"}}),
        ("POST", f"{api}/notes", {"json": {"text": "forged"}}),
        ("POST", f"{api}/assignment", {"json": {"owner_id": world.agents["agent"]}}),
        ("POST", f"{api}/status", {"json": {"status": "resolved"}}),
        ("POST", f"{api}/tags", {"json": {"name": "forged"}}),
        ("DELETE", f"{api}/tags/forged", {}),
        ("POST", f"{api}/presence", {"json": {"typing": True}}),
        ("POST", f"/conversations/{conversation_id}/reply", {"data": {"text": "forged"}}),
        ("POST", f"/conversations/{conversation_id}/status", {"data": {"status": "resolved"}}),
        ("POST", "/logout", {}),
    ]
    before = state(engine)
    for sent in (None, "", "wrong", others_token, own_token + "x", own_token[:-1]):
        headers = {} if sent is None else {"X-CSRF-Token": sent}
        for method, path, options in attempts:
            answer = agent.request(method, path, headers=headers, **options)
            assert answer.status_code == 403, (sent, method, path, answer.text)
    assert changes(before, state(engine)) == []
    assert agent.get("/api/v1/me").status_code == 200  # the forged logout did not sign out
    done = agent.post(f"{api}/notes", json={"text": "real"}, headers={"X-CSRF-Token": own_token})
    assert done.status_code == 201


def test_a_login_post_without_the_form_token_and_its_cookie_is_refused(engine: Engine, world: World) -> None:
    email = world.emails["agent"]
    fresh = client(engine, world)
    no_cookie = fresh.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": "guessed"}, follow_redirects=False
    )
    token = login_token(fresh)
    no_field = fresh.post("/login", data={"email": email, "password": PASSWORD}, follow_redirects=False)
    wrong_field = fresh.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token + "x"},
        follow_redirects=False,
    )
    fresh.cookies.clear()
    cookie_gone = fresh.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token}, follow_redirects=False
    )
    for answer in (no_cookie, no_field, wrong_field, cookie_gone):
        assert answer.status_code == 403
        assert "The form expired" in answer.text
        assert SESSION_COOKIE not in set_cookies(answer)


# --- Item 9: sessions end ------------------------------------------------------------------


def test_signing_out_ends_the_session_for_good(engine: Engine, world: World, client_for: ClientFor) -> None:
    agent = client_for("agent")
    token = agent.cookies[SESSION_COOKIE]
    answer = agent.post("/logout")
    assert (answer.status_code, answer.headers["hx-redirect"]) == (204, "/login")
    assert set_cookies(answer)[SESSION_COOKIE][SESSION_COOKIE].value == ""
    replay = client(engine, world)
    replay.cookies.set(SESSION_COOKIE, token)
    assert replay.get("/api/v1/me").status_code == 401
    with engine.connect() as connection:
        assert (
            connection.scalar(
                select(agent_sessions.c.id).where(agent_sessions.c.token_hash == token_hash(token))
            )
            is None
        )


@pytest.mark.parametrize("change", ["new password", "new role", "deactivated"])
def test_a_password_change_role_change_or_deactivation_ends_every_session_of_that_agent(
    engine: Engine, world: World, client_for: ClientFor, change: str
) -> None:
    laptop, phone, colleague = client_for("agent"), client_for("agent"), client_for("agent2")
    assert laptop.get("/api/v1/me").status_code == phone.get("/api/v1/me").status_code == 200
    agent_id = world.agents["agent"]
    with write_transaction(engine) as connection:
        if change == "new password":
            set_password(connection, agent_id, "a brand new long password")
        elif change == "new role":
            set_role(connection, agent_id, Role.READ_ONLY)
        else:
            deactivate(connection, agent_id)
    for browser in (laptop, phone):
        assert browser.get("/api/v1/me").status_code == 401
        note = browser.post(f"/api/v1/conversations/{world.conversations['acme']}/notes", json={"text": "x"})
        assert note.status_code == 401
        page = browser.get("/inbox", headers=HTML, follow_redirects=False)
        assert (page.status_code, page.headers["location"]) == (303, "/login")
    assert colleague.get("/api/v1/me").status_code == 200  # only that agent's sessions end


def test_after_a_password_change_only_the_new_password_signs_in(engine: Engine, world: World) -> None:
    with write_transaction(engine) as connection:
        set_password(connection, world.agents["agent"], "a brand new long password")
    browser = client(engine, world)
    assert log_in(browser, world.emails["agent"], PASSWORD).status_code == 401
    assert log_in(browser, world.emails["agent"], "a brand new long password").status_code == 303


# --- Item 24: the login redirect stays on this site ------------------------------------------

FOREIGN_TARGETS = [
    "//evil.example",
    "//evil.example/inbox",
    "https://evil.example",
    "http://evil.example/inbox",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\\/evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example",
    "https:/evil.example",
    "///evil.example",
]


def test_the_login_redirect_goes_only_to_a_path_on_this_site(engine: Engine, world: World) -> None:
    browser = client(engine, world)
    for target in FOREIGN_TARGETS:
        answer = log_in(browser, world.emails["agent"], PASSWORD, next=target)
        assert (target, answer.status_code, answer.headers["location"]) == (target, 303, "/inbox")
    for target in ("/conversations/1", "/inbox?view=mine&q=refund"):
        answer = log_in(browser, world.emails["agent"], PASSWORD, next=target)
        assert answer.headers["location"] == target


def test_the_login_form_carries_only_a_same_site_next_path(anonymous: TestClient) -> None:
    for target in FOREIGN_TARGETS:
        form = anonymous.get("/login", params={"next": target})
        assert 'name="next" value="/inbox"' in form.text, target
    form = anonymous.get("/login", params={"next": "/conversations/7"})
    assert 'name="next" value="/conversations/7"' in form.text


# --- Item 11: CORS; headers on every page ----------------------------------------------------


def test_no_other_origin_is_allowed_to_read_answers_with_credentials(client_for: ClientFor) -> None:
    agent = client_for("agent")
    evil = {"Origin": "https://evil.example"}
    answers = [
        agent.get("/api/v1/me", headers=evil),
        agent.get("/api/v1/conversations", headers=evil),
        agent.options(
            "/api/v1/conversations/1/replies",
            headers={
                **evil,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "x-csrf-token",
            },
        ),
    ]
    for answer in answers:
        headers = {name.lower() for name in answer.headers}
        assert not any(name.startswith("access-control-allow") for name in headers), answer.headers
        assert "evil.example" not in str(answer.headers)


def assert_security_headers(answer: Response) -> None:
    policy = answer.headers.get("content-security-policy", "")
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, policy
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy, policy
    assert "object-src 'none'" in policy and "base-uri 'none'" in policy, policy
    assert answer.headers.get("x-frame-options") == "DENY"
    assert answer.headers.get("x-content-type-options") == "nosniff"


def test_pages_and_api_answers_carry_the_security_headers(
    world: World, client_for: ClientFor, anonymous: TestClient
) -> None:
    agent = client_for("agent")
    conversation_id = world.conversations["acme"]
    answers = [
        anonymous.get("/login"),
        anonymous.get("/api/v1/me"),
        anonymous.get("/inbox", headers=HTML, follow_redirects=False),
        anonymous.get("/static/app.js"),
        agent.get("/inbox", headers=HTML),
        agent.get(f"/conversations/{conversation_id}", headers=HTML),
        agent.get(f"/conversations/{world.conversations['other']}", headers=HTML),  # a 404
        agent.get("/api/v1/conversations"),
        agent.post(f"/api/v1/conversations/{conversation_id}/tags", json={}),  # a 422
    ]
    for answer in answers:
        assert_security_headers(answer)


def test_pages_hold_no_inline_script_the_policy_would_have_to_allow(
    world: World, client_for: ClientFor, anonymous: TestClient
) -> None:
    agent = client_for("agent")
    pages = [
        anonymous.get("/login").text,
        agent.get("/inbox", headers=HTML).text,
        agent.get(f"/conversations/{world.conversations['acme']}", headers=HTML).text,
    ]
    for page in pages:
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []
        assert re.findall(r"\son[a-z]+\s*=", page) == []
        assert "javascript:" not in page


def test_an_oversized_body_is_refused_with_the_security_headers_too(
    world: World, client_for: ClientFor
) -> None:
    answer = client_for("agent").post(
        f"/api/v1/conversations/{world.conversations['acme']}/notes",
        content=b"x" * 1_000_001,
        headers={"content-type": "application/json"},
    )
    assert answer.status_code == 413
    assert_security_headers(answer)
