/**
 * A root-run shared mount, probed by ordinary local users (`nobody`, `daemon`, switched with
 * setpriv): they must not steer it through the control socket, nor read what it recorded.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, lstatSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sendControl } from '../../src/record/control-client.js';
import { readAllRows } from '../../src/trace/reader.js';
import { journalPathOf } from '../../src/trace/journal.js';
import { CLI, cleanupMounts, makeWorkDir, sh, startMount } from '../helpers/interposer-process.js';

const NOBODY = 65534;
const DAEMON = 1;
const TEAM_GID = 4242; // a group granted the control socket; nobody is made a member below

/** Runs the CLI as another user; `groups` are its supplementary groups. */
function cliAs(
  uid: number,
  args: string[],
  groups: number[] = [],
): { code: number; err: string; out: string } {
  const r = spawnSync(
    'setpriv',
    [
      `--reuid=${uid}`,
      `--regid=${uid}`,
      groups.length ? `--groups=${groups.join(',')}` : '--clear-groups',
      process.execPath,
      CLI,
      ...args,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  return { code: r.status ?? -1, err: r.stderr, out: r.stdout };
}

const oneLine = (text: string): string[] => text.trim().split('\n');
const mode = (path: string): number => statSync(path).mode & 0o777;

describe('security of a shared mount', () => {
  afterAll(cleanupMounts);

  it('keeps the control socket to its owner: mode 0600, and SO_PEERCRED even if the mode is loosened', async () => {
    const dir = makeWorkDir();
    const socket = join(dir, 'ctl.sock');
    const mount = await startMount(['--control', socket, '--power-loss'], { dir });
    expect(lstatSync(socket).isSocket()).toBe(true);
    expect(mode(socket)).toBe(0o600);

    const denied = cliAs(NOBODY, ['ctl', socket, 'add', 'fault', 'op=write,path=**,signal=SIGKILL,uid=0']);
    expect(denied.code).not.toBe(0);
    expect(oneLine(denied.err)).toHaveLength(1);
    expect(denied.err).toMatch(/permission denied/);

    // An admin loosens the socket by mistake: the kernel's peer credentials still decide.
    chmodSync(socket, 0o666);
    const peerDenied = cliAs(NOBODY, [
      'ctl',
      socket,
      'add',
      'fault',
      'op=write,path=**,signal=SIGKILL,uid=0',
    ]);
    expect(peerDenied.code).not.toBe(0);
    expect(peerDenied.out + peerDenied.err).toMatch(/permission denied: this mount is steered only by uid 0/);
    expect(cliAs(NOBODY, ['ctl', socket, 'drop-unsynced']).code).not.toBe(0);

    // No rule got in: root still writes through the mount, and the owner still steers it.
    expect(sh(`echo hi > ${mount.mnt}/x && cat ${mount.mnt}/x`).out).toBe('hi\n');
    expect(await sendControl(socket, { cmd: 'rules' })).toMatchObject({ ok: true, rules: [] });
    const added = await sendControl(socket, {
      cmd: 'add',
      flag: 'fault',
      spec: 'op=write,path=blocked/**,errno=EIO',
    });
    expect(added).toMatchObject({ ok: true });
    expect(await mount.stop()).toBe(0);
    expect(mount.stderr()).toMatch(/control: refused uid 65534/);

    const refused = (await readAllRows(mount.trace)).filter(
      (r) => r.op === 'event' && r.path === 'control-refused',
    );
    expect(refused.length).toBeGreaterThanOrEqual(2);
    expect(JSON.parse(refused[0]!.path2!)).toMatchObject({ uid: NOBODY });
  });

  it("lets a granted group add rules on its own uid only, never signals, throttles, drops or others' rules", async () => {
    const dir = makeWorkDir();
    const socket = join(dir, 'ctl.sock');
    const mount = await startMount(
      ['--control', socket, '--control-group', String(TEAM_GID), '--power-loss'],
      { dir },
    );
    expect(mode(socket)).toBe(0o660);
    expect(statSync(socket).gid).toBe(TEAM_GID);
    const asMember = (...args: string[]) => cliAs(NOBODY, ['ctl', socket, ...args], [TEAM_GID]);

    expect(asMember('stats').code).toBe(0);
    for (const attempt of [
      ['add', 'fault', 'op=write,path=**,signal=SIGKILL,uid=65534'],
      ['add', 'fault', 'op=write,path=**,errno=EIO'],
      ['add', 'fault', 'op=write,path=**,errno=EIO,uid=0'],
      ['add', 'throttle-write', '1KiB/s'],
      ['drop-unsynced'],
      ['reload'],
    ]) {
      const r = asMember(...attempt);
      expect(r.code, attempt.join(' ')).not.toBe(0);
      expect(r.out + r.err, attempt.join(' ')).toMatch(/permission denied/);
    }
    const own = asMember('add', 'fault', 'op=write,path=**,errno=EIO,uid=65534');
    expect(own.code, own.err).toBe(0);
    const rootRule = await sendControl(socket, {
      cmd: 'add',
      flag: 'fault',
      spec: 'op=read,path=none/**,errno=EIO',
    });
    expect(asMember('remove', String(rootRule.ok && rootRule.id)).code).not.toBe(0);
    const rules = await sendControl(socket, { cmd: 'rules' });
    const ownId = rules.ok
      ? (rules.rules as { config: { id: string; uids: number[] | null } }[]).find(
          (r) => r.config.uids?.[0] === NOBODY,
        )?.config.id
      : undefined;
    expect(ownId).toBeDefined();
    // Root's writes are untouched by the member's rule.
    expect(sh(`echo ok > ${mount.mnt}/root-file`).code).toBe(0);
    expect(asMember('remove', ownId!).code).toBe(0);

    // Outside the group: the socket's mode already turns the user away.
    const outsider = cliAs(DAEMON, ['ctl', socket, 'stats']);
    expect(outsider.code).not.toBe(0);
    expect(outsider.err).toMatch(/permission denied/);
  });

  it('writes trace, journal and fault log for the owner only, or as --trace-mode/--trace-group say', async () => {
    const dir = makeWorkDir();
    const mount = await startMount(['--fault', 'op=read,path=nothing/**,errno=EIO'], { dir });
    const faultLog = `${mount.trace}.faults.jsonl`;
    const journal = journalPathOf(mount.trace);
    sh(`echo data > ${mount.mnt}/f`);
    expect(mode(mount.trace)).toBe(0o600);
    expect(mode(journal)).toBe(0o600);
    expect(mode(faultLog)).toBe(0o600);
    expect(sh(`cat ${mount.trace} > /dev/null`, { user: 'nobody' }).code).not.toBe(0);
    expect(await mount.stop()).toBe(0);
    expect(mode(mount.trace)).toBe(0o600);

    const team = await startMount(['--trace-mode', '0640', '--trace-group', String(TEAM_GID)]);
    expect(mode(team.trace)).toBe(0o640);
    expect(statSync(team.trace).gid).toBe(TEAM_GID);
    await team.stop();

    const bad = spawnSync(process.execPath, [CLI, 'mount', dir, join(dir, 'x'), '--trace-mode', '0666'], {
      encoding: 'utf8',
    });
    expect(bad.status).toBe(2);
    expect(oneLine(bad.stderr)).toHaveLength(1);
  });

  it('never follows a symlink planted at the trace path, and refuses one at the fault log', async () => {
    const dir = makeWorkDir();
    const victim = join(dir, 'victim.conf');
    writeFileSync(victim, 'keep me\n', { mode: 0o644 });
    symlinkSync(victim, join(dir, 'trace.parquet'));
    symlinkSync(victim, journalPathOf(join(dir, 'trace.parquet')));
    const mount = await startMount([], { dir });
    sh(`echo payload > ${mount.mnt}/f`);
    expect(await mount.stop()).toBe(0);
    expect(readFileSync(victim, 'utf8')).toBe('keep me\n');
    expect(lstatSync(mount.trace).isFile()).toBe(true);
    expect(mode(mount.trace)).toBe(0o600);
    expect((await readAllRows(mount.trace)).some((r) => r.op === 'write')).toBe(true);

    // The owner can still repair and read it.
    const recover = spawnSync(process.execPath, [CLI, 'recover', mount.trace], { encoding: 'utf8' });
    expect(recover.status, recover.stderr).toBe(0);

    const logDir = makeWorkDir();
    symlinkSync(victim, join(logDir, 'trace.parquet.faults.jsonl'));
    await expect(startMount(['--fault', 'op=read,path=x/**,errno=EIO'], { dir: logDir })).rejects.toThrow(
      /fault log .* is a symbolic link; refusing to follow it/,
    );
    expect(readFileSync(victim, 'utf8')).toBe('keep me\n');
  });
});
