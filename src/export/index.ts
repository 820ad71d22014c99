export {
  exportTrace,
  EXPORT_FORMATS,
  type ExportFormat,
  type ExportOptions,
  type ExportResult,
} from './export.js';
export { CsvEncoder, csvField, parseColumnList } from './csv.js';
export { PerfettoEncoder, PERFETTO_COLUMNS, type ClockMode, type PerfettoCounts } from './perfetto.js';
export { selectRows, type ExportFilter } from './filter.js';
export { memorySink, openFileSink, stdoutSink, type TextSink } from './sink.js';
