/**
 * Preflight for a cluster before the benchmark (or any install): each check reads one object and
 * turns what is missing or wrong into one sentence saying what to do, so a misconfigured cluster
 * fails in seconds instead of leaving PVCs Pending forever.
 */
import { ApiException, AppsV1Api, CoreV1Api, KubeConfig, StorageV1Api } from '@kubernetes/client-node';
import { DRIVER_NAME, STORAGE_CLASS_PARAMETERS } from './constants.js';

export interface ClusterCheckOptions {
  kubeConfig: KubeConfig;
  /** The backing class the interposer StorageClass stacks on (must exist). */
  backingClass?: string;
  /** Also check the installed driver: namespace, CSIDriver, node plugin, controller, this class. */
  installed?: { namespace: string; storageClass: string };
}

export interface CheckResult {
  ok: boolean;
  name: string;
  detail: string;
}

const codeOf = (err: unknown): number | undefined => (err instanceof ApiException ? err.code : undefined);

/** Reads an object; undefined on 404, a clear Error otherwise (unreachable API, forbidden...). */
async function read<T>(what: string, server: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    const code = codeOf(err);
    if (code === 404) return undefined;
    if (code === 401 || code === 403)
      throw new Error(`${what}: the API server at ${server} refused our credentials (${code})`);
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as { code?: string }).code;
    throw new Error(
      `${what}: cannot reach the Kubernetes API at ${server}${cause ? ` (${cause})` : ''}: ${(err as Error).message.split('\n')[0]}`,
    );
  }
}

export async function checkCluster(options: ClusterCheckOptions): Promise<CheckResult[]> {
  const kc = options.kubeConfig;
  const server = kc.getCurrentCluster()?.server ?? '(no current cluster in kubeconfig)';
  const core = kc.makeApiClient(CoreV1Api);
  const storage = kc.makeApiClient(StorageV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const results: CheckResult[] = [];
  const add = (ok: boolean, name: string, detail: string) => results.push({ ok, name, detail });

  const classOf = (name: string) =>
    read(`StorageClass ${name}`, server, () => storage.readStorageClass({ name }));

  if (options.backingClass) {
    const backing = await classOf(options.backingClass);
    add(
      backing !== undefined,
      `backing StorageClass ${options.backingClass}`,
      backing
        ? `provisioner ${backing.provisioner}, ${backing.volumeBindingMode ?? 'Immediate'}`
        : `not found: create it, or run with BACKING_CLASS set to one of \`kubectl get storageclass\``,
    );
  }
  const installed = options.installed;
  if (!installed) return results;

  const ns = await read(`namespace ${installed.namespace}`, server, () =>
    core.readNamespace({ name: installed.namespace }),
  );
  add(
    ns !== undefined,
    `namespace ${installed.namespace}`,
    ns ? 'exists' : 'not found: run deploy/install.sh',
  );
  const driver = await read('CSIDriver', server, () => storage.readCSIDriver({ name: DRIVER_NAME }));
  add(
    driver !== undefined,
    `CSIDriver ${DRIVER_NAME}`,
    driver ? 'registered' : 'not found: run deploy/install.sh',
  );

  const sc = await classOf(installed.storageClass);
  if (!sc) {
    add(
      false,
      `StorageClass ${installed.storageClass}`,
      'not found: kubectl apply -f deploy/storageclass.yaml',
    );
  } else if (sc.provisioner !== DRIVER_NAME) {
    add(
      false,
      `StorageClass ${installed.storageClass}`,
      `provisioner is ${sc.provisioner}, not ${DRIVER_NAME}`,
    );
  } else {
    const backingName = sc.parameters?.[STORAGE_CLASS_PARAMETERS.backingStorageClass];
    const backing = backingName ? await classOf(backingName) : undefined;
    if (backingName && !backing) {
      add(
        false,
        `StorageClass ${installed.storageClass}`,
        `its backingStorageClass ${backingName} does not exist`,
      );
    } else if (
      backing?.volumeBindingMode === 'WaitForFirstConsumer' &&
      sc.volumeBindingMode !== 'WaitForFirstConsumer'
    ) {
      add(
        false,
        `StorageClass ${installed.storageClass}`,
        `backing class ${backingName} is WaitForFirstConsumer: give ${installed.storageClass} volumeBindingMode: WaitForFirstConsumer too, or its PVCs never bind`,
      );
    } else {
      add(true, `StorageClass ${installed.storageClass}`, `over ${backingName ?? 'the default class'}`);
    }
  }

  const ds = await read('node plugin', server, () =>
    apps.readNamespacedDaemonSet({ name: 'interposer-csi-node', namespace: installed.namespace }),
  );
  const ready = ds?.status?.numberReady ?? 0;
  add(
    ready > 0,
    'node plugin (DaemonSet interposer-csi-node)',
    ds
      ? `${ready}/${ds.status?.desiredNumberScheduled ?? 0} ready${ready > 0 ? '' : ': kubectl -n interposer-system describe ds interposer-csi-node'}`
      : 'not found: run deploy/install.sh',
  );
  const controller = await read('controller', server, () =>
    apps.readNamespacedDeployment({ name: 'interposer-csi-controller', namespace: installed.namespace }),
  );
  const available = controller?.status?.availableReplicas ?? 0;
  add(
    available > 0,
    'controller (Deployment interposer-csi-controller)',
    controller
      ? `${available} available${available > 0 ? '' : ': kubectl -n interposer-system describe deploy interposer-csi-controller'}`
      : 'not found: run deploy/install.sh',
  );
  return results;
}
