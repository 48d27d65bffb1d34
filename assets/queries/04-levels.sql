-- Events by level
SELECT blob4 AS level, SUM(_sample_interval) AS events
FROM aepipe
WHERE timestamp > NOW() - INTERVAL '1' DAY
GROUP BY level
ORDER BY events DESC
