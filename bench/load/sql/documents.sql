-- NewestDocuments as one statement: the 50 newest live documents the viewer may see (the
-- organization's, and PRIVATE ones only when the viewer owns them), each with its owner,
-- collection and tags by name; pageInfo from one extra row. Returns the response body.
WITH page AS (
  SELECT d.id, d.title, d.owner_id, d.collection_id, d.created_at
  FROM documents d
  WHERE d.organization_id = CAST(:org AS uuid)
    AND d.deleted_at IS NULL
    AND (d.visibility = 'ORGANIZATION' OR d.owner_id = CAST(:viewer AS uuid))
  ORDER BY d.created_at DESC, d.id DESC
  LIMIT 51
),
shown AS (
  SELECT p.*, row_number() OVER (ORDER BY p.created_at DESC, p.id DESC) AS position
  FROM page p
  ORDER BY p.created_at DESC, p.id DESC
  LIMIT 50
)
SELECT json_build_object('data', json_build_object('documents', json_build_object(
  'edges', COALESCE((
    SELECT json_agg(json_build_object('node', json_build_object(
      'id', encode(convert_to('Document:' || s.id, 'UTF8'), 'base64'),
      'title', s.title,
      'owner', (
        SELECT json_build_object('username', u.username, 'fullName', u.full_name)
        FROM users u
        WHERE u.organization_id = CAST(:org AS uuid) AND u.id = s.owner_id
          AND u.deleted_at IS NULL),
      'collection', (
        SELECT json_build_object('name', c.name)
        FROM collections c
        WHERE c.organization_id = CAST(:org AS uuid) AND c.id = s.collection_id
          AND c.deleted_at IS NULL
          AND (c.visibility = 'ORGANIZATION' OR c.owner_id = CAST(:viewer AS uuid))),
      'tags', COALESCE((
        SELECT json_agg(json_build_object('name', t.name) ORDER BY t.name)
        FROM document_tags dt
        JOIN tags t ON t.organization_id = dt.organization_id AND t.id = dt.tag_id
        WHERE dt.organization_id = CAST(:org AS uuid) AND dt.document_id = s.id), '[]')
    )) ORDER BY s.position)
    FROM shown s), '[]'),
  'pageInfo', json_build_object(
    'hasNextPage', (SELECT count(*) > 50 FROM page),
    -- the keyset cursor, as Python's isoformat writes the time (no colon may be followed by a
    -- name or digit in this file: pgbench would take it for a variable)
    'endCursor', (
      SELECT rtrim(translate(encode(convert_to(
        '["' || to_char(s.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24":"MI":"SS')
        || CASE WHEN date_part('microseconds', s.created_at)::bigint % 1000000 = 0 THEN ''
                ELSE to_char(s.created_at AT TIME ZONE 'UTC', '.US') END
        || '+00' || ':' || '00","' || s.id || '"]', 'UTF8'), 'base64'), E'+/\n', '-_'), '=')
      FROM shown s ORDER BY s.position DESC LIMIT 1))
)))::text
