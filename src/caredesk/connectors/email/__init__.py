"""E-mail: customers' mail read by IMAP or received by SMTP, replies sent by SMTP in the thread."""

from caredesk.connectors.email.network import NETWORK, EmailNetwork
from caredesk.connectors.email.parsing import parse_email

__all__ = ["NETWORK", "EmailNetwork", "parse_email"]
