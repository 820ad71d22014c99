-- Durability calls told apart: fsync (data and metadata), fdatasync (fsync rows with nonzero
-- flags), fsyncdir. close (flush) is not a sync.
SELECT
  CASE WHEN op = 'fsyncdir' THEN 'fsyncdir' WHEN COALESCE(flags, 0) <> 0 THEN 'fdatasync' ELSE 'fsync' END AS call,
  COUNT(*) AS calls,
  SUM(CASE WHEN errno <> 0 THEN 1 ELSE 0 END) AS errors,
  SUM(duration_ns) AS time_ns,
  MAX(duration_ns) AS max_ns
FROM trace
WHERE op IN ('fsync', 'fsyncdir')
GROUP BY CASE WHEN op = 'fsyncdir' THEN 'fsyncdir' WHEN COALESCE(flags, 0) <> 0 THEN 'fdatasync' ELSE 'fsync' END
ORDER BY time_ns DESC
