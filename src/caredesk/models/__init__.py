"""The domain model. Importing this package registers every table on `Base.metadata`."""

from caredesk.listening.rules import RuleKind
from caredesk.models.accounts import AccountStatus, BrandAccount
from caredesk.models.base import Base
from caredesk.models.contacts import Contact, Identity
from caredesk.models.conversations import Conversation
from caredesk.models.enums import ConversationStatus, Direction, Role, StartedBy, Visibility
from caredesk.models.events import ConversationEvent
from caredesk.models.inbound_events import InboundEvent, InboundStatus
from caredesk.models.listening import ListeningMatch, ListeningRule
from caredesk.models.messages import Message
from caredesk.models.outbox import DeliveryStatus, OutboxItem
from caredesk.models.people import Agent, Team, team_accounts, team_members
from caredesk.models.presence import Presence
from caredesk.models.search import SearchProgress
from caredesk.models.sessions import AgentSession, LoginAttempt
from caredesk.models.tags import Tag, conversation_tags
from caredesk.models.workspaces import Workspace

__all__ = [
    "AccountStatus",
    "Agent",
    "AgentSession",
    "Base",
    "BrandAccount",
    "Contact",
    "Conversation",
    "ConversationEvent",
    "ConversationStatus",
    "DeliveryStatus",
    "Direction",
    "Identity",
    "InboundEvent",
    "InboundStatus",
    "ListeningMatch",
    "ListeningRule",
    "LoginAttempt",
    "Message",
    "OutboxItem",
    "Presence",
    "Role",
    "RuleKind",
    "SearchProgress",
    "StartedBy",
    "Tag",
    "Team",
    "Visibility",
    "Workspace",
    "conversation_tags",
    "team_accounts",
    "team_members",
]
