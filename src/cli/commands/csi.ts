import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { KubeConfig } from '@kubernetes/client-node';
import type { ControllerServer } from '../../csi/controller.js';
import type { NodeServer } from '../../csi/node.js';
import type { StateStore } from '../../csi/state-store.js';
import type { TraceUploader } from '../../csi/trace-uploader.js';
import type { Mounter } from '../../csi/types.js';
import { UsageError, UserError } from '../errors.js';
import { defineCommand, type CliCommand } from '../args/index.js';

export const summary = 'run the Kubernetes CSI driver (node plugin and/or StorageClass controller)';

const HELP = `usage: interposer csi [--services node,controller] [--node-id NODE] [--mode kubernetes|local] [options]
       interposer csi check [options]      cluster preflight (interposer csi check --help)

Serves the CSI Identity service plus the Node and/or Controller services on a unix socket.
Volumes come from an interposer StorageClass (parameters: backingStorageClass, overlay, trace;
the Controller creates a backing PVC of that class) or inline in a pod:
csi: {driver: interposer.csi.example.com, volumeAttributes: {persistentVolumeClaimName: PVC}}.

common:
  --services LIST         node, controller or node,controller (default node)
  --endpoint URL          unix socket (default unix:///csi/csi.sock; env CSI_ENDPOINT)
  --node-id NAME          this node's name (env NODE_ID; required for the node service)
  --mode MODE             kubernetes (sidecar pod per volume, default) or local (child process)
  --kubelet-dir DIR       kubelet's root (default /var/lib/kubelet; k0s: /var/lib/k0s/kubelet,
                          microk8s: /var/snap/microk8s/common/var/lib/kubelet)
  --state-dir DIR         published-volume records (default <kubelet-dir>/plugins/interposer.csi.example.com/state)
  --mount-timeout DUR     how long to wait for a mount to appear (default 60s)
  --max-volumes N         max_volumes_per_node reported to kubelet (default 0 = no limit)

local mode:
  --trace-dir DIR         trace root (default /var/lib/interposer/traces)
  --base-dir DIR          backing dirs for volumes without a backingDir attribute
  --interposer PATH       the interposer CLI script (default: the one running this command)

kubernetes mode:
  --image IMAGE           interposer image for sidecar pods (env INTERPOSER_IMAGE)
  --image-pull-policy P   default IfNotPresent
  --staging-dir DIR       host dir for sidecar FUSE mounts (default <kubelet-dir>/plugins/interposer.csi.example.com/staging)
  --trace-host-path DIR   trace root on the node (default /var/lib/interposer/traces)
  --trace-pvc NAME        or this PVC (in the sidecar's namespace)
  --no-trace              do not record traces
  --sidecar-service-account NAME
  --sidecar-requests LIST sidecar resource requests (default cpu=100m,memory=128Mi)
  --sidecar-limits LIST   sidecar resource limits (default memory=1Gi)
  --pod-timeout DUR       how long to wait for the sidecar to run (default 120s)
  --kubeconfig FILE       default: in-cluster config, then $KUBECONFIG / ~/.kube/config

trace upload (optional; credentials from the AWS SDK chain: AWS_ACCESS_KEY_ID/... or a profile):
  --trace-upload URL      s3://bucket[/prefix]: ship finished traces there, keeping the hive
                          layout as keys; kept on the node and retried while the bucket fails
  --s3-endpoint URL       S3-compatible endpoint (MinIO, Ceph...; default AWS)
  --s3-region REGION      default $AWS_REGION or us-east-1
  --s3-path-style         path-style bucket addressing (most S3-compatible servers)
  --upload-interval DUR   how often to look for finished traces (default 30s)

controller (kubernetes mode):
  --namespace NS          where backing PVCs and their sidecars live (env POD_NAMESPACE,
                          default interposer-system)
  --bind-timeout DUR      how long CreateVolume waits for a backing PVC to bind when no node
                          was chosen yet (default 60s)

Traces: <trace root>/node=<node>/namespace=<ns>/pod=<pod>/<volume>-<start time>.parquet.
`;

const PLUGIN_SUBDIR = 'plugins/interposer.csi.example.com';

/** "cpu=100m,memory=128Mi" -> {cpu: '100m', memory: '128Mi'}. */
export function parseResourceList(text: string, flag: string): Record<string, string> {
  const list: Record<string, string> = {};
  for (const item of text.split(',').filter((s) => s.trim())) {
    const match = /^\s*([a-z][a-z0-9./-]*)=(\d+(?:\.\d+)?(?:m|[kMGTPE]i?)?)\s*$/.exec(item);
    if (!match)
      throw new UsageError(`${flag}: expected name=quantity[,...] like cpu=100m,memory=128Mi, got "${item}"`);
    list[match[1]!] = match[2]!;
  }
  return list;
}

export function parseServices(text: string): { node: boolean; controller: boolean } {
  const names = text.split(',').map((s) => s.trim());
  const unknown = names.filter((n) => n !== 'node' && n !== 'controller');
  if (unknown.length > 0 || names.length === 0)
    throw new UsageError(`csi: --services takes node, controller or node,controller, got "${text}"`);
  return { node: names.includes('node'), controller: names.includes('controller') };
}

/** "30s", "500ms", "2m" or a bare number of seconds. */
export function parseDurationMs(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!match) throw new UsageError(`${flag}: expected a duration like 30s, 500ms or 2m, got "${text}"`);
  const value = Number(match[1]);
  const unit = match[2] ?? 's';
  return Math.round(value * (unit === 'ms' ? 1 : unit === 's' ? 1000 : 60_000));
}

const CHECK_HELP = `usage: interposer csi check [--backing-class NAME] [--installed] [--storage-class NAME] [--namespace NS] [--kubeconfig FILE]

Checks a cluster before installing or benchmarking: the API answers, the backing StorageClass
exists; with --installed also the driver's namespace, CSIDriver, node plugin, controller and the
interposer StorageClass (and that its binding mode suits its backing class). Prints one line per
check; exits 1 if any fails.`;

/** `interposer csi check`: the cluster preflight (see src/csi/cluster-check.ts). */
async function runCheck(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        help: { type: 'boolean', short: 'h' },
        'backing-class': { type: 'string' },
        installed: { type: 'boolean' },
        'storage-class': { type: 'string', default: 'interposer-standard' },
        namespace: { type: 'string', default: 'interposer-system' },
        kubeconfig: { type: 'string' },
      },
      allowPositionals: false,
    });
  } catch (err) {
    throw new UsageError(`csi check: ${(err as Error).message}`);
  }
  const v = parsed.values;
  if (v.help) {
    console.log(CHECK_HELP);
    return 0;
  }
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
}

export async function run(argv: string[]): Promise<number> {
  if (argv[0] === 'check') return runCheck(argv.slice(1));
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        help: { type: 'boolean', short: 'h' },
        services: { type: 'string', default: 'node' },
        endpoint: { type: 'string' },
        'node-id': { type: 'string' },
        mode: { type: 'string', default: 'kubernetes' },
        'kubelet-dir': { type: 'string', default: '/var/lib/kubelet' },
        'state-dir': { type: 'string' },
        'mount-timeout': { type: 'string', default: '60s' },
        'max-volumes': { type: 'string', default: '0' },
        'trace-dir': { type: 'string', default: '/var/lib/interposer/traces' },
        'base-dir': { type: 'string' },
        interposer: { type: 'string' },
        image: { type: 'string' },
        'image-pull-policy': { type: 'string', default: 'IfNotPresent' },
        'staging-dir': { type: 'string' },
        'trace-host-path': { type: 'string' },
        'trace-pvc': { type: 'string' },
        'no-trace': { type: 'boolean' },
        'sidecar-service-account': { type: 'string' },
        'sidecar-requests': { type: 'string', default: 'cpu=100m,memory=128Mi' },
        'sidecar-limits': { type: 'string', default: 'memory=1Gi' },
        'pod-timeout': { type: 'string', default: '120s' },
        kubeconfig: { type: 'string' },
        namespace: { type: 'string' },
        'bind-timeout': { type: 'string', default: '60s' },
        'trace-upload': { type: 'string' },
        's3-endpoint': { type: 'string' },
        's3-region': { type: 'string' },
        's3-path-style': { type: 'boolean' },
        'upload-interval': { type: 'string', default: '30s' },
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
  const services = parseServices(v.services);
  const endpoint = v.endpoint ?? process.env.CSI_ENDPOINT ?? 'unix:///csi/csi.sock';
  const nodeId = v['node-id'] ?? process.env.NODE_ID;
  if (services.node && !nodeId) throw new UsageError('csi: --node-id (or $NODE_ID) is required');
  if (v.mode !== 'kubernetes' && v.mode !== 'local') {
    throw new UsageError(`csi: --mode must be kubernetes or local, got "${v.mode}"`);
  }
  if (services.controller && v.mode !== 'kubernetes')
    throw new UsageError('csi: the controller service needs --mode kubernetes (it creates backing PVCs)');
  const mountTimeoutMs = parseDurationMs(v['mount-timeout'], '--mount-timeout');
  const bindTimeoutMs = parseDurationMs(v['bind-timeout'], '--bind-timeout');
  const podTimeoutMs = parseDurationMs(v['pod-timeout'], '--pod-timeout');
  const maxVolumes = Number(v['max-volumes']);
  if (!Number.isInteger(maxVolumes) || maxVolumes < 0)
    throw new UsageError('csi: --max-volumes must be a whole number');
  const sidecarResources = {
    requests: parseResourceList(v['sidecar-requests'], '--sidecar-requests'),
    limits: parseResourceList(v['sidecar-limits'], '--sidecar-limits'),
  };
  if (v['trace-host-path'] && v['trace-pvc'])
    throw new UsageError('csi: give --trace-host-path or --trace-pvc, not both');
  const image = v.image ?? process.env.INTERPOSER_IMAGE;
  if (services.node && v.mode === 'kubernetes' && !image)
    throw new UsageError('csi: --image (or $INTERPOSER_IMAGE) is required in kubernetes mode');
  const pluginDir = `${v['kubelet-dir'].replace(/\/+$/, '')}/${PLUGIN_SUBDIR}`;
  const stateDir = v['state-dir'] ?? `${pluginDir}/state`;
  const namespace = v.namespace ?? process.env.POD_NAMESPACE ?? 'interposer-system';
  const uploadIntervalMs = parseDurationMs(v['upload-interval'], '--upload-interval');
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
      const script = v.interposer ?? fileURLToPath(new URL('../interposer.js', import.meta.url));
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
}

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

/**
 * The command table's entry. `interposer csi` keeps its own parser (two sub-forms: the driver and
 * `csi check`); the spec carries the full usage text for `interposer help csi`.
 */
export const command: CliCommand = {
  spec: defineCommand({
    name: 'csi',
    summary,
    synopsis:
      '[--services node,controller] [--node-id NODE] [--mode kubernetes|local] [options] | check [options]',
    description: HELP.split('\n').slice(2).join('\n').trimEnd(),
    positionals: [],
    options: {},
  }),
  run: (argv) => run([...argv]),
};
