-- Per op: calls, errors, bytes, time, and latency (min, max, nearest-rank percentiles).
SELECT
  op,
  COUNT(*) AS calls,
  SUM(CASE WHEN errno <> 0 THEN 1 ELSE 0 END) AS errors,
  SUM(bytes) AS bytes,
  SUM(duration_ns) AS time_ns,
  MIN(duration_ns) AS min_ns,
  MAX(duration_ns) AS max_ns,
  PERCENTILE_DISC(0.5) WITHIN GROUP (ORDER BY duration_ns) AS p50_ns,
  PERCENTILE_DISC(0.9) WITHIN GROUP (ORDER BY duration_ns) AS p90_ns,
  PERCENTILE_DISC(0.99) WITHIN GROUP (ORDER BY duration_ns) AS p99_ns,
  PERCENTILE_DISC(0.999) WITHIN GROUP (ORDER BY duration_ns) AS p999_ns
FROM trace
WHERE op <> 'event'
GROUP BY op
ORDER BY time_ns DESC, op
