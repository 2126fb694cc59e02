"""The `conversationId` argument of the retrieval fields."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

CONVERSATION_ID = Annotated[
    relay.GlobalID | None,
    strawberry.argument(
        description="The Conversation this retrieval serves, if any: recorded with the call "
        "in the retrieval history."
    ),
]
