"""Server settings, read once from the environment into one typed object."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from graph.cors import CorsSettings
from graph.persisted.settings import PersistedSettings
from persistence.settings import Settings


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return default if not raw else int(raw)


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
    persisted: PersistedSettings = field(default_factory=PersistedSettings)
    database: Settings = field(default_factory=Settings)

    @property
    def graphiql(self) -> bool:
        return not self.production

    @classmethod
    def from_env(cls) -> ServerSettings:
        env = os.environ.get("KHUB_ENV", "development").strip().lower()
        if env not in {"development", "production"}:
            raise ValueError(f"KHUB_ENV must be development or production, got {env!r}")
        production = env == "production"
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
            persisted=PersistedSettings.from_env(),
            database=Settings.from_env(),
        )
