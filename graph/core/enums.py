"""The persistence enums, exposed to GraphQL as they are (one Python enum each)."""

from __future__ import annotations

import strawberry

from persistence.collection.models import Visibility as _Visibility
from persistence.document.models import DocumentStatus as _DocumentStatus
from persistence.user.models import Role as _Role

Role = strawberry.enum(_Role, description="A user's role inside the organization.")
Visibility = strawberry.enum(
    _Visibility, description="PRIVATE rows exist only for their owner and admins."
)
DocumentStatus = strawberry.enum(_DocumentStatus, description="Where a document is in its life.")
