-- Failures by op and errno: how many, how many injected by a fault overlay, how many were the
-- kernel's routine requests (not application errors), and the time they took.
SELECT
  op,
  errno,
  COUNT(*) AS calls,
  SUM(CASE WHEN fault_kind = 'errno' THEN 1 ELSE 0 END) AS injected,
  SUM(CASE WHEN kernel_routine IS NOT NULL THEN 1 ELSE 0 END) AS kernel_routine,
  SUM(duration_ns) AS time_ns
FROM trace
WHERE op <> 'event' AND errno <> 0
GROUP BY op, errno
ORDER BY calls DESC, op, errno
