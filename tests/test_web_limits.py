"""Oversized request bodies are refused before anything reads them."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from fastapi.testclient import TestClient

from caredesk.web.guards import MAX_BODY_BYTES
from tests.web_support import World


def test_an_oversized_body_is_refused_by_its_length(
    world: World, client_as: Callable[[str], TestClient]
) -> None:
    agent = client_as("agent")
    response = agent.post(
        f"/api/v1/conversations/{world.conversations['acme']}/notes",
        content=b'{"text": "' + b"x" * MAX_BODY_BYTES + b'"}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413


def test_an_oversized_chunked_body_is_refused_while_it_streams(
    world: World, client_as: Callable[[str], TestClient]
) -> None:
    agent = client_as("agent")

    def chunks() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(20):
            yield b"x" * 100_000
        yield b'"}'

    response = agent.post(
        f"/api/v1/conversations/{world.conversations['acme']}/notes",
        content=chunks(),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
