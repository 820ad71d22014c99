import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import type { ControllerServer } from '../../csi/controller.js';
import type { NodeServer } from '../../csi/node.js';
import type { StateStore } from '../../csi/state-store.js';
import type { TraceUploader } from '../../csi/trace-uploader.js';
import type { Mounter } from '../../csi/types.js';
import { UsageError, UserError } from '../errors.js';
import { cliCommand, defineCommand, type CliCommand } from '../args/index.js';

export const summary = 'run the Kubernetes CSI driver (node plugin and/or StorageClass controller)';

const OPTIONS = 'Options';
const LOCAL = 'Local mode';
const KUBERNETES = 'Kubernetes mode';
const UPLOAD =
  'Trace upload (optional; credentials from the AWS SDK chain: AWS_ACCESS_KEY_ID/... or a profile)';
const CONTROLLER = 'Controller (kubernetes mode)';

/** "30s", "500ms", "2m" or a bare number of seconds, as milliseconds. */
const milliseconds = (text: string): number => {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!match) throw new Error(`expected a duration like 30s, 500ms or 2m, got "${text}"`);
  const unit = match[2] ?? 's';
  return Math.round(Number(match[1]) * (unit === 'ms' ? 1 : unit === 's' ? 1000 : 60_000));
};

/** A flag's value through its parser, or the default; a parse error is one usage line naming the flag. */
function flagValue<T>(flag: string, text: string | undefined, parse: (text: string) => T, fallback: T): T {
  if (text === undefined) return fallback;
  try {
    return parse(text);
  } catch (err) {
    throw new UsageError(`csi: ${flag}: ${(err as Error).message}`);
  }
}

const driverSpec = defineCommand({
  name: 'csi',
  summary,
  synopsis: '[--services node,controller] [--node-id NODE] [--mode kubernetes|local] [options]',
  description:
    'Serves the CSI Identity service plus the Node and/or Controller services on a unix socket.\n' +
    'Volumes come from an interposer StorageClass (parameters: backingStorageClass, overlay, trace;\n' +
    'the Controller creates a backing PVC of that class) or inline in a pod, as\n' +
    'csi: {driver: interposer.csi.example.com, volumeAttributes: {persistentVolumeClaimName: PVC}}.\n' +
    '`interposer csi check --help`: the cluster preflight.',
  positionals: [],
  options: {
    services: {
      kind: 'string',

      metavar: 'LIST',
      group: OPTIONS,
      help: 'node, controller or node,controller (default node)',
    },
    endpoint: {
      kind: 'string',
      metavar: 'URL',
      group: OPTIONS,
      help: 'unix socket (default unix:///csi/csi.sock; env CSI_ENDPOINT)',
    },
    'node-id': {
      kind: 'string',
      metavar: 'NAME',
      group: OPTIONS,
      help: "this node's name (env NODE_ID; required for the node service)",
    },
    mode: {
      kind: 'enum',
      choices: ['kubernetes', 'local'],
      default: 'kubernetes',
      group: OPTIONS,
      help: 'kubernetes: a sidecar pod per volume; local: a child process',
    },
    'kubelet-dir': {
      kind: 'string',
      metavar: 'DIR',
      default: '/var/lib/kubelet',
      group: OPTIONS,
      help: "kubelet's root (k0s: /var/lib/k0s/kubelet,\nmicrok8s: /var/snap/microk8s/common/var/lib/kubelet)",
    },
    'state-dir': {
      kind: 'string',
      metavar: 'DIR',
      group: OPTIONS,
      help: 'published-volume records (default <kubelet-dir>/plugins/interposer.csi.example.com/state)',
    },
    'mount-timeout': {
      kind: 'string',

      metavar: 'DUR',
      group: OPTIONS,
      help: 'how long to wait for a mount to appear (default 60s)',
    },
    'max-volumes': {
      kind: 'number',
      integer: true,
      min: 0,
      default: 0,
      group: OPTIONS,
      help: 'max_volumes_per_node reported to kubelet (0 = no limit)',
    },
    'trace-dir': {
      kind: 'string',
      metavar: 'DIR',
      default: '/var/lib/interposer/traces',
      group: LOCAL,
      help: 'trace root',
    },
    'base-dir': {
      kind: 'string',
      metavar: 'DIR',
      group: LOCAL,
      help: 'backing dirs for volumes without a backingDir attribute (created if missing)',
    },
    interposer: {
      kind: 'string',
      metavar: 'PATH',
      group: LOCAL,
      help: 'the interposer CLI script (default: the one running this command)',
    },
    image: {
      kind: 'string',
      metavar: 'IMAGE',
      group: KUBERNETES,
      help: 'interposer image for sidecar pods (env INTERPOSER_IMAGE)',
    },
    'image-pull-policy': {
      kind: 'enum',
      choices: ['IfNotPresent', 'Always', 'Never'],
      default: 'IfNotPresent',
      group: KUBERNETES,
      help: 'pull policy of sidecar pods',
    },
    'staging-dir': {
      kind: 'string',
      metavar: 'DIR',
      group: KUBERNETES,
      help: 'host dir for sidecar FUSE mounts (default <kubelet-dir>/plugins/interposer.csi.example.com/staging)',
    },
    'trace-host-path': {
      kind: 'string',
      metavar: 'DIR',
      group: KUBERNETES,
      help: 'trace root on the node (default /var/lib/interposer/traces)',
    },
    'trace-pvc': {
      kind: 'string',
      metavar: 'NAME',
      group: KUBERNETES,
      help: "or this PVC (in the sidecar's namespace)",
    },
    'no-trace': { kind: 'flag', group: KUBERNETES, help: 'do not record traces' },
    'sidecar-service-account': {
      kind: 'string',
      metavar: 'NAME',
      group: KUBERNETES,
      help: 'service account of sidecar pods',
    },
    'sidecar-requests': {
      kind: 'string',

      metavar: 'LIST',
      group: KUBERNETES,
      help: 'sidecar resource requests (default cpu=100m,memory=128Mi)',
    },
    'sidecar-limits': {
      kind: 'string',

      metavar: 'LIST',
      group: KUBERNETES,
      help: 'sidecar resource limits (default memory=1Gi)',
    },
    'pod-timeout': {
      kind: 'string',

      metavar: 'DUR',
      group: KUBERNETES,
      help: 'how long to wait for the sidecar to run (default 120s)',
    },
    kubeconfig: {
      kind: 'string',
      metavar: 'FILE',
      group: KUBERNETES,
      help: 'default: in-cluster config, then $KUBECONFIG / ~/.kube/config',
    },
    'trace-upload': {
      kind: 'string',
      metavar: 'URL',
      group: UPLOAD,
      help: 's3://bucket[/prefix]: ship finished traces there, keeping the hive layout as keys;\nkept on the node and retried while the bucket fails',
    },
    's3-endpoint': {
      kind: 'string',
      metavar: 'URL',
      group: UPLOAD,
      help: 'S3-compatible endpoint (MinIO, Ceph...; default AWS)',
    },
    's3-region': {
      kind: 'string',
      metavar: 'REGION',
      group: UPLOAD,
      help: 'default $AWS_REGION or us-east-1',
    },
    's3-path-style': {
      kind: 'flag',
      group: UPLOAD,
      help: 'path-style bucket addressing (most S3-compatible servers)',
    },
    'upload-interval': {
      kind: 'string',

      metavar: 'DUR',
      group: UPLOAD,
      help: 'how often to look for finished traces (default 30s)',
    },
    namespace: {
      kind: 'string',
      metavar: 'NS',
      group: CONTROLLER,
      help: 'where backing PVCs and their sidecars live (env POD_NAMESPACE,\ndefault interposer-system)',
    },
    'bind-timeout': {
      kind: 'string',

      metavar: 'DUR',
      group: CONTROLLER,
      help: 'how long CreateVolume waits for a backing PVC to bind when no node\nwas chosen yet (default 60s)',
    },
  },
  footer: 'Traces: <trace root>/node=<node>/namespace=<ns>/pod=<pod>/<volume>-<start time>.parquet.',
});

const PLUGIN_SUBDIR = 'plugins/interposer.csi.example.com';

/** "cpu=100m,memory=128Mi" -> {cpu: '100m', memory: '128Mi'}. */
export function parseResourceList(text: string): Record<string, string> {
  const list: Record<string, string> = {};
  for (const item of text.split(',').filter((s) => s.trim())) {
    const match = /^\s*([a-z][a-z0-9./-]*)=(\d+(?:\.\d+)?(?:m|[kMGTPE]i?)?)\s*$/.exec(item);
    if (!match) throw new Error(`expected name=quantity[,...] like cpu=100m,memory=128Mi, got "${item}"`);
    list[match[1]!] = match[2]!;
  }
  return list;
}

export function parseServices(text: string): { node: boolean; controller: boolean } {
  const names = text.split(',').map((s) => s.trim());
  const unknown = names.filter((n) => n !== 'node' && n !== 'controller');
  if (unknown.length > 0 || names.length === 0)
    throw new Error(`takes node, controller or node,controller, got "${text}"`);
  return { node: names.includes('node'), controller: names.includes('controller') };
}

const checkSpec = defineCommand({
  name: 'csi check',
  summary: 'check a cluster before installing or benchmarking the CSI driver',
  description:
    'Checks a cluster before installing or benchmarking: the API answers, the backing StorageClass\n' +
    "exists; with --installed also the driver's namespace, CSIDriver, node plugin, controller and the\n" +
    'interposer StorageClass (and that its binding mode suits its backing class). Prints one line per\n' +
    'check; exits 1 if any fails.',
  positionals: [],
  options: {
    'backing-class': { kind: 'string', metavar: 'NAME', help: 'the StorageClass the volumes stack over' },
    installed: { kind: 'flag', help: 'also check the installed driver and its StorageClass' },
    'storage-class': {
      kind: 'string',
      metavar: 'NAME',
      default: 'interposer-standard',
      help: 'the interposer StorageClass',
    },
    namespace: {
      kind: 'string',
      metavar: 'NS',
      default: 'interposer-system',
      help: "the driver's namespace",
    },
    kubeconfig: {
      kind: 'string',
      metavar: 'FILE',
      help: 'default: in-cluster config, then $KUBECONFIG / ~/.kube/config',
    },
  },
});

/** `interposer csi check`: the cluster preflight (see src/csi/cluster-check.ts). */
const checkCommand = cliCommand(checkSpec, async ({ options: v }) => {
  const kubeConfig = await loadKubeConfig(v.kubeconfig);
  const { checkCluster } = await import('../../csi/cluster-check.js');
  let results;
  try {
    results = await checkCluster({
      kubeConfig,
      ...(v['backing-class'] ? { backingClass: v['backing-class'] } : {}),
      ...(v.installed ? { installed: { namespace: v.namespace, storageClass: v['storage-class'] } } : {}),
    });
  } catch (err) {
    throw new UserError(`csi check: ${(err as Error).message}`);
  }
  for (const r of results)
    (r.ok ? console.log : console.error)(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name}: ${r.detail}`);
  return results.every((r) => r.ok) ? 0 : 1;
});

const driverCommand = cliCommand(driverSpec, async ({ options: v }) => {
  const services = flagValue('--services', v.services, parseServices, { node: true, controller: false });
  const endpoint = v.endpoint ?? process.env.CSI_ENDPOINT ?? 'unix:///csi/csi.sock';
  const nodeId = v['node-id'] ?? process.env.NODE_ID;
  if (services.node && !nodeId) throw new UsageError('csi: --node-id (or $NODE_ID) is required');
  if (services.controller && v.mode !== 'kubernetes')
    throw new UsageError('csi: the controller service needs --mode kubernetes (it creates backing PVCs)');
  const mountTimeoutMs = flagValue('--mount-timeout', v['mount-timeout'], milliseconds, 60_000);
  const bindTimeoutMs = flagValue('--bind-timeout', v['bind-timeout'], milliseconds, 60_000);
  const podTimeoutMs = flagValue('--pod-timeout', v['pod-timeout'], milliseconds, 120_000);
  const maxVolumes = v['max-volumes'];
  const sidecarResources = {
    requests: flagValue('--sidecar-requests', v['sidecar-requests'], parseResourceList, {
      cpu: '100m',
      memory: '128Mi',
    }),
    limits: flagValue('--sidecar-limits', v['sidecar-limits'], parseResourceList, { memory: '1Gi' }),
  };
  if (v['trace-host-path'] && v['trace-pvc'])
    throw new UsageError('csi: give --trace-host-path or --trace-pvc, not both');
  const image = v.image ?? process.env.INTERPOSER_IMAGE;
  if (services.node && v.mode === 'kubernetes' && !image)
    throw new UsageError('csi: --image (or $INTERPOSER_IMAGE) is required in kubernetes mode');
  const pluginDir = `${v['kubelet-dir'].replace(/\/+$/, '')}/${PLUGIN_SUBDIR}`;
  const stateDir = v['state-dir'] ?? `${pluginDir}/state`;
  const namespace = v.namespace ?? process.env.POD_NAMESPACE ?? 'interposer-system';
  const uploadIntervalMs = flagValue('--upload-interval', v['upload-interval'], milliseconds, 30_000);
  let uploadTarget: { bucket: string; prefix: string } | undefined;
  if (v['trace-upload']) {
    const { parseS3Url } = await import('../../csi/trace-uploader.js');
    try {
      uploadTarget = parseS3Url(v['trace-upload']);
    } catch (err) {
      throw new UsageError(`csi: --trace-upload: ${(err as Error).message}`);
    }
    if (!services.node) throw new UsageError('csi: --trace-upload runs with the node service');
    if (v.mode === 'kubernetes' && (v['trace-pvc'] || v['no-trace']))
      throw new UsageError('csi: --trace-upload ships traces from --trace-host-path');
  }

  // Loaded here, not at the top: `interposer --help` must not pay for gRPC, and local mode must
  // not pay for the Kubernetes client (several seconds to import on a busy node).
  const [{ IdentityServer }, { startCsiServer }, { DRIVER_NAME }] = await Promise.all([
    import('../../csi/identity.js'),
    import('../../csi/server.js'),
    import('../../csi/constants.js'),
  ]);
  const kubeConfig = v.mode === 'kubernetes' ? await loadKubeConfig(v.kubeconfig) : undefined;

  let node: NodeServer<object> | undefined;
  let uploader: TraceUploader | undefined;
  if (services.node) {
    const [{ StateStore }, { NodeServer: Node }] = await Promise.all([
      import('../../csi/state-store.js'),
      import('../../csi/node.js'),
    ]);
    let mounter: Mounter<object>;
    if (v.mode === 'local') {
      // Mounts run this very program (`interposer csi` was started as `node <script> csi`).
      const script = v.interposer ?? process.argv[1]!;
      const { LocalMounter } = await import('../../csi/local-mounter.js');
      mounter = new LocalMounter({
        nodeId: nodeId!,
        workDir: `${stateDir}/local`,
        traceDir: v['trace-dir'],
        ...(v['base-dir'] ? { baseDir: v['base-dir'] } : {}),
        command: [process.execPath, script],
        mountTimeoutMs,
        stopTimeoutMs: 30_000,
      });
    } else {
      const { KubeMounter } = await import('../../csi/kube-mounter.js');
      mounter = new KubeMounter({
        kubeConfig: kubeConfig!,
        nodeName: nodeId!,
        image: image!,
        imagePullPolicy: v['image-pull-policy'],
        stagingRoot: v['staging-dir'] ?? `${pluginDir}/staging`,
        trace: v['no-trace']
          ? { kind: 'none' }
          : v['trace-pvc']
            ? { kind: 'pvc', claimName: v['trace-pvc'] }
            : { kind: 'hostPath', path: v['trace-host-path'] ?? '/var/lib/interposer/traces' },
        ...(v['sidecar-service-account'] ? { sidecarServiceAccount: v['sidecar-service-account'] } : {}),
        sidecarResources,
        podRunningTimeoutMs: podTimeoutMs,
        mountTimeoutMs,
        podDeleteTimeoutMs: 60_000,
      });
    }
    if (uploadTarget) {
      const traceRoot =
        v.mode === 'local' ? v['trace-dir'] : (v['trace-host-path'] ?? '/var/lib/interposer/traces');
      uploader = await startUploader(uploadTarget, traceRoot, new StateStore<object>(stateDir), {
        intervalMs: uploadIntervalMs,
        ...(v['s3-endpoint'] ? { endpoint: v['s3-endpoint'] } : {}),
        region: v['s3-region'] ?? process.env.AWS_REGION ?? 'us-east-1',
        pathStyle: v['s3-path-style'] ?? false,
      });
    }
    node = new Node<object>({
      nodeId: nodeId!,
      mounter,
      state: new StateStore<object>(stateDir),
      maxVolumesPerNode: maxVolumes,
    });
  }

  let controller: ControllerServer | undefined;
  if (services.controller) {
    const [{ ControllerServer: Controller }, { KubeProvisioner }] = await Promise.all([
      import('../../csi/controller.js'),
      import('../../csi/kube-provisioner.js'),
    ]);
    controller = new Controller(new KubeProvisioner({ kubeConfig: kubeConfig!, namespace, bindTimeoutMs }));
  }

  const identity = new IdentityServer({ mode: v.mode, controller: services.controller });
  let server;
  try {
    server = await startCsiServer(endpoint, {
      identity,
      ...(node ? { node } : {}),
      ...(controller ? { controller } : {}),
    });
  } catch (err) {
    throw new UserError(`csi: cannot serve on ${endpoint}: ${(err as Error).message}`);
  }
  const what = [
    services.node ? `node ${nodeId}` : '',
    services.controller ? `controller in ${namespace}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  console.log(`interposer csi: ${DRIVER_NAME} (${v.mode} mode, ${what}) serving on ${server.socketPath}`);
  // Published volumes stay mounted across driver restarts; the state dir remembers them.
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await server.stop();
  await uploader?.stop();
  return 0;
});

/** The uploader over this node's trace root; traces of published volumes are still being written. */
async function startUploader(
  target: { bucket: string; prefix: string },
  root: string,
  state: StateStore<object>,
  s3: { endpoint?: string; region: string; pathStyle: boolean; intervalMs: number },
): Promise<TraceUploader> {
  const [{ S3Client }, { TraceUploader: Uploader }] = await Promise.all([
    import('@aws-sdk/client-s3'),
    import('../../csi/trace-uploader.js'),
  ]);
  const client = new S3Client({
    region: s3.region,
    forcePathStyle: s3.pathStyle,
    ...(s3.endpoint ? { endpoint: s3.endpoint } : {}),
    // Plain bodies: many S3-compatible servers do not understand aws-chunked trailing checksums.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const uploader = new Uploader({
    root,
    client,
    ...target,
    minAgeMs: 10_000,
    intervalMs: s3.intervalMs,
    log: (message) => console.error(`csi: ${message}`),
    activeTraces: async () => {
      const active = new Set<string>();
      for (const record of await state.list()) {
        const handle = record.handle as { tracePath?: string | null; traceFile?: string | null };
        if (handle.tracePath) active.add(handle.tracePath);
        if (handle.traceFile) active.add(join(root, handle.traceFile));
      }
      return active;
    },
  });
  uploader.start();
  return uploader;
}

async function loadKubeConfig(path: string | undefined): Promise<KubeConfig> {
  const { KubeConfig: Config } = await import('@kubernetes/client-node');
  const kubeConfig = new Config();
  try {
    if (path) kubeConfig.loadFromFile(path);
    else kubeConfig.loadFromDefault();
  } catch (err) {
    throw new UserError(`csi: cannot load Kubernetes config: ${(err as Error).message}`);
  }
  return kubeConfig;
}

/** `interposer csi` serves the driver; `interposer csi check` is the cluster preflight. */
export async function run(argv: readonly string[]): Promise<number> {
  return argv[0] === 'check' ? checkCommand.run(argv.slice(1)) : driverCommand.run(argv);
}

export const command: CliCommand = { spec: driverSpec, run };
