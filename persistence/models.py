"""Every domain's models in one import, so Alembic sees the whole schema."""

from persistence.audit.models import AuditEvent
from persistence.base import Base
from persistence.collection.models import Collection, Visibility
from persistence.conversation.models import (
    Citation,
    Conversation,
    ConversationParticipant,
    Message,
)
from persistence.document.models import Annotation, Document, DocumentStatus, DocumentTag, Tag
from persistence.file.models import JobFile
from persistence.job.models import Job, JobStatus
from persistence.knowledge.models import EMBEDDING_DIMENSIONS, KnowledgeEdge, KnowledgeNode
from persistence.organization_settings import OrganizationSettingsRow
from persistence.persisted.models import PersistedDocument
from persistence.rate_limits import RateLimit
from persistence.resource.models import Resource, ResourceDocument, ResourceNode
from persistence.retrieval.models import (
    RetrievalDailyCalls,
    RetrievalDailyDocument,
    RetrievalDailyDuration,
    RetrievalDailyText,
    RetrievalFeedback,
    RetrievalQuery,
)
from persistence.transfer.models import ImportKey
from persistence.two_factor.models import TwoFactorChallenge, UserTwoFactor
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
    "Citation",
    "Collection",
    "Conversation",
    "ConversationParticipant",
    "Document",
    "DocumentStatus",
    "DocumentTag",
    "ImportKey",
    "Job",
    "JobFile",
    "JobStatus",
    "KnowledgeEdge",
    "KnowledgeNode",
    "LoginThrottle",
    "Message",
    "Organization",
    "OrganizationSettingsRow",
    "PersistedDocument",
    "RateLimit",
    "Resource",
    "ResourceDocument",
    "ResourceNode",
    "RetrievalDailyCalls",
    "RetrievalDailyDocument",
    "RetrievalDailyDuration",
    "RetrievalDailyText",
    "RetrievalFeedback",
    "RetrievalQuery",
    "Role",
    "Tag",
    "TwoFactorChallenge",
    "User",
    "UserRole",
    "UserSession",
    "UserTwoFactor",
    "Visibility",
]
