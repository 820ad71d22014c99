/**
 * Built-in demo workloads: real Debian programs (tar, sqlite3, git, fio) run as child
 * processes against a directory. Spawned asynchronously: the process serving the mount must
 * keep its event loop free to drain trace buffers while they run.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The project's own source: a real tree of a few hundred files for the workloads to copy. */
export const PROJECT_SOURCE = fileURLToPath(new URL('../../src', import.meta.url));

export interface Workload {
  name: string;
  /** Shell command; `$DIR` is the directory to work in, `$SRC` a directory tree to copy from. */
  command: string;
  /** Program that must be installed, checked with `command -v`. */
  needs: string;
}

export const DEMO_WORKLOADS: readonly Workload[] = [
  {
    name: 'tar: pack and extract a source tree',
    needs: 'tar',
    command:
      'tar -C "$SRC" -cf "$DIR/src.tar" . && mkdir -p "$DIR/untar" && tar -C "$DIR/untar" -xf "$DIR/src.tar"',
  },
  {
    name: 'sqlite3: 2000 inserts in 20 transactions (WAL), then a scan',
    needs: 'sqlite3',
    command:
      'sqlite3 "$DIR/demo.db" "pragma journal_mode=wal; create table t(k integer primary key, v text);" && ' +
      'for i in $(seq 20); do sqlite3 "$DIR/demo.db" "begin; ' +
      'with recursive c(x) as (select 1 union all select x+1 from c where x<100) insert into t(v) select hex(randomblob(200)) from c; ' +
      'commit;"; done && sqlite3 "$DIR/demo.db" "select count(*) from t; pragma integrity_check;" >/dev/null',
  },
  {
    name: 'git: init, add, commit',
    needs: 'git',
    command:
      'cd "$DIR" && git init -q repo && cp -r "$DIR/untar/." repo/ 2>/dev/null; cd repo && git add -A && ' +
      'git -c user.email=demo@example.com -c user.name=demo commit -qm demo && git gc -q',
  },
  {
    name: 'fio: 4 KiB random read/write, 2 jobs, 3 s',
    needs: 'fio',
    command:
      'fio --name=demo --directory="$DIR" --size=32m --bs=4k --rw=randrw --ioengine=psync --numjobs=2 ' +
      '--runtime=3 --time_based --group_reporting --output=/dev/null',
  },
];

export interface WorkloadResult {
  workload: Workload;
  skipped: boolean;
  exitCode: number;
  stderr: string;
  seconds: number;
}

export function runShell(
  command: string,
  env: Record<string, string>,
): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', command], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code: code ?? 1, stderr }));
    child.on('error', (err) => resolve({ code: 127, stderr: err.message }));
  });
}

export async function runWorkload(workload: Workload, dir: string, src: string): Promise<WorkloadResult> {
  const present = await runShell(`command -v ${workload.needs}`, {});
  if (present.code !== 0) return { workload, skipped: true, exitCode: 0, stderr: '', seconds: 0 };
  const started = process.hrtime.bigint();
  const { code, stderr } = await runShell(workload.command, { DIR: dir, SRC: src });
  return {
    workload,
    skipped: false,
    exitCode: code,
    stderr,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
}
