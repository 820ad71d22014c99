/** View id -> the function that lays it out. */
import type { ViewId } from '../views.js';
import type { RenderView } from './context.js';
import { renderDiff } from './diff.js';
import { renderErrors } from './errors.js';
import { renderFiles } from './files.js';
import { renderHistogram } from './histogram.js';
import { renderOps } from './ops.js';
import { renderOverview } from './overview.js';
import { renderProcesses } from './processes.js';
import { renderSlow } from './slow.js';
import { renderSources } from './sources.js';
import { renderTimeline } from './timeline.js';

export const RENDERERS: Record<ViewId, RenderView> = {
  overview: renderOverview,
  ops: renderOps,
  timeline: renderTimeline,
  histogram: renderHistogram,
  files: renderFiles,
  slow: renderSlow,
  errors: renderErrors,
  processes: renderProcesses,
  diff: renderDiff,
  sources: renderSources,
};

export type { ViewContext } from './context.js';
