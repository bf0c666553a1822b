"""XRPC over HTTP to one configured AT Protocol service, with the network's errors typed.

XRPC errors are JSON `{"error": name, "message": text}`. The mapping:
429 → `RateLimited` (wait from `ratelimit-reset`, epoch seconds, or `Retry-After`);
401 → `AuthExpired`; an expired or invalid access token → `SessionRejected`, which the
session layer answers by refreshing; other 4xx → `Permanent` with the network's text;
5xx, timeouts and connection errors → `Transient`.

Tokens go only to the configured service: paths are built here from a checked method name,
redirects are never followed, and no message or log line carries a token.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from caredesk.connectors.base import AuthExpired, Permanent, RateLimited, Transient
from caredesk.connectors.hosts import is_loopback_host

TIMEOUT = httpx.Timeout(15.0, connect=5.0)
DEFAULT_RETRY_AFTER_S = 60.0
MAX_ERROR_TEXT = 300

_NSID = re.compile(r"^[a-zA-Z][a-zA-Z0-9-]*(\.[a-zA-Z0-9-]+){2,}$")
# Errors an AT Protocol server gives for a session token it will not take (any status).
_SESSION_ERRORS = frozenset({"ExpiredToken", "InvalidToken"})


class SessionRejected(Exception):
    """The access or refresh token was refused: the session must be refreshed or recreated."""

    def __init__(self, error: str) -> None:
        super().__init__(f"session token refused ({error})")
        self.expired = error == "ExpiredToken"


def check_service_url(url: str, what: str = "service") -> str:
    """`url` without its trailing slash; https, or http only to this machine.

    A misconfigured account must fail with a clear error rather than send its password in
    clear text over the network.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise Permanent(f"bluesky {what} URL {url!r} is not an http(s) URL")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise Permanent(f"bluesky {what} URL {url!r} must use https (plain http only to localhost)")
    if parts.query or parts.fragment:
        raise Permanent(f"bluesky {what} URL {url!r} must not have a query or fragment")
    return url.rstrip("/")


class Xrpc:
    """Calls to one service through the injected `http` client (its timeouts apply; its base
    URL is not used). `new_http_client()` makes one with Caredesk's timeouts."""

    def __init__(self, service: str, http: httpx.Client) -> None:
        self.service = check_service_url(service)
        self._http = http

    def query(self, method: str, params: Mapping[str, str], token: str | None = None) -> dict[str, Any]:
        """A GET (`query` in XRPC terms)."""
        return self._call("GET", method, token, params=dict(params))

    def procedure(self, method: str, body: Mapping[str, Any], token: str | None = None) -> dict[str, Any]:
        """A POST with a JSON body (`procedure` in XRPC terms)."""
        return self._call("POST", method, token, json=dict(body))

    def _call(self, verb: str, method: str, token: str | None, **kwargs: Any) -> dict[str, Any]:
        if not _NSID.match(method):
            raise ValueError(f"not an XRPC method name: {method!r}")
        headers = {"authorization": f"Bearer {token}"} if token else {}
        url = f"{self.service}/xrpc/{method}"
        try:
            response = self._http.request(verb, url, headers=headers, follow_redirects=False, **kwargs)
        except httpx.TimeoutException as error:
            raise Transient(f"bluesky {method}: timed out ({type(error).__name__})") from None
        except httpx.TransportError as error:
            raise Transient(f"bluesky {method}: {type(error).__name__} reaching {self.service}") from None
        return _answer(method, response)


def new_http_client() -> httpx.Client:
    return httpx.Client(timeout=TIMEOUT, follow_redirects=False)


def _answer(method: str, response: httpx.Response) -> dict[str, Any]:
    status = response.status_code
    if 200 <= status < 300:
        try:
            body = response.json()
        except ValueError:
            raise Transient(f"bluesky {method}: answer {status} is not JSON") from None
        if not isinstance(body, dict):
            raise Transient(f"bluesky {method}: answer {status} is not a JSON object")
        return body
    error, message = _error_of(response)
    text = f"bluesky {method}: {status} {error}: {message}".rstrip(": ")
    if error in _SESSION_ERRORS:
        raise SessionRejected(error)
    if status == 429:
        raise RateLimited(text, retry_after_s(response.headers))
    if status == 401:
        raise AuthExpired(text)
    if 300 <= status < 500:
        raise Permanent(text)
    raise Transient(text)


def _error_of(response: httpx.Response) -> tuple[str, str]:
    """The XRPC error name and message, tolerating servers (proxies) that send HTML."""
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase, ""
    if not isinstance(body, dict):
        return response.reason_phrase, ""
    error, message = body.get("error"), body.get("message")
    return (
        str(error)[:MAX_ERROR_TEXT] if error else response.reason_phrase,
        str(message)[:MAX_ERROR_TEXT] if message else "",
    )


def retry_after_s(headers: Mapping[str, str], now: float | None = None) -> float:
    """Seconds to wait, from Bluesky's `ratelimit-reset` (epoch s) or a standard `Retry-After`."""
    now = time.time() if now is None else now
    reset = headers.get("ratelimit-reset")
    if reset is not None:
        try:
            return max(0.0, float(reset) - now)
        except ValueError:
            pass
    retry_after = headers.get("retry-after")
    if retry_after is not None:
        try:
            return max(0.0, float(retry_after))
        except ValueError:
            pass
    return DEFAULT_RETRY_AFTER_S
