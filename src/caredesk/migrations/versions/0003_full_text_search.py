"""full-text search over message text

SQLite: an FTS5 index with the messages table as its content (no second copy of the text),
filled after the fact by caredesk.search so imports stay fast. PostgreSQL: a GIN index on
the text's tsvector ('simple': no stemming, any language), kept by PostgreSQL itself.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "search_progress",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("indexed_through", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_progress")),
    )
    op.execute("INSERT INTO search_progress (id, indexed_through) VALUES (1, 0)")
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE messages_fts USING fts5("
            "text, content='messages', content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
        )
    else:
        op.execute("CREATE INDEX ix_messages_text_search ON messages USING gin (to_tsvector('simple', text))")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE messages_fts")
    else:
        op.execute("DROP INDEX ix_messages_text_search")
    op.drop_table("search_progress")
