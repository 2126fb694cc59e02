"""knowledge_nodes.has_embedding: generated, so node reads never need the vector itself.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 04:24:51.119087
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('knowledge_nodes', sa.Column('has_embedding', sa.Boolean(), sa.Computed('embedding IS NOT NULL', persisted=True), nullable=False))


def downgrade() -> None:
    op.drop_column('knowledge_nodes', 'has_embedding')
