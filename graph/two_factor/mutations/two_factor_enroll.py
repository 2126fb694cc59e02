"""`twoFactorEnroll`: a new TOTP secret for the caller, pending until `twoFactorConfirm`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.core.errors import AlreadyExists
from graph.core.mutations import MutationContext, run
from graph.core.permissions import CanWriteOwnAccount
from graph.two_factor.types import TwoFactorUnavailable
from persistence.two_factor import codes
from persistence.two_factor.cipher import cipher_for
from persistence.two_factor.repository import TwoFactorRepository


@strawberry.type(
    description="A pending second factor: add it to an authenticator app, then turn it on "
    "with `twoFactorConfirm` and a code it shows. The secret is shown only here."
)
class TwoFactorEnrollSuccess:
    secret: str = strawberry.field(description="The TOTP secret, base32, to type in by hand.")
    otpauth_uri: str = strawberry.field(
        description="The `otpauth://totp/…` URI, usually shown as a QR code."
    )


TwoFactorEnrollResult = Annotated[
    TwoFactorEnrollSuccess | AlreadyExists | TwoFactorUnavailable,
    strawberry.union("TwoFactorEnrollResult", description="The pending secret, or why not."),
]


async def resolve(info: strawberry.Info) -> TwoFactorEnrollResult:
    cipher = cipher_for(info.context.db.settings.secret_keys)
    if cipher is None:
        return TwoFactorUnavailable(message="two-factor authentication is not set up here")

    async def work(m: MutationContext) -> TwoFactorEnrollSuccess | AlreadyExists:
        user = m.viewer.user
        secret = codes.new_secret()
        sealed = cipher.seal(secret, owner=user.id)
        if (
            await TwoFactorRepository(m.session, m.scope).enrol(user.id, secret_sealed=sealed)
            is None
        ):
            return AlreadyExists(
                message="two-factor authentication is on already: disable it first",
                field="twoFactor",
            )
        await m.audit("twoFactorEnroll", "User", user.id)  # never the secret
        uri = codes.provisioning_uri(secret, account=user.email)
        return TwoFactorEnrollSuccess(secret=secret, otpauth_uri=uri)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description="Start setting up a second factor (TOTP) for the caller (any role, write "
    "scope): returns the secret and its `otpauth://` URI once. Asking again before "
    "`twoFactorConfirm` replaces the pending secret.",
    permission_classes=[CanWriteOwnAccount],
)
