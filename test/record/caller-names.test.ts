/**
 * Every row names its caller as /proc would at that moment: after an exec, a prctl(PR_SET_NAME),
 * a thread naming itself and a thread renamed by another, the very next operation carries the new
 * name. Run with the host's task-change counter (native/src/task_events.c: cached names, no system
 * call per row) and without it (INTERPOSER_TASK_EVENTS=0: one pread of /proc/<tid>/comm per row);
 * both must give the same names.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readAllRows } from '../../src/trace/reader.js';
import { CLI, cleanupMounts, makeWorkDir, sh, startMount } from '../helpers/interposer-process.js';

// Each step opens its own file, so its rows can be found by path.
const RENAMES = String.raw`
import ctypes, os, sys, threading
m = sys.argv[1]
libc = ctypes.CDLL(None)
def touch(name):
    with open(os.path.join(m, name), 'w') as f:
        f.write('x')
def set_comm(tid, name):
    with open('/proc/self/task/%d/comm' % tid, 'w') as f:
        f.write(name)
touch('before-prctl')
libc.prctl(15, b'renamed-proc', 0, 0, 0)
touch('after-prctl')
def names_itself():
    set_comm(threading.get_native_id(), 'thread-self')
    touch('thread-self')
t = threading.Thread(target=names_itself); t.start(); t.join()
go, renamed = threading.Event(), threading.Event()
tids = []
def renamed_by_other():
    tids.append(threading.get_native_id())
    touch('inherited')
    go.set()
    renamed.wait()
    touch('renamed-by-other')
t = threading.Thread(target=renamed_by_other); t.start()
go.wait()
set_comm(tids[0], 'thread-other')
renamed.set()
t.join()
touch('main-again')
`;

describe.each([
  ['task-events', {}],
  ['proc', { INTERPOSER_TASK_EVENTS: '0' }],
])('caller names from %s', (source, env) => {
  afterAll(cleanupMounts);

  it('names the caller as it is at each operation', async () => {
    const socket = join(makeWorkDir(), 'control.sock');
    const mount = await startMount(['--control', socket], { env });
    const m = mount.mnt;
    const stats = sh(`${process.execPath} ${CLI} ctl ${socket} stats`);
    expect(stats.code, stats.err).toBe(0);
    expect(stats.out.split(/\s+/)).toContain(`callerNames=${source}`);
    const script = join(mount.dir, 'renames.py');
    writeFileSync(script, RENAMES);
    const py = sh(`python3 ${script} ${m}`);
    expect(py.code, py.err).toBe(0);
    // bash checks one file, then becomes cat in the same process.
    const ex = sh(`bash -c 'test -e ${m}/after-prctl && exec cat ${m}/main-again'`);
    expect(ex.out).toBe('x');
    expect(await mount.stop()).toBe(0);

    const rows = await readAllRows(mount.trace);
    const namesOf = (path: string, op?: string) => [
      ...new Set(
        rows.filter((r) => r.path === path && (!op || r.op === op) && r.pid !== 0).map((r) => r.comm),
      ),
    ];
    expect(namesOf('/before-prctl')).toEqual(['python3']);
    expect(namesOf('/after-prctl', 'create')).toEqual(['renamed-proc']);
    expect(namesOf('/thread-self')).toEqual(['thread-self']);
    expect(namesOf('/inherited')).toEqual(['renamed-proc']);
    expect(namesOf('/renamed-by-other')).toEqual(['thread-other']);
    expect(namesOf('/main-again', 'create')).toEqual(['renamed-proc']);
    expect(namesOf('/main-again', 'open')).toEqual(['cat']);
    const catPid = rows.find((r) => r.path === '/main-again' && r.op === 'open')!.pid;
    expect(rows.some((r) => r.path === '/after-prctl' && r.pid === catPid && r.comm === 'bash')).toBe(true);
    // The thread rows carry the process id, not the thread id.
    const pyPid = rows.find((r) => r.path === '/before-prctl')!.pid;
    for (const p of ['/thread-self', '/inherited', '/renamed-by-other'])
      for (const r of rows.filter((x) => x.path === p && x.pid !== 0)) {
        expect(r.pid).toBe(pyPid);
        expect(r.tid).not.toBe(pyPid);
      }
  });
});
