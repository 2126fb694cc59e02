"""Reading an uploaded zip without trusting it: no path leaves the archive, and the entry
count and the bytes actually inflated are bounded (a zip bomb's headers lie)."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass

from persistence.transfer.settings import TransferSettings

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_DRIVE = re.compile(r"^[A-Za-z]:")
_CHUNK = 64 * 1024


class ArchiveRefused(Exception):
    """The whole archive is refused: unreadable, or past a bound. Nothing is imported."""


@dataclass(frozen=True)
class Problem:
    """A bad entry, reported in the job's result while the good ones land."""

    where: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {"where": self.where, "message": self.message}


@dataclass(frozen=True)
class Member:
    path: tuple[str, ...]
    data: bytes

    @property
    def name(self) -> str:
        return "/".join(self.path)


def is_zip(content: bytes) -> bool:
    return content[:4] in ZIP_MAGIC


def safe_path(name: str) -> tuple[str, ...] | None:
    """The entry's path parts, or None when it would leave the archive's root."""
    if "\x00" in name or "\\" in name or name.startswith("/") or _DRIVE.match(name):
        return None
    parts = tuple(p for p in name.split("/") if p not in ("", "."))
    if not parts or ".." in parts:
        return None
    return parts


def _ignored(parts: tuple[str, ...]) -> bool:
    """Operating-system litter (`__MACOSX/`, `.DS_Store`) and hidden files."""
    return parts[0] == "__MACOSX" or any(p.startswith(".") for p in parts)


def read_members(content: bytes, settings: TransferSettings) -> tuple[list[Member], list[Problem]]:
    """The archive's files, in archive order, and the entries refused one by one."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise ArchiveRefused(f"the file is not a readable zip archive ({exc})") from None
    infos = archive.infolist()
    if len(infos) > settings.max_entries:
        raise ArchiveRefused(
            f"the archive has {len(infos)} entries; at most {settings.max_entries} are imported"
        )
    members: list[Member] = []
    problems: list[Problem] = []
    budget = settings.max_uncompressed_bytes
    for info in infos:
        if info.is_dir():
            continue
        parts = safe_path(info.filename)
        if parts is None:
            problems.append(Problem(info.filename, "the path leaves the archive; skipped"))
            continue
        if _ignored(parts):
            continue
        if info.flag_bits & 0x1:
            problems.append(Problem(info.filename, "the entry is encrypted; skipped"))
            continue
        try:
            data = _inflate(archive, info, budget)
        except _TooLarge:
            raise ArchiveRefused(
                "the archive inflates to more than "
                f"{settings.max_uncompressed_bytes} bytes; nothing was imported"
            ) from None
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
            problems.append(Problem(info.filename, f"the entry cannot be read ({exc}); skipped"))
            continue
        budget -= len(data)
        members.append(Member(parts, data))
    return members, problems


class _TooLarge(Exception):
    pass


def _inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """The entry's bytes, stopped as soon as they pass `limit`."""
    chunks: list[bytes] = []
    size = 0
    with archive.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise _TooLarge
            chunks.append(chunk)
    return b"".join(chunks)
