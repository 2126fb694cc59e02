"""Login sessions and API keys: random secrets stored only as hashes, expiring, revocable."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.errors import NotFound, ValidationError
from persistence.relation import Rows
from persistence.repository import Repository
from persistence.scope import Scope
from persistence.user import tokens
from persistence.user.models import ApiKey, UserSession

SCOPES = ("read", "write")


class SessionRepository(Repository[UserSession]):
    model = UserSession
    entity = "session"
    sort_keys = {"created_at": UserSession.created_at}

    async def open(
        self,
        user_id: uuid.UUID,
        *,
        ttl: timedelta,
        client_address: str | None = None,
        user_agent: str | None = None,
    ) -> tuple[str, UserSession]:
        """A new session; the token is returned here and never stored."""
        token = tokens.new_secret(tokens.SESSION_PREFIX, self.scope.organization_id)
        row = await self.create(
            user_id=user_id,
            token_hash=tokens.hash_secret(token),
            expires_at=datetime.now(UTC) + ttl,
            client_address=client_address,
            user_agent=user_agent,
        )
        return token, row

    async def resolve(self, token: str) -> UserSession | None:
        """The live (unexpired, unrevoked) session a token opens, if any."""
        stmt = self.select().where(
            UserSession.token_hash == tokens.hash_secret(token),
            UserSession.revoked_at.is_(None),
            UserSession.expires_at > func.now(),
        )
        return (await self.session.scalars(stmt)).first()

    async def revoke(self, token: str) -> bool:
        """End a session; False when it was not live."""
        stmt = (
            update(UserSession)
            .where(
                UserSession.organization_id == self.scope.organization_id,
                UserSession.token_hash == tokens.hash_secret(token),
                UserSession.revoked_at.is_(None),
            )
            .values(revoked_at=func.now())
            .returning(UserSession.id)
        )
        return (await self.session.execute(stmt)).scalar() is not None

    async def revoke_all_for(self, user_id: uuid.UUID, *, except_token: str | None = None) -> int:
        """End a user's live sessions but the one `except_token` opens; how many ended."""
        clauses = [
            UserSession.organization_id == self.scope.organization_id,
            UserSession.user_id == user_id,
            UserSession.revoked_at.is_(None),
            UserSession.expires_at > func.now(),
        ]
        if except_token is not None:
            clauses.append(UserSession.token_hash != tokens.hash_secret(except_token))
        stmt = update(UserSession).where(*clauses).values(revoked_at=func.now())
        return (await self.session.execute(stmt)).rowcount


class ApiKeyRepository(Repository[ApiKey]):
    model = ApiKey
    entity = "API key"
    sort_keys = {"created_at": ApiKey.created_at, "name": ApiKey.name}

    def visible(self) -> list[Any]:
        """A user sees their own keys; admins see everyone's."""
        return [] if self.scope.is_admin else [ApiKey.user_id == self.scope.user_id]

    async def issue(
        self,
        user_id: uuid.UUID,
        *,
        name: str,
        scopes: Sequence[str],
        expires_at: datetime | None = None,
        origin_session_id: uuid.UUID | None = None,
    ) -> tuple[str, ApiKey]:
        """A new key; its secret is returned once and only its hash is kept."""
        unknown = sorted(set(scopes) - set(SCOPES))
        if unknown or not scopes:
            raise ValidationError("scopes", f"scopes must be a non-empty subset of {SCOPES}")
        secret = tokens.new_secret(tokens.API_KEY_PREFIX, self.scope.organization_id)
        row = await self.create(
            user_id=user_id,
            name=name,
            prefix=tokens.display_prefix(secret),
            secret_hash=tokens.hash_secret(secret),
            scopes=sorted(set(scopes)),
            expires_at=expires_at,
            origin_session_id=origin_session_id,
        )
        return secret, row

    async def resolve(self, secret: str) -> ApiKey | None:
        """The usable key for a secret, stamping its last use; None if revoked or expired."""
        stmt = (
            update(ApiKey)
            .where(
                ApiKey.organization_id == self.scope.organization_id,
                ApiKey.secret_hash == tokens.hash_secret(secret),
                ApiKey.revoked_at.is_(None),
                or_(ApiKey.expires_at.is_(None), ApiKey.expires_at > func.now()),
            )
            .values(last_used_at=func.now())
            .returning(ApiKey)
        )
        return (await self._run(stmt)).scalars().first()

    async def find(self, secret: str) -> ApiKey | None:
        """The usable key for a secret without stamping it (for read-only transactions)."""
        stmt = self.select().where(
            ApiKey.secret_hash == tokens.hash_secret(secret),
            ApiKey.revoked_at.is_(None),
            or_(ApiKey.expires_at.is_(None), ApiKey.expires_at > func.now()),
        )
        return (await self.session.scalars(stmt)).first()

    async def revoke(self, id: uuid.UUID) -> ApiKey:
        """Revoke a visible key by id; NotFound if absent, someone else's or revoked already."""
        stmt = (
            update(ApiKey)
            .where(
                ApiKey.organization_id == self.scope.organization_id,
                ApiKey.id == id,
                ApiKey.revoked_at.is_(None),
                *self.visible(),
            )
            .values(revoked_at=func.now())
            .returning(ApiKey)
        )
        row = (await self._run(stmt)).scalars().first()
        if row is None:
            raise NotFound(self.entity, id)
        return row

    async def revoke_session_made(
        self, user_id: uuid.UUID, *, except_id: uuid.UUID | None = None
    ) -> int:
        """Revoke a user's live keys that come from a login session (all but `except_id`);
        how many."""
        clauses = [
            ApiKey.organization_id == self.scope.organization_id,
            ApiKey.user_id == user_id,
            ApiKey.origin_session_id.is_not(None),
            ApiKey.revoked_at.is_(None),
        ]
        if except_id is not None:
            clauses.append(ApiKey.id != except_id)
        stmt = update(ApiKey).where(*clauses).values(revoked_at=func.now())
        return (await self.session.execute(stmt)).rowcount


API_KEY_BY_ID = Rows(ApiKeyRepository)


async def end_other_sign_ins(
    session: AsyncSession,
    scope: Scope,
    user_id: uuid.UUID,
    *,
    except_token: str | None,
    except_key: uuid.UUID | None,
) -> tuple[int, int]:
    """End the user's sessions but the one of `except_token`, and revoke their API keys made
    on a session but `except_key`; how many of each. For a change of how the account signs
    in (a new password, a second factor turned on): what was opened under the old rule, by
    whoever knew the old proof, must not outlive it. Keys made without a session (the
    command line) stay."""
    sessions = await SessionRepository(session, scope).revoke_all_for(
        user_id, except_token=except_token
    )
    keys = await ApiKeyRepository(session, scope).revoke_session_made(user_id, except_id=except_key)
    return sessions, keys
