"""Initial schema: the vector extension and every table, index and constraint.

Revision ID: 0001
Revises:
Create Date: 2026-11-25 03:31:33.065985
"""

from collections.abc import Sequence

import pgvector.sqlalchemy
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


ENUM_TYPES = ("document_status", "role", "visibility")


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    op.create_table('organizations',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('slug', sa.String(length=63), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'", name=op.f('ck_organizations_slug_format')),
    sa.CheckConstraint('length(trim(name)) > 0', name=op.f('ck_organizations_name_not_blank')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organizations')),
    sa.UniqueConstraint('slug', name=op.f('uq_organizations_slug'))
    )
    op.create_table('tags',
    sa.Column('organization_id', sa.UUID(), nullable=False),
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('length(trim(name)) > 0', name=op.f('ck_tags_name_not_blank')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_tags_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organization_id', 'id', name=op.f('pk_tags'))
    )
    op.create_index('uq_tags_organization_id_name', 'tags', ['organization_id', sa.literal_column('lower(name)')], unique=True)
    op.create_table('users',
    sa.Column('organization_id', sa.UUID(), nullable=False),
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('username', sa.String(length=40), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('full_name', sa.String(length=200), server_default='', nullable=False),
    sa.Column('password_hash', sa.String(length=100), nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default='true', nullable=False),
    sa.Column('failed_login_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("email ~ '^[^@\\s]+@[^@\\s]+$'", name=op.f('ck_users_email_format')),
    sa.CheckConstraint("username ~ '^[A-Za-z0-9_.-]{3,40}$'", name=op.f('ck_users_username_format')),
    sa.CheckConstraint('failed_login_count >= 0', name=op.f('ck_users_failed_login_count_non_negative')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_users_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organization_id', 'id', name=op.f('pk_users'))
    )
    op.create_index('uq_users_organization_id_email', 'users', ['organization_id', sa.literal_column('lower(email)')], unique=True)
    op.create_index('uq_users_organization_id_username', 'users', ['organization_id', sa.literal_column('lower(username)')], unique=True)
    op.create_table('api_keys',
    sa.Column('organization_id', sa.UUID(), nullable=False),
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('user_id', sa.UUID(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('scopes', postgresql.ARRAY(sa.String(length=16)), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("scopes <@ ARRAY['read', 'write']::varchar[] AND cardinality(scopes) > 0", name=op.f('ck_api_keys_scopes_known')),
    sa.CheckConstraint('length(trim(name)) > 0', name=op.f('ck_api_keys_name_not_blank')),
    sa.ForeignKeyConstraint(['organization_id', 'user_id'], ['users.organization_id', 'users.id'], name=op.f('fk_api_keys_organization_id_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_api_keys_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organization_id', 'id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('organization_id', 'secret_hash', name=op.f('uq_api_keys_organization_id_secret_hash'))
    )
    op.create_index('ix_api_keys_user', 'api_keys', ['organization_id', 'user_id'], unique=False)
    op.create_table('audit_events',
    sa.Column('organization_id', sa.UUID(), nullable=False),
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('actor_id', sa.UUID(), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('entity_type', sa.String(length=64), nullable=False),
    sa.Column('entity_id', sa.UUID(), nullable=True),
    sa.Column('changes', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.Column('request_id', sa.String(length=64), nullable=True),
    sa.Column('client_address', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['organization_id', 'actor_id'], ['users.organization_id', 'users.id'], name=op.f('fk_audit_events_organization_id_actor_id_users'), ondelete='SET NULL (actor_id)'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_audit_events_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organization_id', 'id', name=op.f('pk_audit_events'))
    )
    op.create_index('ix_audit_events_actor', 'audit_events', ['organization_id', 'actor_id'], unique=False)
    op.create_index('ix_audit_events_entity', 'audit_events', ['organization_id', 'entity_type', 'entity_id'], unique=False)
    op.create_table('collections',
    sa.Column('organization_id', sa.UUID(), nullable=False),
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('parent_id', sa.UUID(), nullable=True),
    sa.Column('owner_id', sa.UUID(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('color', sa.String(length=7), nullable=True),
    sa.Column('icon', sa.String(length=64), nullable=True),
    sa.Column('visibility', sa.Enum('PRIVATE', 'ORGANIZATION', name='visibility'), server_default='ORGANIZATION', nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("color IS NULL OR color ~ '^#[0-9a-fA-F]{6}$'", name=op.f('ck_collections_color_hex')),
    sa.CheckConstraint('length(trim(name)) > 0', name=op.f('ck_collections_name_not_blank')),
    sa.CheckConstraint('parent_id IS NULL OR parent_id <> id', name=op.f('ck_collections_not_own_parent')),
    sa.ForeignKeyConstraint(['organization_id', 'owner_id'], ['users.organization_id', 'users.id'], name=op.f('fk_collections_organization_id_owner_id_users')),
    sa.ForeignKeyConstraint(['organization_id', 'parent_id'], ['collections.organization_id', 'collections.id'], name=op.f('fk_collections_organization_id_parent_id_collections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_collections_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organization_id', 'id', name=op.f('pk_collections'))
    )
    op.create_index('ix_collections_parent', 'collections', ['organization_id', 'parent_id'], unique=False)
    op.create_index('uq_collections_live_sibling_name', 'collections', ['organization_id', 'parent_id', sa.literal_column('lower(name)')], unique=True, postgresql_where=sa.text('deleted_at IS NULL'), postgresql_nulls_not_distinct=True)
    op.create_table('user_roles',
    sa.Column('organization_id', sa.UUID(), nullable=False),
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('user_id', sa.UUID(), nullable=False),
    sa.Column('role', sa.Enum('ADMIN', 'EDITOR', 'VIEWER', name='role'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['organization_id', 'user_id'], ['users.organization_id', 'users.id'], name=op.f('fk_user_roles_organization_id_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_user_roles_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organization_id', 'id', name=op.f('pk_user_roles')),
    sa.UniqueConstraint('organization_id', 'user_id', 'role', name='uq_user_roles_user_role')
    )
    op.create_table('user_sessions',
    sa.Column('organization_id', sa.UUID(), nullable=False),
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('user_id', sa.UUID(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('client_address', sa.String(length=64), nullable=True),
    sa.Column('user_agent', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['organization_id', 'user_id'], ['users.organization_id', 'users.id'], name=op.f('fk_user_sessions_organization_id_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_user_sessions_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organization_id', 'id', name=op.f('pk_user_sessions')),
    sa.UniqueConstraint('organization_id', 'token_hash', name=op.f('uq_user_sessions_organization_id_token_hash'))
    )
    op.create_index('ix_user_sessions_user', 'user_sessions', ['organization_id', 'user_id'], unique=False)
    op.create_table('documents',
    sa.Column('organization_id', sa.UUID(), nullable=False),
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('collection_id', sa.UUID(), nullable=True),
    sa.Column('owner_id', sa.UUID(), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('content', sa.Text(), server_default='', nullable=False),
    sa.Column('content_type', sa.String(length=100), server_default='text/markdown', nullable=False),
    sa.Column('status', sa.Enum('DRAFT', 'PUBLISHED', 'ARCHIVED', name='document_status'), server_default='DRAFT', nullable=False),
    sa.Column('visibility', sa.Enum('PRIVATE', 'ORGANIZATION', name='visibility'), server_default='ORGANIZATION', nullable=False),
    sa.Column('metadata', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('search_vector', postgresql.TSVECTOR(), sa.Computed("setweight(to_tsvector('english', coalesce(title, '')), 'A') || setweight(to_tsvector('english', coalesce(content, '')), 'B')", persisted=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("jsonb_typeof(metadata) = 'object'", name=op.f('ck_documents_metadata_is_object')),
    sa.CheckConstraint('length(trim(title)) > 0', name=op.f('ck_documents_title_not_blank')),
    sa.ForeignKeyConstraint(['organization_id', 'collection_id'], ['collections.organization_id', 'collections.id'], name=op.f('fk_documents_organization_id_collection_id_collections'), ondelete='SET NULL (collection_id)'),
    sa.ForeignKeyConstraint(['organization_id', 'owner_id'], ['users.organization_id', 'users.id'], name=op.f('fk_documents_organization_id_owner_id_users')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_documents_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organization_id', 'id', name=op.f('pk_documents'))
    )
    op.create_index('ix_documents_collection', 'documents', ['organization_id', 'collection_id'], unique=False)
    op.create_index('ix_documents_owner', 'documents', ['organization_id', 'owner_id'], unique=False)
    op.create_index('ix_documents_search_vector', 'documents', ['search_vector'], unique=False, postgresql_using='gin')
    op.create_table('annotations',
    sa.Column('organization_id', sa.UUID(), nullable=False),
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('document_id', sa.UUID(), nullable=False),
    sa.Column('author_id', sa.UUID(), nullable=False),
    sa.Column('start_offset', sa.Integer(), nullable=False),
    sa.Column('end_offset', sa.Integer(), nullable=False),
    sa.Column('quote', sa.Text(), server_default='', nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('start_offset <= end_offset', name=op.f('ck_annotations_start_before_end')),
    sa.CheckConstraint('start_offset >= 0', name=op.f('ck_annotations_start_offset_non_negative')),
    sa.ForeignKeyConstraint(['organization_id', 'author_id'], ['users.organization_id', 'users.id'], name=op.f('fk_annotations_organization_id_author_id_users')),
    sa.ForeignKeyConstraint(['organization_id', 'document_id'], ['documents.organization_id', 'documents.id'], name=op.f('fk_annotations_organization_id_document_id_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_annotations_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organization_id', 'id', name=op.f('pk_annotations'))
    )
    op.create_index('ix_annotations_author', 'annotations', ['organization_id', 'author_id'], unique=False)
    op.create_index('ix_annotations_document', 'annotations', ['organization_id', 'document_id'], unique=False)
    op.create_table('document_tags',
    sa.Column('organization_id', sa.UUID(), nullable=False),
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('document_id', sa.UUID(), nullable=False),
    sa.Column('tag_id', sa.UUID(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['organization_id', 'document_id'], ['documents.organization_id', 'documents.id'], name=op.f('fk_document_tags_organization_id_document_id_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id', 'tag_id'], ['tags.organization_id', 'tags.id'], name=op.f('fk_document_tags_organization_id_tag_id_tags'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_document_tags_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organization_id', 'id', name=op.f('pk_document_tags'))
    )
    op.create_index('ix_document_tags_tag', 'document_tags', ['organization_id', 'tag_id'], unique=False)
    op.create_index('uq_document_tags_document_tag', 'document_tags', ['organization_id', 'document_id', 'tag_id'], unique=True)
    op.create_table('knowledge_nodes',
    sa.Column('organization_id', sa.UUID(), nullable=False),
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('node_type', sa.String(length=64), nullable=False),
    sa.Column('properties', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('embedding', pgvector.sqlalchemy.vector.VECTOR(dim=384), nullable=True),
    sa.Column('source_document_id', sa.UUID(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("jsonb_typeof(properties) = 'object'", name=op.f('ck_knowledge_nodes_properties_is_object')),
    sa.CheckConstraint('length(trim(label)) > 0', name=op.f('ck_knowledge_nodes_label_not_blank')),
    sa.CheckConstraint('length(trim(node_type)) > 0', name=op.f('ck_knowledge_nodes_node_type_not_blank')),
    sa.ForeignKeyConstraint(['organization_id', 'source_document_id'], ['documents.organization_id', 'documents.id'], name=op.f('fk_knowledge_nodes_organization_id_source_document_id_documents'), ondelete='SET NULL (source_document_id)'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_knowledge_nodes_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organization_id', 'id', name=op.f('pk_knowledge_nodes'))
    )
    op.create_index('ix_knowledge_nodes_embedding_hnsw', 'knowledge_nodes', ['embedding'], unique=False, postgresql_using='hnsw', postgresql_ops={'embedding': 'vector_cosine_ops'})
    op.create_index('ix_knowledge_nodes_source_document', 'knowledge_nodes', ['organization_id', 'source_document_id'], unique=False)
    op.create_index('ix_knowledge_nodes_type', 'knowledge_nodes', ['organization_id', 'node_type'], unique=False)
    op.create_table('knowledge_edges',
    sa.Column('organization_id', sa.UUID(), nullable=False),
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('source_id', sa.UUID(), nullable=False),
    sa.Column('target_id', sa.UUID(), nullable=False),
    sa.Column('edge_type', sa.String(length=64), nullable=False),
    sa.Column('weight', sa.Float(), server_default='1', nullable=False),
    sa.Column('properties', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("jsonb_typeof(properties) = 'object'", name=op.f('ck_knowledge_edges_properties_is_object')),
    sa.CheckConstraint('length(trim(edge_type)) > 0', name=op.f('ck_knowledge_edges_edge_type_not_blank')),
    sa.CheckConstraint('source_id <> target_id', name=op.f('ck_knowledge_edges_no_self_loop')),
    sa.CheckConstraint('weight >= 0 AND weight <= 1', name=op.f('ck_knowledge_edges_weight_in_unit_interval')),
    sa.ForeignKeyConstraint(['organization_id', 'source_id'], ['knowledge_nodes.organization_id', 'knowledge_nodes.id'], name=op.f('fk_knowledge_edges_organization_id_source_id_knowledge_nodes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id', 'target_id'], ['knowledge_nodes.organization_id', 'knowledge_nodes.id'], name=op.f('fk_knowledge_edges_organization_id_target_id_knowledge_nodes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_knowledge_edges_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organization_id', 'id', name=op.f('pk_knowledge_edges'))
    )
    op.create_index('ix_knowledge_edges_target', 'knowledge_edges', ['organization_id', 'target_id', 'edge_type'], unique=False)
    op.create_index('uq_knowledge_edges_source_target_type', 'knowledge_edges', ['organization_id', 'source_id', 'target_id', 'edge_type'], unique=True)


def downgrade() -> None:
    op.drop_index('uq_knowledge_edges_source_target_type', table_name='knowledge_edges')
    op.drop_index('ix_knowledge_edges_target', table_name='knowledge_edges')
    op.drop_table('knowledge_edges')
    op.drop_index('ix_knowledge_nodes_type', table_name='knowledge_nodes')
    op.drop_index('ix_knowledge_nodes_source_document', table_name='knowledge_nodes')
    op.drop_index('ix_knowledge_nodes_embedding_hnsw', table_name='knowledge_nodes', postgresql_using='hnsw', postgresql_ops={'embedding': 'vector_cosine_ops'})
    op.drop_table('knowledge_nodes')
    op.drop_index('uq_document_tags_document_tag', table_name='document_tags')
    op.drop_index('ix_document_tags_tag', table_name='document_tags')
    op.drop_table('document_tags')
    op.drop_index('ix_annotations_document', table_name='annotations')
    op.drop_index('ix_annotations_author', table_name='annotations')
    op.drop_table('annotations')
    op.drop_index('ix_documents_search_vector', table_name='documents', postgresql_using='gin')
    op.drop_index('ix_documents_owner', table_name='documents')
    op.drop_index('ix_documents_collection', table_name='documents')
    op.drop_table('documents')
    op.drop_index('ix_user_sessions_user', table_name='user_sessions')
    op.drop_table('user_sessions')
    op.drop_table('user_roles')
    op.drop_index('uq_collections_live_sibling_name', table_name='collections', postgresql_where=sa.text('deleted_at IS NULL'), postgresql_nulls_not_distinct=True)
    op.drop_index('ix_collections_parent', table_name='collections')
    op.drop_table('collections')
    op.drop_index('ix_audit_events_entity', table_name='audit_events')
    op.drop_index('ix_audit_events_actor', table_name='audit_events')
    op.drop_table('audit_events')
    op.drop_index('ix_api_keys_user', table_name='api_keys')
    op.drop_table('api_keys')
    op.drop_index('uq_users_organization_id_username', table_name='users')
    op.drop_index('uq_users_organization_id_email', table_name='users')
    op.drop_table('users')
    op.drop_index('uq_tags_organization_id_name', table_name='tags')
    op.drop_table('tags')
    op.drop_table('organizations')
    for name in ENUM_TYPES:
        op.execute(f"DROP TYPE IF EXISTS {name}")
    # The vector extension stays: other schemas in the database may use it.
