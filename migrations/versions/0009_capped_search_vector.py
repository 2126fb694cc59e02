"""Index as much of a long document as a tsvector holds, instead of refusing to store it.

PostgreSQL refuses a tsvector whose lexemes take more than 1 MB ("string is too long for
tsvector"), which made saving a document of about 1 MB of distinct words fail. The
generated column now calls `document_search_vector(title, content)`: the title and the
whole content when they fit, else the title and the longest head of the content (halving
until it fits) — the document is stored whole, its tail is not found by search.

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-02 10:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FUNCTION = """
CREATE FUNCTION document_search_vector(title text, content text) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog AS $$
DECLARE
    head integer := length(coalesce(content, ''));
BEGIN
    LOOP
        BEGIN
            RETURN setweight(to_tsvector('english', coalesce(title, '')), 'A')
                || setweight(to_tsvector('english', left(coalesce(content, ''), head)), 'B');
        EXCEPTION WHEN program_limit_exceeded THEN
            head := head / 2;  -- too many distinct words: index a shorter head
        END;
    END LOOP;
END
$$
"""

CAPPED = "document_search_vector(title, content)"
UNCAPPED = (
    "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(content, '')), 'B')"
)


def _search_vector(expression: str) -> None:
    """Re-create the generated column and its GIN index (SET EXPRESSION needs PG 17)."""
    op.drop_index("ix_documents_search_vector", table_name="documents")
    op.drop_column("documents", "search_vector")
    op.execute(
        "ALTER TABLE documents ADD COLUMN search_vector tsvector NOT NULL "
        f"GENERATED ALWAYS AS ({expression}) STORED"
    )
    op.create_index(
        "ix_documents_search_vector", "documents", ["search_vector"], postgresql_using="gin"
    )


def upgrade() -> None:
    op.execute(FUNCTION)
    _search_vector(CAPPED)


def downgrade() -> None:
    _search_vector(UNCAPPED)
    op.execute("DROP FUNCTION document_search_vector(text, text)")
