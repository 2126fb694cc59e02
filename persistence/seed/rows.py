"""Plain repositories for link tables the domain repositories only write one owner at a time.

Seeding inserts these links for many users or documents at once with `create_many`, which
is one statement, instead of calling `set_roles` or `tag_document` once per row.
"""

from __future__ import annotations

from persistence.document.models import DocumentTag
from persistence.repository import Repository
from persistence.user.models import UserRole


class UserRoleRows(Repository[UserRole]):
    model = UserRole
    entity = "user role"


class DocumentTagRows(Repository[DocumentTag]):
    model = DocumentTag
    entity = "document tag"
