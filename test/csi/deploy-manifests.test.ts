/**
 * Every YAML document under deploy/ is parsed and validated: against the Kubernetes OpenAPI
 * schema of its kind (kubernetes-models' validators), then for the cross-references the schema
 * cannot see (mounts name declared volumes, bindings name declared roles and accounts, the CSI
 * volumes name this driver and an existing PVC...).
 */
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
      'ServiceAccount',
      'ClusterRole',
      'ClusterRoleBinding',
      'Pod',
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
    const clusterScoped = new Set(['Namespace', 'CSIDriver', 'ClusterRole', 'ClusterRoleBinding']);
    for (const m of manifests.filter((x) => !clusterScoped.has(x.kind))) {
      expect(namespaces.has(m.metadata.namespace ?? ''), `${m.file} namespace`).toBe(true);
    }
  });

  it('declares the CSIDriver for ephemeral inline volumes with pod info and no attach', () => {
    const [driver] = ofKind('CSIDriver');
    expect(driver?.metadata.name).toBe(DRIVER_NAME);
    expect(driver?.spec).toMatchObject({
      attachRequired: false,
      podInfoOnMount: true,
      volumeLifecycleModes: ['Ephemeral'],
    });
  });

  it('every container has an image, and every volumeMount names a declared volume', () => {
    for (const { m, spec } of workloads) {
      const volumes = new Set((spec.volumes ?? []).map((v) => v.name));
      expect(volumes.size, `${m.file} volume names are unique`).toBe((spec.volumes ?? []).length);
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

  it('grants the node plugin what it needs to manage sidecar pods, through a valid binding', () => {
    const [binding] = ofKind('ClusterRoleBinding');
    const role = ofKind('ClusterRole').find(
      (r) => r.metadata.name === (binding?.roleRef as { name: string }).name,
    );
    expect(role, 'roleRef names a declared ClusterRole').toBeDefined();
    const rules = role!.rules as { apiGroups: string[]; resources: string[]; verbs: string[] }[];
    const verbsFor = (resource: string) =>
      new Set(
        rules
          .filter((r) => r.apiGroups.includes('') && r.resources.includes(resource))
          .flatMap((r) => r.verbs),
      );
    for (const verb of ['create', 'delete', 'get', 'watch'])
      expect(verbsFor('pods').has(verb), verb).toBe(true);
    expect(verbsFor('persistentvolumeclaims').has('get')).toBe(true);
    const accounts = new Set(
      ofKind('ServiceAccount').map((s) => `${s.metadata.namespace}/${s.metadata.name}`),
    );
    for (const subject of binding!.subjects as { kind: string; name: string; namespace: string }[]) {
      expect(accounts.has(`${subject.namespace}/${subject.name}`), `subject ${subject.name}`).toBe(true);
    }
    const [ds] = ofKind('DaemonSet');
    const dsAccount = `${ds!.metadata.namespace}/${podSpecOf(ds!)!.spec.serviceAccountName}`;
    expect(
      (binding!.subjects as { name: string; namespace: string }[]).map((s) => `${s.namespace}/${s.name}`),
    ).toContain(dsAccount);
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

  it('benchmark: MinIO serves /data from an interposer volume over an existing PVC, and Warp targets it', () => {
    const minio = workloads.find((w) => w.m.kind === 'Pod' && w.m.metadata.name === 'minio')!;
    const dataMount = minio.spec.containers[0]!.volumeMounts!.find((vm) => vm.mountPath === '/data')!;
    const volume = minio.spec.volumes!.find((v) => v.name === dataMount.name)!;
    expect(volume.csi?.driver).toBe(DRIVER_NAME);
    const pvcName = volume.csi!.volumeAttributes![VOLUME_ATTRIBUTES.pvcName];
    const pvcs = ofKind('PersistentVolumeClaim').map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
    expect(pvcs).toContain(`${minio.m.metadata.namespace}/${pvcName}`);
    const warp = workloads.find((w) => w.m.kind === 'Job')!;
    const args = warp.spec.containers[0]!.args!;
    expect(['mixed', 'get', 'put']).toContain(args[0]);
    const service = ofKind('Service').find((s) => s.metadata.name === 'minio')!;
    expect(args).toContain(`--host=${service.metadata.name}.${service.metadata.namespace}.svc:9000`);
  });
});
