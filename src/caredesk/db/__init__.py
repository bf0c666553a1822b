"""Storage plumbing: engine, column types, migrations."""
