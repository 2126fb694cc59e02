"""The two-factor domain's part of the schema."""

from __future__ import annotations

import strawberry

from graph.two_factor.mutations import (
    login_two_factor,
    two_factor_confirm,
    two_factor_disable,
    two_factor_enroll,
    user_two_factor_reset,
)


@strawberry.type
class TwoFactorMutations:
    login_two_factor = login_two_factor.field
    two_factor_enroll = two_factor_enroll.field
    two_factor_confirm = two_factor_confirm.field
    two_factor_disable = two_factor_disable.field
    user_two_factor_reset = user_two_factor_reset.field
