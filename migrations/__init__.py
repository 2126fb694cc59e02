"""Alembic environment and versions of the Knowledge Hub schema."""
