"""One log line per request, and the formats every log line of the server is written in.

`KHUB_LOG_FORMAT=json` (production's default) writes one JSON object per line: timestamp
(ISO 8601, UTC), level, logger, message, the request id of the request being served, and
the fields a line carries (the request line: method, path, status, duration, operation,
principal, organization, statements, cost, error codes). `text` (development's default)
writes the same facts for a person. The request line never holds variables, headers,
tokens or bodies: only what is listed here.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import orjson

from graph import request_record
from graph.request_record import NAME_LIMIT, RequestRecord

log = logging.getLogger("khub.request")

FIELDS = "khub"  # the `extra` key holding a line's own fields
PROBES = frozenset({"/healthz", "/readyz", "/metrics"})  # polled: their lines are DEBUG
FORMATS = ("json", "text")


def _timestamp(created: float) -> str:
    return datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")[:-6] + "Z"


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    fields = dict(getattr(record, FIELDS, None) or {})
    if "request_id" not in fields and (current := request_record.current()) is not None:
        fields["request_id"] = current.request_id
    return fields


class JsonFormatter(logging.Formatter):
    """One JSON object per line, written by orjson."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "timestamp": _timestamp(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            **_fields(record),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


class TextFormatter(logging.Formatter):
    """A line a person reads: time, level, logger, message, then `key=value` fields."""

    def format(self, record: logging.LogRecord) -> str:
        fields = " ".join(f"{k}={v}" for k, v in _fields(record).items() if v not in (None, []))
        line = (
            f"{_timestamp(record.created)} {record.levelname:<7} {record.name}: "
            f"{record.getMessage()}"
        )
        line = f"{line}  {fields}" if fields else line
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def log_config(log_format: str, level: str = "info") -> dict[str, Any]:
    """`logging.dictConfig` for `khub serve` (uvicorn applies it in every worker): our
    format for our loggers and uvicorn's; uvicorn's access log is off, the request line
    replaces it."""
    formatter = (
        "graph.request_log.JsonFormatter"
        if log_format == "json"
        else ("graph.request_log.TextFormatter")
    )
    level = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"khub": {"()": formatter}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "khub",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["stderr"], "level": "WARNING"},
        "loggers": {
            "khub": {"level": level},
            "graph": {"level": level},
            "persistence": {"level": level},
            "uvicorn": {"level": level},
            "uvicorn.access": {"level": "WARNING", "propagate": False},
        },
    }


def emit(record: RequestRecord) -> None:
    """The request's line: INFO, WARNING for 5xx but 500 (ERROR), DEBUG for health probes."""
    if record.path in PROBES:
        level = logging.DEBUG
    elif record.status == 500:
        level = logging.ERROR
    else:
        level = logging.WARNING if record.status >= 500 else logging.INFO
    if not log.isEnabledFor(level):
        return
    fields: dict[str, Any] = {
        "request_id": record.request_id,
        "method": record.method,
        "path": record.path,
        "status": record.status,
        "duration_ms": record.duration_ms,
    }
    message = f"{record.method} {record.path} {record.status} {record.duration_ms:.1f} ms"
    if record.graphql:
        principal, organization = record.principal()
        name = (record.operation_name or "")[:NAME_LIMIT] or None
        fields |= {
            "operation_name": name,
            "operation_type": record.operation_type,
            "principal_id": principal,
            "organization_id": organization,
            "execution": record.execution,
            "statements": record.statements,
            "cost": record.request_cost(),
            "error_codes": record.error_codes,
        }
        message += f" {record.operation_type or 'invalid'} {name or 'anonymous'}"
    log.log(level, message, extra={FIELDS: fields})
