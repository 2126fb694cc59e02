"""`khub rotate-secrets`: re-seal every stored two-factor secret under the first key.

Put a new key first in KHUB_SECRET_KEYS (keep the old ones after it), restart the servers,
run this, then drop the old keys. Batched, one transaction per batch; running it again
re-seals nothing.
"""

from __future__ import annotations

import argparse

from persistence.database import Database
from persistence.settings import Settings
from persistence.two_factor.cipher import KEYS_ENV, UnreadableSecret, cipher_for
from persistence.two_factor.rotation import BATCH, SecretKeysError, rotate_secrets


def configure_rotate_secrets(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--batch", type=int, default=BATCH, help=f"secrets per transaction (default {BATCH})"
    )


async def run_rotate_secrets(args: argparse.Namespace, settings: Settings) -> int:
    cipher = cipher_for(settings.secret_keys)
    if cipher is None:
        raise SecretKeysError(f"{KEYS_ENV} is not set: there is no key to re-seal under")
    db = await Database.open(settings)
    try:
        rotation = await rotate_secrets(db, cipher, batch=max(args.batch, 1))
    except UnreadableSecret:
        raise SecretKeysError(
            f"a stored secret opens under none of {KEYS_ENV}: add back the key it was sealed "
            "with; the secrets re-sealed so far stay re-sealed"
        ) from None
    finally:
        await db.close()
    print(f"re-sealed {rotation.resealed} of {rotation.examined} two-factor secrets")
    return 0
