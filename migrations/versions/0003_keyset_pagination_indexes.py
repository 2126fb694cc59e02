"""Keyset pagination indexes: (organization, sort key, id) for each list's sort keys.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 03:56:08.229269
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_audit_events_created', 'audit_events', ['organization_id', 'created_at', 'id'], unique=False)
    op.create_index('ix_collections_created', 'collections', ['organization_id', 'created_at', 'id'], unique=False)
    op.create_index('ix_collections_name', 'collections', ['organization_id', 'name', 'id'], unique=False)
    op.create_index('ix_documents_created', 'documents', ['organization_id', 'created_at', 'id'], unique=False)
    op.create_index('ix_documents_title', 'documents', ['organization_id', 'title', 'id'], unique=False)
    op.create_index('ix_documents_updated', 'documents', ['organization_id', 'updated_at', 'id'], unique=False)
    op.create_index('ix_knowledge_edges_created', 'knowledge_edges', ['organization_id', 'created_at', 'id'], unique=False)
    op.create_index('ix_knowledge_nodes_created', 'knowledge_nodes', ['organization_id', 'created_at', 'id'], unique=False)
    op.create_index('ix_knowledge_nodes_label', 'knowledge_nodes', ['organization_id', 'label', 'id'], unique=False)
    op.create_index('ix_tags_name', 'tags', ['organization_id', 'name', 'id'], unique=False)
    op.create_index('ix_users_username', 'users', ['organization_id', 'username', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_users_username', table_name='users')
    op.drop_index('ix_tags_name', table_name='tags')
    op.drop_index('ix_knowledge_nodes_label', table_name='knowledge_nodes')
    op.drop_index('ix_knowledge_nodes_created', table_name='knowledge_nodes')
    op.drop_index('ix_knowledge_edges_created', table_name='knowledge_edges')
    op.drop_index('ix_documents_updated', table_name='documents')
    op.drop_index('ix_documents_title', table_name='documents')
    op.drop_index('ix_documents_created', table_name='documents')
    op.drop_index('ix_collections_name', table_name='collections')
    op.drop_index('ix_collections_created', table_name='collections')
    op.drop_index('ix_audit_events_created', table_name='audit_events')
