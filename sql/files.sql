-- Hot files: per path calls, bytes (read, written), time and errors; the top `params.top` by
-- time, by calls and by bytes (ranks returned, so each list can be taken from the result).
WITH per_path AS (
  SELECT
    path,
    COUNT(*) AS calls,
    SUM(bytes) AS bytes,
    SUM(CASE WHEN op = 'read' THEN bytes ELSE 0 END) AS read_bytes,
    SUM(CASE WHEN op IN ('write', 'copy_file_range') THEN bytes ELSE 0 END) AS write_bytes,
    SUM(duration_ns) AS time_ns,
    SUM(CASE WHEN errno <> 0 THEN 1 ELSE 0 END) AS errors
  FROM trace
  WHERE op <> 'event'
  GROUP BY path
),
ranked AS (
  SELECT
    per_path.*,
    ROW_NUMBER() OVER (ORDER BY time_ns DESC, path) AS rank_time,
    ROW_NUMBER() OVER (ORDER BY calls DESC, path) AS rank_calls,
    ROW_NUMBER() OVER (ORDER BY bytes DESC, path) AS rank_bytes
  FROM per_path
)
SELECT ranked.*
FROM ranked CROSS JOIN params
WHERE rank_time <= params.top OR rank_calls <= params.top OR (rank_bytes <= params.top AND bytes > 0)
ORDER BY rank_time
