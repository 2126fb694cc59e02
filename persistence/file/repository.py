"""Stored files: written by uploads and exports, read by imports, taken once by a download."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, insert, select, update

from persistence.errors import NotFound, ValidationError
from persistence.file.models import JobFile
from persistence.ids import new_id
from persistence.repository import Repository


class FileTooLarge(ValidationError):
    def __init__(self, size: int, limit: int) -> None:
        super().__init__("file", f"the file has {size} bytes; the limit is {limit}")


class FileGone(Exception):
    """The file existed for its owner but was downloaded already or has expired."""


@dataclass(frozen=True)
class Download:
    name: str
    content_type: str
    content: bytes


class FileRepository(Repository[JobFile]):
    """Files private to their owner: every read and write names the scope's user."""

    model = JobFile
    entity = "file"

    async def store(
        self,
        *,
        name: str,
        content_type: str,
        content: bytes,
        ttl: timedelta,
        max_bytes: int,
    ) -> uuid.UUID:
        """A new file owned by the scope's user, kept for `ttl`; refused past `max_bytes`."""
        if len(content) > max_bytes:
            raise FileTooLarge(len(content), max_bytes)
        if not name.strip():
            raise ValidationError("name", "a file needs a name")
        file_id = new_id()
        await self.session.execute(
            insert(JobFile).values(
                organization_id=self.scope.organization_id,
                id=file_id,
                owner_id=self._owner(),
                name=name[:255],
                content_type=content_type[:100] or "application/octet-stream",
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                content=content,
                expires_at=func.now() + ttl,
            )
        )
        return file_id

    async def content_of(self, file_id: uuid.UUID) -> bytes:
        """The bytes of one of the scope user's live files, or NotFound."""
        stmt = select(JobFile.content).where(*self._own(file_id), JobFile.expires_at > func.now())
        content = await self.session.scalar(stmt)
        if content is None:
            raise NotFound(self.entity, file_id)
        return content

    async def take(self, file_id: uuid.UUID) -> Download:
        """The file, marked downloaded in the same statement: of requests racing for it,
        exactly one gets it. NotFound for anyone but its owner; FileGone once taken or
        expired."""
        stmt = (
            update(JobFile)
            .where(*self._own(file_id), JobFile.downloaded_at.is_(None))
            .where(JobFile.expires_at > func.now())
            .values(downloaded_at=func.now())
            .returning(JobFile.name, JobFile.content_type, JobFile.content)
        )
        row = (await self.session.execute(stmt)).one_or_none()
        if row is not None:
            return Download(name=row.name, content_type=row.content_type, content=row.content)
        exists = await self.session.scalar(select(JobFile.id).where(*self._own(file_id)))
        if exists is None:
            raise NotFound(self.entity, file_id)
        raise FileGone(file_id)

    def _own(self, file_id: uuid.UUID) -> list[object]:
        return [
            JobFile.organization_id == self.scope.organization_id,
            JobFile.id == file_id,
            JobFile.owner_id == self._owner(),
        ]

    def _owner(self) -> uuid.UUID:
        if self.scope.user_id is None:
            raise NotFound(self.entity, None)
        return self.scope.user_id
