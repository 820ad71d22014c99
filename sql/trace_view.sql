-- The `trace` relation the other queries read, over any table of trace rows (`trace_rows`: a
-- Parquet file, a directory, or an object-store prefix in the hive layout node=/namespace=/pod=).
-- kernel_routine is the rule of src/analyze/kernel-routine.ts (KERNEL_ROUTINE_SQL; a test keeps
-- the two identical).
CREATE VIEW trace AS
SELECT
  t.*,
  CASE WHEN op = 'getxattr' AND path2 = 'security.capability' THEN 'capability-check' WHEN op = 'getattr' AND fh IS NOT NULL THEN 'attribute-revalidation' WHEN pid = 0 AND op <> 'event' THEN 'no-caller' ELSE NULL END AS kernel_routine
FROM trace_rows t
