-- Events per minute (chartable)
SELECT toStartOfInterval(timestamp, INTERVAL '1' MINUTE) AS minute,
       SUM(_sample_interval) AS events
FROM aepipe
WHERE timestamp > NOW() - INTERVAL '1' HOUR
GROUP BY minute
ORDER BY minute
