"""Mastodon statuses → messages, HTML → text, and how a reply is addressed: pure functions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from caredesk.connectors.base import AccountConfig, MalformedEvent, OutboundReply, Permanent
from caredesk.connectors.mastodon.html_text import html_to_text
from caredesk.connectors.mastodon.replies import addressed_text, replied_acct, reply_visibility
from caredesk.connectors.mastodon.statuses import status_message
from caredesk.models.enums import Direction, Visibility

BRAND = AccountConfig(
    account_id=1,
    workspace_id=1,
    network="mastodon",
    handle="acme_cares",
    platform_id="14715",
    settings={"api_base": "https://mastodon.example"},
)


def recorded_status(**overrides: Any) -> dict[str, Any]:
    """The shape of a status in Mastodon's API documentation (a mention of the brand)."""
    status: dict[str, Any] = {
        "id": "103270115826048975",
        "created_at": "2019-12-08T03:48:33.901Z",
        "in_reply_to_id": None,
        "in_reply_to_account_id": None,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": "public",
        "language": "en",
        "uri": "https://mastodon.social/users/Gargron/statuses/103270115826048975",
        "url": "https://mastodon.social/@Gargron/103270115826048975",
        "content": (
            '<p>Hey <span class="h-card"><a href="https://mastodon.example/@acme_cares" '
            'class="u-url mention">@<span>acme_cares</span></a></span> my order #4411 never '
            "arrived &amp; support won&#39;t answer</p><p>Tracking says &quot;delivered&quot;<br />"
            "but nothing &lt;here&gt;</p>"
        ),
        "account": {
            "id": "1",
            "username": "Gargron",
            "acct": "Gargron@mastodon.social",
            "display_name": "Eugen 🐘",
            "followers_count": 322930,
        },
        "mentions": [{"id": "14715", "username": "acme_cares", "acct": "acme_cares"}],
        "media_attachments": [],
    }
    status.update(overrides)
    return status


def test_a_mention_becomes_an_inbound_public_message() -> None:
    message = status_message(BRAND, recorded_status())

    assert message is not None
    assert message.network_message_id == "103270115826048975"
    assert message.direction is Direction.INBOUND
    assert message.visibility is Visibility.PUBLIC
    assert message.text == (
        "Hey @acme_cares my order #4411 never arrived & support won't answer\n\n"
        'Tracking says "delivered"\nbut nothing <here>'
    )
    assert message.created_at == datetime(2019, 12, 8, 3, 48, 33, 901000, tzinfo=UTC)
    assert message.customer is not None
    assert (message.customer.platform_user_id, message.customer.handle) == ("1", "Gargron@mastodon.social")
    assert (message.customer.display_name, message.customer.followers) == ("Eugen 🐘", 322930)
    assert message.brand_handle == "acme_cares"
    assert message.raw == recorded_status()


def test_direct_statuses_are_private_and_replies_keep_their_parent() -> None:
    message = status_message(BRAND, recorded_status(visibility="direct", in_reply_to_id="103270000000000001"))

    assert message is not None
    assert message.visibility is Visibility.PRIVATE
    assert message.reply_to_network_id == "103270000000000001"


@pytest.mark.parametrize("visibility", ["unlisted", "private"])
def test_unlisted_and_followers_only_statuses_are_public_posts(visibility: str) -> None:
    message = status_message(BRAND, recorded_status(visibility=visibility))

    assert message is not None and message.visibility is Visibility.PUBLIC


def test_a_content_warning_is_shown_before_the_text() -> None:
    message = status_message(BRAND, recorded_status(spoiler_text="billing", content="<p>charged twice</p>"))

    assert message is not None and message.text == "CW: billing\n\ncharged twice"


def test_the_brands_own_status_is_an_echo() -> None:
    own = recorded_status(account={"id": "14715", "acct": "acme_cares", "username": "acme_cares"})

    assert status_message(BRAND, own) is None


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"id": None}, "id is not a Mastodon id"),
        ({"id": "12; DROP"}, "id is not a Mastodon id"),
        ({"account": "Gargron"}, "has no account"),
        ({"content": None}, "has no content"),
        ({"created_at": "yesterday"}, "created_at"),
        ({"created_at": "2019-12-08T03:48:33"}, "created_at"),
        ({"in_reply_to_id": {"id": 1}}, "in_reply_to_id"),
        ({"account": {"id": "1", "acct": "a b\r\nBcc: x"}}, "acct"),
    ],
)
def test_unreadable_statuses_are_malformed_events(change: dict[str, Any], complaint: str) -> None:
    with pytest.raises(MalformedEvent, match=complaint):
        status_message(BRAND, recorded_status(**change))


def test_missing_follower_counts_and_names_are_unknown_not_errors() -> None:
    message = status_message(
        BRAND, recorded_status(account={"id": "1", "acct": "bob", "followers_count": "lots"})
    )

    assert message is not None and message.customer is not None
    assert (message.customer.display_name, message.customer.followers) == (None, None)


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>one</p><p>two<br>three</p>", "one\n\ntwo\nthree"),
        ("<p>a<script>alert(1)</script>b</p>", "ab"),
        ("<style>p {color: red}</style><p>styled</p>", "styled"),
        ('<img src=x onerror="alert(1)">caption', "caption"),
        ("&lt;script&gt;alert(1)&lt;/script&gt;", "<script>alert(1)</script>"),
        ("&amp;lt;", "&lt;"),
        ("<p>unclosed <b>bold", "unclosed bold"),
        ("a < b and c > d", "a < b and c > d"),
        ("<ul><li>first</li><li>second</li></ul>", "first\n\nsecond"),
        ("", ""),
    ],
)
def test_html_becomes_plain_text_without_interpreting_it(html: str, text: str) -> None:
    assert html_to_text(html) == text


def test_html_to_text_survives_deep_nesting() -> None:
    assert html_to_text("<div>" * 50_000 + "deep" + "</div>" * 50_000) == "deep"


def reply(
    visibility: str = "public", raw: dict[str, Any] | None = None, recipient: str | None = "1"
) -> OutboundReply:
    return OutboundReply(
        message_id=5,
        network="mastodon",
        brand_handle="acme_cares",
        visibility=visibility,
        text="Sorry! Your parcel is at the depot.",
        reply_to_network_id="103270115826048975",
        recipient_platform_user_id=recipient,
        reply_to_raw=raw,
    )


@pytest.mark.parametrize(
    ("asked", "answered", "sent"),
    [
        ("public", "public", "public"),
        ("public", "unlisted", "unlisted"),
        ("public", "private", "private"),
        ("public", "direct", "direct"),
        ("public", None, "public"),
        ("private", "public", "direct"),
    ],
)
def test_a_reply_never_widens_the_audience(asked: str, answered: str | None, sent: str) -> None:
    raw = recorded_status(visibility=answered) if answered else None

    assert reply_visibility(reply(asked, raw)) == sent


def test_an_unknown_visibility_is_refused() -> None:
    with pytest.raises(Permanent, match="visibility"):
        reply_visibility(reply("internal"))


def test_the_customers_acct_comes_from_the_answered_status_only_when_it_is_theirs() -> None:
    assert replied_acct(reply(raw=recorded_status())) == "Gargron@mastodon.social"
    assert replied_acct(reply(raw=recorded_status(), recipient="999")) is None
    assert replied_acct(reply(raw=None)) is None


@pytest.mark.parametrize(
    ("text", "sent"),
    [
        ("Hello", "@bob@x.social Hello"),
        ("Thanks @bob@x.social, on it", "Thanks @bob@x.social, on it"),
        ("Thanks @BOB@X.social.", "Thanks @BOB@X.social."),
        ("cc @bob@x.social.uk", "@bob@x.social cc @bob@x.social.uk"),
        ("mail bob@x.social", "@bob@x.social mail bob@x.social"),
    ],
)
def test_the_customer_is_mentioned_once(text: str, sent: str) -> None:
    assert addressed_text(text, "bob@x.social") == sent
