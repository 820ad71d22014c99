/** `interposer csi`: the Kubernetes CSI node plugin. */
import { fileURLToPath } from 'node:url';
import type { Mounter } from '../../csi/types.js';
import { UsageError, UserError } from '../errors.js';
import { cliCommand, defineCommand } from '../args/index.js';

const PLUGIN_DIR = '/var/lib/kubelet/plugins/interposer.csi.example.com';
const COMMON = 'Common';
const LOCAL = 'Local mode';
const KUBE = 'Kubernetes mode';

const spec = defineCommand({
  name: 'csi',
  summary: 'run the Kubernetes CSI node plugin (local or sidecar-pod volume stacking)',
  synopsis: '--node-id NODE [--mode kubernetes|local] [options]',
  description:
    'Serves the CSI Identity and Node services on a unix socket. Pods request an interposed volume\n' +
    'inline: csi: {driver: interposer.csi.example.com, volumeAttributes: {persistentVolumeClaimName: PVC}}.',
  positionals: [],
  options: {
    endpoint: {
      kind: 'string',
      metavar: 'URL',
      group: COMMON,
      help: 'unix socket (default: unix:///csi/csi.sock; env CSI_ENDPOINT)',
    },
    'node-id': { kind: 'string', metavar: 'NAME', group: COMMON, help: "this node's name (env NODE_ID)" },
    mode: {
      kind: 'enum',
      choices: ['kubernetes', 'local'],
      default: 'kubernetes',
      group: COMMON,
      help: 'kubernetes: a sidecar pod per volume; local: a child process',
    },
    'state-dir': {
      kind: 'path',
      pathKind: 'dir',
      role: 'output-dir',
      default: `${PLUGIN_DIR}/state`,
      group: COMMON,
      help: 'published-volume records',
    },
    'mount-timeout': {
      kind: 'duration',
      bareUnit: 's',
      positive: true,
      default: 60_000_000_000n,
      group: COMMON,
      help: 'how long to wait for a mount to appear (e.g. 30s, 500ms, 2m; bare = seconds)',
    },
    'max-volumes': {
      kind: 'number',
      integer: true,
      min: 0,
      default: 0,
      group: COMMON,
      help: 'max_volumes_per_node reported to kubelet (0 = no limit)',
    },
    'trace-dir': {
      kind: 'path',
      pathKind: 'dir',
      role: 'output-dir',
      default: '/var/lib/interposer/traces',
      group: LOCAL,
      help: 'where traces go',
    },
    'base-dir': {
      kind: 'path',
      pathKind: 'dir',
      role: 'output-dir',
      group: LOCAL,
      help: 'backing dirs for volumes without a backingDir attribute',
    },
    interposer: {
      kind: 'path',
      pathKind: 'file',
      role: 'input',
      group: LOCAL,
      help: 'the interposer CLI script (default: the one running this command)',
    },
    image: { kind: 'string', group: KUBE, help: 'interposer image for sidecar pods (env INTERPOSER_IMAGE)' },
    'image-pull-policy': {
      kind: 'enum',
      choices: ['IfNotPresent', 'Always', 'Never'],
      default: 'IfNotPresent',
      metavar: 'P',
      group: KUBE,
      help: 'pull policy of sidecar pods',
    },
    'staging-dir': {
      kind: 'string',
      metavar: 'DIR',
      default: `${PLUGIN_DIR}/staging`,
      group: KUBE,
      help: 'host dir for sidecar FUSE mounts',
    },
    'trace-host-path': {
      kind: 'string',
      metavar: 'DIR',
      group: KUBE,
      help: 'write traces to this host directory on the node (default: /var/lib/interposer/traces)',
    },
    'trace-pvc': {
      kind: 'string',
      metavar: 'NAME',
      group: KUBE,
      help: "or to this PVC (in the target pod's namespace)",
    },
    'no-trace': { kind: 'flag', group: KUBE, help: 'do not record traces' },
    'sidecar-service-account': {
      kind: 'string',
      metavar: 'NAME',
      group: KUBE,
      help: 'service account of sidecar pods',
    },
    'pod-timeout': {
      kind: 'duration',
      bareUnit: 's',
      positive: true,
      default: 120_000_000_000n,
      group: KUBE,
      help: 'how long to wait for the sidecar to run',
    },
    kubeconfig: {
      kind: 'path',
      pathKind: 'file',
      role: 'input',
      group: KUBE,
      help: 'default: in-cluster config, then $KUBECONFIG / ~/.kube/config',
    },
  },
});

export const summary = spec.summary;

/** Whole milliseconds of a parsed duration (timeouts are kept in ms). */
function toMs(ns: bigint): number {
  return Number(ns / 1_000_000n);
}

export const command = cliCommand(spec, async ({ options: v }) => {
  const endpoint = v.endpoint ?? process.env.CSI_ENDPOINT ?? 'unix:///csi/csi.sock';
  const nodeId = v['node-id'] ?? process.env.NODE_ID;
  if (!nodeId) throw new UsageError('--node-id (or $NODE_ID) is required');
  const mountTimeoutMs = toMs(v['mount-timeout']);
  const maxVolumes = v['max-volumes'];

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
    if (!image) throw new UsageError('--image (or $INTERPOSER_IMAGE) is required in kubernetes mode');
    if (v['trace-host-path'] && v['trace-pvc'])
      throw new UsageError('give --trace-host-path or --trace-pvc, not both');
    const [{ KubeConfig }, { KubeMounter }] = await Promise.all([
      import('@kubernetes/client-node'),
      import('../../csi/kube-mounter.js'),
    ]);
    const kubeConfig = new KubeConfig();
    try {
      if (v.kubeconfig) kubeConfig.loadFromFile(v.kubeconfig);
      else kubeConfig.loadFromDefault();
    } catch (err) {
      throw new UserError(`cannot load Kubernetes config: ${(err as Error).message}`);
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
      podRunningTimeoutMs: toMs(v['pod-timeout']),
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
    throw new UserError(`cannot serve on ${endpoint}: ${(err as Error).message}`);
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
});

export const run = command.run;
