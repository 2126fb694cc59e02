"""Mutations of the retrieval history, one per module."""
