"""Reading, registering and pushing persisted documents (`persisted_documents`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ARRAY, String, any_, bindparam, func, insert, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from persistence.ids import new_id
from persistence.persisted.models import APQ, TRUSTED, PersistedDocument

DOCUMENTS = PersistedDocument.__table__


async def find(connection: AsyncConnection, *, document_id: str, trusted_only: bool) -> str | None:
    """The text of the document with this id (of a trusted one only, when asked)."""
    query = select(DOCUMENTS.c.body).where(DOCUMENTS.c.document_id == document_id)
    if trusted_only:
        query = query.where(DOCUMENTS.c.kind == TRUSTED)
    return (await connection.execute(query)).scalar_one_or_none()


async def register(
    connection: AsyncConnection, *, document_id: str, body: str, max_documents: int
) -> None:
    """Keep a client's document (APQ) unless the table already holds `max_documents` of
    them; a soft cap (concurrent registrations may pass it by a few)."""
    held = select(func.count()).select_from(DOCUMENTS).where(DOCUMENTS.c.kind == APQ)
    row = select(literal(new_id()), literal(document_id), literal(body)).where(
        held.scalar_subquery() < max_documents
    )
    statement = (
        pg_insert(DOCUMENTS)
        .from_select(["id", "document_id", "body"], row)
        .on_conflict_do_nothing(index_elements=["document_id"])
    )
    await connection.execute(statement)


@dataclass
class Pushed:
    """What a push did: ids added, ids already trusted, and ids APQ held, now trusted."""

    added: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)
    promoted: list[str] = field(default_factory=list)


class ConflictingDocument(ValueError):
    """An id already names another document."""

    def __init__(self, ids: Sequence[str]) -> None:
        super().__init__(
            f"{len(ids)} id(s) already name another document, e.g. {ids[0]!r}: "
            "ids must be unique per document text"
        )
        self.ids = list(ids)


async def push(session: AsyncSession, *, documents: Mapping[str, str]) -> Pushed:
    """Make these documents trusted (id → text); all of them or, on a conflict, none."""
    found = await session.execute(
        select(DOCUMENTS.c.document_id, DOCUMENTS.c.body, DOCUMENTS.c.kind).where(
            DOCUMENTS.c.document_id == any_(_ids(documents))
        )
    )
    existing = {row.document_id: row for row in found}
    conflicts = [i for i, row in existing.items() if row.body != documents[i]]
    if conflicts:
        raise ConflictingDocument(sorted(conflicts))
    pushed = Pushed()
    pushed.present = sorted(i for i, row in existing.items() if row.kind == TRUSTED)
    pushed.promoted = sorted(i for i, row in existing.items() if row.kind != TRUSTED)
    pushed.added = sorted(i for i in documents if i not in existing)
    if pushed.promoted:
        await session.execute(
            update(DOCUMENTS)
            .where(DOCUMENTS.c.document_id == any_(_ids(pushed.promoted)))
            .values(kind=TRUSTED, updated_at=func.now())
        )
    if pushed.added:
        rows = [
            {"id": new_id(), "document_id": i, "body": documents[i], "kind": TRUSTED}
            for i in pushed.added
        ]
        await session.execute(insert(DOCUMENTS), rows)
    return pushed


def _ids(ids: Iterable[str]) -> Any:
    return bindparam("ids", value=list(ids), type_=ARRAY(String))


async def listing(session: AsyncSession) -> list[PersistedDocument]:
    """Every persisted document, trusted ones first, oldest first."""
    query = select(PersistedDocument).order_by(
        PersistedDocument.kind.desc(), PersistedDocument.created_at, PersistedDocument.id
    )
    return list((await session.scalars(query)).all())
