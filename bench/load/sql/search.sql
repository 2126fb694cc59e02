-- SearchDocuments as one statement: live documents the viewer may see that match the
-- web-search query (none for a query of stop words only), the best 20 by rank then id, with
-- the total count; rank weighs title words above content words, as the app does. Returns the
-- response body.
WITH matches AS (
  SELECT d.id, d.title, d.owner_id,
         ts_rank('{0.1, 0.2, 0.4, 1.0}'::real[], d.search_vector,
                 websearch_to_tsquery('english', CAST(:query AS text))) AS rank
  FROM documents d
  WHERE d.organization_id = CAST(:org AS uuid)
    AND d.deleted_at IS NULL
    AND (d.visibility = 'ORGANIZATION' OR d.owner_id = CAST(:viewer AS uuid))
    AND numnode(websearch_to_tsquery('english', CAST(:query AS text))) > 0
    AND d.search_vector @@ websearch_to_tsquery('english', CAST(:query AS text))
),
hits AS (
  SELECT m.* FROM matches m ORDER BY m.rank DESC, m.id LIMIT 20
)
SELECT json_build_object('data', json_build_object('searchDocuments', json_build_object(
  'totalCount', (SELECT count(*) FROM matches),
  'edges', COALESCE((
    SELECT json_agg(json_build_object('node', json_build_object(
      'rank', CAST(h.rank AS double precision),
      'document', json_build_object(
        'id', encode(convert_to('Document:' || h.id, 'UTF8'), 'base64'),
        'title', h.title,
        'owner', (
          SELECT json_build_object('username', u.username)
          FROM users u
          WHERE u.organization_id = CAST(:org AS uuid) AND u.id = h.owner_id
            AND u.deleted_at IS NULL))
    )) ORDER BY h.rank DESC, h.id)
    FROM hits h), '[]')
)))::text
