// The real `interposer-tui` (the bundle users run) in a 200x50 pseudo-terminal made by
// util-linux's `script`: milliseconds from spawning it until the overview with a report
// ("Bottlenecks") has been written to the terminal. Unlike bench/analyze-tui.mjs's in-process
// times, this includes Node's start, Ink's drawing, and everything competing for the CPU.
import { spawn } from 'node:child_process';

const MARK = 'Bottlenecks';

/** @returns {Promise<number>} ms to the first screen with a report; rejects after timeoutMs */
export function tuiFirstPaintMs(cli, file, timeoutMs = 60_000) {
  const command = `stty cols 200 rows 50; exec ${process.execPath} ${cli} '${file}'`;
  const started = performance.now();
  const child = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'ignore'] });
  return new Promise((resolve, reject) => {
    let seen = '';
    const stop = () => {
      clearTimeout(timer);
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`interposer-tui showed no report within ${timeoutMs} ms`));
    }, timeoutMs);
    child.stdout.on('data', (chunk) => {
      // Keep only a tail: the mark may straddle two chunks.
      seen = (seen + chunk.toString('utf8')).slice(-4096);
      if (seen.includes(MARK)) {
        const ms = Math.round(performance.now() - started);
        stop();
        resolve(ms);
      }
    });
    child.on('exit', () => reject(new Error('interposer-tui exited before showing a report')));
  });
}
