"""The benchmark database: where it lives, seeding it once, and the inputs drawn from it."""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.database import Database, check_readiness
from persistence.scope import Scope
from persistence.seed.scale import SCALE_SLUG
from persistence.user.credentials import SessionRepository
from persistence.user.repository import OrganizationRepository

DEFAULT_DATA_DIR = Path("/tmp/khub-bench/pgdata")
REPOSITORY = Path(__file__).resolve().parent.parent


def data_dir_from(argument: str | None) -> Path:
    """--data-dir, else KHUB_DATA_DIR, else /tmp/khub-bench/pgdata; never inside the repo."""
    raw = argument or os.environ.get("KHUB_DATA_DIR") or str(DEFAULT_DATA_DIR)
    path = Path(raw).expanduser().resolve()
    if path.is_relative_to(REPOSITORY):
        raise SystemExit(f"refusing to keep a benchmark database inside the repository: {path}")
    return path


def khub(*args: str, data_dir: Path) -> None:
    """Run a `khub` command in a child process, against the same database."""
    script = Path(sys.executable).with_name("khub")
    command = [str(script)] if script.exists() else [shutil.which("khub") or "khub"]
    env = {**os.environ, "KHUB_DATA_DIR": str(data_dir)}
    print(f"$ KHUB_DATA_DIR={data_dir} khub {' '.join(args)}", flush=True)
    subprocess.run([*command, *args], env=env, check=True)


async def scale_organization(db: Database) -> uuid.UUID | None:
    async with db.transaction() as session:
        exists = await session.scalar(text("SELECT to_regclass('organizations') IS NOT NULL"))
        if not exists:
            return None
        org = await OrganizationRepository(session).by_slug(SCALE_SLUG)
        return org.id if org else None


async def ensure_seeded(db: Database, *, data_dir: Path, scale: int) -> uuid.UUID:
    """The `scale` organization's id; migrates and seeds first when it is missing."""
    readiness = await check_readiness(db.engine)
    if not readiness.ready:
        print(f"schema at {readiness.revision or 'nothing'}, head is {readiness.head}: migrating")
        khub("migrate", data_dir=data_dir)
    org_id = await scale_organization(db)
    if org_id is None:
        print(f"organization `{SCALE_SLUG}` is missing: seeding {scale:,} documents (~1 min)")
        khub("seed", "--scale", str(scale), data_dir=data_dir)
        org_id = await scale_organization(db)
    if org_id is None:
        raise SystemExit(f"organization `{SCALE_SLUG}` is still missing after seeding")
    return org_id


@dataclass
class Login:
    token: str
    session_id: uuid.UUID
    username: str


async def open_session(db: Database, org_id: uuid.UUID, *, username: str = "admin") -> Login:
    """A session token for the organization's admin, made directly: no password needed."""
    async with db.transaction(org_id) as session:
        user_id = await session.scalar(
            text("SELECT id FROM users WHERE organization_id = :org AND username = :name"),
            {"org": org_id, "name": username},
        )
        if user_id is None:
            raise SystemExit(f"organization `{SCALE_SLUG}` has no user `{username}`")
        repository = SessionRepository(session, Scope.system(org_id))
        token, row = await repository.open(user_id, ttl=timedelta(hours=2), user_agent="bench")
    return Login(token=token, session_id=row.id, username=username)


async def close_session(db: Database, org_id: uuid.UUID, login: Login) -> None:
    async with db.transaction(org_id) as session:
        await SessionRepository(session, Scope.system(org_id)).revoke(login.token)


@dataclass
class Inputs:
    """Everything the benchmarks take from the data, drawn with one fixed random seed."""

    counts: dict[str, int]
    node_ids: list[uuid.UUID]
    similar_ids: list[uuid.UUID]
    vectors: list[list[float]]
    node_types: list[str]
    pairs: list[tuple[uuid.UUID, uuid.UUID]]
    conversation_ids: list[uuid.UUID] = field(default_factory=list)


COUNTS = {
    "documents": "SELECT count(*) FROM documents WHERE organization_id = :org"
    " AND deleted_at IS NULL",
    "knowledge nodes": "SELECT count(*) FROM knowledge_nodes WHERE organization_id = :org"
    " AND deleted_at IS NULL",
    "embeddings": "SELECT count(*) FROM knowledge_nodes WHERE organization_id = :org"
    " AND deleted_at IS NULL AND embedding IS NOT NULL",
    "knowledge edges": "SELECT count(*) FROM knowledge_edges WHERE organization_id = :org"
    " AND deleted_at IS NULL",
    "messages": "SELECT count(*) FROM messages WHERE organization_id = :org",
}


async def draw_inputs(db: Database, org_id: uuid.UUID, *, seed: int, per_case: int) -> Inputs:
    rng = random.Random(seed)
    async with db.transaction(org_id, read_only=True) as session:
        counts = {name: await _scalar(session, sql, org_id) for name, sql in COUNTS.items()}
        rows = await session.execute(
            text(
                "SELECT id, embedding IS NOT NULL FROM knowledge_nodes"
                " WHERE organization_id = :org AND deleted_at IS NULL ORDER BY id"
            ),
            {"org": org_id},
        )
        nodes = [(r[0], r[1]) for r in rows]
        with_embedding = [node_id for node_id, embedded in nodes if embedded]
        node_ids = rng.sample([n for n, _ in nodes], per_case)
        similar_ids = rng.sample(with_embedding, per_case)
        vector_sources = rng.sample(with_embedding, per_case)
        texts = await session.scalars(
            text(
                "SELECT embedding::text FROM knowledge_nodes"
                " WHERE organization_id = :org AND id = ANY(:ids) ORDER BY id"
            ),
            {"org": org_id, "ids": vector_sources},
        )
        vectors = [_nearby(rng, json.loads(t)) for t in texts]
        types = await session.scalars(
            text(
                "SELECT DISTINCT node_type FROM knowledge_nodes"
                " WHERE organization_id = :org ORDER BY node_type"
            ),
            {"org": org_id},
        )
        node_types = list(types)
        longest = await session.scalars(
            text(
                "SELECT id FROM conversations WHERE organization_id = :org"
                " ORDER BY message_count DESC, id LIMIT 1"
            ),
            {"org": org_id},
        )
        conversation_ids = list(longest)
    ids = [n for n, _ in nodes]
    pairs = [(a, b) for a, b in (rng.sample(ids, 2) for _ in range(per_case))]
    return Inputs(counts, node_ids, similar_ids, vectors, node_types, pairs, conversation_ids)


async def _scalar(session: AsyncSession, sql: str, org_id: uuid.UUID) -> Any:
    return await session.scalar(text(sql), {"org": org_id})


def _nearby(rng: random.Random, vector: list[float], noise: float = 0.3) -> list[float]:
    """A query embedding near a stored one, as a user's query is near related notes."""
    scale = noise / math.sqrt(len(vector))
    moved = [v + rng.gauss(0.0, scale) for v in vector]
    norm = math.sqrt(sum(v * v for v in moved)) or 1.0
    return [round(v / norm, 6) for v in moved]
