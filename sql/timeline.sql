-- Timeline: per bucket of params.bucket_ns from params.origin_ns (calls count where they start),
-- calls, read and written bytes, errors, faulted rows, p50 and p99 latency.
SELECT
  CAST(FLOOR((start_ns - params.origin_ns) / params.bucket_ns) AS BIGINT) AS bucket,
  COUNT(*) AS calls,
  SUM(CASE WHEN op = 'read' THEN bytes ELSE 0 END) AS read_bytes,
  SUM(CASE WHEN op IN ('write', 'copy_file_range') THEN bytes ELSE 0 END) AS write_bytes,
  SUM(CASE WHEN errno <> 0 THEN 1 ELSE 0 END) AS errors,
  SUM(CASE WHEN fault_kind IS NOT NULL THEN 1 ELSE 0 END) AS faults,
  PERCENTILE_DISC(0.5) WITHIN GROUP (ORDER BY duration_ns) AS p50_ns,
  PERCENTILE_DISC(0.99) WITHIN GROUP (ORDER BY duration_ns) AS p99_ns
FROM trace CROSS JOIN params
WHERE op <> 'event'
GROUP BY CAST(FLOOR((start_ns - params.origin_ns) / params.bucket_ns) AS BIGINT)
ORDER BY bucket
