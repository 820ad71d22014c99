/**
 * Every YAML document under deploy/ is parsed and validated: against the Kubernetes OpenAPI
 * schema of its kind (kubernetes-models' validators), then for the cross-references the schema
 * cannot see (mounts name declared volumes, bindings name declared roles and accounts, the CSI
 * volumes name this driver and an existing PVC...).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { V1Container, V1PodSpec } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { DRIVER_NAME, VOLUME_ATTRIBUTES } from '../../src/csi/constants.js';

const DEPLOY = fileURLToPath(new URL('../../deploy', import.meta.url));

interface Manifest {
  file: string;
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  [key: string]: unknown;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

function loadManifests(): Manifest[] {
  return yamlFiles(DEPLOY).flatMap((path) => {
    const docs = parseAllDocuments(readFileSync(path, 'utf8'));
    if (!Array.isArray(docs)) throw new Error(`${path}: not YAML documents`);
    return docs.map((doc, i) => {
      if (doc.errors.length > 0) throw new Error(`${path} document ${i}: ${doc.errors[0]!.message}`);
      return { ...(doc.toJS() as Manifest), file: `${relative(DEPLOY, path)}#${i}` };
    });
  });
}

const manifests = loadManifests();
const ofKind = (kind: string) => manifests.filter((m) => m.kind === kind);

/** The pod spec inside a Pod, DaemonSet, Deployment or Job. */
function podSpecOf(m: Manifest): { spec: V1PodSpec; labels: Record<string, string> } | undefined {
  if (m.kind === 'Pod') return { spec: m.spec as unknown as V1PodSpec, labels: m.metadata.labels ?? {} };
  const template = (
    m.spec as { template?: { spec: V1PodSpec; metadata?: { labels?: Record<string, string> } } }
  )?.template;
  return template ? { spec: template.spec, labels: template.metadata?.labels ?? {} } : undefined;
}

type Model = new (data: unknown) => { validate(): void };

/** kubernetes-models has one module per kind: <group>/<version>/<Kind> (core group: v1/<Kind>). */
async function modelOf(apiVersion: string, kind: string): Promise<Model> {
  const specifier = `kubernetes-models/${apiVersion}/${kind}`;
  const module = (await import(/* @vite-ignore */ specifier)) as Record<string, Model>;
  const model = module[kind];
  if (!model) throw new Error(`${apiVersion} ${kind} is not a known Kubernetes kind`);
  return model;
}

const workloads = manifests.flatMap((m) => {
  const pod = podSpecOf(m);
  return pod ? [{ m, ...pod }] : [];
});

describe('deploy/ manifests', () => {
  it('exist and parse, with apiVersion, kind and metadata.name', () => {
    expect(manifests.length).toBeGreaterThanOrEqual(10);
    for (const m of manifests) {
      expect(m.apiVersion, m.file).toMatch(/^([a-z0-9.-]+\/)?v\d+(beta\d+|alpha\d+)?$/);
      expect(m.kind, m.file).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(m.metadata?.name, m.file).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
    }
    for (const kind of [
      'CSIDriver',
      'DaemonSet',
      'Deployment',
      'StorageClass',
      'ServiceAccount',
      'ClusterRole',
      'ClusterRoleBinding',
      'Role',
      'RoleBinding',
      'StatefulSet',
      'Job',
    ]) {
      expect(ofKind(kind).length, kind).toBeGreaterThan(0);
    }
  });

  it.each(manifests.map((m) => [m.file, m] as const))(
    '%s validates against its Kubernetes schema',
    async (_f, m) => {
      const Model = await modelOf(m.apiVersion, m.kind);
      const { file: _file, ...data } = m;
      expect(() => new Model(data).validate()).not.toThrow();
    },
  );

  it('the schema validation rejects a broken manifest (so passing means something)', async () => {
    const [ds] = ofKind('DaemonSet');
    const { file: _file, ...data } = structuredClone(ds!);
    const container = (data.spec as { template: { spec: V1PodSpec } }).template.spec.containers[0]!;
    (container as unknown as Record<string, unknown>).volumeMounts = [{ name: 'dev' }];
    const Model = await modelOf(ds!.apiVersion, ds!.kind);
    expect(() => new Model(data).validate()).toThrow(/mountPath/);
  });

  it('namespaced objects live in a namespace that deploy/ creates', () => {
    const namespaces = new Set(ofKind('Namespace').map((n) => n.metadata.name));
    const clusterScoped = new Set([
      'Namespace',
      'CSIDriver',
      'ClusterRole',
      'ClusterRoleBinding',
      'StorageClass',
    ]);
    for (const m of manifests.filter((x) => !clusterScoped.has(x.kind))) {
      expect(namespaces.has(m.metadata.namespace ?? ''), `${m.file} namespace`).toBe(true);
    }
  });

  it('declares the CSIDriver for StorageClass and inline volumes with pod info and no attach', () => {
    const [driver] = ofKind('CSIDriver');
    expect(driver?.metadata.name).toBe(DRIVER_NAME);
    expect(driver?.spec).toMatchObject({
      attachRequired: false,
      podInfoOnMount: true,
      volumeLifecycleModes: ['Persistent', 'Ephemeral'],
    });
  });

  it('offers an interposer StorageClass that binds where the pod runs (WaitForFirstConsumer)', () => {
    const [sc] = ofKind('StorageClass');
    expect(sc?.metadata.name).toBe('interposer-standard');
    expect(sc?.provisioner).toBe(DRIVER_NAME);
    expect(sc?.volumeBindingMode).toBe('WaitForFirstConsumer');
    expect(Object.keys(sc?.parameters as object)).toEqual(['backingStorageClass']);
  });

  it('lets the scheduler place every pod (no nodeName), asks no system priority outside kube-system', () => {
    for (const { m, spec } of workloads) {
      expect(spec.nodeName, m.file).toBeUndefined();
      if (m.metadata.namespace !== 'kube-system')
        expect(spec.priorityClassName ?? '', m.file).not.toMatch(/^system-/);
    }
  });

  it('gives every container resource requests and a memory limit (ResourceQuota namespaces)', () => {
    for (const { m, spec } of workloads) {
      for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
        expect(c.resources?.requests?.cpu, `${m.file} ${c.name}`).toBeDefined();
        expect(c.resources?.requests?.memory, `${m.file} ${c.name}`).toBeDefined();
        expect(c.resources?.limits?.memory, `${m.file} ${c.name}`).toBeDefined();
      }
    }
  });

  it('install.sh renders another kubelet root and image everywhere, still valid', async () => {
    const rendered = execFileSync('bash', [join(DEPLOY, 'install.sh'), '--print'], {
      env: {
        ...process.env,
        KUBELET_DIR: '/var/snap/microk8s/common/var/lib/kubelet/',
        IMAGE: 'reg.example/i:9',
      },
      encoding: 'utf8',
    });
    expect(rendered).not.toMatch(/(^|[^n])\/var\/lib\/kubelet/m);
    expect(rendered).not.toContain('interposer:0.1.0');
    const docs = parseAllDocuments(rendered);
    if (!Array.isArray(docs)) throw new Error('install.sh --print is not YAML documents');
    const objects = docs.map((d) => d.toJS() as Manifest);
    const ds = objects.find((o) => o.kind === 'DaemonSet')!;
    const { spec } = podSpecOf(ds)!;
    const plugin = spec.containers.find((c) => c.name === 'interposer')!;
    expect(plugin.args).toContain('--kubelet-dir=/var/snap/microk8s/common/var/lib/kubelet');
    expect(plugin.image).toBe('reg.example/i:9');
    expect(plugin.env?.find((e) => e.name === 'INTERPOSER_IMAGE')?.value).toBe('reg.example/i:9');
    expect(spec.volumes?.find((v) => v.name === 'pods-dir')?.hostPath?.path).toBe(
      '/var/snap/microk8s/common/var/lib/kubelet/pods',
    );
    for (const o of objects) {
      const Model = await modelOf(o.apiVersion, o.kind);
      expect(() => new Model(o).validate(), o.kind).not.toThrow();
    }
    expect(() =>
      execFileSync('bash', [join(DEPLOY, 'install.sh'), '--print'], {
        env: { ...process.env, KUBELET_DIR: 'relative/dir' },
        stdio: 'pipe',
      }),
    ).toThrow(/KUBELET_DIR must be an absolute path/);
  });

  it('every container has an image, and every volumeMount names a declared volume', () => {
    for (const { m, spec } of workloads) {
      const volumes = new Set((spec.volumes ?? []).map((v) => v.name));
      expect(volumes.size, `${m.file} volume names are unique`).toBe((spec.volumes ?? []).length);
      // A StatefulSet's claim templates are volumes of its pods too.
      const templates = (m.spec as { volumeClaimTemplates?: { metadata: { name: string } }[] })
        ?.volumeClaimTemplates;
      for (const t of templates ?? []) volumes.add(t.metadata.name);
      const containers: V1Container[] = [...(spec.initContainers ?? []), ...spec.containers];
      for (const c of containers) {
        expect(c.image, `${m.file} ${c.name} image`).toMatch(/\S/);
        for (const mount of c.volumeMounts ?? []) {
          expect(volumes.has(mount.name), `${m.file} ${c.name} mounts undeclared volume ${mount.name}`).toBe(
            true,
          );
        }
      }
    }
  });

  it('serviceAccountName refers to a ServiceAccount in the same namespace', () => {
    const accounts = new Set(
      ofKind('ServiceAccount').map((s) => `${s.metadata.namespace}/${s.metadata.name}`),
    );
    for (const { m, spec } of workloads.filter((w) => w.spec.serviceAccountName)) {
      expect(accounts.has(`${m.metadata.namespace}/${spec.serviceAccountName}`), m.file).toBe(true);
    }
  });

  it('selectors match their pod templates (DaemonSet) and pods (Service)', () => {
    for (const { m, labels } of workloads.filter((w) => w.m.kind === 'DaemonSet')) {
      const selector = (m.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
      expect(labels, m.file).toMatchObject(selector);
    }
    for (const svc of ofKind('Service')) {
      const selector = (svc.spec as { selector: Record<string, string> }).selector;
      const matched = workloads.filter(
        (w) =>
          w.m.metadata.namespace === svc.metadata.namespace &&
          Object.entries(selector).every(([k, v]) => w.labels[k] === v),
      );
      expect(matched.length, `${svc.file} selects a pod`).toBeGreaterThan(0);
    }
  });

  /** The rules bound to a workload's service account, by (Cluster)RoleBinding. */
  function rulesOf(workload: Manifest): { apiGroups: string[]; resources: string[]; verbs: string[] }[] {
    const account = `${workload.metadata.namespace}/${podSpecOf(workload)!.spec.serviceAccountName}`;
    const bindings = [...ofKind('ClusterRoleBinding'), ...ofKind('RoleBinding')].filter((b) =>
      (b.subjects as { name: string; namespace: string }[]).some(
        (s) => `${s.namespace}/${s.name}` === account,
      ),
    );
    return bindings.flatMap((b) => {
      const ref = b.roleRef as { kind: string; name: string };
      const role = ofKind(ref.kind).find(
        (r) =>
          r.metadata.name === ref.name &&
          (ref.kind === 'ClusterRole' || r.metadata.namespace === b.metadata.namespace),
      );
      expect(role, `${b.file} roleRef`).toBeDefined();
      return role!.rules as { apiGroups: string[]; resources: string[]; verbs: string[] }[];
    });
  }
  const verbsFor = (rules: ReturnType<typeof rulesOf>, resource: string) =>
    new Set(rules.filter((r) => r.resources.includes(resource)).flatMap((r) => r.verbs));

  it('grants the node plugin exactly what its code calls: sidecar pods and PVC reads', () => {
    const rules = rulesOf(ofKind('DaemonSet')[0]!);
    expect([...verbsFor(rules, 'pods')].sort()).toEqual(['create', 'delete', 'get']);
    expect([...verbsFor(rules, 'persistentvolumeclaims')]).toEqual(['get']);
    expect(rules.flatMap((r) => r.resources).sort()).toEqual(['persistentvolumeclaims', 'pods']);
  });

  it('grants the controller backing PVCs in its namespace and external-provisioner its rights', () => {
    const controller = ofKind('Deployment').find((d) => d.metadata.name === 'interposer-csi-controller')!;
    const rules = rulesOf(controller);
    for (const verb of ['create', 'get', 'delete'])
      expect(verbsFor(rules, 'persistentvolumeclaims').has(verb)).toBe(true);
    expect(verbsFor(rules, 'persistentvolumes').has('get')).toBe(true);
    expect(verbsFor(rules, 'persistentvolumes').has('create')).toBe(true);
    expect(verbsFor(rules, 'storageclasses').has('get')).toBe(true);
    const { spec } = podSpecOf(controller)!;
    const provisioner = spec.containers.find((c) => c.name === 'csi-provisioner')!;
    expect(provisioner.args).toContain('--extra-create-metadata');
    const plugin = spec.containers.find((c) => c.name === 'interposer')!;
    expect(plugin.args).toContain('--services=controller');
    expect(plugin.securityContext?.privileged).toBeFalsy();
    expect(spec.volumes?.every((v) => !v.hostPath)).toBe(true);
  });

  it('runs the node plugin privileged with the registrar, a liveness probe and Bidirectional kubelet mounts', () => {
    const [ds] = ofKind('DaemonSet');
    const { spec } = podSpecOf(ds!)!;
    const byName = Object.fromEntries(spec.containers.map((c) => [c.name, c]));
    const plugin = byName.interposer!;
    expect(plugin.securityContext?.privileged).toBe(true);
    expect(plugin.args?.[0]).toBe('csi');
    expect(plugin.livenessProbe?.httpGet?.path).toBe('/healthz');
    const volumes = Object.fromEntries((spec.volumes ?? []).map((v) => [v.name, v]));
    const mountOf = (hostPath: string) =>
      plugin.volumeMounts?.find(
        (vm) => volumes[vm.name]?.hostPath?.path === hostPath && vm.mountPath === hostPath,
      );
    expect(mountOf('/var/lib/kubelet/pods')?.mountPropagation).toBe('Bidirectional');
    expect(mountOf(`/var/lib/kubelet/plugins/${DRIVER_NAME}`)?.mountPropagation).toBe('Bidirectional');
    expect(mountOf('/dev')).toBeDefined();
    const registrar = byName['node-driver-registrar']!;
    expect(registrar.args).toContain(
      `--kubelet-registration-path=/var/lib/kubelet/plugins/${DRIVER_NAME}/csi.sock`,
    );
    expect(
      registrar.volumeMounts?.some(
        (vm) => volumes[vm.name]?.hostPath?.path === '/var/lib/kubelet/plugins_registry',
      ),
    ).toBe(true);
    expect(byName['liveness-probe']).toBeDefined();
  });

  it('benchmark: 4 MinIO replicas on the interposer StorageClass, driven by distributed Warp', () => {
    const minio = ofKind('StatefulSet').find((m) => m.metadata.name === 'minio')!;
    const spec = minio.spec as {
      replicas: number;
      serviceName: string;
      volumeClaimTemplates: { metadata: { name: string }; spec: { storageClassName: string } }[];
      template: { spec: V1PodSpec };
    };
    expect(spec.replicas).toBe(4);
    const classes = new Map(ofKind('StorageClass').map((c) => [c.metadata.name, c]));
    const [template] = spec.volumeClaimTemplates;
    expect(classes.get(template!.spec.storageClassName)?.provisioner).toBe(DRIVER_NAME);
    const container = spec.template.spec.containers[0]!;
    const dataMount = container.volumeMounts!.find((vm) => vm.mountPath === '/data')!;
    expect(dataMount.name).toBe(template!.metadata.name);
    const ns = minio.metadata.namespace;
    expect(container.args).toContain(`http://minio-{0...3}.${spec.serviceName}.${ns}.svc.cluster.local/data`);
    const headless = ofKind('Service').find((s) => s.metadata.name === spec.serviceName)!;
    expect((headless.spec as { clusterIP: string }).clusterIP).toBe('None');

    const clients = ofKind('StatefulSet').find((m) => m.metadata.name === 'warp-client')!;
    const clientSpec = clients.spec as {
      replicas: number;
      serviceName: string;
      template: { spec: V1PodSpec };
    };
    expect(clientSpec.template.spec.containers[0]!.args).toEqual(['client']);
    const driver = workloads.find((w) => w.m.kind === 'Job')!;
    const args = driver.spec.containers[0]!.args!;
    expect(args[0]).toBe('mixed');
    expect(args).toContain(
      `--warp-client=warp-client-{0...${clientSpec.replicas - 1}}.${clientSpec.serviceName}.${ns}.svc.cluster.local:7761`,
    );
    expect(args).toContain(`--host=minio-{0...3}.${spec.serviceName}.${ns}.svc.cluster.local:9000`);
  });

  it('VOLUME_ATTRIBUTES stay the names the README documents', () => {
    expect(VOLUME_ATTRIBUTES.pvcName).toBe('persistentVolumeClaimName');
  });
});
