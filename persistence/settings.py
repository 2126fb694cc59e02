"""Database and identity settings, read once from the environment into one typed object."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from persistence.two_factor.cipher import KEYS_ENV, parse_keys


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from exc


PLAN_CACHE_MODES = ("auto", "force_generic_plan", "force_custom_plan")


def _choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = (os.environ.get(name) or "").strip()
    if not raw:
        return default
    if raw not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
    return raw


def _flag(name: str) -> bool:
    return (os.environ.get(name) or "").strip().lower() in {"1", "true", "yes", "on"}


def default_data_dir() -> Path:
    """Where the embedded PostgreSQL keeps its data when KHUB_DATA_DIR is not set.

    Under root the server runs as another OS user and every parent of the data directory is
    opened for it to traverse, so root gets /var/lib (meant to be shared) instead of /root.
    """
    if os.name == "posix" and os.geteuid() == 0:
        return Path("/var/lib/knowledge-hub/pgdata")
    return Path(platformdirs.user_data_dir("knowledge-hub")) / "pgdata"


@dataclass(frozen=True)
class Settings:
    """Everything the data layer reads from the environment.

    `database_url` is None when the embedded PostgreSQL should be used. It names the owner
    role (migrations, the CLI); `app_database_url` names the login role the server's GraphQL
    transactions use, which row-level security applies to (see `persistence/roles.py`).
    `replica_url` names a streaming replica of that server that serves reads
    (`persistence/replica.py`).
    """

    database_url: str | None = None
    app_database_url: str | None = field(default=None, repr=False)
    replica_url: str | None = field(default=None, repr=False)
    listen_url: str | None = field(default=None, repr=False)
    """Where the change feed LISTENs when the app's URL goes through a transaction-mode
    pooler, which cannot keep a LISTEN: PostgreSQL itself. None: the app's URL."""
    replica_max_lag_ms: int = 1_000
    replica_check_ms: int = 1_000
    data_dir: Path = field(default_factory=default_data_dir)
    pool_size: int = 10
    """Connections each process opens on demand and keeps: its most at once by default."""
    max_overflow: int = 0
    """Connections beyond `pool_size`, closed at checkin: under sustained load each costs a
    login and fresh prepared statements per request (`warn_of_overflow`)."""
    pool_timeout: int = 30
    pool_recycle: int = 1800
    connect_timeout: int = 10
    statement_timeout_ms: int = 15_000
    plan_cache_mode: str = "force_generic_plan"
    """PostgreSQL's `plan_cache_mode` for the app's connections (see `connect_arguments`)."""
    pgbouncer: bool = False
    """The database URLs go through PgBouncer in transaction mode: no prepared statement is
    kept or named, and no startup parameter is sent (see `persistence/database.py`)."""
    connect_retries: int = 5
    bcrypt_rounds: int = 12
    login_max_failures: int = 5
    login_account_max_failures: int = 20
    login_address_max_failures: int = 100
    login_backoff_seconds: int = 30
    login_backoff_max_seconds: int = 900
    login_forget_seconds: int = 24 * 3600
    login_known_address_days: int = 30
    session_ttl_seconds: int = 7 * 24 * 3600
    secret_keys: tuple[str, ...] = field(default=(), repr=False)
    """Fernet keys sealing two-factor secrets: the first seals, all open
    (`persistence/two_factor/cipher.py`)."""
    two_factor_challenge_seconds: int = 300
    job_lease_seconds: int = 60
    """How long a worker holds a job without a step; past it another worker may take it."""
    job_poll_ms: int = 1_000
    job_retry_ms: int = 10_000
    """The first retry's delay; each further retry waits twice as long."""

    @classmethod
    def from_env(cls) -> Settings:
        """Read the settings from KHUB_* variables and DATABASE_URL."""
        data_dir = os.environ.get("KHUB_DATA_DIR")
        return cls(
            database_url=os.environ.get("DATABASE_URL") or None,
            app_database_url=os.environ.get("KHUB_APP_DATABASE_URL") or None,
            replica_url=os.environ.get("KHUB_DATABASE_REPLICA_URL") or None,
            listen_url=os.environ.get("KHUB_DATABASE_LISTEN_URL") or None,
            replica_max_lag_ms=_int("KHUB_REPLICA_MAX_LAG_MS", cls.replica_max_lag_ms),
            replica_check_ms=_int("KHUB_REPLICA_CHECK_MS", cls.replica_check_ms),
            data_dir=Path(data_dir).expanduser() if data_dir else default_data_dir(),
            pool_size=_int("KHUB_DB_POOL_SIZE", cls.pool_size),
            max_overflow=_int("KHUB_DB_MAX_OVERFLOW", cls.max_overflow),
            pool_timeout=_int("KHUB_DB_POOL_TIMEOUT", cls.pool_timeout),
            pool_recycle=_int("KHUB_DB_POOL_RECYCLE", cls.pool_recycle),
            connect_timeout=_int("KHUB_DB_CONNECT_TIMEOUT", cls.connect_timeout),
            statement_timeout_ms=_int("KHUB_DB_STATEMENT_TIMEOUT_MS", cls.statement_timeout_ms),
            plan_cache_mode=_choice(
                "KHUB_DB_PLAN_CACHE_MODE", cls.plan_cache_mode, PLAN_CACHE_MODES
            ),
            pgbouncer=_flag("KHUB_DB_PGBOUNCER"),
            connect_retries=_int("KHUB_DB_CONNECT_RETRIES", cls.connect_retries),
            bcrypt_rounds=_int("KHUB_BCRYPT_ROUNDS", cls.bcrypt_rounds),
            login_max_failures=_int("KHUB_LOGIN_MAX_FAILURES", cls.login_max_failures),
            login_account_max_failures=_int(
                "KHUB_LOGIN_ACCOUNT_MAX_FAILURES", cls.login_account_max_failures
            ),
            login_address_max_failures=_int(
                "KHUB_LOGIN_ADDRESS_MAX_FAILURES", cls.login_address_max_failures
            ),
            login_backoff_seconds=_int("KHUB_LOGIN_BACKOFF_SECONDS", cls.login_backoff_seconds),
            login_backoff_max_seconds=_int(
                "KHUB_LOGIN_BACKOFF_MAX_SECONDS", cls.login_backoff_max_seconds
            ),
            login_forget_seconds=_int("KHUB_LOGIN_FORGET_SECONDS", cls.login_forget_seconds),
            login_known_address_days=_int(
                "KHUB_LOGIN_KNOWN_ADDRESS_DAYS", cls.login_known_address_days
            ),
            session_ttl_seconds=_int("KHUB_SESSION_TTL_SECONDS", cls.session_ttl_seconds),
            secret_keys=parse_keys(os.environ.get(KEYS_ENV)),
            two_factor_challenge_seconds=_int(
                "KHUB_TWO_FACTOR_CHALLENGE_SECONDS", cls.two_factor_challenge_seconds
            ),
            job_lease_seconds=_int("KHUB_JOB_LEASE_SECONDS", cls.job_lease_seconds),
            job_poll_ms=_int("KHUB_JOB_POLL_MS", cls.job_poll_ms),
            job_retry_ms=_int("KHUB_JOB_RETRY_MS", cls.job_retry_ms),
        )
