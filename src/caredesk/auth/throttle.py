"""Login throttling: too many failures for one e-mail or from one address, and logins wait."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Connection, delete, func, insert, or_, select

from caredesk.clock import utcnow
from caredesk.models.tables import login_attempts

WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_ADDRESS = 20


def login_allowed(connection: Connection, email: str, ip: str) -> bool:
    since = utcnow() - WINDOW
    by_email, by_address = connection.execute(
        select(
            func.count().filter(login_attempts.c.email == email.lower()),
            func.count().filter(login_attempts.c.ip == ip),
        ).where(
            login_attempts.c.created_at > since,
            or_(login_attempts.c.email == email.lower(), login_attempts.c.ip == ip),
        )
    ).one()
    return bool(by_email < MAX_FAILURES_PER_EMAIL and by_address < MAX_FAILURES_PER_ADDRESS)


def record_failure(connection: Connection, email: str, ip: str) -> None:
    now = utcnow()
    connection.execute(delete(login_attempts).where(login_attempts.c.created_at < now - WINDOW))
    connection.execute(insert(login_attempts).values(email=email.lower()[:254], ip=ip[:64], created_at=now))


def forget_failures(connection: Connection, email: str) -> None:
    connection.execute(delete(login_attempts).where(login_attempts.c.email == email.lower()))
