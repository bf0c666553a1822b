"""Injection and encoding (security notes, items 13, 14, 16 and 21).

Customers write markup and template syntax, and networks deliver it verbatim: every view
shows it as text. Filter and search parameters are values, never SQL or syntax: odd input
gets a 4xx or a literal answer, never a server error. No user input reaches a header line;
oversized and deeply nested bodies are refused quickly.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import Engine, select, update

from caredesk.ingest.inbound import Author, InboundMessage
from caredesk.ingest.pipeline import Ingestor
from caredesk.models import Direction, Visibility
from caredesk.models.tables import agents, messages
from tests.conftest import at
from tests.web.support import HTML, changes, client, log_in, state
from tests.web_support import PASSWORD, World

ClientFor = Callable[[str], TestClient]

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "[x](javascript:alert(1))",
    "data:text/html,<script>alert(2)</script>",
    "{{ 7*7 }}",
    '"><script>alert(3)</script>',
    "' onmouseover='alert(4)",
    "{% for x in range(3) %}loop{% endfor %}",
]
FOREIGN_ELEMENTS = frozenset({"img", "svg", "iframe", "object", "embed", "math", "base", "meta-refresh"})


class Elements(HTMLParser):
    """The elements of a page with their attributes, as a browser would parse them."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str]]] = []
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, {name: value or "" for name, value in attrs}))


def live_markup(page: str) -> list[tuple[str, dict[str, str]]]:
    """Elements that would run script or load something: none of the app's own pages has any."""
    return [
        (tag, attrs)
        for tag, attrs in Elements(page).found
        if tag in FOREIGN_ELEMENTS
        or (tag == "script" and "src" not in attrs)
        or any(name.startswith("on") for name in attrs)
        or any(
            attrs.get(name, "").strip().lower().startswith(("javascript:", "data:", "vbscript:"))
            for name in ("href", "src", "action", "formaction", "hx-get", "hx-post")
        )
    ]


def ingest_customer(engine: Engine, world: World, key: str, text: str, name: str, minutes: float = 30) -> int:
    """A customer post to @acme_help as a network delivers it; its conversation id."""
    Ingestor(engine, world.workspace_id, create_accounts=True, live=True).ingest(
        [
            InboundMessage(
                network="x",
                network_message_id=key,
                direction=Direction.INBOUND,
                visibility=Visibility.PUBLIC,
                text=text,
                created_at=at(minutes),
                customer=Author(platform_user_id=f"user-{key}", handle=name, display_name=name),
                brand_handle="acme_help",
            )
        ]
    )
    with engine.connect() as connection:
        found = connection.scalar(
            select(messages.c.conversation_id).where(messages.c.network_message_id == key)
        )
    assert found is not None
    return int(found)


def assert_inert(page: str, payload: str) -> None:
    """The payload shows as text: escaped, present, and nothing in the page would run."""
    assert str(escape(payload)) in page, payload
    assert live_markup(page) == []


@pytest.fixture
def hostile(engine: Engine, world: World) -> dict[str, int]:
    """One conversation per payload, written by a customer whose handle and name are the payload."""
    return {
        payload: ingest_customer(engine, world, f"evil{n}", payload, payload, minutes=30 + n)
        for n, payload in enumerate(PAYLOADS)
    }


# --- Item 13: markup from customers and agents renders inert ---------------------------------


def test_customer_markup_in_text_names_and_handles_is_inert_in_the_inbox(
    hostile: dict[str, int], client_for: ClientFor
) -> None:
    agent = client_for("agent")
    for view in ("all", "needs-answer"):
        page = agent.get("/inbox", params={"view": view}, headers=HTML)
        assert page.status_code == 200
        for payload in PAYLOADS:
            assert_inert(page.text, payload)
        partial = agent.get(
            "/inbox", params={"view": view}, headers={**HTML, "hx-request": "true", "hx-target": "queue"}
        )
        for payload in PAYLOADS:
            assert_inert(partial.text, payload)


def test_customer_markup_is_inert_on_the_conversation_page_and_its_partial(
    hostile: dict[str, int], client_for: ClientFor
) -> None:
    agent = client_for("agent")
    for payload, conversation_id in hostile.items():
        for headers in (HTML, {**HTML, "hx-request": "true"}):
            page = agent.get(f"/conversations/{conversation_id}", headers=headers)
            assert page.status_code == 200
            assert_inert(page.text, payload)
        assert "{{ 7*7 }}" not in payload or "{{ 7*7 }}" in page.text  # not evaluated to 49


def test_the_api_returns_customer_markup_verbatim_as_json(
    hostile: dict[str, int], client_for: ClientFor
) -> None:
    agent = client_for("agent")
    for payload, conversation_id in hostile.items():
        answer = agent.get(f"/api/v1/conversations/{conversation_id}")
        assert answer.headers["content-type"] == "application/json"
        assert answer.headers["x-content-type-options"] == "nosniff"
        body = answer.json()
        assert [m["text"] for m in body["messages"]] == [payload]
        assert body["messages"][0]["author"] == payload
        assert body["customer_name"] == payload
        assert body["identities"][0]["handle"] == payload
    listed = agent.get("/api/v1/conversations", params={"view": "all", "limit": 200}).json()
    previews = {item["id"]: item["preview"] for item in listed}
    assert all(previews[conversation_id] == payload for payload, conversation_id in hostile.items())


def test_markup_in_agent_names_tags_notes_and_reasons_is_inert(
    engine: Engine, world: World, client_for: ClientFor
) -> None:
    with engine.begin() as connection:
        connection.execute(
            update(agents).where(agents.c.id == world.agents["agent2"]).values(display_name=PAYLOADS[1])
        )
    supervisor = client_for("supervisor")
    conversation_id = world.conversations["acme"]
    api = f"/api/v1/conversations/{conversation_id}"
    for payload in PAYLOADS:
        assert supervisor.post(f"{api}/tags", json={"name": payload}).status_code == 200
        assert supervisor.post(f"{api}/notes", json={"text": payload}).status_code == 201
    assignment = {"owner_id": world.agents["agent2"], "reason": PAYLOADS[0]}
    assert supervisor.post(f"{api}/assignment", json=assignment).status_code == 200
    page = supervisor.get(f"/conversations/{conversation_id}", headers=HTML).text
    for payload in PAYLOADS:
        assert_inert(page, payload)
    inbox = supervisor.get("/inbox", params={"view": "all"}, headers=HTML).text
    assert_inert(inbox, PAYLOADS[1])  # the owner's name


def test_search_words_and_the_next_path_are_inert_where_pages_repeat_them(
    client_for: ClientFor, anonymous: TestClient
) -> None:
    agent = client_for("agent")
    for payload in PAYLOADS:
        page = agent.get("/inbox", params={"view": "all", "q": payload}, headers=HTML)
        assert page.status_code == 200
        assert_inert(page.text, payload)
        form = anonymous.get("/login", params={"next": "/" + payload})
        assert live_markup(form.text) == []
        assert str(escape("/" + payload)) in form.text


# --- Item 14: filters and search are values, never syntax ------------------------------------

REFUSED = [
    {"view": "DROP"},
    {"view": "all; DROP TABLE conversations"},
    {"view": "ALL"},
    {"limit": 100_000},
    {"limit": 0},
    {"limit": -1},
    {"limit": "1e3"},
    {"limit": "10 OR 1=1"},
    {"offset": -1},
    {"offset": 10**9},
    {"offset": "0x10"},
    {"brand_account_id": 10**20},
    {"brand_account_id": 0},
    {"team_id": -5},
    {"team_id": "1 OR 1=1"},
    {"network": "x" * 33},
    {"q": "a" * 201},
    {"tag": "t" * 101},
]
LITERAL = [
    {"q": "' OR 1=1 --"},
    {"q": '" OR ""="'},
    {"q": "1; DROP TABLE messages; --"},
    {"q": "*"},
    {"q": "NEAR(order arrived)"},
    {"q": "order OR love"},
    {"q": "-order"},
    {"q": "^order"},
    {"q": "order:*"},
    {"q": "!order & love"},
    {"q": "(((("},
    {"q": "   "},
    {"q": ""},
    {"q": "é" * 200},
    {"q": "😀 order"},
    {"network": "x' OR '1'='1"},
    {"network": "%"},
    {"tag": "' OR 1=1 --"},
    {"tag": "%"},
    {"brand_account_id": 2**62},
    {"team_id": 2**62},
    {"offset": 10_000},
]


@pytest.fixture
def wildcards(engine: Engine, world: World) -> dict[str, int]:
    """Conversations whose messages hold the characters LIKE and FTS treat specially."""
    texts = {
        "percent": "Is the 50% discount real?",
        "underscore": "my user_name is taken",
        "backslash": "the path C:\\Users\\me broke",
        "quote": 'he said "order" twice',
    }
    return {
        name: ingest_customer(engine, world, f"w-{name}", text, f"w_{name}") for name, text in texts.items()
    }


def conversations_containing(engine: Engine, fragment: str) -> set[int]:
    with engine.connect() as connection:
        return {
            conversation_id
            for conversation_id, text in connection.execute(
                select(messages.c.conversation_id, messages.c.text)
            )
            if fragment in text
        }


def listed(browser: TestClient, **params: Any) -> Any:
    return browser.get("/api/v1/conversations", params={"view": "all", "limit": 200, **params})


def test_malformed_filter_parameters_get_a_422_naming_the_parameter(
    wildcards: dict[str, int], client_for: ClientFor
) -> None:
    admin = client_for("admin")
    for params in REFUSED:
        answer = admin.get("/api/v1/conversations", params=params)
        assert answer.status_code == 422, (params, answer.text)
        assert next(iter(params)) in answer.text
        page = admin.get("/inbox", params=params, headers=HTML)
        assert page.status_code in (200, 422), (params, page.status_code)  # the page ignores paging


def test_sql_and_search_syntax_in_filters_is_taken_literally_and_matches_nothing(
    wildcards: dict[str, int], client_for: ClientFor
) -> None:
    admin = client_for("admin")
    everything = {item["id"] for item in listed(admin).json()}
    for params in LITERAL:
        answer = listed(admin, **params)
        assert answer.status_code in (200, 422), (params, answer.text)
        found = {item["id"] for item in answer.json()} if answer.status_code == 200 else set()
        if params.get("q", "x").strip():  # (a blank search may mean "no filter")
            assert found != everything, params  # never a tautology
        page = admin.get("/inbox", params={"view": "all", **params}, headers=HTML)
        assert page.status_code in (200, 422), (params, page.status_code)
    assert listed(admin, q="' OR 1=1 --").json() == []
    assert listed(admin, network="x' OR '1'='1").json() == []
    assert listed(admin, tag="' OR 1=1 --").json() == []


@pytest.mark.parametrize("fragment", ["%", "_", "\\", "%%", "_%", "\\%"])
def test_searching_for_a_wildcard_character_only_finds_messages_that_contain_it(
    engine: Engine, wildcards: dict[str, int], client_for: ClientFor, fragment: str
) -> None:
    answer = listed(client_for("admin"), q=fragment)
    assert answer.status_code == 200, answer.text
    assert {item["id"] for item in answer.json()} <= conversations_containing(engine, fragment)


def test_a_search_with_punctuation_still_finds_its_words(
    wildcards: dict[str, int], client_for: ClientFor
) -> None:
    admin = client_for("admin")
    assert {item["id"] for item in listed(admin, q="50%").json()} == {wildcards["percent"]}
    assert wildcards["backslash"] in {item["id"] for item in listed(admin, q="C:\\Users").json()}


NUL_INPUTS = [
    ("GET", "/api/v1/conversations", {"params": {"view": "all", "network": "x\x00"}}),
    ("GET", "/api/v1/conversations", {"params": {"view": "all", "tag": "vip\x00"}}),
    ("GET", "/api/v1/conversations", {"params": {"view": "all", "q": "order\x00"}}),
    ("GET", "/inbox", {"params": {"tag": "vip\x00"}, "headers": HTML}),
    ("GET", "/inbox", {"params": {"network": "x\x00"}, "headers": HTML}),
    ("POST", "/api/v1/conversations/{id}/tags", {"json": {"name": "vip\x00"}}),
    ("DELETE", "/api/v1/conversations/{id}/tags/vip%00", {}),
    ("POST", "/api/v1/conversations/{id}/assignment", {"json": {"owner_id": "{me}", "reason": "mine\x00"}}),
    ("POST", "/api/v1/conversations/{id}/replies", {"json": {"text": "hi\x00there"}}),
    ("POST", "/conversations/{id}/tags", {"data": {"name": "vip\x00"}}),
]


def test_a_nul_character_in_any_input_gets_an_answer_not_a_server_error(
    engine: Engine, world: World, client_for: ClientFor
) -> None:
    admin = client_for("admin")
    failures = []
    for method, path, options in NUL_INPUTS:
        path = path.format(id=world.conversations["acme"])
        if "json" in options and options["json"].get("owner_id") == "{me}":
            options = {"json": {**options["json"], "owner_id": world.agents["admin"]}}
        answer = admin.request(method, path, **options)
        if answer.status_code >= 500:
            failures.append(f"{method} {path} {options} -> {answer.status_code}")
    browser = client(engine, world)
    if (answer := log_in(browser, "agent\x00@acme.test", PASSWORD)).status_code >= 500:
        failures.append(f"POST /login (e-mail with NUL) -> {answer.status_code}")
    assert failures == []


HUGE = 10**20  # past any 64-bit id


def test_ids_past_64_bits_in_api_paths_get_a_422(client_for: ClientFor) -> None:
    admin = client_for("admin")
    for method, path, options in [
        ("GET", f"/api/v1/conversations/{HUGE}", {}),
        ("POST", f"/api/v1/conversations/{HUGE}/notes", {"json": {"text": "x"}}),
        ("POST", f"/api/v1/conversations/{HUGE}/status", {"json": {"status": "open"}}),
        ("POST", f"/api/v1/messages/{HUGE}/retry", {}),
        ("POST", "/api/v1/conversations/1/assignment", {"json": {"owner_id": HUGE}}),
        ("GET", "/api/v1/conversations/-1", {}),
        ("GET", "/api/v1/conversations/1.5", {}),
        ("GET", "/api/v1/conversations/1%20OR%201=1", {}),
    ]:
        assert admin.request(method, path, **options).status_code == 422, path


def test_ids_past_64_bits_in_page_paths_get_a_4xx_not_a_server_error(client_for: ClientFor) -> None:
    admin = client_for("admin")
    answers = {
        path: admin.request(method, path, **options).status_code
        for method, path, options in [
            ("GET", f"/conversations/{HUGE}", {"headers": HTML}),
            ("POST", f"/conversations/{HUGE}/reply", {"data": {"text": "x"}}),
            ("POST", f"/conversations/{HUGE}/owner", {"data": {"owner_id": ""}}),
            ("POST", f"/conversations/{HUGE}/status", {"data": {"status": "open"}}),
            ("POST", f"/conversations/{HUGE}/tags", {"data": {"name": "x"}}),
            ("POST", f"/conversations/1/messages/{HUGE}/retry", {}),
        ]
    }
    assert {path: status for path, status in answers.items() if not 400 <= status < 500} == {}


# --- Item 16: no CR/LF from input reaches a header -------------------------------------------


def test_line_breaks_in_the_next_path_never_reach_the_location_header(engine: Engine, world: World) -> None:
    browser = client(engine, world)
    for target in (
        "/inbox\r\nSet-Cookie: injected=1",
        "/inbox\nX-Injected: 1",
        "/inbox%0d%0aX-Injected:%201",
        "/\r\n/evil.example",
    ):
        answer = log_in(browser, world.emails["agent"], PASSWORD, next=target)
        assert answer.status_code == 303
        location = answer.headers["location"]
        assert "\r" not in location and "\n" not in location, location
        assert "x-injected" not in answer.headers
        assert all(not h.startswith("injected=") for h in answer.headers.get_list("set-cookie"))
        assert not location.startswith("//") and "evil.example" not in location.split("/")[2:3]
    form = client(engine, world).get("/login", params={"next": "/x\r\nX-Injected: 1"})
    assert "x-injected" not in form.headers


# --- Item 21: oversized and deeply nested bodies ---------------------------------------------


def test_a_body_over_one_megabyte_is_refused_with_413_quickly_and_writes_nothing(
    engine: Engine, world: World, client_for: ClientFor
) -> None:
    agent = client_for("agent")
    conversation_id = world.conversations["acme"]
    big = b'{"text": "' + b"a" * 1_100_000 + b'"}'
    before = state(engine)
    for path, headers in [
        (f"/api/v1/conversations/{conversation_id}/replies", {"content-type": "application/json"}),
        (f"/api/v1/conversations/{conversation_id}/notes", {"content-type": "application/json"}),
        (f"/conversations/{conversation_id}/reply", {"content-type": "application/x-www-form-urlencoded"}),
        ("/login", {"content-type": "application/x-www-form-urlencoded"}),
    ]:
        started = time.perf_counter()
        answer = agent.post(path, content=big, headers=headers)
        assert answer.status_code == 413, (path, answer.status_code)
        assert time.perf_counter() - started < 2.0
    assert changes(before, state(engine)) == []


def chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    yield b'{"text": "'
    for _ in range(total // size):
        yield b"a" * size
    yield b'"}'


def test_a_chunked_body_over_one_megabyte_without_a_length_is_refused_with_413(
    engine: Engine, world: World, client_for: ClientFor
) -> None:
    agent = client_for("agent")
    before = state(engine)
    answer = agent.post(
        f"/api/v1/conversations/{world.conversations['acme']}/notes",
        content=chunks(2_000_000),
        headers={"content-type": "application/json"},
    )
    assert changes(before, state(engine)) == []
    assert answer.status_code == 413, answer.text[:200]


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 50_000 + b"]" * 50_000,
        b'{"text": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
        b'{"text": ' + b'{"a": ' * 30_000 + b"1" + b"}" * 30_000 + b"}",
        b'{"text": "unterminated',
        b"\xff\xfe\x00garbage",
        b'{"text": "x", "text": {"nested": true}}',
    ],
    ids=["nested-array", "nested-in-field", "nested-objects", "truncated", "not-utf8", "duplicate-key"],
)
def test_deeply_nested_or_malformed_json_gets_a_4xx_and_writes_nothing(
    engine: Engine, world: World, client_for: ClientFor, body: bytes
) -> None:
    agent = client_for("agent")
    before = state(engine)
    answer = agent.post(
        f"/api/v1/conversations/{world.conversations['acme']}/notes",
        content=body,
        headers={"content-type": "application/json"},
    )
    assert 400 <= answer.status_code < 500, answer.status_code
    assert changes(before, state(engine)) == []


def test_a_reply_longer_than_ten_thousand_characters_is_refused(
    engine: Engine, world: World, client_for: ClientFor
) -> None:
    before = state(engine)
    answer = client_for("agent").post(
        f"/api/v1/conversations/{world.conversations['acme']}/replies", json={"text": "a" * 10_001}
    )
    assert answer.status_code == 422
    assert changes(before, state(engine)) == []  # not even the unowned conversation was taken
