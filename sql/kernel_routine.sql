-- The kernel's routine requests by kind (capability checks, attribute revalidation, no caller)
-- and errno (0 = answered successfully).
SELECT
  kernel_routine AS kind,
  errno,
  COUNT(*) AS calls,
  SUM(duration_ns) AS time_ns
FROM trace
WHERE kernel_routine IS NOT NULL
GROUP BY kernel_routine, errno
ORDER BY kind, errno
