"""The X API v2 over HTTP: the one place that holds the token, checks the host, maps errors.

The bearer token goes only to X's own hosts (or to loopback, where tests and local proxies
run), never through a redirect, and never into an exception message. X counts requests per
endpoint in 15-minute windows: once a response says none are left, later calls to that
endpoint raise `RateLimited` until the window resets, without spending a request.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson

from caredesk.clock import utcnow
from caredesk.connectors.base import AccountConfig, AuthExpired, Permanent, RateLimited, Transient
from caredesk.connectors.hosts import checked_api_base as checked_host

DEFAULT_API_BASE = "https://api.x.com"
API_HOSTS = frozenset({"api.x.com", "api.twitter.com"})
DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=5.0)
DEFAULT_RATE_WAIT_S = 60.0  # a 429 without a reset header: try again in a minute
_ID = re.compile(r"[0-9]{1,19}")


def checked_id(value: str | None, what: str) -> str:
    """An X id (a number) before it goes into a URL path, so it cannot redirect the request."""
    if value is None or not _ID.fullmatch(value):
        raise Permanent(f"invalid X {what} {str(value)[:40]!r}: expected a numeric id")
    return value


class RateWindows:
    """One account's spent rate-limit windows, shared by its connectors and polls."""

    def __init__(self) -> None:
        self._spent_until: dict[str, float] = {}  # endpoint -> epoch second its window resets
        self._lock = threading.Lock()

    def refuse_if_spent(self, endpoint: str) -> None:
        now = utcnow().timestamp()
        with self._lock:
            reset = self._spent_until.get(endpoint)
            if reset is not None and reset <= now:
                del self._spent_until[endpoint]
                reset = None
        if reset is not None:
            raise RateLimited(f"X's limit for {endpoint} is spent until {_clock(reset)}", reset - now)

    def note(self, endpoint: str, headers: httpx.Headers) -> None:
        reset = _epoch(headers.get("x-rate-limit-reset"))
        if headers.get("x-rate-limit-remaining") == "0" and reset is not None:
            with self._lock:
                self._spent_until[endpoint] = reset


class XApi:
    """Authenticated calls for one brand account."""

    def __init__(self, account: AccountConfig, timeout: httpx.Timeout, windows: RateWindows) -> None:
        self._account = account
        self._base = checked_api_base(account.settings.get("api_base", DEFAULT_API_BASE))
        self._timeout = timeout
        self._windows = windows

    def get(self, endpoint: str, path: str, params: Mapping[str, str]) -> dict[str, Any]:
        return self._call(endpoint, "GET", path, params=dict(params))

    def post(self, endpoint: str, path: str, body: Mapping[str, Any]) -> dict[str, Any]:
        return self._call(endpoint, "POST", path, content=orjson.dumps(body))

    def _call(self, endpoint: str, method: str, path: str, **request: Any) -> dict[str, Any]:
        """`endpoint` names the rate-limit bucket (X's template, e.g. "POST /2/tweets")."""
        self._windows.refuse_if_spent(endpoint)
        headers = {
            "Authorization": f"Bearer {self._account.secret('access_token')}",
            "Content-Type": "application/json",
        }
        try:
            with httpx.Client(base_url=self._base, timeout=self._timeout, follow_redirects=False) as client:
                response = client.request(method, path, headers=headers, **request)
        except httpx.TimeoutException:
            raise Transient(f"X did not answer {endpoint} in time") from None
        except httpx.TransportError as error:
            raise Transient(f"X could not be reached for {endpoint}: {type(error).__name__}") from None
        self._windows.note(endpoint, response.headers)
        return self._answer(endpoint, method, response)

    def _answer(self, endpoint: str, method: str, response: httpx.Response) -> dict[str, Any]:
        status = response.status_code
        if status == 429:
            wait = _rate_wait(response.headers)
            raise RateLimited(f"X rate-limited {endpoint}; retry in {wait:.0f} s", wait)
        if status == 401:
            raise AuthExpired(f"X refused the token of @{self._account.handle}: re-authorise the account")
        if status >= 500:
            raise Transient(f"X answered {status} to {endpoint}")
        if not 200 <= status < 300:
            raise Permanent(f"X refused {endpoint} ({status}): {_problem(response)}")
        try:
            document = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            document = None
        if isinstance(document, dict):
            return document
        if method == "GET":
            raise Transient(f"X answered {endpoint} with an unreadable body")
        # The post may exist: retrying blindly could publish it twice.
        raise Permanent(
            f"X accepted {endpoint} but its answer was unreadable: check the account before resending"
        )


def _rate_wait(headers: httpx.Headers) -> float:
    reset = _epoch(headers.get("x-rate-limit-reset"))
    if reset is not None:
        return max(1.0, reset - utcnow().timestamp())
    retry_after = headers.get("retry-after", "")
    if retry_after.isdigit():
        return max(1.0, float(retry_after))
    return DEFAULT_RATE_WAIT_S


def _epoch(value: str | None) -> float | None:
    return float(value) if value is not None and value.isdigit() else None


def _clock(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%H:%M:%S UTC")


def _problem(response: httpx.Response) -> str:
    """X's explanation (an RFC 7807 problem, or v1-style `errors`), on one short line."""
    try:
        document = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return "no explanation"
    reason: object = None
    if isinstance(document, dict):
        errors = document.get("errors")
        first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
        reason = document.get("detail") or first.get("message") or document.get("title")
    return " ".join(str(reason).split())[:300] if reason else "no explanation"


def checked_api_base(api_base: str) -> str:
    return checked_host(api_base, "X", "X API", API_HOSTS)
