"""Two-factor authentication: TOTP secrets sealed at rest, recovery codes, login challenges."""
