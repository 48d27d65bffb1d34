-- Recent events
SELECT timestamp, blob3 AS event, blob4 AS level, blob5 AS ref_id
FROM aepipe
WHERE timestamp > NOW() - INTERVAL '1' HOUR
ORDER BY timestamp DESC
LIMIT 100
