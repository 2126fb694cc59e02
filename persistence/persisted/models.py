"""Persisted GraphQL documents: clients send an id instead of the document's text."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from persistence.base import Base

APQ = "apq"
"""Registered by any client through Automatic Persisted Queries (id = SHA-256 of the text)."""
TRUSTED = "trusted"
"""Pushed by an operator from a client's manifest (`khub documents push`): the only kind
that runs in trusted-documents mode."""


class PersistedDocument(Base):
    """One document by its id. Not tenant-owned: documents belong to the schema, not to an
    organization. The app's role may read rows and insert APQ rows only (migration 0013
    grants it no privilege on `kind`, whose default is `apq`)."""

    __tablename__ = "persisted_documents"
    __table_args__ = (
        CheckConstraint(f"kind IN ('{APQ}', '{TRUSTED}')", name="known_kind"),
        CheckConstraint("document_id <> ''", name="has_an_id"),
    )

    document_id: Mapped[str] = mapped_column(String(200), nullable=False, unique=True)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False, server_default=APQ)
