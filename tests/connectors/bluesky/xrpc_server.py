"""A scripted XRPC server on loopback, for the answers a real PDS will not give on demand.

It speaks the wire format (`/xrpc/<method>`, JSON bodies, `{"error", "message"}` errors,
`ratelimit-*` headers) and records every request it gets, headers included, so tests can
check what was sent where. Each method answers from a queue of scripted answers, then from
its default answer.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Answer:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    raw: bytes | None = None  # sent as is instead of `body`


@dataclass
class Request:
    method: str
    headers: dict[str, str]
    body: Any


class XrpcServer:
    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.defaults: dict[str, Answer] = {}
        self.scripted: dict[str, deque[Answer]] = defaultdict(deque)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> XrpcServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def then(self, method: str, *answers: Answer) -> None:
        self.scripted[method].extend(answers)

    def calls(self, method: str) -> list[Request]:
        return [request for request in self.requests if request.method == method]

    def _answer(self, method: str) -> Answer:
        if self.scripted[method]:
            return self.scripted[method].popleft()
        return self.defaults.get(method, Answer(501, {"error": "MethodNotImplemented", "message": method}))

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                self._serve(None)

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                self._serve(json.loads(self.rfile.read(length) or b"null"))

            def _serve(self, body: Any) -> None:
                method = self.path.split("?")[0].removeprefix("/xrpc/")
                headers = {name.lower(): value for name, value in self.headers.items()}
                server.requests.append(Request(method, headers, body))
                answer = server._answer(method)
                time.sleep(answer.delay_s)
                payload = answer.raw if answer.raw is not None else json.dumps(answer.body).encode()
                try:
                    self.send_response(answer.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(payload)))
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

        return Handler


def session_answer(did: str, generation: int) -> Answer:
    """A session with tokens named after `generation`, so tests can tell them apart."""
    return Answer(
        body={
            "did": did,
            "handle": "brand.test",
            "accessJwt": f"access-token-{generation}",
            "refreshJwt": f"refresh-token-{generation}",
        }
    )
