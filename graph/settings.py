"""Server settings, read once from the environment into one typed object."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

from graph.cors import CorsSettings
from graph.persisted.settings import PersistedSettings
from graph.retrieval.settings import RetrievalSettings
from persistence.rate_limits import Budget
from persistence.settings import Settings


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return default if not raw else int(raw)


def _role_maxima(name: str) -> tuple[tuple[str, int], ...]:
    """A JSON object of role name to maximum cost, e.g. `{"ADMIN": 200000}`."""
    raw = os.environ.get(name) or "{}"
    value = json.loads(raw)
    roles = {"ADMIN", "EDITOR", "VIEWER"}
    if not isinstance(value, dict) or not all(
        k in roles and isinstance(v, int) and not isinstance(v, bool) and v >= 0
        for k, v in value.items()
    ):
        raise ValueError(f"{name} must be a JSON object of ADMIN, EDITOR, VIEWER to costs")
    return tuple(sorted(value.items()))


@dataclass(frozen=True)
class ServerSettings:
    """How the GraphQL server behaves; production turns off everything meant for development.

    Production (`KHUB_ENV=production`) disables GraphiQL, introspection and field
    suggestions, and masks unexpected errors behind a request id; `/metrics` then needs
    `metrics_token` (and is absent without one).
    """

    production: bool = False
    max_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 5_000
    max_directives: int = 50
    max_body_bytes: int = 1024 * 1024
    cors: CorsSettings = field(default_factory=CorsSettings)
    metrics_token: str | None = field(default=None, repr=False)
    compiled_reads: bool = True
    log_format: str = "text"  # KHUB_LOG_FORMAT: json (production's default) or text
    tracing: bool = False  # KHUB_TRACING: OpenTelemetry spans (the `tracing` extra)
    max_cost: int = 50_000
    """The most an operation may cost (graph/core/cost.py); 0 means no limit."""
    max_cost_by_role: tuple[tuple[str, int], ...] = ()
    """Maxima for callers with these roles (the highest of a caller's roles counts)."""
    cost_enforced: bool | None = None
    """Refuse operations over their maximum; by default in production only (development
    reports the cost instead)."""
    rate_limit: int = 0
    """Cost units a principal (user, API key, or client address when anonymous) may spend
    per window; 0 turns rate limiting off."""
    rate_limit_window: int = 60
    persisted: PersistedSettings = field(default_factory=PersistedSettings)
    max_subscriptions_per_connection: int = 100
    """Operations one websocket may run at once (graph/subscription/)."""
    max_subscriptions_per_principal: int = 500
    """Subscriptions one user or API key may run at once on one instance."""
    subscription_queue_size: int = 256
    """Changes queued for one subscription before its socket is closed as too slow."""
    subscription_recheck_seconds: float = 30.0
    """How often an idle subscription re-checks its socket's credential."""
    signing_key: str | None = field(default=None, repr=False)
    """KHUB_SIGNING_KEY: signs download URLs (graph/files/); required in production."""
    download_url_ttl_seconds: int = 900
    max_upload_bytes: int = 50 * 1024 * 1024
    """The body limit of a multipart upload (the GraphQL multipart request spec)."""
    retrieval: RetrievalSettings = field(default_factory=RetrievalSettings)
    database: Settings = field(default_factory=Settings)

    def __post_init__(self) -> None:
        highest = max([self.max_cost, *(m for _, m in self.max_cost_by_role)])
        if self.rate_limit > 0 and self.max_cost > 0 and self.rate_limit < highest:
            raise ValueError(
                f"KHUB_RATE_LIMIT ({self.rate_limit}) must be at least the highest maximum cost"
                f" ({highest}), or an operation allowed to run could never be admitted"
            )
        if self.rate_limit_window <= 0:
            raise ValueError("KHUB_RATE_LIMIT_WINDOW must be a positive number of seconds")

    @property
    def rate_budget(self) -> Budget | None:
        if self.rate_limit <= 0:
            return None
        return Budget(units=self.rate_limit, window_seconds=self.rate_limit_window)

    @property
    def graphiql(self) -> bool:
        return not self.production

    @property
    def enforces_cost(self) -> bool:
        return self.production if self.cost_enforced is None else self.cost_enforced

    @classmethod
    def from_env(cls) -> ServerSettings:
        env = os.environ.get("KHUB_ENV", "development").strip().lower()
        if env not in {"development", "production"}:
            raise ValueError(f"KHUB_ENV must be development or production, got {env!r}")
        log_format = os.environ.get("KHUB_LOG_FORMAT", "").strip().lower() or (
            "json" if env == "production" else "text"
        )
        if log_format not in {"json", "text"}:
            raise ValueError(f"KHUB_LOG_FORMAT must be json or text, got {log_format!r}")
        production = env == "production"
        signing_key = os.environ.get("KHUB_SIGNING_KEY") or None
        if production and signing_key is None:
            raise ValueError(
                "KHUB_SIGNING_KEY must be set in production: it signs download URLs "
                "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
            )
        if signing_key is not None and len(signing_key) < 32:
            raise ValueError("KHUB_SIGNING_KEY must be at least 32 characters long")
        return cls(
            production=production,
            max_depth=_int("KHUB_MAX_DEPTH", cls.max_depth),
            max_aliases=_int("KHUB_MAX_ALIASES", cls.max_aliases),
            max_tokens=_int("KHUB_MAX_TOKENS", cls.max_tokens),
            max_directives=_int("KHUB_MAX_DIRECTIVES", cls.max_directives),
            max_body_bytes=_int("KHUB_MAX_BODY_BYTES", cls.max_body_bytes),
            cors=CorsSettings.from_env(production=production),
            metrics_token=os.environ.get("KHUB_METRICS_TOKEN") or None,
            compiled_reads=_flag("KHUB_COMPILED_READS", cls.compiled_reads),
            log_format=log_format,
            tracing=_flag("KHUB_TRACING", cls.tracing),
            max_cost=_int("KHUB_MAX_COST", cls.max_cost),
            max_cost_by_role=_role_maxima("KHUB_MAX_COST_BY_ROLE"),
            cost_enforced=_flag("KHUB_ENFORCE_COST", env == "production"),
            rate_limit=_int("KHUB_RATE_LIMIT", cls.rate_limit),
            rate_limit_window=_int("KHUB_RATE_LIMIT_WINDOW", cls.rate_limit_window),
            persisted=PersistedSettings.from_env(),
            max_subscriptions_per_connection=_int(
                "KHUB_MAX_SUBSCRIPTIONS_PER_CONNECTION", cls.max_subscriptions_per_connection
            ),
            max_subscriptions_per_principal=_int(
                "KHUB_MAX_SUBSCRIPTIONS_PER_PRINCIPAL", cls.max_subscriptions_per_principal
            ),
            subscription_queue_size=_int(
                "KHUB_SUBSCRIPTION_QUEUE_SIZE", cls.subscription_queue_size
            ),
            subscription_recheck_seconds=_int(
                "KHUB_SUBSCRIPTION_RECHECK_SECONDS", int(cls.subscription_recheck_seconds)
            ),
            signing_key=signing_key,
            download_url_ttl_seconds=_int(
                "KHUB_DOWNLOAD_URL_TTL_SECONDS", cls.download_url_ttl_seconds
            ),
            max_upload_bytes=_int("KHUB_MAX_UPLOAD_BYTES", cls.max_upload_bytes),
            retrieval=RetrievalSettings.from_env(),
            database=Settings.from_env(),
        )
