"""The agent UI: server-rendered pages, with htmx partials for the parts that change."""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime
from importlib.resources import files
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import Connection, select

from caredesk.actions.conversations import do_assign, do_set_status, do_tag
from caredesk.actions.private import do_take_private
from caredesk.actions.replies import do_add_note, do_reply, do_retry_delivery
from caredesk.auth import throttle
from caredesk.auth.passwords import verify_password
from caredesk.auth.sessions import end_session, start_session
from caredesk.clock import utcnow
from caredesk.conversation_view import conversation_view
from caredesk.db.engine import write_transaction
from caredesk.inbox import InboxQuery, View, inbox, view_counts
from caredesk.models import ConversationStatus, Visibility
from caredesk.models.tables import agents
from caredesk.search import index_pending
from caredesk.web.deps import SESSION_COOKIE, Session, engine_of, reading, session, writing

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(files("caredesk.web").joinpath("templates")))
LOGIN_CSRF_COOKIE = "caredesk_login_csrf"
Me = Annotated[Session, Depends(session)]
RowId = Annotated[int, Path(ge=1, le=2**62)]
Reading = Annotated[Connection, Depends(reading)]
Writing = Annotated[Connection, Depends(writing)]


def _ago(moment: datetime | None) -> str:
    if moment is None:
        return ""
    seconds = max(int((utcnow() - moment).total_seconds()), 0)
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return "now"


def _count(value: int | None) -> str:
    if value is None:
        return ""
    if value >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if value >= 1_000:
        return f"{value / 1_000:.1f}k"
    return str(value)


templates.env.filters["ago"] = _ago
templates.env.filters["compact"] = _count


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never `//evil.example`, `https://…` or `\\\\evil`."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/inbox"
    parts = urlsplit(target)
    return "/inbox" if parts.scheme or parts.netloc else target


def _render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status)


@router.get("/", response_class=RedirectResponse)
def home() -> RedirectResponse:
    return RedirectResponse("/inbox", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> Response:
    token = secrets.token_urlsafe(32)
    response = _render(request, "login.html", csrf=token, next=_safe_next(next), error=None)
    _set_cookie(request, response, LOGIN_CSRF_COOKIE, token, max_age=3600)
    return response


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/inbox",
) -> Response:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected.encode(), csrf_token.encode()):
        return _render(
            request,
            "login.html",
            403,
            csrf=expected,
            next=_safe_next(next),
            error="The form expired: try again.",
        )
    ip = request.client.host if request.client else "unknown"
    email = email.strip().lower()
    with write_transaction(engine_of(request)) as connection:
        if not throttle.login_allowed(connection, email, ip):
            error, status = (
                "Too many failed sign-ins. Wait 15 minutes, or ask an admin to reset your password.",
                429,
            )
        else:
            agent = connection.execute(
                select(agents.c.id, agents.c.password_hash).where(
                    agents.c.email == email, agents.c.is_active.is_(True)
                )
            ).first()
            if agent is not None and verify_password(agent.password_hash, password):
                throttle.forget_failures(connection, email)
                token, _csrf = start_session(connection, agent.id)
                response = RedirectResponse(_safe_next(next), status_code=303)
                _set_cookie(request, response, SESSION_COOKIE, token, max_age=12 * 3600)
                response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
                return response
            verify_password(None, password) if agent is None else None
            throttle.record_failure(connection, email, ip)
            error, status = "That e-mail and password don't match.", 401
    return _render(request, "login.html", status, csrf=expected, next=_safe_next(next), error=error)


def _set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=bool(request.app.state.secure_cookies) or request.url.scheme == "https",
        path="/",
    )


@router.post("/logout")
def logout(request: Request, current: Me) -> Response:
    with write_transaction(engine_of(request)) as connection:
        end_session(connection, current.token)
    response = Response(status_code=204, headers={"HX-Redirect": "/login"})
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/inbox", response_class=HTMLResponse)
def inbox_page(
    request: Request,
    current: Me,
    connection: Reading,
    view: View = View.NEEDS_ANSWER,
    network: Annotated[str | None, Query(max_length=32)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    tag: Annotated[str | None, Query(max_length=100)] = None,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> HTMLResponse:
    query = InboxQuery(view=view, network=network or None, search=q or None, tag=tag or None, offset=offset)
    if query.search:
        index_pending(engine_of(request))
    items = inbox(connection, current.viewer, query)
    partial = request.headers.get("hx-request") == "true" and request.headers.get("hx-target") == "queue"
    return _render(
        request,
        "partials/queue.html" if partial else "inbox.html",
        me=current.viewer,
        csrf=current.signed_in.csrf_token,
        items=items,
        query=query,
        views=list(View),
        counts=view_counts(connection, current.viewer),
        next_page=_page_url(request, query.offset + query.limit) if len(items) == query.limit else None,
    )


def _page_url(request: Request, offset: int) -> str:
    params = dict(request.query_params)
    params["offset"] = str(offset)
    return "/inbox?" + urlencode(params)


@router.get("/conversations/{conversation_id}", response_class=HTMLResponse)
def conversation_page(
    request: Request, conversation_id: RowId, current: Me, connection: Reading
) -> HTMLResponse:
    view = conversation_view(connection, current.viewer, conversation_id)
    partial = request.headers.get("hx-request") == "true"
    agents_list = connection.execute(
        select(agents.c.id, agents.c.display_name)
        .where(agents.c.workspace_id == current.viewer.workspace_id, agents.c.is_active.is_(True))
        .order_by(agents.c.display_name)
    ).all()
    return _render(
        request,
        "partials/conversation_body.html" if partial else "conversation.html",
        me=current.viewer,
        csrf=current.signed_in.csrf_token,
        c=view,
        agents=agents_list,
        statuses=[s.value for s in ConversationStatus],
    )


def _refreshed(request: Request, conversation_id: RowId, current: Session) -> HTMLResponse:
    with engine_of(request).connect() as connection:
        return conversation_page(request, conversation_id, current, connection)


@router.post("/conversations/{conversation_id}/reply", response_class=HTMLResponse)
def reply_form(
    request: Request,
    conversation_id: RowId,
    current: Me,
    text: Annotated[str, Form(max_length=10_000)],
    visibility: Annotated[str, Form(pattern="^(public|private|note|take_private)$")] = "public",
) -> HTMLResponse:
    with write_transaction(engine_of(request)) as connection:
        if visibility == "note":
            do_add_note(connection, current.viewer, conversation_id, text)
        elif visibility == "take_private":
            do_take_private(connection, current.viewer, conversation_id, text)
        else:
            do_reply(connection, current.viewer, conversation_id, text, Visibility(visibility))
    return _refreshed(request, conversation_id, current)


@router.post("/conversations/{conversation_id}/owner", response_class=HTMLResponse)
def owner_form(
    request: Request,
    conversation_id: RowId,
    current: Me,
    owner_id: Annotated[str, Form(max_length=20)] = "",
    reason: Annotated[str, Form(max_length=500)] = "",
) -> HTMLResponse:
    owner = int(owner_id) if owner_id.isdigit() else None
    with write_transaction(engine_of(request)) as connection:
        do_assign(connection, current.viewer, conversation_id, owner, reason)
    return _refreshed(request, conversation_id, current)


@router.post("/conversations/{conversation_id}/status", response_class=HTMLResponse)
def status_form(
    request: Request,
    conversation_id: RowId,
    current: Me,
    status: Annotated[str, Form(pattern="^(open|pending|snoozed|resolved)$")],
) -> HTMLResponse:
    with write_transaction(engine_of(request)) as connection:
        do_set_status(connection, current.viewer, conversation_id, ConversationStatus(status))
    return _refreshed(request, conversation_id, current)


@router.post("/conversations/{conversation_id}/tags", response_class=HTMLResponse)
def tag_form(
    request: Request, conversation_id: RowId, current: Me, name: Annotated[str, Form(max_length=100)]
) -> HTMLResponse:
    with write_transaction(engine_of(request)) as connection:
        do_tag(connection, current.viewer, conversation_id, name)
    return _refreshed(request, conversation_id, current)


@router.post("/conversations/{conversation_id}/messages/{message_id}/retry", response_class=HTMLResponse)
def retry_form(request: Request, conversation_id: RowId, message_id: RowId, current: Me) -> HTMLResponse:
    with write_transaction(engine_of(request)) as connection:
        do_retry_delivery(connection, current.viewer, message_id)
    return _refreshed(request, conversation_id, current)
