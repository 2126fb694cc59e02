"""Which web origins may call the API from a browser: CORS for HTTP, and the same list for
the websocket handshake's `Origin` check.

Production allows no other origin unless `KHUB_CORS_ORIGINS` names it. Development, with
nothing configured, allows pages served from this machine (`http://localhost:5173`,
`http://127.0.0.1:3000`, …) so a frontend's dev server works out of the box. Bearer tokens
travel in `Authorization`, not in cookies, so credentials (cookies) stay off by default.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from strawberry.http.websocket_origin import normalize_origin

from graph.http_errors import error_body

LOCAL_ORIGINS = r"https?://(localhost|127\.0\.0\.1|\[::1\])(:[0-9]{1,5})?"
"""What development allows when no origin is configured: pages served from this machine."""

REFUSED = "CORS_ORIGIN_REFUSED"


def _list(name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def _origin(value: str) -> str:
    """An origin as browsers send it (`https://app.example.com`), or `*`; else an error."""
    if value == "*":
        return value
    parts = urlsplit(value)
    normalized = normalize_origin(value)
    extra = parts.path not in ("", "/") or parts.query or parts.fragment or "@" in parts.netloc
    if normalized is None or extra or parts.scheme.lower() not in ("http", "https"):
        raise ValueError(f"KHUB_CORS_ORIGINS: {value!r} is not an origin (scheme://host[:port])")
    return normalized


@dataclass(frozen=True)
class CorsSettings:
    """The cross-origin policy; `origins` empty means none (development: this machine)."""

    origins: tuple[str, ...] = ()
    local_origins: bool = True
    allow_credentials: bool = False
    allow_methods: tuple[str, ...] = ("GET", "POST")
    allow_headers: tuple[str, ...] = (
        "Authorization",
        "Content-Type",
        "X-Request-Id",
        "traceparent",
        "tracestate",
    )
    expose_headers: tuple[str, ...] = (
        "X-Request-Id",
        "X-Khub-Execution",
        "Retry-After",
        "RateLimit",
        "RateLimit-Policy",
    )
    max_age: int = 600

    @classmethod
    def from_env(cls, *, production: bool) -> CorsSettings:
        origins = tuple(_origin(o) for o in _list("KHUB_CORS_ORIGINS", ()))
        credentials = os.environ.get("KHUB_CORS_ALLOW_CREDENTIALS", "").strip().lower()
        allow_credentials = credentials in {"1", "true", "yes", "on"}
        if allow_credentials and "*" in origins:
            raise ValueError(
                "KHUB_CORS_ALLOW_CREDENTIALS cannot be combined with KHUB_CORS_ORIGINS=*: "
                "name the origins that may send credentials"
            )
        max_age = os.environ.get("KHUB_CORS_MAX_AGE", "")
        return cls(
            origins=origins,
            local_origins=not production and not origins,
            allow_credentials=allow_credentials,
            allow_methods=tuple(m.upper() for m in _list("KHUB_CORS_METHODS", cls.allow_methods)),
            allow_headers=_list("KHUB_CORS_HEADERS", cls.allow_headers),
            expose_headers=_list("KHUB_CORS_EXPOSE_HEADERS", cls.expose_headers),
            max_age=int(max_age) if max_age.strip() else cls.max_age,
        )

    def allows(self, origin: str) -> bool:
        """Whether a page on `origin` may call the API (HTTP) or open a websocket."""
        if "*" in self.origins:
            return True
        if self.local_origins and re.fullmatch(LOCAL_ORIGINS, origin):
            return True
        return normalize_origin(origin) in self.origins

    def options(self) -> dict[str, Any]:
        """`JsonCORSMiddleware`'s arguments."""
        return dict(
            allow_origins=self.origins,
            allow_origin_regex=LOCAL_ORIGINS if self.local_origins else None,
            allow_methods=self.allow_methods,
            allow_headers=self.allow_headers,
            allow_credentials=self.allow_credentials,
            expose_headers=self.expose_headers,
            max_age=self.max_age,
        )


class JsonCORSMiddleware(CORSMiddleware):
    """Starlette's CORS middleware, whose refused preflight answers in JSON like the rest."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response: Any = super().preflight_response(request_headers)
        if response.status_code != 400:
            return response
        message = f"{response.body.decode()}: see KHUB_CORS_ORIGINS."
        headers = {k: v for k, v in response.headers.items() if k.lower().startswith("access")}
        headers["Vary"] = response.headers.get("vary", "Origin")
        return Response(
            json.dumps(error_body(message, REFUSED)),
            status_code=400,
            headers=headers,
            media_type="application/json",
        )
