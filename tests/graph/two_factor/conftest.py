"""Fixtures for two-factor tests: an app holding secret keys, a pinned clock, and helpers
that enrol a member and log in as far as the second step."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pyotp
import pytest
from cryptography.fernet import Fernet

from graph.app import create_app
from graph.settings import ServerSettings
from persistence.database import Database
from persistence.two_factor import clock as two_factor_clock
from tests.graph.conftest import PASSWORD, GraphQLClient, World

KEY = Fernet.generate_key().decode()

ENROLL = """
mutation Enroll {
  twoFactorEnroll {
    __typename
    ... on TwoFactorEnrollSuccess { secret otpauthUri }
    ... on Error { message }
  }
}
"""

CONFIRM = """
mutation Confirm($input: TwoFactorConfirmInput!) {
  twoFactorConfirm(input: $input) {
    __typename
    ... on TwoFactorConfirmSuccess { recoveryCodes }
    ... on Error { message }
  }
}
"""

LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) {
    __typename
    ... on LoginSuccess { token }
    ... on TwoFactorRequired { challenge expiresAt }
    ... on Error { message }
  }
}
"""

LOGIN_TWO_FACTOR = """
mutation LoginTwoFactor($input: LoginTwoFactorInput!) {
  loginTwoFactor(input: $input) {
    __typename
    ... on LoginSuccess { token user { username } }
    ... on LoginThrottled { retryAfter }
    ... on Error { message }
  }
}
"""


@dataclass
class FrozenClock:
    """The two-factor clock, pinned; codes are computed with pyotp at its time."""

    at: datetime

    def __call__(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)

    def code(self, secret: str) -> str:
        return pyotp.TOTP(secret).at(self.at)


@dataclass
class Enrolled:
    secret: str
    recovery_codes: list[str]


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    frozen = FrozenClock(datetime(2026, 12, 1, 12, 0, 0, tzinfo=UTC))
    monkeypatch.setattr(two_factor_clock, "now", frozen)
    return frozen


def keyed_app(
    server_settings: ServerSettings, app_database: Database, keys: tuple[str, ...]
) -> Any:
    """An app over the test database whose settings hold `keys`."""
    settings = replace(app_database.settings, secret_keys=keys)
    db = replace(app_database, settings=settings)
    return create_app(replace(server_settings, database=settings), database=db)


@pytest.fixture(scope="module")
def app(server_settings: ServerSettings, app_database: Database) -> Any:
    return keyed_app(server_settings, app_database, (KEY,))


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def enrol(gql: GraphQLClient, token: str, clock: FrozenClock) -> Enrolled:
    """Turn two-factor on for the bearer of `token`; the clock moves past the code used."""
    enrolled = (await gql(ENROLL, token=token))["data"]["twoFactorEnroll"]
    assert enrolled["__typename"] == "TwoFactorEnrollSuccess", enrolled
    secret = enrolled["secret"]
    confirmed = await gql(CONFIRM, {"input": {"code": clock.code(secret)}}, token=token)
    payload = confirmed["data"]["twoFactorConfirm"]
    assert payload["__typename"] == "TwoFactorConfirmSuccess", payload
    clock.advance(30)
    return Enrolled(secret=secret, recovery_codes=payload["recoveryCodes"])


LoginAs = Callable[[str], Any]


@pytest.fixture
def challenge_for(gql: GraphQLClient, world: World) -> LoginAs:
    """Log in with the password as far as the second step; returns the challenge."""

    async def login(username: str) -> str:
        result = await gql(
            LOGIN,
            {
                "input": {
                    "login": username,
                    "password": PASSWORD,
                    "organization": world.organization.slug,
                }
            },
        )
        payload = result["data"]["login"]
        assert payload["__typename"] == "TwoFactorRequired", payload
        return payload["challenge"]

    return login
