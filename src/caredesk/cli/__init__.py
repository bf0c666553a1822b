"""The `caredesk` command line."""
