"""The JSON API (`/api/v1`): the same actions the agent UI uses, described in OpenAPI."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection, select

from caredesk.actions.conversations import do_assign, do_set_status, do_tag, do_untag
from caredesk.actions.log import record_event
from caredesk.actions.private import PUBLIC_POINTER, do_take_private
from caredesk.actions.replies import do_add_note, do_reply, do_retry_delivery
from caredesk.conversation_view import ConversationView, conversation_view, mark_presence
from caredesk.inbox import InboxItem, InboxQuery, View, inbox
from caredesk.models import ConversationStatus, Visibility
from caredesk.models.tables import agents
from caredesk.search import index_pending
from caredesk.web.deps import Session, reading, session, writing


class ErrorOut(BaseModel):
    """Why a request was refused, in words that say what to do."""

    detail: str


router = APIRouter(
    prefix="/api/v1",
    tags=["api"],
    responses={
        400: {"model": ErrorOut, "description": "The request makes no sense for the conversation"},
        401: {"model": ErrorOut, "description": "Not signed in"},
        403: {"model": ErrorOut, "description": "Not allowed, or a missing CSRF token"},
        404: {"model": ErrorOut, "description": "No such object, or not one you may see"},
        409: {"model": ErrorOut, "description": "It contradicts the conversation's state"},
        413: {"model": ErrorOut, "description": "The request body is too large"},
    },
)

Me = Annotated[Session, Depends(session)]
Reading = Annotated[Connection, Depends(reading)]
Writing = Annotated[Connection, Depends(writing)]
ConversationId = Annotated[int, Field(ge=1, le=2**62)]


class Strict(BaseModel):
    # Unknown fields are refused: no mass assignment of workspace_id, role, priority, …
    model_config = ConfigDict(extra="forbid")


class AgentOut(BaseModel):
    id: int
    display_name: str
    role: str


class MeOut(AgentOut):
    workspace_id: int
    csrf_token: str


NOT_BLANK = r"\S"


class ReplyIn(Strict):
    text: str = Field(min_length=1, max_length=10_000, pattern=NOT_BLANK)
    visibility: Literal["public", "private"] = "public"


class NoteIn(Strict):
    text: str = Field(min_length=1, max_length=10_000, pattern=NOT_BLANK)


class AssignmentIn(Strict):
    owner_id: int | None = Field(default=None, ge=1, le=2**62, description="The new owner; null: nobody.")
    reason: str = Field(default="", max_length=500)


class StatusIn(Strict):
    status: Literal["open", "pending", "snoozed", "resolved"]
    closing_text: str | None = Field(
        default=None,
        max_length=10_000,
        description="For a conversation taken private: the public closing reply sent on resolving "
        "(default: the standard closing words).",
    )


class TakePrivateIn(Strict):
    text: str = Field(min_length=1, max_length=10_000, pattern=NOT_BLANK, description="The private message.")
    public_text: str | None = Field(
        default=PUBLIC_POINTER,
        max_length=10_000,
        description="Said in the public thread (null: nothing); it gets a closing reply on resolving.",
    )


class TagIn(Strict):
    name: str = Field(min_length=1, max_length=100, pattern=NOT_BLANK)


class PresenceIn(Strict):
    typing: bool = False


class Created(BaseModel):
    id: int


class Done(BaseModel):
    ok: bool = True


@router.get("/me", response_model=MeOut, summary="The signed-in agent")
def me(current: Me) -> MeOut:
    viewer = current.viewer
    return MeOut(
        id=viewer.agent_id,
        display_name=viewer.display_name,
        role=viewer.role.value,
        workspace_id=viewer.workspace_id,
        csrf_token=current.signed_in.csrf_token,
    )


@router.get("/agents", response_model=list[AgentOut], summary="Active agents of the workspace")
def list_agents(current: Me, connection: Reading) -> list[AgentOut]:
    rows = connection.execute(
        select(agents.c.id, agents.c.display_name, agents.c.role)
        .where(agents.c.workspace_id == current.viewer.workspace_id, agents.c.is_active.is_(True))
        .order_by(agents.c.display_name)
    )
    return [AgentOut(id=row.id, display_name=row.display_name, role=row.role) for row in rows]


@router.get("/conversations", response_model=list[InboxItem], summary="The inbox queue")
def list_conversations(
    current: Me,
    connection: Reading,
    view: View = View.NEEDS_ANSWER,
    network: Annotated[str | None, Query(max_length=32)] = None,
    brand_account_id: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    team_id: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    tag: Annotated[str | None, Query(max_length=100)] = None,
    q: Annotated[str | None, Query(max_length=200, description="Words in the messages")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> list[InboxItem]:
    search = q.strip() if q and q.strip() else None  # an empty search is no filter, as on the page
    query = InboxQuery(view, network, brand_account_id, team_id, tag, search, limit, offset)
    if query.search:
        index_pending(connection.engine)
    return inbox(connection, current.viewer, query)


@router.get("/conversations/{conversation_id}", response_model=ConversationView, summary="One conversation")
def get_conversation(conversation_id: ConversationId, current: Me, connection: Reading) -> ConversationView:
    return conversation_view(connection, current.viewer, conversation_id)


@router.post("/conversations/{conversation_id}/replies", response_model=Created, status_code=201)
def reply(conversation_id: ConversationId, body: ReplyIn, current: Me, connection: Writing) -> Created:
    """Queue a reply on the conversation's own network, in public or privately."""
    return Created(
        id=do_reply(connection, current.viewer, conversation_id, body.text, Visibility(body.visibility))
    )


@router.post("/conversations/{conversation_id}/notes", response_model=Created, status_code=201)
def note(conversation_id: ConversationId, body: NoteIn, current: Me, connection: Writing) -> Created:
    """An internal note, never sent to the customer."""
    return Created(id=do_add_note(connection, current.viewer, conversation_id, body.text))


@router.post("/conversations/{conversation_id}/assignment", response_model=Done)
def assign(conversation_id: ConversationId, body: AssignmentIn, current: Me, connection: Writing) -> Done:
    """Take, release or hand over the conversation; the reason is kept in its history."""
    do_assign(connection, current.viewer, conversation_id, body.owner_id, body.reason)
    return Done()


@router.post("/conversations/{conversation_id}/status", response_model=Done)
def set_status(conversation_id: ConversationId, body: StatusIn, current: Me, connection: Writing) -> Done:
    do_set_status(
        connection, current.viewer, conversation_id, ConversationStatus(body.status), body.closing_text
    )
    return Done()


@router.post("/conversations/{conversation_id}/private", response_model=Created, status_code=201)
def take_private(
    conversation_id: ConversationId, body: TakePrivateIn, current: Me, connection: Writing
) -> Created:
    """Move a public conversation to private messages on the same network; its public thread
    gets a closing reply when the conversation resolves."""
    return Created(
        id=do_take_private(connection, current.viewer, conversation_id, body.text, body.public_text)
    )


@router.post("/conversations/{conversation_id}/tags", response_model=Done)
def tag(conversation_id: ConversationId, body: TagIn, current: Me, connection: Writing) -> Done:
    do_tag(connection, current.viewer, conversation_id, body.name)
    return Done()


@router.delete("/conversations/{conversation_id}/tags/{name}", response_model=Done)
def untag(
    conversation_id: ConversationId,
    name: Annotated[str, Field(max_length=100)],
    current: Me,
    connection: Writing,
) -> Done:
    do_untag(connection, current.viewer, conversation_id, name)
    return Done()


@router.post("/conversations/{conversation_id}/presence", response_model=Done)
def here(conversation_id: ConversationId, body: PresenceIn, current: Me, connection: Writing) -> Done:
    """The agent is looking at (or typing in) the conversation: others see a collision notice."""
    if mark_presence(connection, current.viewer, conversation_id, typing=body.typing):
        record_event(
            connection, current.viewer.workspace_id, conversation_id, "presence", current.viewer.agent_id,
            typing=body.typing,
        )  # fmt: skip
    return Done()


@router.post("/messages/{message_id}/retry", response_model=Done)
def retry(message_id: ConversationId, current: Me, connection: Writing) -> Done:
    """Send a failed reply again."""
    do_retry_delivery(connection, current.viewer, message_id)
    return Done()
