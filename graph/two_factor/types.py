"""The two-factor domain's payload members and errors."""

from __future__ import annotations

from datetime import datetime

import strawberry

from graph.core.errors import Error


@strawberry.type(
    description="The password was right and the account has a second factor: finish with "
    "`loginTwoFactor(challenge, code)` before `expiresAt`."
)
class TwoFactorRequired:
    challenge: str = strawberry.field(
        description="Single use, short-lived proof that the password was checked."
    )
    expires_at: datetime = strawberry.field(description="When the challenge stops working.")


@strawberry.type(
    description="The code is not a current code of the authenticator nor an unused recovery "
    "code, or it was used already (each code works once)."
)
class InvalidTwoFactorCode(Error):
    pass


@strawberry.type(
    description="The challenge is unknown, used already or expired: log in with the password again."
)
class TwoFactorChallengeInvalid(Error):
    pass


@strawberry.type(
    description="Two-factor authentication is not set up on this server (no KHUB_SECRET_KEYS)."
)
class TwoFactorUnavailable(Error):
    pass


@strawberry.type(
    description="Too many wrong codes for this account: try again after `retryAfter` seconds. "
    "Codes are throttled like passwords; an admin can lift it with `userTwoFactorReset`."
)
class TwoFactorThrottled(Error):
    retry_after: int = strawberry.field(description="Seconds to wait before the next attempt.")
