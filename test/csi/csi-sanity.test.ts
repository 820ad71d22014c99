/**
 * The Kubernetes CSI conformance suite (csi-sanity v5.3.1) against the driver: Controller and
 * Node services of the built CLI in Kubernetes mode, the Kubernetes API served by the fake API
 * server and sidecar pods run by a process kubelet as real FUSE mounts. Every spec must pass;
 * the junit report is kept in test-results/csi-sanity/ (git-ignored).
 *
 * csi-sanity comes from ../shared/tools/csi-sanity relative to the repository (CSI_SANITY
 * overrides). A missing tool fails the test: CI must not pass without conformance.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir } from './harness.js';
import { builtCliMissing, startFakeCluster, type FakeCluster } from './fake-cluster.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const CSI_SANITY = process.env.CSI_SANITY ?? join(REPO, '..', 'shared', 'tools', 'csi-sanity');
const REPORT_DIR = join(REPO, 'test-results', 'csi-sanity');

let cluster: FakeCluster | undefined;
let dir: string | undefined;

afterAll(async () => {
  await cluster?.teardown();
  if (dir) await removeDir(dir);
});

interface SanityResult {
  code: number;
  output: string;
}

function runSanity(args: string[]): Promise<SanityResult> {
  return new Promise((resolve) => {
    execFile(
      CSI_SANITY,
      args,
      { timeout: 15 * 60_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: number }).code ?? 1) : 0;
        resolve({ code: typeof code === 'number' ? code : 1, output: `${stdout}\n${stderr}` });
      },
    );
  });
}

/** Suite totals and spec names by outcome, from the junit report (ginkgo sets status= per spec). */
function summarize(junit: string): {
  failures: number;
  errors: number;
  failed: string[];
  passed: string[];
} {
  const suite = /<testsuite\b[^>]*>/.exec(junit)?.[0] ?? '';
  const attr = (name: string) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(suite)?.[1] ?? NaN);
  const cases = [...junit.matchAll(/<testcase\b[^>]*\bname="([^"]*)"[^>]*\bstatus="(\w+)"/g)].map((m) => ({
    name: m[1]!,
    status: m[2]!,
  }));
  const named = (keep: (status: string) => boolean) => cases.filter((c) => keep(c.status)).map((c) => c.name);
  return {
    failures: attr('failures'),
    errors: attr('errors'),
    failed: named((s) => s !== 'passed' && s !== 'skipped' && s !== 'pending'),
    passed: named((s) => s === 'passed'),
  };
}

describe('csi-sanity conformance', () => {
  it(
    'passes every spec against the controller and node services',
    async () => {
      expect(existsSync(CSI_SANITY), `csi-sanity not found at ${CSI_SANITY} (set CSI_SANITY)`).toBe(true);
      const notBuilt = builtCliMissing();
      expect(notBuilt, notBuilt).toBeUndefined();

      dir = await mkdtemp(join(tmpdir(), 'csi-sanity-'));
      cluster = await startFakeCluster(dir, 'sanity-node');
      await cluster.startDriver();
      await mkdir(REPORT_DIR, { recursive: true });
      const junitFile = join(REPORT_DIR, 'junit.xml');
      const result = await runSanity([
        `--csi.endpoint=unix://${cluster.socketPath}`,
        `--csi.mountdir=${join(dir, 'sanity-mount')}`,
        `--csi.stagingdir=${join(dir, 'sanity-staging')}`,
        `--csi.junitfile=${junitFile}`,
        '--csi.testvolumesize=1048576',
        '--ginkgo.no-color',
      ]);
      const summary = summarize(await readFile(junitFile, 'utf8').catch(() => ''));
      const context = `csi-sanity exit ${result.code}; failed: ${summary.failed.join(' | ') || 'none'}\n${result.output.slice(-6000)}\ndriver:\n${cluster.driverOutput().slice(-3000)}`;
      expect(summary.failures + summary.errors, context).toBe(0);
      expect(summary.failed, context).toEqual([]);
      expect(result.code, context).toBe(0);
      // The Controller and Node specs ran (the skipped ones need capabilities the driver does not
      // claim: snapshots, expansion, ControllerPublish, ListVolumes, staging).
      for (const spec of [
        'Node Service should work',
        'Node Service should be idempotent',
        'Node Service NodeGetVolumeStats should fail when volume does not exist on the specified path',
        'CreateVolume should fail when requesting to create a volume with already existing name and different capacity',
        'CreateVolume should not fail when creating volume with maximum-length name',
        'DeleteVolume should return appropriate values (no optional values added)',
        'ValidateVolumeCapabilities should fail when the requested volume does not exist',
      ]) {
        expect(
          summary.passed.some((name) => name.includes(spec)),
          `${spec} did not pass: ${context}`,
        ).toBe(true);
      }
      expect(summary.passed.length, context).toBeGreaterThanOrEqual(32);
    },
    20 * 60_000,
  );
});
