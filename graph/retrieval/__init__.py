"""Retrieval history, feedback and insights (issue 11)."""
