import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Mounter } from '../../csi/types.js';
import { UsageError, UserError } from '../errors.js';

export const summary = 'run the Kubernetes CSI node plugin (local or sidecar-pod volume stacking)';

const HELP = `usage: interposer csi --node-id NODE [--mode kubernetes|local] [options]

Serves the CSI Identity and Node services on a unix socket. Pods request an interposed volume
inline: csi: {driver: interposer.csi.example.com, volumeAttributes: {persistentVolumeClaimName: PVC}}.

common:
  --endpoint URL          unix socket (default unix:///csi/csi.sock; env CSI_ENDPOINT)
  --node-id NAME          this node's name (env NODE_ID)
  --mode MODE             kubernetes (sidecar pod per volume, default) or local (child process)
  --state-dir DIR         published-volume records (default /var/lib/kubelet/plugins/interposer.csi.example.com/state)
  --mount-timeout DUR     how long to wait for a mount to appear (default 60s)
  --max-volumes N         max_volumes_per_node reported to kubelet (default 0 = no limit)

local mode:
  --trace-dir DIR         where traces go (default /var/lib/interposer/traces)
  --base-dir DIR          backing dirs for volumes without a backingDir attribute
  --interposer PATH       the interposer CLI script (default: the one running this command)

kubernetes mode:
  --image IMAGE           interposer image for sidecar pods (env INTERPOSER_IMAGE)
  --image-pull-policy P   default IfNotPresent
  --staging-dir DIR       host dir for sidecar FUSE mounts (default /var/lib/kubelet/plugins/interposer.csi.example.com/staging)
  --trace-host-path DIR   write traces to this host directory on the node (default /var/lib/interposer/traces)
  --trace-pvc NAME        or to this PVC (in the target pod's namespace)
  --no-trace              do not record traces
  --sidecar-service-account NAME
  --pod-timeout DUR       how long to wait for the sidecar to run (default 120s)
  --kubeconfig FILE       default: in-cluster config, then $KUBECONFIG / ~/.kube/config
`;

const PLUGIN_DIR = '/var/lib/kubelet/plugins/interposer.csi.example.com';

/** "30s", "500ms", "2m" or a bare number of seconds. */
export function parseDurationMs(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!match) throw new UsageError(`${flag}: expected a duration like 30s, 500ms or 2m, got "${text}"`);
  const value = Number(match[1]);
  const unit = match[2] ?? 's';
  return Math.round(value * (unit === 'ms' ? 1 : unit === 's' ? 1000 : 60_000));
}

export async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        help: { type: 'boolean', short: 'h' },
        endpoint: { type: 'string' },
        'node-id': { type: 'string' },
        mode: { type: 'string', default: 'kubernetes' },
        'state-dir': { type: 'string', default: `${PLUGIN_DIR}/state` },
        'mount-timeout': { type: 'string', default: '60s' },
        'max-volumes': { type: 'string', default: '0' },
        'trace-dir': { type: 'string', default: '/var/lib/interposer/traces' },
        'base-dir': { type: 'string' },
        interposer: { type: 'string' },
        image: { type: 'string' },
        'image-pull-policy': { type: 'string', default: 'IfNotPresent' },
        'staging-dir': { type: 'string', default: `${PLUGIN_DIR}/staging` },
        'trace-host-path': { type: 'string' },
        'trace-pvc': { type: 'string' },
        'no-trace': { type: 'boolean' },
        'sidecar-service-account': { type: 'string' },
        'pod-timeout': { type: 'string', default: '120s' },
        kubeconfig: { type: 'string' },
      },
      allowPositionals: false,
    });
  } catch (err) {
    throw new UsageError(`csi: ${(err as Error).message}`);
  }
  const v = parsed.values;
  if (v.help) {
    console.log(HELP);
    return 0;
  }
  const endpoint = v.endpoint ?? process.env.CSI_ENDPOINT ?? 'unix:///csi/csi.sock';
  const nodeId = v['node-id'] ?? process.env.NODE_ID;
  if (!nodeId) throw new UsageError('csi: --node-id (or $NODE_ID) is required');
  if (v.mode !== 'kubernetes' && v.mode !== 'local') {
    throw new UsageError(`csi: --mode must be kubernetes or local, got "${v.mode}"`);
  }
  const mountTimeoutMs = parseDurationMs(v['mount-timeout'], '--mount-timeout');
  const maxVolumes = Number(v['max-volumes']);
  if (!Number.isInteger(maxVolumes) || maxVolumes < 0)
    throw new UsageError('csi: --max-volumes must be a whole number');

  // Loaded here, not at the top: `interposer --help` must not pay for gRPC, and local mode must
  // not pay for the Kubernetes client (several seconds to import on a busy node).
  const [{ StateStore }, { NodeServer }, { IdentityServer }, { startCsiServer }, { DRIVER_NAME }] =
    await Promise.all([
      import('../../csi/state-store.js'),
      import('../../csi/node.js'),
      import('../../csi/identity.js'),
      import('../../csi/server.js'),
      import('../../csi/constants.js'),
    ]);
  const state = new StateStore<object>(v['state-dir']);
  let mounter: Mounter<object>;
  if (v.mode === 'local') {
    const script = v.interposer ?? fileURLToPath(new URL('../interposer.js', import.meta.url));
    const { LocalMounter } = await import('../../csi/local-mounter.js');
    mounter = new LocalMounter({
      workDir: `${v['state-dir']}/local`,
      traceDir: v['trace-dir'],
      ...(v['base-dir'] ? { baseDir: v['base-dir'] } : {}),
      command: [process.execPath, script],
      mountTimeoutMs,
      stopTimeoutMs: 30_000,
    });
  } else {
    const image = v.image ?? process.env.INTERPOSER_IMAGE;
    if (!image) throw new UsageError('csi: --image (or $INTERPOSER_IMAGE) is required in kubernetes mode');
    if (v['trace-host-path'] && v['trace-pvc'])
      throw new UsageError('csi: give --trace-host-path or --trace-pvc, not both');
    const [{ KubeConfig }, { KubeMounter }] = await Promise.all([
      import('@kubernetes/client-node'),
      import('../../csi/kube-mounter.js'),
    ]);
    const kubeConfig = new KubeConfig();
    try {
      if (v.kubeconfig) kubeConfig.loadFromFile(v.kubeconfig);
      else kubeConfig.loadFromDefault();
    } catch (err) {
      throw new UserError(`csi: cannot load Kubernetes config: ${(err as Error).message}`);
    }
    mounter = new KubeMounter({
      kubeConfig,
      nodeName: nodeId,
      image,
      imagePullPolicy: v['image-pull-policy'],
      stagingRoot: v['staging-dir'],
      trace: v['no-trace']
        ? { kind: 'none' }
        : v['trace-pvc']
          ? { kind: 'pvc', claimName: v['trace-pvc'] }
          : { kind: 'hostPath', path: v['trace-host-path'] ?? '/var/lib/interposer/traces' },
      ...(v['sidecar-service-account'] ? { sidecarServiceAccount: v['sidecar-service-account'] } : {}),
      podRunningTimeoutMs: parseDurationMs(v['pod-timeout'], '--pod-timeout'),
      mountTimeoutMs,
      podDeleteTimeoutMs: 60_000,
    });
  }
  const node = new NodeServer<object>({
    nodeId,
    mounter,
    state,
    maxVolumesPerNode: maxVolumes,
  });
  const identity = new IdentityServer({ mode: v.mode });
  let server;
  try {
    server = await startCsiServer(endpoint, identity, node);
  } catch (err) {
    throw new UserError(`csi: cannot serve on ${endpoint}: ${(err as Error).message}`);
  }
  console.log(
    `interposer csi: ${DRIVER_NAME} (${v.mode} mode, node ${nodeId}) serving on ${server.socketPath}`,
  );
  // Published volumes stay mounted across driver restarts; the state dir remembers them.
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await server.stop();
  return 0;
}
