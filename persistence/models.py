"""Every domain's models in one import, so Alembic sees the whole schema."""

from persistence.audit.models import AuditEvent
from persistence.base import Base
from persistence.collection.models import Collection, Visibility
from persistence.document.models import Annotation, Document, DocumentStatus, DocumentTag, Tag
from persistence.knowledge.models import EMBEDDING_DIMENSIONS, KnowledgeEdge, KnowledgeNode
from persistence.organization_settings import OrganizationSettingsRow
from persistence.persisted.models import PersistedDocument
from persistence.rate_limits import RateLimit
from persistence.resource.models import Resource, ResourceDocument, ResourceNode
from persistence.user.models import (
    ApiKey,
    LoginThrottle,
    Organization,
    Role,
    User,
    UserRole,
    UserSession,
)

__all__ = [
    "EMBEDDING_DIMENSIONS",
    "Annotation",
    "ApiKey",
    "AuditEvent",
    "Base",
    "Collection",
    "Document",
    "DocumentStatus",
    "DocumentTag",
    "KnowledgeEdge",
    "KnowledgeNode",
    "LoginThrottle",
    "Organization",
    "OrganizationSettingsRow",
    "PersistedDocument",
    "RateLimit",
    "Resource",
    "ResourceDocument",
    "ResourceNode",
    "Role",
    "Tag",
    "User",
    "UserRole",
    "UserSession",
    "Visibility",
]
