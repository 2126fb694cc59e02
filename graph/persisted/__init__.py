"""Persisted operations: Automatic Persisted Queries and trusted documents."""
