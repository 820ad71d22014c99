-- Totals: rows, markers (op 'event'), calls, span, bytes read and written, errors (and how many
-- of them are the kernel's routine requests), I/O time (sum of durations).
SELECT
  COUNT(*) AS row_count,
  SUM(CASE WHEN op = 'event' THEN 1 ELSE 0 END) AS markers,
  SUM(CASE WHEN op <> 'event' THEN 1 ELSE 0 END) AS calls,
  MIN(CASE WHEN op <> 'event' THEN start_ns END) AS first_start_ns,
  MAX(CASE WHEN op <> 'event' THEN start_ns + duration_ns END) AS last_end_ns,
  SUM(CASE WHEN op = 'read' THEN bytes ELSE 0 END) AS bytes_read,
  SUM(CASE WHEN op IN ('write', 'copy_file_range') THEN bytes ELSE 0 END) AS bytes_written,
  SUM(CASE WHEN op <> 'event' AND errno <> 0 THEN 1 ELSE 0 END) AS errors,
  SUM(CASE WHEN op <> 'event' AND errno <> 0 AND kernel_routine IS NOT NULL THEN 1 ELSE 0 END) AS kernel_routine_errors,
  SUM(CASE WHEN op <> 'event' THEN duration_ns ELSE 0 END) AS io_time_ns
FROM trace
