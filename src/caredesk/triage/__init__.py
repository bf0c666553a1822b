"""Triage: what an inbound message is, how urgent it is and where it goes in the queue.

The rule-based parts (language, PII, urgency, competitor, priority) sit beside the learned
classifiers (`learned.py`); `caredesk.triage.batch.triage_batch` runs them all on a batch.
This package file imports nothing, so loading one part never drags in the others.
"""
