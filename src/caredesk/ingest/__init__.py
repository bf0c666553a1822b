"""Ingest: every source's messages go through one pipeline into conversations."""

from caredesk.ingest.inbound import Author, InboundMessage
from caredesk.ingest.pipeline import Ingestor, IngestResult

__all__ = ["Author", "InboundMessage", "IngestResult", "Ingestor"]
