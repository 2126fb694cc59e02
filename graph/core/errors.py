"""Expected failures as data: the `Error` interface and its types, mapped from domain errors.

Mutations return a union of their payload and these types. Only the unexpected becomes a
GraphQL error, with an `extensions.code` clients can switch on.
"""

from __future__ import annotations

import re
import uuid

import strawberry
from graphql import GraphQLError
from strawberry import relay

from persistence import errors as domain


@strawberry.interface(description="Something the caller can correct: shown, not crashed on.")
class Error:
    message: str = strawberry.field(description="What went wrong, in a sentence for people.")


@strawberry.type(description="An input value was refused.")
class ValidationError(Error):
    field: str = strawberry.field(description="The input field at fault, in camelCase.")


@strawberry.type(description="The thing named does not exist, or is not visible to the caller.")
class NotFound(Error):
    id: str | None = strawberry.field(description="The id that was looked up, if any.")


@strawberry.type(description="The caller's roles or API key scopes do not allow this.")
class PermissionDenied(Error):
    pass


@strawberry.type(description="Someone changed the row since the caller read it.")
class VersionConflict(Error):
    current_version: int = strawberry.field(description="The version the row is at now.")


@strawberry.type(description="A row with this unique value exists already.")
class AlreadyExists(Error):
    field: str = strawberry.field(description="The input field whose value is taken.")


ERROR_TYPES = (ValidationError, NotFound, PermissionDenied, VersionConflict, AlreadyExists)


def camel(name: str) -> str:
    """`parent_id` -> `parentId`: domain fields are named as the API names them."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _field(name: str | None) -> str:
    if not name:
        return "input"
    return camel(re.sub(r"_$", "", name))


def _global_id(entity: str, id: uuid.UUID | str | None) -> str | None:
    """The id as a client knows it: a global id named after the entity's GraphQL type (a
    row id means nothing to a client, and gives away more than it needs)."""
    if not isinstance(id, uuid.UUID):
        return str(id) if id else None
    type_name = "".join(w.capitalize() for w in entity.split())  # "API key" -> ApiKey
    return relay.to_base64(type_name, id)


def from_domain(error: domain.DomainError) -> Error:
    """The GraphQL error type for a domain error, in one place for every mutation; messages
    name rows by their global ids."""
    if isinstance(error, domain.VersionConflict):
        shown = _global_id(error.entity, error.id)
        message = error.worded(error.entity, shown, error.current_version)
        return VersionConflict(message=message, current_version=error.current_version)
    if isinstance(error, domain.AlreadyExists):
        return AlreadyExists(message=error.message, field=_field(error.field))
    if isinstance(error, domain.NotFound):
        shown = _global_id(error.entity, error.id)
        return NotFound(message=error.worded(error.entity, shown), id=shown)
    if isinstance(error, domain.ValidationError):
        return ValidationError(message=error.message, field=_field(error.field))
    return ValidationError(message=error.message, field="input")


class Unauthenticated(GraphQLError):
    """No valid credentials: the client should log in."""

    def __init__(self, message: str = "authentication required") -> None:
        super().__init__(message, extensions={"code": "UNAUTHENTICATED"})


class Forbidden(GraphQLError):
    """Valid credentials without the right to this field."""

    def __init__(self, message: str = "not allowed") -> None:
        super().__init__(message, extensions={"code": "FORBIDDEN"})


class BadUserInput(GraphQLError):
    """An argument of a query field is out of range (queries have no error unions)."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message, extensions={"code": "BAD_USER_INPUT", "field": field})


class TransientConflict(GraphQLError):
    """PostgreSQL undid the operation's transaction to break a deadlock with another one
    running at the same time: nothing was changed, and sending it again will most likely
    succeed."""

    code = "TRANSIENT_CONFLICT"

    def __init__(self) -> None:
        super().__init__(
            "The operation collided with another one changing the same data at the same time "
            "and was undone; nothing was changed. Send it again.",
            extensions={"code": self.code},
        )


class StatementTimeout(GraphQLError):
    """A statement ran past `KHUB_DB_STATEMENT_TIMEOUT_MS` and PostgreSQL stopped it: the
    transaction was undone whole."""

    code = "STATEMENT_TIMEOUT"

    def __init__(self) -> None:
        super().__init__(
            "The operation ran longer than the server allows and was stopped; nothing was "
            "changed. Ask for less at once (smaller pages, fewer nested lists), or try again "
            "later.",
            extensions={"code": self.code},
        )


class ServiceUnavailable(GraphQLError):
    """The database is down or restarting: nothing was changed, try again shortly."""

    def __init__(self) -> None:
        super().__init__(
            "The database is unavailable; nothing was changed. Try again shortly.",
            extensions={"code": "SERVICE_UNAVAILABLE"},
        )
