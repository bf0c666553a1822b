"""Every state change an agent makes goes through one `do_*` function here.

Each checks the viewer's rights, writes inside the caller's transaction, and records what
happened in the conversation event log (the audit trail and the live feed) in that same
transaction.
"""
