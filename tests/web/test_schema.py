"""The API against its own OpenAPI description, fuzzed in-process with schemathesis.

Every operation (but the endless `/live` stream) gets schema-valid and schema-invalid
requests, signed in as the workspace admin with the session cookie and the CSRF header,
on the test's own database. No answer may be a server error; answers must have the
documented content type and, where documented, the documented body.

Two places where the API and its description disagree are pinned by the xfail tests at the
end rather than hidden: error statuses the description leaves out (401, 403, 404, 409), and
domain validation answered with 422 in a shape unlike the documented 422. NUL characters
are left out of the fuzzing (`allow_x00=False`): PostgreSQL refuses them with a 500, which
tests/web/test_injection.py pins.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
)
from sqlalchemy import Engine

from caredesk.connectors.registry import Connectors
from caredesk.db.engine import make_engine
from caredesk.web.app import create_app
from caredesk.web.deps import CSRF_HEADER, SESSION_COOKIE
from tests.web.support import MISSING_ID, client, open_session
from tests.web_support import TEST_VAULT, World

# The operations, read from the app's description (building it touches no database).
SPEC: dict[str, Any] = create_app(make_engine("sqlite://")).openapi()
OPERATIONS = [
    (method.upper(), path) for path, methods in SPEC["paths"].items() for method in methods if path != "/live"
]


def domain_refusal(response: Any) -> bool:
    """A 422 with a plain-text detail: the app's own validation (see the xfail tests below)."""
    if response.status_code != 422:
        return False
    try:
        return isinstance(response.json().get("detail"), str)
    except ValueError:
        return False


def documented_answers(ctx: Any, response: Any, case: Any) -> bool | None:
    """Schema-valid requests accepted, bodies as documented, except the known 422 mismatch."""
    if domain_refusal(response):
        return None
    response_schema_conformance(ctx, response, case)
    positive_data_acceptance(ctx, response, case)
    return None


CHECKS = [
    not_a_server_error,
    content_type_conformance,
    response_headers_conformance,
    negative_data_rejection,
    documented_answers,
]


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_every_api_operation_answers_fuzzed_requests_without_server_errors_and_as_documented(
    engine: Engine, world: World, method: str, path: str
) -> None:
    app = create_app(engine, connectors=Connectors(fallback=world.loopback), vault=TEST_VAULT)
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    schema.config.generation.update(allow_x00=False)
    operation = schema[path][method]
    token, csrf = open_session(engine, world.agents["admin"])
    strategies = [operation.as_strategy(), operation.as_strategy(GenerationMode.NEGATIVE)]
    if "{conversation_id}" in path:  # also aim at a conversation that exists
        strategies.append(
            operation.as_strategy(path_parameters={"conversation_id": world.conversations["acme"]})
        )

    @settings(
        max_examples=25,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=st.one_of(strategies))
    def fuzz(case: Any) -> None:
        case.call_and_validate(headers={CSRF_HEADER: csrf}, cookies={SESSION_COOKIE: token}, checks=CHECKS)

    fuzz()


def test_every_status_the_api_answers_with_is_in_its_description(
    engine: Engine, world: World, client_for: Any
) -> None:
    conversation = f"/api/v1/conversations/{world.conversations['acme']}"
    agent, agent2, reader = client_for("agent"), client_for("agent2"), client_for("reader")
    assert (
        agent.post(f"{conversation}/assignment", json={"owner_id": world.agents["agent"]}).status_code == 200
    )
    path = "/api/v1/conversations/{conversation_id}"
    answers = [
        ("GET", "/api/v1/me", client(engine, world).get("/api/v1/me")),
        ("GET", path, agent.get(f"/api/v1/conversations/{MISSING_ID}")),
        ("POST", f"{path}/status", reader.post(f"{conversation}/status", json={"status": "open"})),
        ("POST", f"{path}/replies", agent2.post(f"{conversation}/replies", json={"text": "mine"})),
        (
            "POST",
            f"{path}/notes",
            agent.post(f"{conversation}/notes", json={"text": "x"}, headers={CSRF_HEADER: "x"}),
        ),
    ]
    assert [answer.status_code for _, _, answer in answers] == [401, 404, 403, 409, 403]
    undocumented = [
        (method, path, answer.status_code)
        for method, path, answer in answers
        if str(answer.status_code) not in SPEC["paths"][path][method.lower()]["responses"]
    ]
    assert undocumented == []


def test_a_schema_valid_but_blank_text_is_answered_in_the_documented_shape(
    world: World, client_for: Any
) -> None:
    admin = client_for("admin")
    conversation = f"/api/v1/conversations/{world.conversations['acme']}"
    for suffix, body in [
        ("notes", {"text": " "}),
        ("replies", {"text": "\u001d"}),
        ("tags", {"name": "\t"}),
    ]:
        path = f"{conversation}/{suffix}"
        answer = admin.post(path, json=body)
        # Refused either by the schema (422, a list of errors) or by the domain rule that text
        # must not be blank (400, a sentence): both are documented shapes.
        assert answer.status_code in (400, 422), answer.text
        detail = answer.json()["detail"]
        assert isinstance(detail, list if answer.status_code == 422 else str), answer.text
        documented = SPEC["paths"][f"/api/v1/conversations/{{conversation_id}}/{suffix}"]["post"]["responses"]
        assert str(answer.status_code) in documented
