-- Overlay effects: rows per fault kind, injected delay and throttle wait (on any row).
SELECT
  fault_kind,
  COUNT(*) AS row_count,
  SUM(COALESCE(fault_delay_ns, 0)) AS injected_delay_ns,
  SUM(COALESCE(throttle_wait_ns, 0)) AS throttle_wait_ns
FROM trace
WHERE op <> 'event'
GROUP BY fault_kind
ORDER BY row_count DESC
