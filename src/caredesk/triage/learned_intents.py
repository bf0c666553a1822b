"""The intent taxonomy: what a customer wants from the care team, in one label.

Labels are coarse on purpose: each should route to a different skill or macro. The
meanings are written out in docs/triage-models.md; training maps its data sets onto them
(`caredesk.triage.training.datasets`).
"""

from __future__ import annotations

__all__ = ["INTENTS", "OTHER"]

OTHER = "question_other"

INTENTS: dict[str, str] = {
    "ordering": "placing, changing or booking an order, reservation or purchase",
    "delivery": "shipping options, delivery times, tracking a parcel, shipping address",
    "cancellation": "cancelling an order, booking or subscription, and what it costs",
    "refund": "asking for money back, the refund policy, where a refund is",
    "billing": "invoices, payment methods, payments that failed or were charged twice",
    "account_access": "cannot sign in, lost password, sign-up fails, switching accounts",
    "account": "creating, changing or closing an account, newsletter and marketing settings",
    "contact_agent": "asks for a human, a phone number or another way to reach the team",
    "complaint_about_service": "unhappy with staff, service, waiting, quality or an experience",
    "disruption": "something did not happen on time: delays, cancellations by the company, outages",
    "technical_problem": "an app, website or device does not work: errors, crashes, bugs",
    "praise": "thanks, compliments, a good experience",
    OTHER: "anything else: general questions, news, chat, feedback without a request",
}
