"""Triage a batch of messages: the learned classifiers once per batch, then the rules per message.

This is what the ingest pipeline and `caredesk triage` call. The learned part is batched
because it is cheapest on many texts at once; the rules are cheap enough one by one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from caredesk.triage.actionable import is_actionable
from caredesk.triage.competitors import find_competitor
from caredesk.triage.inputs import TriageInput
from caredesk.triage.language import detect_language
from caredesk.triage.learned import Classifiers, Learned, classifiers
from caredesk.triage.pii import find_pii
from caredesk.triage.priority import priority
from caredesk.triage.result import Triage
from caredesk.triage.social import ANALYSED_CHARS, masked
from caredesk.triage.urgency import assess_urgency

__all__ = ["triage_batch"]


def triage_batch(items: Sequence[TriageInput], models: Classifiers | None = None) -> list[Triage]:
    """One `Triage` per item, in order. Only the first `ANALYSED_CHARS` of each text are read."""
    texts = [_readable(item.text[:ANALYSED_CHARS]) for item in items]
    learned = (models or classifiers()).classify(texts)
    return [_triage(item, text, verdict) for item, text, verdict in zip(items, texts, learned, strict=True)]


def _readable(text: str) -> str:
    """`text` with lone surrogates (from broken decoders upstream) as "?", so offsets stay put."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text


def _triage(item: TriageInput, text: str, learned: Learned) -> Triage:
    visible = masked(text)
    pii = tuple(find_pii(text))
    actionable = is_actionable(
        visible, complaint=learned.complaint, sentiment=learned.sentiment, intent=learned.intent
    )
    urgency = assess_urgency(
        visible,
        sentiment=learned.sentiment,
        complaint=learned.complaint,
        actionable=actionable,
        followers=item.followers,
        pii=pii,
        public=item.public,
    )
    unhappy = learned.complaint or learned.sentiment == "negative"
    mention = find_competitor(text, item.competitors, unhappy=unhappy, brand=item.brand)
    partial = Triage(
        language=detect_language(text),
        sentiment=learned.sentiment,
        sentiment_score=learned.sentiment_score,
        complaint=learned.complaint,
        complaint_score=learned.complaint_score,
        actionable=actionable,
        intent=learned.intent,
        intent_score=learned.intent_score,
        pii=pii,
        urgency=urgency.level,
        urgency_reasons=urgency.reasons,
        competitor=mention.competitor,
        opportunity=mention.opportunity,
        priority=0,
        priority_reasons=(),
        public=item.public,
        truncated=len(item.text) > ANALYSED_CHARS,
    )
    ranked = priority(partial.signals(), item.followers, item.waiting_minutes)
    return replace(partial, priority=ranked.score, priority_reasons=ranked.reasons)
