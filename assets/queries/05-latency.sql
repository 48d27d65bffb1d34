-- Average and max of double1 per event (e.g. latency in ms)
SELECT blob3 AS event,
       round(avg(double1), 2) AS avg_double1,
       max(double1) AS max_double1,
       SUM(_sample_interval) AS events
FROM aepipe
WHERE timestamp > NOW() - INTERVAL '1' DAY
GROUP BY event
ORDER BY events DESC
LIMIT 20
