"""The API fixtures (the real app over ASGI on the test database), for the bench's tests."""

from tests.graph.conftest import app, app_database, client, database, server_settings  # noqa: F401
