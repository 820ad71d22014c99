/** Signal names <-> numbers for this platform (os.constants.signals), with did-you-mean hints. */
import { constants } from 'node:os';
import { closestMatch } from './suggest.js';

const BY_NAME: ReadonlyMap<string, number> = new Map(
  Object.entries(constants.signals as Record<string, number>),
);
const BY_NUMBER: ReadonlyMap<number, string> = (() => {
  const map = new Map<number, string>();
  // First name wins, so aliases (SIGIOT = SIGABRT, SIGPOLL = SIGIO) report the common one.
  for (const [name, value] of BY_NAME) if (!map.has(value)) map.set(value, name);
  return map;
})();

export type SignalLookup = { ok: true; signal: number; name: string } | { ok: false; message: string };

/** Accepts "SIGKILL", "sigkill", "KILL", 9 or "9". */
export function lookupSignal(input: string | number): SignalLookup {
  if (typeof input === 'number' || /^\s*\d+\s*$/.test(input)) {
    const signal = Number(input);
    const name = BY_NUMBER.get(signal);
    if (name === undefined || signal <= 0) return { ok: false, message: `unknown signal number ${signal}` };
    return { ok: true, signal, name };
  }
  const upper = input.trim().toUpperCase();
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  const signal = BY_NAME.get(name);
  if (signal !== undefined) return { ok: true, signal, name };
  const hint = closestMatch(name, BY_NAME.keys(), 2);
  const help = hint ? `did you mean ${hint}?` : `known: ${[...BY_NAME.keys()].join(', ')}`;
  return { ok: false, message: `unknown signal "${input}" (${help})` };
}

export function signalName(signal: number): string {
  return BY_NUMBER.get(signal) ?? String(signal);
}
