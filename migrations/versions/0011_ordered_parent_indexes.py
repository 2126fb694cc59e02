"""Parent-key indexes carry the nested lists' sort keys.

`Collection.documents` pages each collection's documents by title, `Collection.children` by
name and `User.documents` by creation time, newest first. With indexes on the parent key
alone PostgreSQL either sorts every child of each parent or walks the organization-wide sort
index and filters by parent (for a parent with few children, nearly the whole index). With
the sort key after the parent key each page is one short index range.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 15:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# index, table, the parent key's columns, the sort columns
ORDERED = (
    ("ix_documents_collection", "documents", ["organization_id", "collection_id"], ["title", "id"]),
    ("ix_documents_owner", "documents", ["organization_id", "owner_id"], ["created_at", "id"]),
    ("ix_collections_parent", "collections", ["organization_id", "parent_id"], ["name", "id"]),
)


def upgrade() -> None:
    for name, table, parent, sort in ORDERED:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, [*parent, *sort])


def downgrade() -> None:
    for name, table, parent, _ in ORDERED:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, parent)
