/** What every view gets: the analysis results, its area and the UI state. */
import type { Report, ReportDiff } from '../../analyze/types.js';
import type { ViewContent } from '../lines.js';
import type { UiState } from '../state.js';

export interface ViewContext {
  /** One report per open trace (the first is the one single-trace views show). */
  reports: readonly Report[];
  diff: ReportDiff | undefined;
  /** Display names of the traces, same order as reports. */
  labels: readonly string[];
  width: number;
  height: number;
  ui: UiState;
}

export type RenderView = (ctx: ViewContext) => ViewContent;
