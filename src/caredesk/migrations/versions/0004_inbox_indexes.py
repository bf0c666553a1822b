"""indexes for the inbox at a million conversations

Measured with bench/bench_inbox.py on a generated 1M-conversation database: the customer's
other conversations, the "Mine" view, and the queue filtered by network.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_conversations_workspace_id_contact_id_last_message_at"),
            ["workspace_id", "contact_id", "last_message_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_conversations_owner_open",
            ["workspace_id", "owner_agent_id"],
            unique=False,
            sqlite_where=sa.text("status != 'resolved'"),
            postgresql_where=sa.text("status != 'resolved'"),
        )
        batch_op.create_index(
            "ix_conversations_queue_network",
            ["workspace_id", "status", "network", sa.text("priority DESC"), "waiting_since"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_index("ix_conversations_queue_network")
        batch_op.drop_index("ix_conversations_owner_open")
        batch_op.drop_index(batch_op.f("ix_conversations_workspace_id_contact_id_last_message_at"))
