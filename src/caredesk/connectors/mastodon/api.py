"""HTTP to one Mastodon instance with one brand account's token, and its typed errors.

The token goes only to the instance named by the account's `api_base` (security.md 23):
requests are built from that base alone, redirects are never followed, and plain http is
refused except on loopback. Answers map to the errors workers act on: 429 waits for the
instance's reset time, 401 (and a token lacking a scope) needs re-authorisation, other 4xx
cannot be retried, 5xx and network failures can.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import httpx

from caredesk.clock import utcnow
from caredesk.connectors.base import AccountConfig, AuthExpired, Permanent, RateLimited, Transient
from caredesk.connectors.hosts import is_loopback_host

__all__ = ["TIMEOUT", "InstanceApi", "instance_url"]

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
DEFAULT_RATE_LIMIT_WAIT_S = 60.0
MAX_RATE_LIMIT_WAIT_S = 6 * 3600.0
_ERROR_TEXT_LIMIT = 300


def instance_url(account: AccountConfig) -> str:
    """The account's instance as `scheme://host[:port][/path]`, checked before any token leaves."""
    api_base = account.settings.get("api_base", "").strip()
    if not api_base:
        raise Permanent(f"mastodon account {account.handle} has no api_base: set the instance URL")
    try:
        parts = urlsplit(api_base)
        host = parts.hostname
        parts.port  # noqa: B018  # raises ValueError for a port that is not a number
    except ValueError:
        raise Permanent(f"mastodon account {account.handle}: api_base is not a URL") from None
    if parts.scheme not in ("http", "https") or not host or parts.username or parts.password:
        raise Permanent(f"mastodon account {account.handle}: api_base must be an http(s) URL, no credentials")
    if parts.query or parts.fragment:
        raise Permanent(f"mastodon account {account.handle}: api_base must not have a query or fragment")
    if parts.scheme == "http" and not is_loopback_host(host):
        raise Permanent(f"mastodon account {account.handle}: api_base must use https (http only on loopback)")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


class InstanceApi:
    """Authenticated requests to one instance; use as a context manager to close the connection."""

    def __init__(self, account: AccountConfig) -> None:
        self.base = instance_url(account)
        self._handle = account.handle
        self._token = account.secret("access_token")
        self._http = httpx.Client(timeout=TIMEOUT, follow_redirects=False)

    def __enter__(self) -> InstanceApi:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._http.close()

    def get(self, path: str, params: Sequence[tuple[str, str]] = ()) -> httpx.Response:
        return self._request("GET", path, params=list(params))

    def post(self, path: str, form: Mapping[str, str], headers: Mapping[str, str]) -> httpx.Response:
        return self._request("POST", path, data=dict(form), headers=dict(headers))

    def json(self, response: httpx.Response) -> Any:
        """The answer's JSON; an unreadable answer is the instance's fault and worth retrying."""
        try:
            return response.json()
        except (ValueError, RecursionError):  # RecursionError: JSON nested beyond Python's stack
            path = response.request.url.path
            raise Transient(f"mastodon {self.base} answered {path} with invalid JSON") from None

    def _request(self, method: str, path: str, **options: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self._token}", **options.pop("headers", {})}
        try:
            response = self._http.request(method, self.base + path, headers=headers, **options)
        except httpx.TimeoutException as error:
            raise Transient(f"mastodon {self.base} timed out ({type(error).__name__})") from None
        except httpx.TransportError as error:
            raise Transient(f"mastodon {self.base} unreachable ({type(error).__name__})") from None
        self._raise_for_status(response)
        return response

    def _raise_for_status(self, response: httpx.Response) -> None:
        status = response.status_code
        if status < 300:
            return
        request = response.request
        what = f"mastodon {self.base} answered {status} to {request.method} {request.url.path}"
        if 300 <= status < 400:
            # Following it would hand the token to wherever the redirect points.
            raise Permanent(f"{what}: a redirect, not followed; set api_base to the instance's own URL")
        detail = self._error_text(response)
        if status == 429:
            raise RateLimited(f"{what}: rate limited", retry_after_s(response.headers))
        if status == 401:
            raise AuthExpired(f"{what}: {detail}; re-authorise account {self._handle}")
        if status == 403 and "scope" in detail.lower():
            raise AuthExpired(f"{what}: {detail}; re-authorise account {self._handle} with write scope")
        if status < 500:
            raise Permanent(f"{what}: {detail}")
        raise Transient(f"{what}: {detail}")

    def _error_text(self, response: httpx.Response) -> str:
        try:
            body = response.json()
        except (ValueError, RecursionError):
            body = None
        if isinstance(body, dict) and isinstance(body.get("error"), str):
            text = body["error"]
        else:
            text = response.reason_phrase or "no reason given"
        text = "".join(char if char.isprintable() else " " for char in text[:_ERROR_TEXT_LIMIT])
        return text.replace(self._token, "[token]")


def retry_after_s(headers: Mapping[str, str]) -> float:
    """Seconds until the instance accepts requests again, from `Retry-After` or `X-RateLimit-Reset`.

    Mastodon sends `X-RateLimit-Reset` as an ISO 8601 time; `Retry-After` may be seconds or an
    HTTP date. A missing or unreadable value waits a minute; a reset in the past waits a second.
    """
    now = utcnow()
    retry_after = headers.get("retry-after", "").strip()
    if retry_after.isdigit():
        return _bounded(float(retry_after))
    moments: list[datetime] = []
    if retry_after:
        with contextlib.suppress(TypeError, ValueError):
            moments.append(parsedate_to_datetime(retry_after))
    with contextlib.suppress(ValueError):
        moments.append(datetime.fromisoformat(headers.get("x-ratelimit-reset", "")))
    for moment in moments:
        if moment.tzinfo is not None:
            return _bounded((moment - now).total_seconds())
    return DEFAULT_RATE_LIMIT_WAIT_S


def _bounded(seconds: float) -> float:
    return min(max(seconds, 1.0), MAX_RATE_LIMIT_WAIT_S)
