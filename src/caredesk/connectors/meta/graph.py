"""The Graph API over HTTP: the one place that holds the Page token, checks the host and maps
Graph's error codes to Caredesk's typed errors.

The token travels in the Authorization header (never in a URL, where logs would keep it),
only to Meta's Graph hosts or to loopback, never through a redirect. With the app secret
each call carries `appsecret_proof`, which Meta requires when "Require App Secret" is on.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from typing import Any

import httpx
import orjson

from caredesk.connectors.base import AccountConfig, AuthExpired, Permanent, RateLimited, Transient
from caredesk.connectors.hosts import checked_api_base as checked_host

DEFAULT_API_BASE = "https://graph.facebook.com/v19.0"
API_HOSTS = frozenset({"graph.facebook.com", "graph.instagram.com"})
DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=5.0)
DEFAULT_RATE_WAIT_S = 300.0  # Graph's windows are an hour long; without an estimate, wait 5 min
_ID = re.compile(r"[0-9]{1,30}(_[0-9]{1,30})?")

_EXPIRED_TOKEN = frozenset({102, 190})  # invalid or expired session / access token
_THROTTLED = frozenset({4, 17, 32, 613, *range(80001, 80015)})  # app, user, page, BUC limits
_TEMPORARY = frozenset({1, 2})  # "unknown error", "service temporarily unavailable"
_WINDOW_CLOSED = 2018278  # subcode: outside the 24-hour messaging window
_ALREADY_REPLIED = 10900  # the comment already had its one Private Reply


def checked_id(value: str | None, what: str) -> str:
    """A Graph object id ("123" or "123_456") before it goes into a URL path."""
    if value is None or not _ID.fullmatch(value):
        raise Permanent(f"invalid Meta {what} {str(value)[:40]!r}: expected a numeric Graph id")
    return value


def is_graph_id(value: str | None) -> bool:
    return value is not None and _ID.fullmatch(value) is not None


class GraphApi:
    """Authenticated Graph calls for one Page (or the Page an Instagram account belongs to)."""

    def __init__(self, account: AccountConfig, timeout: httpx.Timeout) -> None:
        self._account = account
        self._base = checked_api_base(account.settings.get("api_base", DEFAULT_API_BASE))
        self._timeout = timeout

    def post(self, path: str, body: Mapping[str, Any], what: str) -> dict[str, Any]:
        """POST `body` to `path` (built from checked ids); `what` names the call in errors."""
        token = self._account.secret("access_token")
        params = {}
        if app_secret := self._account.secrets.get("app_secret"):
            params["appsecret_proof"] = hmac.new(
                app_secret.encode(), token.encode(), hashlib.sha256
            ).hexdigest()
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        try:
            with httpx.Client(base_url=self._base, timeout=self._timeout, follow_redirects=False) as client:
                response = client.post(path, params=params, headers=headers, content=orjson.dumps(body))
        except httpx.TimeoutException:
            raise Transient(f"Meta did not answer ({what}) in time") from None
        except httpx.TransportError as error:
            raise Transient(f"Meta could not be reached ({what}): {type(error).__name__}") from None
        return self._answer(response, what)

    def _answer(self, response: httpx.Response, what: str) -> dict[str, Any]:
        try:
            document = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            document = None
        error = document.get("error") if isinstance(document, dict) else None
        if 200 <= response.status_code < 300 and isinstance(document, dict) and error is None:
            return document
        if isinstance(error, dict):
            raise self._graph_error(error, response.headers, what)
        if response.status_code == 429:
            raise RateLimited(f"Meta rate-limited {what}", _rate_wait(response.headers))
        if response.status_code == 401:
            raise AuthExpired(f"Meta refused the token of {self._account.handle}: re-authorise the account")
        if response.status_code >= 500:
            raise Transient(f"Meta answered {response.status_code} ({what})")
        # Accepted without a readable answer: the reply may exist, so a person checks.
        raise Permanent(f"Meta answered {response.status_code} ({what}) without a readable result")

    def _graph_error(self, error: dict[str, Any], headers: httpx.Headers, what: str) -> Exception:
        """Graph's `{"error": {"message", "code", "error_subcode", "is_transient"}}` as a typed error."""
        code, subcode = error.get("code"), error.get("error_subcode")
        reason = " ".join(str(error.get("message") or "no explanation").split())[:300]
        if code in _EXPIRED_TOKEN:
            return AuthExpired(f"Meta refused the token of {self._account.handle} ({reason}): re-authorise")
        if code in _THROTTLED:
            return RateLimited(f"Meta rate-limited {what} (code {code}): {reason}", _rate_wait(headers))
        if code in _TEMPORARY or error.get("is_transient") is True:
            return Transient(f"Meta failed {what} for now (code {code}): {reason}")
        if code == 10 and subcode == _WINDOW_CLOSED:
            return Permanent(f"messaging window closed: the customer last wrote over 24 hours ago ({reason})")
        if code == _ALREADY_REPLIED:
            return Permanent(
                f"the comment already had its one private reply: wait for the customer ({reason})"
            )
        return Permanent(f"Meta refused {what} (code {code}, subcode {subcode}): {reason}")


def _rate_wait(headers: httpx.Headers) -> float:
    """Seconds until Meta lets the app call again: its own estimate when it gives one."""
    minutes = [0.0]
    usage = headers.get("x-business-use-case-usage")
    if usage:
        try:
            by_business = orjson.loads(usage)
        except orjson.JSONDecodeError:
            by_business = None
        if isinstance(by_business, dict):
            minutes += [
                float(limit["estimated_time_to_regain_access"])
                for limits in by_business.values()
                if isinstance(limits, list)
                for limit in limits
                if isinstance(limit, dict)
                and isinstance(limit.get("estimated_time_to_regain_access"), int | float)
            ]
    if max(minutes) > 0:
        return max(minutes) * 60
    retry_after = headers.get("retry-after", "")
    return max(1.0, float(retry_after)) if retry_after.isdigit() else DEFAULT_RATE_WAIT_S


def checked_api_base(api_base: str) -> str:
    return checked_host(api_base, "Meta", "Graph API", API_HOSTS)
