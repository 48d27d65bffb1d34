-- Errors by event
SELECT blob3 AS event, SUM(_sample_interval) AS errors
FROM aepipe
WHERE blob4 = 'error' AND timestamp > NOW() - INTERVAL '1' DAY
GROUP BY event
ORDER BY errors DESC
LIMIT 20
