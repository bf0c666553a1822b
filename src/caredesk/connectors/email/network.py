"""The e-mail network: what an account needs, how replies are sent and new mail is read."""

from __future__ import annotations

from caredesk.connectors.base import AccountConfig, Polled
from caredesk.connectors.email.imap_polling import poll_mailbox
from caredesk.connectors.email.sending import EmailConnector

__all__ = ["NETWORK", "EmailNetwork"]


class EmailNetwork:
    """A polling network (IMAP), which can also receive by SMTP (`caredesk.connectors.email.receiving`).

    Settings: `from_address` (= the handle), `smtp_host`, `smtp_port` (587), `smtp_starttls`
    ("true"/"false"), optional `smtp_username`, and for polling `imap_host`, `imap_port` (993),
    `imap_username`, `imap_mailbox` (INBOX). Secrets: `smtp_password` (none for a relay that
    needs no login), `imap_password`.
    """

    name = "email"
    setting_names = (
        "from_address",
        "smtp_host",
        "smtp_port",
        "smtp_starttls",
        "smtp_username",
        "imap_host",
        "imap_port",
        "imap_username",
        "imap_mailbox",
    )
    secret_names = ("smtp_password", "imap_password")

    def connector(self, account: AccountConfig) -> EmailConnector:
        return EmailConnector(account)

    def poll(self, account: AccountConfig, cursor: str | None) -> Polled:
        return poll_mailbox(account, cursor)


NETWORK = EmailNetwork()
