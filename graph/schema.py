"""The whole schema: every domain's queries and mutations, and the operation guard rails."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry import relay
from strawberry.schema.config import StrawberryConfig

from graph.audit.queries import AuditQueries
from graph.audit.types import AuditEvent
from graph.collection.queries import CollectionQueries
from graph.collection.schema import CollectionMutations
from graph.conversation.queries import ConversationQueries
from graph.conversation.schema import ConversationMutations
from graph.core.cost_limit import ReportCost
from graph.core.documents import CheckedOnce, Documents, validation_rules
from graph.core.error_log import Schema
from graph.core.errors import ERROR_TYPES
from graph.core.extensions import MaskUnexpectedErrors, OperationLifecycle
from graph.core.guards import RequireOperationName
from graph.core.input_check import RefuseUnstorableInput
from graph.core.limits import limit_rules
from graph.core.lone_fields import LoneFieldsRule
from graph.core.nodes import MANY_NODES, NODE, resolve_node, resolve_nodes
from graph.core.permissions import IsAuthenticated
from graph.core.scalars import SCALARS
from graph.document.queries import DocumentQueries
from graph.document.schema import DocumentMutations
from graph.document.search import SearchQueries
from graph.job.queries import JobQueries
from graph.job.schema import JobMutations
from graph.job.subscription import JobSubscriptions
from graph.knowledge.queries import KnowledgeQueries
from graph.knowledge.schema import KnowledgeMutations
from graph.knowledge.similarity import SimilarityQueries
from graph.knowledge.traversal import TraversalQueries
from graph.organization.queries import OrganizationQueries
from graph.organization.schema import OrganizationMutations
from graph.resource.queries import ResourceQueries
from graph.resource.schema import ResourceMutations
from graph.retrieval.insights import RetrievalInsightsQueries
from graph.retrieval.schema import RetrievalMutations
from graph.retrieval.types import RetrievalQuery
from graph.settings import ServerSettings
from graph.subscription.schema import Subscription as BaseSubscription
from graph.two_factor.schema import TwoFactorMutations
from graph.user.queries import UserQueries
from graph.user.schema import UserMutations


def query_type() -> type:
    """The root query type, made anew per schema: Relay's `node` fields bind to one schema."""

    @strawberry.type(name="Query", description="Everything a client can read.")
    class Query(
        UserQueries,
        CollectionQueries,
        DocumentQueries,
        SearchQueries,
        KnowledgeQueries,
        TraversalQueries,
        SimilarityQueries,
        AuditQueries,
        ConversationQueries,
        JobQueries,
        RetrievalInsightsQueries,
        ResourceQueries,
        OrganizationQueries,
    ):
        node: relay.Node | None = strawberry.field(
            resolver=resolve_node,
            description="Any object by its global id; null if absent or not visible.",
            permission_classes=[IsAuthenticated],
            metadata=NODE,
        )
        nodes: list[relay.Node | None] = strawberry.field(
            resolver=resolve_nodes,
            description="Objects by their global ids, in the order asked.",
            permission_classes=[IsAuthenticated],
            metadata=MANY_NODES,
        )

    return Query


@strawberry.type(description="Everything a client can change. Each takes one `input`.")
class Mutation(
    UserMutations,
    DocumentMutations,
    CollectionMutations,
    KnowledgeMutations,
    ConversationMutations,
    TwoFactorMutations,
    JobMutations,
    RetrievalMutations,
    ResourceMutations,
    OrganizationMutations,
):
    pass


@strawberry.type(description="Changes pushed to the client over graphql-transport-ws.")
class Subscription(BaseSubscription, JobSubscriptions):
    pass


def build_schema(settings: ServerSettings | None = None) -> Schema:
    """The schema with the guard rails of `settings` (development defaults without one)."""
    settings = settings or ServerSettings()
    extensions: list[Any] = [
        OperationLifecycle,
        RefuseUnstorableInput,
        CheckedOnce,
        RequireOperationName,
        ReportCost,
    ]
    if settings.production:
        # First in, last out: it masks only after OperationLifecycle has logged the bug.
        extensions.insert(0, MaskUnexpectedErrors)
    schema = Schema(
        query=query_type(),
        mutation=Mutation,
        subscription=Subscription,
        types=[*ERROR_TYPES, AuditEvent, RetrievalQuery],
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=settings.production, scalar_map=SCALARS),
    )
    # Made once, with the schema: parsing and validation run once per distinct document.
    rules = validation_rules([*limit_rules(settings), LoneFieldsRule])
    schema.documents = Documents(rules, max_tokens=settings.max_tokens)
    return schema
