"""Care flows in a real browser: taking a conversation private and closing it in public,
triage shown where agents decide (flags, masked card numbers, why first), and an admin
connecting a brand account without ever seeing its credentials again."""

from __future__ import annotations

from playwright.sync_api import expect

from caredesk.ingest.pipeline import Ingestor
from tests.browser.conftest import Browsing, wait_until_live
from tests.factories import customer_post

DELIVERY_S = 10_000


def test_an_agent_takes_a_conversation_private_and_resolving_closes_it_in_public(browse: Browsing) -> None:
    world = browse.server.world
    page = browse.signed_in("agent")
    page.goto(f"/conversations/{world.conversations['acme']}")
    wait_until_live(page)
    page.get_by_label("Take it private").check()
    composer = page.locator("#reply-text")
    composer.fill("Could you send us your order details here?")
    composer.press("Control+Enter")
    expect(composer).to_have_value("")
    private = page.locator("#thread .msg-outbound", has_text="Could you send us your order details here?")
    expect(private.locator(".badge.private")).to_be_visible()
    expect(private.locator(".delivery")).to_have_text("sent", timeout=DELIVERY_S)
    expect(page.locator(".side-pane")).to_contain_text("resolving posts a closing reply in the public thread")

    page.locator("#resolve").click()
    closing = page.locator("#thread .msg-outbound", has_text="Glad we could sort this out")
    expect(closing.locator(".badge.public")).to_be_visible()
    expect(closing.locator(".delivery")).to_have_text("sent", timeout=DELIVERY_S)
    assert [reply.visibility for reply in world.loopback.sent] == ["public", "private", "public"]


def test_a_card_number_posted_in_public_is_flagged_and_masked(browse: Browsing) -> None:
    server = browse.server
    Ingestor(server.engine, server.world.workspace_id, create_accounts=True, live=True, triage=True).ingest(
        [customer_post("cc1", by="pat", minutes=20, followers=48_000,
                       text="Charged twice AGAIN!!! card 4111 1111 1111 1111, fix this or I cancel")]
    )  # fmt: skip
    page = browse.signed_in("agent")
    row = page.locator(".queue .row", has_text="Charged twice")
    expect(row.locator(".flag-private")).to_have_text("take private")
    expect(row).not_to_contain_text("4111 1111 1111 1111")
    expect(row).to_contain_text("[card ending 1111]")
    row.click()
    wait_until_live(page)
    expect(page.locator("#thread")).to_contain_text("[card ending 1111]")
    why = page.locator(".why")
    expect(why).to_contain_text("48k followers")
    expect(why).to_contain_text("take this conversation private")


def test_an_admin_connects_an_account_and_its_credentials_never_come_back(browse: Browsing) -> None:
    page = browse.signed_in("admin")
    page.get_by_role("link", name="Settings").click()
    expect(page.locator("h1")).to_have_text("Brand accounts")
    form = page.locator("details.connect", has=page.locator("summary", has_text="mastodon"))
    form.locator("summary").click()
    form.get_by_label("Handle").fill("acme_cares")
    form.get_by_label("api base").fill("https://mastodon.social")
    form.get_by_label("access token").fill("very-secret-token-42")
    form.get_by_role("button", name="Connect").click()
    expect(page.locator(".banner.ok")).to_contain_text("mastodon account acme_cares is connected")
    expect(page.locator("table.accounts")).to_contain_text("@acme_cares")
    assert "very-secret-token-42" not in page.content()
    page.reload()
    assert "very-secret-token-42" not in page.content()
    assert browse.csp_violations(page) == []
