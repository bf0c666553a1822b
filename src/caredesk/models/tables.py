"""The mapped tables as typed `Table` objects, for Core statements on hot paths."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table

from caredesk.models.accounts import BrandAccount
from caredesk.models.contacts import Contact, Identity
from caredesk.models.conversations import Conversation
from caredesk.models.events import ConversationEvent
from caredesk.models.inbound_events import InboundEvent
from caredesk.models.listening import ListeningMatch, ListeningRule
from caredesk.models.messages import Message
from caredesk.models.outbox import OutboxItem
from caredesk.models.people import Agent, Team
from caredesk.models.presence import Presence
from caredesk.models.search import SearchProgress
from caredesk.models.sessions import AgentSession, LoginAttempt
from caredesk.models.tags import Tag
from caredesk.models.workspaces import Workspace

agent_sessions = cast(Table, AgentSession.__table__)
agents = cast(Table, Agent.__table__)
brand_accounts = cast(Table, BrandAccount.__table__)
contacts = cast(Table, Contact.__table__)
conversations = cast(Table, Conversation.__table__)
identities = cast(Table, Identity.__table__)
messages = cast(Table, Message.__table__)
workspaces = cast(Table, Workspace.__table__)
conversation_events = cast(Table, ConversationEvent.__table__)
login_attempts = cast(Table, LoginAttempt.__table__)
outbox = cast(Table, OutboxItem.__table__)
presence = cast(Table, Presence.__table__)
teams = cast(Table, Team.__table__)
tags = cast(Table, Tag.__table__)
search_progress = cast(Table, SearchProgress.__table__)
inbound_events = cast(Table, InboundEvent.__table__)
listening_rules = cast(Table, ListeningRule.__table__)
listening_matches = cast(Table, ListeningMatch.__table__)
