"""Dataloaders under graphql-core's cancellation of failed fields' siblings."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from graph.context import Viewer
from graph.operation import Operation
from graph.user.loaders import UserByIdLoader
from persistence.database import Database
from tests.graph.conftest import World


async def test_a_cancelled_field_does_not_cancel_the_value_other_fields_share(
    app_database: Database, world: World
) -> None:
    # graphql-core cancels the siblings of a field that failed; a cancelled task cancels the
    # future it awaits, and the loader's cache hands that future to every field asking for
    # the same key. Unshielded, the surviving field got a CancelledError nothing handled,
    # and the request died without a response (the differential tests found it).
    viewer = Viewer(user=world.admin.user, roles=frozenset())
    operation = Operation(app_database)
    operation.identify(world.organization.id)
    loader = UserByIdLoader(SimpleNamespace(operation=operation, viewer=viewer))
    user_id = world.editor.user.id
    try:
        doomed = asyncio.ensure_future(loader.load(user_id))
        survivor = asyncio.ensure_future(loader.load(user_id))
        await asyncio.sleep(0)
        doomed.cancel()

        assert (await survivor).id == user_id
    finally:
        await operation.finish(commit=False)
