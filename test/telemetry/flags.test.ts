import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/errors.js';
import { defineCommand, parseCommandLine } from '../../src/cli/args/index.js';
import { TELEMETRY_OPTIONS, telemetryFlagValues } from '../../src/cli/options/telemetry.js';
import { telemetryEnabled, telemetryOptionsFromFlags } from '../../src/telemetry/index.js';

const SPEC = defineCommand({
  name: 'test',
  summary: '',
  description: '',
  positionals: [
    { name: 'backing', help: '', optional: true },
    { name: 'mnt', help: '', optional: true },
  ],
  options: { trace: { kind: 'string', help: '' }, ...TELEMETRY_OPTIONS },
});

/** Parses a command line the way mount/replay do: own options + TELEMETRY_OPTIONS. */
function parse(argv: string[], env: NodeJS.ProcessEnv = {}, tracePath?: string) {
  const parsed = parseCommandLine(SPEC, argv);
  if (parsed.help) throw new Error('unexpected --help');
  const { positionals } = parsed;
  const options = telemetryOptionsFromFlags(telemetryFlagValues(parsed.options), {
    wallClockAnchorNs: 5n,
    env,
    ...(tracePath ? { tracePath } : {}),
  });
  return { options, positionals };
}

describe('telemetry flags', () => {
  it('is all off without flags', () => {
    const { options } = parse(['/backing', '/mnt']);
    expect(options.spans).toBeUndefined();
    expect(options.metrics).toBeUndefined();
    expect(telemetryEnabled(options)).toBe(false);
  });

  it('takes a bare --otel-spans as ratio 1, without eating the next positional', () => {
    const { options, positionals } = parse(['--otel-spans', '/backing', '/mnt']);
    expect(options.spans).toEqual({ ratio: 1 });
    expect(positionals).toEqual(['/backing', '/mnt']);
    expect(options.wallClockAnchorNs).toBe(5n);
  });

  it('reads --otel-spans=RATIO and percentages', () => {
    expect(parse(['--otel-spans=0.01']).options.spans).toEqual({ ratio: 0.01 });
    expect(parse(['--otel-spans=2.5%']).options.spans).toEqual({ ratio: 0.025 });
    expect(parse(['--otel-spans=0']).options.spans).toBeUndefined();
  });

  it('falls back to OTEL_TRACES_SAMPLER_ARG for a bare flag when the sampler is a ratio sampler', () => {
    expect(parse(['--otel-spans'], { OTEL_TRACES_SAMPLER_ARG: '0.2' }).options.spans).toEqual({ ratio: 0.2 });
    expect(
      parse(['--otel-spans'], { OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.3' }).options
        .spans,
    ).toEqual({ ratio: 0.3 });
    expect(
      parse(['--otel-spans'], { OTEL_TRACES_SAMPLER: 'always_on', OTEL_TRACES_SAMPLER_ARG: '0.3' }).options
        .spans,
    ).toEqual({ ratio: 1 });
    expect(parse(['--otel-spans=0.5'], { OTEL_TRACES_SAMPLER_ARG: '0.2' }).options.spans).toEqual({
      ratio: 0.5,
    });
  });

  it('rejects bad values with usage errors', () => {
    expect(() => parse(['--otel-spans=2'])).toThrow(UsageError);
    expect(() => parse(['--otel-spans=abc'])).toThrow(/sampling ratio/);
    expect(() => parse(['--prometheus-port', 'http'])).toThrow(/--prometheus-port: expected an integer >= 0/);
    expect(() => parse(['--prometheus-port', '70000'])).toThrow(UsageError);
    expect(() => parse(['--prometheus-host', '0.0.0.0'])).toThrow(/needs --prometheus-port/);
    expect(() => parse(['--otel-protocol', 'udp'])).toThrow(/grpc, http\/protobuf, http\/json/);
  });

  it('turns metrics on with any metrics flag and defaults the snapshot file next to the trace', () => {
    expect(parse(['--otel-metrics'], {}, '/t/run.parquet').options.metrics).toEqual({
      otlp: true,
      snapshotFile: '/t/run.parquet.metrics.jsonl',
    });
    expect(
      parse(['--prometheus-port', '9464', '--prometheus-host', '0.0.0.0'], {}, '/t/r.parquet').options
        .metrics,
    ).toEqual({
      otlp: false,
      prometheus: { port: 9464, host: '0.0.0.0' },
      snapshotFile: '/t/r.parquet.metrics.jsonl',
    });
    expect(parse(['--otel-metrics', '--metrics-file', 'none'], {}, '/t/r.parquet').options.metrics).toEqual({
      otlp: true,
    });
    expect(parse(['--metrics-file', '/m.jsonl']).options.metrics).toEqual({
      otlp: false,
      snapshotFile: '/m.jsonl',
    });
    expect(parse(['--otel-protocol', 'grpc']).options.protocol).toBe('grpc');
  });

  it('reads INTERPOSER_* fallbacks, flags first, and OTEL_SDK_DISABLED turns everything off', () => {
    const env = {
      INTERPOSER_OTEL_SPANS: '0.1',
      INTERPOSER_OTEL_METRICS: '1',
      INTERPOSER_PROMETHEUS_PORT: '9000',
    };
    const { options } = parse([], env);
    expect(options.spans).toEqual({ ratio: 0.1 });
    expect(options.metrics).toEqual({ otlp: true, prometheus: { port: 9000 } });
    expect(parse(['--otel-spans=0.5'], env).options.spans).toEqual({ ratio: 0.5 });
    const disabled = parse(['--otel-spans', '--otel-metrics'], { OTEL_SDK_DISABLED: 'true' }).options;
    expect(telemetryEnabled(disabled)).toBe(false);
  });

  it('takes `--otel-spans RATIO` with a space when RATIO is a ratio, and leaves arguments after -- alone', () => {
    const spaced = parse(['--otel-spans', '0.1', '/backing', '/mnt']);
    expect(spaced.options.spans).toEqual({ ratio: 0.1 });
    expect(spaced.positionals).toEqual(['/backing', '/mnt']);
    expect(parse(['--otel-spans', '--', '--otel-spans']).positionals).toEqual(['--otel-spans']);
  });
});
