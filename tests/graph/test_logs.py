"""One structured line per request, with its id, operation, principal and cost; never a
password, token or key."""

from __future__ import annotations

import io
import logging
from datetime import datetime

import httpx
import pytest
from strawberry.relay import to_base64

from graph.request_log import TextFormatter, log_config
from graph.settings import ServerSettings
from tests.graph.conftest import PASSWORD, World, request_lines

DOCUMENTS = "query RecentDocuments { documents(first: 2) { totalCount } }"
VIEWER = "query Me { viewer { username } }"
LOGIN = """
mutation SignIn($input: LoginInput!) {
  login(input: $input) { __typename ... on LoginSuccess { token } }
}
"""
CHANGE = """
mutation ChangePassword($input: PasswordChangeInput!) {
  passwordChange(input: $input) { __typename }
}
"""
CREATE_KEY = """
mutation MakeKey { apiKeyCreate(input: {name: "ci", scopes: [READ]}) {
  __typename ... on ApiKeyCreateSuccess { secret apiKey { id } }
} }
"""
NEW_PASSWORD = "a brand new passphrase"
KEYS = {
    "timestamp",
    "level",
    "logger",
    "message",
    "request_id",
    "method",
    "path",
    "status",
    "duration_ms",
    "operation_name",
    "operation_type",
    "principal_id",
    "organization_id",
    "execution",
    "statements",
    "cost",
    "error_codes",
}


async def post(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, object] | None = None,
    *,
    token: str | None = None,
    request_id: str | None = None,
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if request_id is not None:
        headers["X-Request-Id"] = request_id
    return await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )


async def test_a_request_logs_one_json_line_with_the_listed_keys(
    client: httpx.AsyncClient, world: World, output: io.StringIO
) -> None:
    response = await post(client, DOCUMENTS, token=world.viewer.token, request_id="trace-42:a=b")

    assert response.status_code == 200
    (line,) = request_lines(output)
    assert set(line) == KEYS
    assert line["request_id"] == "trace-42:a=b" == response.headers["x-request-id"]
    assert (line["operation_name"], line["operation_type"]) == ("RecentDocuments", "query")
    assert line["principal_id"] == world.viewer.global_id
    assert line["organization_id"] == to_base64("Organization", world.organization.id)
    assert (line["method"], line["path"], line["status"], line["level"]) == (
        "POST",
        "/graphql",
        200,
        "info",
    )
    assert isinstance(line["statements"], int) and line["statements"] >= 1
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] > 0
    assert line["cost"] == 2 and line["error_codes"] == []  # documents + totalCount
    assert str(line["timestamp"]).endswith("Z")
    assert datetime.fromisoformat(str(line["timestamp"])).utcoffset().total_seconds() == 0


async def test_an_api_key_is_the_principal_it_authenticates(
    client: httpx.AsyncClient, world: World, output: io.StringIO
) -> None:
    created = (await post(client, CREATE_KEY, token=world.editor.token)).json()
    key = created["data"]["apiKeyCreate"]

    await post(client, VIEWER, token=key["secret"])

    made, used = request_lines(output)
    assert made["principal_id"] == world.editor.global_id
    assert (made["operation_name"], made["operation_type"]) == ("MakeKey", "mutation")
    assert used["principal_id"] == key["apiKey"]["id"] != world.editor.global_id


async def test_a_refused_request_logs_its_error_codes_and_no_principal(
    client: httpx.AsyncClient, output: io.StringIO
) -> None:
    await post(client, DOCUMENTS)
    await post(client, "query Broken { nope }")

    refused, invalid = request_lines(output)
    assert refused["error_codes"] == ["UNAUTHENTICATED"]
    assert (refused["principal_id"], refused["organization_id"]) == (None, None)
    assert invalid["error_codes"] == ["GRAPHQL_VALIDATION_FAILED"]


@pytest.mark.parametrize("given", ["", "has space", "x" * 65, "naïve", "a\tb", "<b>", 'a"b'])
async def test_an_unusable_request_id_is_replaced_by_a_new_one(
    client: httpx.AsyncClient, output: io.StringIO, given: str
) -> None:
    response = await client.get("/healthz", headers={"X-Request-Id": given.encode("utf-8")})

    echoed = response.headers["x-request-id"]
    assert echoed != given and len(echoed) == 32
    (line,) = request_lines(output)
    assert line["request_id"] == echoed
    assert line["level"] == "debug"  # health probes stay out of the INFO log


async def test_no_password_token_or_key_is_ever_logged(
    client: httpx.AsyncClient, world: World, output: io.StringIO
) -> None:
    organization = world.organization.slug
    wrong = {"login": "viewer", "password": "wrong guess 1234", "organization": organization}
    await post(client, LOGIN, {"input": wrong})
    right = {"login": "viewer", "password": PASSWORD, "organization": organization}
    signed_in = (await post(client, LOGIN, {"input": right})).json()
    token = signed_in["data"]["login"]["token"]
    await post(client, DOCUMENTS, token=token)
    await post(client, "query Bad { documents(first: 1000) { totalCount } }", token=token)
    change = {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}
    changed = (await post(client, CHANGE, {"input": change}, token=token)).json()
    created = (await post(client, CREATE_KEY, token=token)).json()
    secret = created["data"]["apiKeyCreate"]["secret"]
    await post(client, VIEWER, token=secret)

    assert changed["data"]["passwordChange"]["__typename"] == "PasswordChangeSuccess"
    logged = output.getvalue()
    assert len(request_lines(output)) == 7
    for value in (PASSWORD, "wrong guess 1234", NEW_PASSWORD, token, secret, world.viewer.token):
        assert value not in logged
    assert token[-12:] not in logged and secret[-12:] not in logged


def test_production_logs_json_and_development_text_unless_told(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("KHUB_LOG_FORMAT", raising=False)
    monkeypatch.setenv("KHUB_SIGNING_KEY", "s" * 48)
    monkeypatch.setenv("KHUB_ENV", "production")
    production = ServerSettings.from_env().log_format
    monkeypatch.setenv("KHUB_ENV", "development")
    development = ServerSettings.from_env().log_format
    monkeypatch.setenv("KHUB_LOG_FORMAT", "json")
    told = ServerSettings.from_env().log_format
    monkeypatch.setenv("KHUB_LOG_FORMAT", "xml")
    with pytest.raises(ValueError, match="KHUB_LOG_FORMAT"):
        ServerSettings.from_env()

    assert (production, development, told) == ("json", "text", "json")


def test_the_serve_log_config_formats_uvicorn_and_turns_its_access_log_off() -> None:
    config = log_config("json", "info")

    assert config["formatters"]["khub"]["()"] == "graph.request_log.JsonFormatter"
    assert config["loggers"]["uvicorn.access"]["propagate"] is False
    text = logging.LogRecord("khub.request", logging.INFO, "", 0, "GET /healthz", None, None)
    text.khub = {"status": 200, "cost": None}
    assert TextFormatter().format(text).endswith("khub.request: GET /healthz  status=200")
