-- Processes by time in I/O: calls, bytes, errors, first start and last end.
SELECT
  pid,
  MIN(comm) AS comm,
  MIN(uid) AS uid,
  COUNT(*) AS calls,
  SUM(bytes) AS bytes,
  SUM(CASE WHEN op = 'read' THEN bytes ELSE 0 END) AS read_bytes,
  SUM(CASE WHEN op IN ('write', 'copy_file_range') THEN bytes ELSE 0 END) AS write_bytes,
  SUM(duration_ns) AS time_ns,
  SUM(CASE WHEN errno <> 0 THEN 1 ELSE 0 END) AS errors,
  MIN(start_ns) AS first_start_ns,
  MAX(start_ns + duration_ns) AS last_end_ns
FROM trace
WHERE op <> 'event'
GROUP BY pid
ORDER BY time_ns DESC, pid
