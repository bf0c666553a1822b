"""The domain model. Importing this package registers every table on `Base.metadata`."""

from caredesk.models.accounts import BrandAccount
from caredesk.models.base import Base
from caredesk.models.contacts import Contact, Identity
from caredesk.models.conversations import Conversation
from caredesk.models.enums import ConversationStatus, Direction, Role, StartedBy, Visibility
from caredesk.models.messages import Message
from caredesk.models.people import Agent, Team, team_members
from caredesk.models.tags import Tag, conversation_tags
from caredesk.models.workspaces import Workspace

__all__ = [
    "Agent",
    "Base",
    "BrandAccount",
    "Contact",
    "Conversation",
    "ConversationStatus",
    "Direction",
    "Identity",
    "Message",
    "Role",
    "StartedBy",
    "Tag",
    "Team",
    "Visibility",
    "Workspace",
    "conversation_tags",
    "team_members",
]
