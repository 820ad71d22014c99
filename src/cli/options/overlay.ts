/**
 * The overlay's command-line options, shared by `mount` and `replay`. Each shorthand is checked
 * when it is parsed (through the same validator a config file goes through), so a bad rule is
 * refused before anything is mounted or replayed.
 */
import { overlayConfigFromFlags, type OverlayFlags } from '../../overlay/index.js';
import { defineOptions, type OptionValues } from '../args/index.js';

const GROUP = 'Overlay (I/O shaping)';

/** A custom option whose text must build a valid overlay rule on its own. */
function ruleOption(help: string, metavar: string, toFlags: (text: string) => OverlayFlags) {
  return {
    kind: 'custom' as const,
    group: GROUP,
    metavar,
    help,
    parse: (text: string): string => {
      overlayConfigFromFlags(toFlags(text));
      return text;
    },
  };
}

export const OVERLAY_OPTIONS = defineOptions({
  overlay: {
    kind: 'path',
    pathKind: 'file',
    role: 'input',
    noun: 'overlay config file',
    metavar: 'FILE',
    group: GROUP,
    help: 'overlay config (YAML or JSON)',
  },
  'throttle-read': ruleOption('e.g. 10MiB/s[,burst=1MiB][,path=GLOB]', 'RATE', (t) => ({ throttleRead: t })),
  'throttle-write': ruleOption('e.g. 5MiB/s', 'RATE', (t) => ({ throttleWrite: t })),
  'throttle-iops': ruleOption('ops/s over reads and writes, e.g. 1000[,burst=N][,path=GLOB]', 'N', (t) => ({
    throttleIops: t,
  })),
  'throttle-read-iops': ruleOption('read ops/s', 'N', (t) => ({ throttleReadIops: t })),
  'throttle-write-iops': ruleOption('write ops/s', 'N', (t) => ({ throttleWriteIops: t })),
  fault: {
    ...ruleOption(
      "e.g. 'op=write,path=**/*.db,errno=EIO,p=0.01' or 'op=read,truncate=512,first=3'\n" +
        "corrupt read data: 'op=read,path=**/*.bin,corrupt=3,corrupt-mode=flip,first=1'\n" +
        "(modes flip, zero, random); kill the caller: 'op=fsync,signal=SIGKILL,first=1'",
      'SPEC',
      (t) => ({ fault: [t] }),
    ),
    multiple: true,
  },
  delay: {
    ...ruleOption(
      "e.g. 'op=fsync,lognormal=5ms:1.0,p=0.5' (fixed=, uniform=MIN:MAX, normal=MEAN:SD)",
      'SPEC',
      (t) => ({ delay: [t] }),
    ),
    multiple: true,
  },
  'overlay-seed': {
    kind: 'number',
    integer: true,
    min: 0,
    group: GROUP,
    help: "seed of the fault PRNG (default: 1, or the --overlay file's seed)",
  },
  'fault-log': {
    kind: 'path',
    pathKind: 'file',
    role: 'output',
    metavar: 'FILE',
    group: GROUP,
    help: 'append every injected fault to FILE (JSON lines; see interposer faults)',
  },
});

export type OverlayOptionValues = OptionValues<typeof OVERLAY_OPTIONS>;

/** The parsed options as the overlay module's flag record. */
export function overlayFlagsFromOptions(values: OverlayOptionValues): OverlayFlags {
  const flags: OverlayFlags = {};
  if (values.overlay !== undefined) flags.overlay = values.overlay;
  if (values['throttle-read'] !== undefined) flags.throttleRead = values['throttle-read'];
  if (values['throttle-write'] !== undefined) flags.throttleWrite = values['throttle-write'];
  if (values['throttle-iops'] !== undefined) flags.throttleIops = values['throttle-iops'];
  if (values['throttle-read-iops'] !== undefined) flags.throttleReadIops = values['throttle-read-iops'];
  if (values['throttle-write-iops'] !== undefined) flags.throttleWriteIops = values['throttle-write-iops'];
  if (values.fault.length) flags.fault = values.fault;
  if (values.delay.length) flags.delay = values.delay;
  if (values['overlay-seed'] !== undefined) flags.seed = String(values['overlay-seed']);
  if (values['fault-log'] !== undefined) flags.faultLog = values['fault-log'];
  return flags;
}
