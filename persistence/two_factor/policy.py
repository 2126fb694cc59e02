"""Whether a user must use a second factor: the hook for the organization's setting.

Issue 12's organization settings bring "require two-factor for roles"; until they land no
role requires it. The integrator makes `required_roles` read that setting; `login` already
asks `two_factor_required` and tells a user who must but has not enrolled
(`LoginSuccess.twoFactorSetupRequired`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from persistence.user.models import Role


async def required_roles(session: AsyncSession, organization_id: uuid.UUID) -> frozenset[Role]:
    """The roles the organization requires a second factor for (none until the setting
    exists)."""
    return frozenset()


def two_factor_required(roles: Iterable[Role], required_for: Iterable[Role]) -> bool:
    """Whether a user holding `roles` must have a second factor, given the roles the
    organization requires it for."""
    return bool(set(roles) & set(required_for))
