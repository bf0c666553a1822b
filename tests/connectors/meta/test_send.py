"""Replies on Facebook and Instagram sent to the Graph stand-in, and every way they fail."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from caredesk.connectors.base import AuthExpired, OutboundReply, Permanent, RateLimited, Transient
from caredesk.connectors.meta import FACEBOOK, MetaNetwork
from caredesk.connectors.meta.graph import checked_api_base
from tests.connectors.meta.conftest import TEST_TIMEOUT, MetaWorld, page_account
from tests.peers.meta_server import (
    IG_ACCOUNT_ID,
    PAGE_ID,
    PAGE_TOKEN,
    Scripted,
    changes_entry,
    delivery,
    feed_comment,
    graph_error,
    instagram_mention,
    message_event,
    messaging_entry,
)

COMMENT = "555000000000001_7"
PSID = "6001000000000001"


def reply(
    visibility: str,
    to: str | None,
    recipient: str | None = PSID,
    raw: dict[str, Any] | None = None,
    network: str = "facebook",
    text: str = "Sorry about that: a replacement ships today.",
) -> OutboundReply:
    return OutboundReply(7, network, "Acme Support", visibility, text, to, recipient, raw)


def comment_raw(comment_id: str = COMMENT, written: datetime | None = None) -> dict[str, Any]:
    """The stored raw payload of a customer's comment, as the parser narrowed it."""
    when = int((written or datetime.now(UTC)).timestamp())
    change = feed_comment(comment_id, ("7001", "Jo"), "Is this in stock?", created_time=when)
    return delivery("page", changes_entry(PAGE_ID, change, time_s=when))


def test_a_public_reply_on_facebook_comments_on_the_comment(meta: MetaWorld) -> None:
    created = meta.facebook.connector(meta.page).send(reply("public", COMMENT))
    assert meta.peer.replies == [
        {
            "node": COMMENT,
            "edge": "comments",
            "message": "Sorry about that: a replacement ships today.",
            "id": created,
        }
    ]
    seen = meta.peer.seen[0]
    assert seen.authorization == f"Bearer {PAGE_TOKEN}"
    assert PAGE_TOKEN not in json.dumps(seen.query)  # the token never travels in the URL


def test_a_public_reply_on_instagram_uses_replies(meta: MetaWorld) -> None:
    meta.instagram.connector(meta.ig).send(reply("public", "17950000000000001", network="instagram"))
    assert [(r["node"], r["edge"]) for r in meta.peer.replies] == [("17950000000000001", "replies")]


def test_a_reply_to_an_instagram_mention_goes_through_mentions(meta: MetaWorld) -> None:
    raw = delivery(
        "instagram", changes_entry(IG_ACCOUNT_ID, instagram_mention("17900000000000099", "17950000000000009"))
    )
    meta.instagram.connector(meta.ig).send(reply("public", "17950000000000009", raw=raw, network="instagram"))
    [posted] = meta.peer.replies
    assert (posted["node"], posted["edge"]) == (IG_ACCOUNT_ID, "mentions")
    assert (posted["media_id"], posted["comment_id"]) == ("17900000000000099", "17950000000000009")


def test_a_private_reply_to_a_comment_goes_by_comment_id_once(meta: MetaWorld) -> None:
    written = datetime.now(UTC) - timedelta(days=2)
    meta.peer.comments_written[COMMENT] = written
    connector = meta.facebook.connector(meta.page)
    message_id = connector.send(reply("private", COMMENT, recipient="7001", raw=comment_raw(written=written)))
    [sent] = meta.peer.messages
    assert sent["recipient"] == {"comment_id": COMMENT} and sent["node"] == PAGE_ID
    assert sent["message_id"] == message_id

    with pytest.raises(Permanent, match="already had its one private reply"):
        connector.send(reply("private", COMMENT, recipient="7001", raw=comment_raw(written=written)))
    with pytest.raises(Permanent, match="Activity already replied to"):  # another process: Meta says no
        meta.facebook.connector(meta.page).send(reply("private", COMMENT, recipient="7001"))
    assert len(meta.peer.messages) == 1


def test_a_private_reply_after_seven_days_is_refused_before_asking_meta(meta: MetaWorld) -> None:
    old = comment_raw(written=datetime.now(UTC) - timedelta(days=8))
    with pytest.raises(Permanent, match="within 7 days"):
        meta.facebook.connector(meta.page).send(reply("private", COMMENT, recipient="7001", raw=old))
    assert meta.peer.seen == []


def test_a_direct_message_answers_inside_the_24_hour_window(meta: MetaWorld) -> None:
    meta.peer.last_customer_message[PSID] = datetime.now(UTC) - timedelta(hours=3)
    raw = delivery("page", messaging_entry(PAGE_ID, message_event(PSID, PAGE_ID, "m_q", "where is it?")))
    meta.facebook.connector(meta.page).send(reply("private", "m_q", raw=raw))
    [sent] = meta.peer.messages
    assert sent["recipient"] == {"id": PSID} and sent["messaging_type"] == "RESPONSE"


def test_a_direct_message_outside_the_window_is_permanent_and_says_why(meta: MetaWorld) -> None:
    meta.peer.last_customer_message[PSID] = datetime.now(UTC) - timedelta(hours=30)
    with pytest.raises(Permanent, match="messaging window closed"):
        meta.facebook.connector(meta.page).send(reply("private", "m_q"))


def test_instagram_direct_messages_go_through_the_linked_page(meta: MetaWorld) -> None:
    meta.peer.last_customer_message["9001"] = datetime.now(UTC)
    meta.instagram.connector(meta.ig).send(
        reply("private", "aWdfZAG1faXRl", recipient="9001", network="instagram")
    )
    assert meta.peer.messages[0]["node"] == PAGE_ID


def test_too_long_a_direct_message_is_refused_locally(meta: MetaWorld) -> None:
    with pytest.raises(Permanent, match="2000 characters"):
        meta.facebook.connector(meta.page).send(reply("private", "m_q", text="x" * 2001))
    assert meta.peer.seen == []


@pytest.mark.parametrize(
    ("answer", "error", "reason"),
    [
        (
            graph_error(190, "Error validating access token: Session has expired", 463),
            AuthExpired,
            "re-authorise",
        ),
        (
            graph_error(
                10, "(#10) Requires pages_manage_engagement permission", kind="OAuthException", status=403
            ),
            Permanent,
            "pages_manage_engagement",
        ),
        (
            graph_error(100, "Unsupported post request. Object does not exist", 33),
            Permanent,
            "does not exist",
        ),
        (
            graph_error(
                2,
                "An unexpected error has occurred. Please retry your request later.",
                kind="OAuthException",
                status=500,
            ),
            Transient,
            "retry",
        ),
        (Scripted(502, None), Transient, "502"),
        (Scripted(delay_s=3, then_normal=True), Transient, "in time"),
        (Scripted(200, {"success": True}), Permanent, "named no id"),
    ],
    ids=[
        "expired-token",
        "missing-permission",
        "deleted-comment",
        "graph-code-2",
        "bad-gateway",
        "slow-answer",
        "no-id",
    ],
)
def test_graph_errors_become_typed_errors_without_the_token(
    meta: MetaWorld, answer: Scripted, error: type[Exception], reason: str
) -> None:
    meta.peer.script(answer)
    with pytest.raises(error, match=reason) as raised:
        meta.facebook.connector(meta.page).send(reply("public", COMMENT))
    assert PAGE_TOKEN not in str(raised.value)


def test_a_revoked_token_is_auth_expired(meta: MetaWorld) -> None:
    meta.peer.tokens.clear()
    with pytest.raises(AuthExpired):
        meta.facebook.connector(meta.page).send(reply("public", COMMENT))


def test_throttling_waits_for_metas_estimate(meta: MetaWorld) -> None:
    usage = {
        "104200000000001": [
            {
                "type": "pages",
                "call_count": 100,
                "total_cputime": 30,
                "total_time": 40,
                "estimated_time_to_regain_access": 12,
            }
        ]
    }
    answer = graph_error(80001, "There have been too many calls to this Page account.")
    answer.headers = {"x-business-use-case-usage": json.dumps(usage)}
    meta.peer.script(answer)
    with pytest.raises(RateLimited) as raised:
        meta.facebook.connector(meta.page).send(reply("public", COMMENT))
    assert raised.value.retry_after_s == 12 * 60


@pytest.mark.parametrize("code", [4, 17, 32, 613])
def test_app_and_user_limits_wait_a_sane_default(meta: MetaWorld, code: int) -> None:
    meta.peer.script(graph_error(code, "(#4) Application request limit reached"))
    with pytest.raises(RateLimited) as raised:
        meta.facebook.connector(meta.page).send(reply("public", COMMENT))
    assert raised.value.retry_after_s == 300


def test_a_plain_429_uses_retry_after(meta: MetaWorld) -> None:
    meta.peer.script(Scripted(429, None, {"retry-after": "42"}))
    with pytest.raises(RateLimited) as raised:
        meta.facebook.connector(meta.page).send(reply("public", COMMENT))
    assert raised.value.retry_after_s == 42


def test_a_missing_token_asks_for_reauthorisation_and_sends_nothing(meta: MetaWorld) -> None:
    account = page_account(meta.page.settings["api_base"], app_secret="s")
    with pytest.raises(AuthExpired, match="re-authorise"):
        meta.facebook.connector(account).send(reply("public", COMMENT))
    assert meta.peer.seen == []


@pytest.mark.parametrize(
    "api_base",
    [
        "https://graph.facebook.com.evil.example/v19.0",
        "http://graph.facebook.com/v19.0",
        "https://10.0.0.8/v19.0",
    ],
)
def test_tokens_go_only_to_graph_hosts(api_base: str) -> None:
    with pytest.raises(Permanent, match="not one of the Graph API hosts"):
        FACEBOOK.connector(page_account(api_base))


def test_a_redirect_is_not_followed_with_the_token(meta: MetaWorld) -> None:
    meta.peer.script(Scripted(302, None, {"location": "https://evil.example/v19.0/me/messages"}))
    with pytest.raises(Permanent, match="302"):
        meta.facebook.connector(meta.page).send(reply("public", COMMENT))
    assert len(meta.peer.seen) == 1


def test_the_real_hosts_and_loopback_are_accepted() -> None:
    for api_base in (
        "https://graph.facebook.com/v19.0",
        "https://graph.instagram.com/v21.0",
        "http://[::1]:8000/v19.0",
    ):
        assert checked_api_base(api_base) == api_base


@pytest.mark.parametrize("target", ["//evil.example/x", "..%2F..%2Fme", "m_abc/../../me", "", None])
def test_ids_that_would_change_the_request_path_are_refused(meta: MetaWorld, target: str | None) -> None:
    with pytest.raises(Permanent, match="invalid Meta"):
        meta.facebook.connector(meta.page).send(reply("public", target))
    with pytest.raises(Permanent, match="invalid Meta"):
        meta.facebook.connector(meta.page).send(reply("private", "m_q", recipient=target))
    assert meta.peer.seen == []


def test_an_unreachable_server_is_transient() -> None:
    network = MetaNetwork("facebook", "page", TEST_TIMEOUT)
    with pytest.raises(Transient, match="could not be reached"):
        network.connector(page_account("http://127.0.0.1:9/v19.0")).send(reply("public", COMMENT))
