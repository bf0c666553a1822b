"""The outbox: replies are sent by workers, exactly once, retried only when retrying helps."""
