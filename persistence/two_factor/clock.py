"""The one clock two-factor authentication reads: TOTP time steps and challenge expiry.

A module-level function so tests can pin it (`monkeypatch.setattr(clock, "now", …)`) and
compute the expected codes with pyotp at that moment. Callers read it as `clock.now()`,
never importing the function itself, so a pinned clock is seen everywhere.
"""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)
