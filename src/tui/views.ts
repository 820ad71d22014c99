/** The TUI's views: order = number key (1-9, then 0), plus a mnemonic letter for each. */
export const VIEWS = [
  { id: 'overview', key: 'o', title: 'Overview' },
  { id: 'ops', key: 'p', title: 'Per-op' },
  { id: 'timeline', key: 't', title: 'Timeline' },
  { id: 'histogram', key: 'h', title: 'Histogram' },
  { id: 'files', key: 'f', title: 'Files' },
  { id: 'slow', key: 's', title: 'Slow' },
  { id: 'errors', key: 'e', title: 'Errors' },
  { id: 'processes', key: 'r', title: 'Procs' },
  { id: 'diff', key: 'd', title: 'Diff' },
  { id: 'sources', key: 'u', title: 'Sources' },
] as const;

export type ViewId = (typeof VIEWS)[number]['id'];

/** Views available for the number of traces opened (diff needs two). */
export function availableViews(traceCount: number): ViewId[] {
  return VIEWS.filter((v) => v.id !== 'diff' || traceCount >= 2).map((v) => v.id);
}

export function viewTitle(id: ViewId): string {
  return VIEWS.find((v) => v.id === id)!.title;
}

export function viewKey(id: ViewId): string {
  return VIEWS.find((v) => v.id === id)!.key;
}
