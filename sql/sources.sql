-- Per source (trace file of the run): calls, bytes, errors, time, aligned first start, last end.
SELECT
  source,
  COUNT(*) AS calls,
  SUM(bytes) AS bytes,
  SUM(CASE WHEN errno <> 0 THEN 1 ELSE 0 END) AS errors,
  SUM(duration_ns) AS time_ns,
  MIN(start_ns) AS first_start_ns,
  MAX(start_ns + duration_ns) AS last_end_ns
FROM trace
WHERE op <> 'event'
GROUP BY source
ORDER BY source
