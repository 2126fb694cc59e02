-- CollectionsByName as one statement: the first 20 live collections the viewer may see by
-- name, each with its first 20 sub-collections' names and its first 10 documents' titles
-- (by title), under the same visibility rules. Returns the response body.
WITH page AS (
  SELECT c.id, c.name
  FROM collections c
  WHERE c.organization_id = CAST(:org AS uuid)
    AND c.deleted_at IS NULL
    AND (c.visibility = 'ORGANIZATION' OR c.owner_id = CAST(:viewer AS uuid))
  ORDER BY c.name, c.id
  LIMIT 20
)
SELECT json_build_object('data', json_build_object('collections', json_build_object(
  'edges', COALESCE((
    SELECT json_agg(json_build_object('node', json_build_object(
      'id', encode(convert_to('Collection:' || p.id, 'UTF8'), 'base64'),
      'name', p.name,
      'children', json_build_object('edges', COALESCE((
        SELECT json_agg(json_build_object('node', json_build_object('name', k.name))
                        ORDER BY k.name, k.id)
        FROM (
          SELECT k.id, k.name
          FROM collections k
          WHERE k.organization_id = CAST(:org AS uuid) AND k.parent_id = p.id
            AND k.deleted_at IS NULL
            AND (k.visibility = 'ORGANIZATION' OR k.owner_id = CAST(:viewer AS uuid))
          ORDER BY k.name, k.id
          LIMIT 20) k), '[]')),
      'documents', json_build_object('edges', COALESCE((
        SELECT json_agg(json_build_object('node', json_build_object('title', d.title))
                        ORDER BY d.title, d.id)
        FROM (
          -- ix_documents_collection (organization, collection, title, id): one short
          -- index range per collection
          SELECT d.id, d.title
          FROM documents d
          WHERE d.organization_id = CAST(:org AS uuid) AND d.collection_id = p.id
            AND d.deleted_at IS NULL
            AND (d.visibility = 'ORGANIZATION' OR d.owner_id = CAST(:viewer AS uuid))
          ORDER BY d.title, d.id
          LIMIT 10) d), '[]'))
    )) ORDER BY p.name, p.id)
    FROM page p), '[]')
)))::text
