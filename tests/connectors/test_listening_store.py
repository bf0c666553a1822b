"""Listening on real storage: every match kept, untagged posts that need care become
conversations of the brand account, rule changes picked up."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select

from caredesk.connectors.listening import Listener, add_rule
from caredesk.db.engine import write_transaction
from caredesk.ingest.inbound import Author, InboundMessage
from caredesk.listening import InvalidRule, RuleKind
from caredesk.models import Direction, Visibility
from caredesk.models.tables import brand_accounts, conversations, listening_matches, messages
from caredesk.workspaces import ensure_workspace

WHEN = datetime(2026, 11, 1, 12, tzinfo=UTC)


def post(post_id: str, text: str, by: str = "did:plc:someone", tagged: str | None = None) -> InboundMessage:
    return InboundMessage(
        network="bluesky", network_message_id=f"at://{by}/app.bsky.feed.post/{post_id}",
        direction=Direction.INBOUND, visibility=Visibility.PUBLIC, text=text, created_at=WHEN,
        customer=Author(by, handle=f"{post_id}.test", followers=300), brand_handle=tagged,
    )  # fmt: skip


@pytest.fixture
def listener(engine: Engine) -> Listener:
    workspace = ensure_workspace(engine, "acme")
    with write_transaction(engine) as connection:
        account = connection.scalar(
            brand_accounts.insert()
            .values(workspace_id=workspace, network="bluesky", handle="acme.test")
            .returning(brand_accounts.c.id)
        )
        add_rule(
            connection, workspace, RuleKind.BRAND, "Acme", ["Acme", "Acme Cloud"], ["acme anvil"], account
        )
        add_rule(connection, workspace, RuleKind.COMPETITOR, "Globex", ["Globex"])
        add_rule(connection, workspace, RuleKind.KEYWORD, "Outages", ["outage", "down again"])
    return Listener(engine, workspace)


def test_matches_are_kept_and_untagged_posts_needing_care_become_conversations(
    engine: Engine, listener: Listener
) -> None:
    heard = listener.hear(
        [
            post(
                "1", "Acme Cloud is down again and support won't answer. Can anyone help me restore my files?"
            ),
            post("2", "My new Acme mug is lovely"),
            post("3", "Globex billing is a joke, thinking of switching"),
            post("4", "Bought an Acme anvil for the garden"),  # excluded
            post("5", "nothing to see here"),
        ]
    )
    assert (heard.posts, heard.matched, heard.conversations) == (5, 3, 1)
    with engine.connect() as connection:
        kept = sorted(
            connection.execute(select(listening_matches.c.network_message_id, listening_matches.c.term)).all()
        )
        conversation = connection.execute(select(conversations.c.id, conversations.c.brand_account_id)).one()
        linked = connection.scalar(
            select(listening_matches.c.conversation_id).where(listening_matches.c.term == "Acme Cloud")
        )
        text = connection.scalar(select(messages.c.text))
    assert sorted(term for _, term in kept) == ["Acme", "Acme Cloud", "Globex", "down again"]
    assert linked == conversation.id
    assert text.startswith("Acme Cloud is down again")


def test_the_same_post_heard_twice_is_kept_once(engine: Engine, listener: Listener) -> None:
    listener.hear([post("1", "Acme Cloud outage again?? help")])
    listener.hear([post("1", "Acme Cloud outage again?? help")])
    with engine.connect() as connection:
        assert len(connection.execute(select(listening_matches.c.id)).all()) == 2  # two rules, once each
        assert len(connection.execute(select(messages.c.id)).all()) == 1


def test_private_and_brand_posts_are_not_listened_to(engine: Engine, listener: Listener) -> None:
    dm = post("9", "Acme help please")
    dm.visibility = Visibility.PRIVATE
    assert listener.hear([dm]).matched == 0


def test_new_rules_are_picked_up_and_bad_rules_refused(engine: Engine, listener: Listener) -> None:
    listener.refresh_s = 0
    assert listener.hear([post("7", "Initech is great")]).matched == 0
    with write_transaction(engine) as connection:
        add_rule(connection, listener.workspace_id, RuleKind.COMPETITOR, "Initech", ["Initech"])
        with pytest.raises(InvalidRule):
            add_rule(connection, listener.workspace_id, RuleKind.KEYWORD, "empty", ["   "])
    assert listener.hear([post("8", "Initech is great")]).matched == 1
