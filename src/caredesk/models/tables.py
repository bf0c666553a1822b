"""The mapped tables as typed `Table` objects, for Core statements on hot paths."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table

from caredesk.models.accounts import BrandAccount
from caredesk.models.contacts import Contact, Identity
from caredesk.models.conversations import Conversation
from caredesk.models.messages import Message
from caredesk.models.people import Agent
from caredesk.models.workspaces import Workspace

agents = cast(Table, Agent.__table__)
brand_accounts = cast(Table, BrandAccount.__table__)
contacts = cast(Table, Contact.__table__)
conversations = cast(Table, Conversation.__table__)
identities = cast(Table, Identity.__table__)
messages = cast(Table, Message.__table__)
workspaces = cast(Table, Workspace.__table__)
