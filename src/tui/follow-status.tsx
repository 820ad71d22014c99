/** "following · 12,345 rows · updated 3s ago" for the status line, ticking once a second. */
import { Text } from 'ink';
import { useEffect, useState } from 'react';
import type { FollowInfo } from './follow-analysis.js';
import { formatCount } from './format.js';

/** Seconds (or minutes) since `then`, as people say it. */
export function formatAgo(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s ago`;
  return `${Math.floor(m / 60)}h ${m % 60}m ago`;
}

/** The text itself (tests and width budgeting). */
export function followText(info: FollowInfo, now: number): string {
  const state = info.complete ? 'recording ended' : 'following';
  return `${state} · ${formatCount(info.rows)} rows · updated ${formatAgo(now - info.updatedAt)}`;
}

/** Re-renders every `intervalMs` so "Xs ago" stays true while no rows arrive. */
function useNow(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

export function FollowStatus({ info }: { info: FollowInfo }): React.JSX.Element {
  const now = Math.max(useNow(1000), info.updatedAt);
  return (
    <Text>
      <Text color={info.complete ? 'blue' : 'green'}>{followText(info, now)}</Text>
      {info.waiting ? <Text color="yellow">{` · ${info.waiting}`}</Text> : null}
    </Text>
  );
}
