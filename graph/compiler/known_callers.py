"""One round trip for a caller seen before: authentication and the compiled statement in one.

A compiled query otherwise costs four round trips: `BEGIN`, the authentication statement,
the data statement and `ROLLBACK`. For a bearer token this process has authenticated before,
it remembers whom the token opened (user, organization, roles, scopes), picks the plan for
them, and sends ONE statement that authenticates the token again and returns the data only
when it still opens that same user with those same roles and scopes:

    SELECT CASE WHEN a.id = $user AND a.roles = $roles AND a.scopes = $scopes
                THEN (<the plan's statement>) END
      FROM khub_authenticate(<organization>, <api key?>, <hash>, <timeout>) AS a

The statement runs alone in its implicit transaction: one statement reads one snapshot, and
`khub_authenticate` confines that transaction to the token's organization (for row-level
security) before the row it returns is projected, so before the plan's subquery reads
anything. Nothing is trusted from memory: a revoked or expired credential, a deactivated
account or changed roles answer NULL, and the request goes the whole way as a new caller
would (the reference executor then answers 401 where it must). The memory only saves the
round trips, and is never a reason to answer.
"""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from graph.context import Viewer
from persistence.user import tokens

MARK = "/* khub:compiled */"
MAX_CALLERS = 10_000
REMEMBER_SECONDS = 300


@dataclass(frozen=True)
class Credential:
    """A bearer token as `khub_authenticate` takes it."""

    organization_id: uuid.UUID
    api_key: bool
    secret_hash: str

    @classmethod
    def of(cls, secret: str | None) -> Credential | None:
        parsed = tokens.parse(secret) if secret else None
        if parsed is None:
            return None
        return cls(
            organization_id=parsed.organization_id,
            api_key=parsed.kind == tokens.API_KEY_PREFIX,
            secret_hash=tokens.hash_secret(secret),  # type: ignore[arg-type]
        )


@dataclass(frozen=True)
class Known:
    """Whom a credential opened when it was last authenticated."""

    viewer: Viewer
    roles: list[str]
    scopes: list[str]
    until: float  # then authenticated anew, so that forgotten tokens leave memory


class KnownCallers:
    """Credentials this process authenticated recently, by their hash (never the secret)."""

    def __init__(self) -> None:
        self._known: OrderedDict[str, Known] = OrderedDict()

    def get(self, credential: Credential) -> Known | None:
        known = self._known.get(credential.secret_hash)
        if known is None or known.until < time.monotonic():
            return None
        return known

    def remember(self, credential: Credential, viewer: Viewer) -> None:
        if not viewer.is_authenticated:
            return
        self._known[credential.secret_hash] = Known(
            viewer=viewer,
            roles=sorted(role.value for role in viewer.roles),
            scopes=sorted(viewer.scopes),
            until=time.monotonic() + REMEMBER_SECONDS,
        )
        self._known.move_to_end(credential.secret_hash)
        if len(self._known) > MAX_CALLERS:
            self._known.popitem(last=False)

    def forget(self, credential: Credential) -> None:
        self._known.pop(credential.secret_hash, None)


def guarded(sql: str, parameters: int) -> str:
    """The plan's statement inside the one that authenticates again (see the module's
    docstring); its own parameters keep their numbers, the guard's follow them."""
    user, roles, scopes, organization, api_key, secret_hash, timeout = (
        f"${parameters + i}" for i in range(1, 8)
    )
    same = (
        f"a.id = {user}::uuid AND a.roles @> {roles}::text[] AND a.roles <@ {roles}::text[]"
        f" AND a.scopes @> {scopes}::text[] AND a.scopes <@ {scopes}::text[]"
    )
    return (
        f"{MARK} SELECT CASE WHEN {same} THEN ({sql}) END"
        f" FROM khub_authenticate({organization}::uuid, {api_key}::boolean,"
        f" {secret_hash}::text, {timeout}::text) AS a"
    )


def guard_values(
    known: Known, credential: Credential, statement_timeout_ms: int
) -> tuple[Any, ...]:
    return (
        known.viewer.user_id,
        known.roles,
        known.scopes,
        credential.organization_id,
        credential.api_key,
        credential.secret_hash,
        str(statement_timeout_ms),
    )
