"""Root query fields of the conversation domain."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from graph.conversation.inputs import ConversationFilter, ConversationOrder
from graph.conversation.loaders import ConversationByIdLoader
from graph.conversation.types import Conversation
from graph.core.arguments import FILTER, ORDER, After, Before, First, IncludeDeleted, Last
from graph.core.pagination import Connection, RootList, order_of
from graph.core.permissions import IsAuthenticated
from graph.core.row_by_id import RowById
from persistence.conversation.repository import ConversationRepository
from persistence.pagination import Order

CONVERSATIONS = RootList(
    ConversationRepository,
    lambda args: (
        order_of(args["order_by"])
        if args.get("order_by") is not None
        else Order("last_activity_at", descending=True)
    ),
)
CONVERSATION = RowById("Conversation", ConversationByIdLoader)


@strawberry.type
class ConversationQueries:
    @strawberry.field(
        description="Conversations the caller may see (PRIVATE ones: as a participant), "
        "the most recently active first.",
        permission_classes=[IsAuthenticated],
        metadata=CONVERSATIONS.metadata,
    )
    async def conversations(
        self,
        info: strawberry.Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: Annotated[ConversationFilter | None, FILTER] = None,
        order_by: Annotated[ConversationOrder | None, ORDER] = None,
        include_deleted: IncludeDeleted = False,
    ) -> Connection[Conversation]:
        return await CONVERSATIONS.resolve(
            info,
            {
                "first": first,
                "after": after,
                "last": last,
                "before": before,
                "filter": filter,
                "order_by": order_by,
                "include_deleted": include_deleted,
            },
        )

    @strawberry.field(
        description="One conversation by id; null if absent or not yours to see.",
        permission_classes=[IsAuthenticated],
        metadata=CONVERSATION.metadata,
    )
    async def conversation(
        self,
        info: strawberry.Info,
        id: Annotated[relay.GlobalID, strawberry.argument(description="The conversation.")],
    ) -> Conversation | None:
        return await CONVERSATION.resolve(info, id)  # type: ignore[no-any-return]
