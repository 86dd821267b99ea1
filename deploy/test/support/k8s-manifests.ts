// deploy/k8s as data: every kustomization rendered by kustomize (kubectl's or its own), and
// the helpers the Kubernetes tests share (the API models, the pods' containers,
// their environment as Kubernetes would give it).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { REPO } from './compose-file.js';

export const K8S_DIR = join(REPO, 'deploy', 'k8s');

/** Every kustomization of deploy/k8s a user builds or applies (the base is rendered too: it must stand on its own). */
export const KUSTOMIZATIONS = ['base', 'overlays/production', 'overlays/local', 'replay/production', 'replay/local'] as const;
export type KustomizationName = (typeof KUSTOMIZATIONS)[number];
/** What `kubectl apply -k` is meant for: an overlay and the replay built on it. */
export const OVERLAYS = ['overlays/production', 'overlays/local'] as const;
export const REPLAY_OF: Record<'replay/production' | 'replay/local', (typeof OVERLAYS)[number]> = {
  'replay/production': 'overlays/production',
  'replay/local': 'overlays/local',
};
/** The Secret production pods read and nobody commits: created in the cluster (deploy/k8s/README.md). */
export const EXTERNAL_SECRET = 'stockstream-credentials';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  // The tests read into these freely; the schemas check their shape.
  spec?: any;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  [key: string]: unknown;
}

const INSTALL_HINT =
  'The Kubernetes manifest tests render deploy/k8s with kustomize v5+: `kubectl kustomize` (kubectl 1.27+; KUBECTL names one) ' +
  'or a `kustomize` binary (KUSTOMIZE names one). Without kubectl, scripts/test.sh builds kustomize from the Go module proxy: ' +
  '`go install sigs.k8s.io/kustomize/kustomize/v5@v5.5.0`.';

interface Renderer {
  /** What renders, with its version, for the test's diagnostics. */
  describe: string;
  command: (dir: string) => [string, string[]];
}

let chosen: Renderer | undefined;

/**
 * kubectl with kustomize v5+ when there is one (KUBECTL), else a kustomize v5+
 * binary (KUSTOMIZE, or `kustomize` on the PATH); throws, saying how to get
 * one, when neither is there.
 */
export function renderer(): Renderer {
  if (chosen) return chosen;
  const problems: string[] = [];
  const kubectl = process.env.KUBECTL || 'kubectl';
  try {
    const v = JSON.parse(execFileSync(kubectl, ['version', '--client', '-o', 'json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as {
      clientVersion?: { gitVersion?: string }; kustomizeVersion?: string;
    };
    const kustomize = v.kustomizeVersion ?? '';
    if (Number(/^v?(\d+)\./.exec(kustomize)?.[1] ?? 0) >= 5) {
      return (chosen = { describe: `kubectl ${v.clientVersion?.gitVersion ?? '?'} (kustomize ${kustomize})`, command: (dir) => [kubectl, ['kustomize', dir]] });
    }
    problems.push(`${kubectl} embeds kustomize "${kustomize || 'unknown'}" (components, labels and replacements need v5+)`);
  } catch (err) {
    problems.push(`${kubectl}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (err as Error).message.split('\n')[0]}`);
  }
  const kustomize = process.env.KUSTOMIZE || 'kustomize';
  try {
    const v = execFileSync(kustomize, ['version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    // `go install`ed builds say "(devel)": scripts/test.sh installs v5.5.0 that way.
    if (v === '(devel)' || Number(/v(\d+)\./.exec(v)?.[1] ?? 0) >= 5) return (chosen = { describe: `kustomize ${v}`, command: (dir) => [kustomize, ['build', dir]] });
    problems.push(`${kustomize} is "${v}", not v5+`);
  } catch (err) {
    problems.push(`${kustomize}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (err as Error).message.split('\n')[0]}`);
  }
  throw new Error(`no kustomize v5+ (${problems.join('; ')}). ${INSTALL_HINT}`);
}

/** deploy/k8s/<name> rendered by kustomize, as objects. Throws kustomize's own message when it fails. */
export function render(name: KustomizationName): K8sObject[] {
  const [cmd, args] = renderer().command(join(K8S_DIR, name));
  let out: string;
  try {
    out = execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    throw new Error(`${cmd} ${args[0]} deploy/k8s/${name} failed:\n${e.stderr ?? e.message}`);
  }
  const docs = parseAllDocuments(out);
  for (const d of docs) if (d.errors.length > 0) throw new Error(`deploy/k8s/${name}: kustomize wrote invalid YAML: ${d.errors[0]!.message}`);
  return docs.map((d) => d.toJS() as K8sObject | null).filter((o): o is K8sObject => o !== null);
}

export const idOf = (o: K8sObject) => `${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;

// --- The API models -------------------------------------------------------------------------------

/**
 * The group/versions these manifests may use, and the package that models each
 * (kubernetes-models: the Kubernetes API; the CRD packages: KEDA and the
 * Prometheus Operator). Anything else is an error, not a skip: a kind the
 * tests cannot check is a kind they do not let through.
 */
const MODEL_PACKAGES: Record<string, string> = {
  v1: 'kubernetes-models/v1',
  'apps/v1': 'kubernetes-models/apps/v1',
  'batch/v1': 'kubernetes-models/batch/v1',
  'policy/v1': 'kubernetes-models/policy/v1',
  'networking.k8s.io/v1': 'kubernetes-models/networking.k8s.io/v1',
  'keda.sh/v1alpha1': '@kubernetes-models/keda/keda.sh/v1alpha1',
  'monitoring.coreos.com/v1': '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1',
};

/** The module of an object's model class (and of its TypeScript interface `I<kind>`). */
export function modelModule(o: { apiVersion: string; kind: string }): string {
  const pkg = MODEL_PACKAGES[o.apiVersion];
  if (!pkg) throw new Error(`${o.apiVersion} ${o.kind}: no schema known for apiVersion ${o.apiVersion} (known: ${Object.keys(MODEL_PACKAGES).join(', ')})`);
  if (!/^[A-Z][A-Za-z0-9]*$/.test(o.kind)) throw new Error(`${o.apiVersion}: "${o.kind}" is not a kind`);
  return `${pkg}/${o.kind}`;
}

interface ModelClass {
  new (data: unknown): { validate(): void };
  apiVersion: string;
  kind: string;
}

/** The model class for an object's apiVersion and kind; throws for one no package models. */
export async function modelClass(o: { apiVersion: string; kind: string }): Promise<ModelClass> {
  const module = modelModule(o);
  let exports: Record<string, unknown>;
  try {
    exports = (await import(module)) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`${o.apiVersion} ${o.kind}: no model (${module}: ${(err as Error).message.split('\n')[0]})`);
  }
  const cls = exports[o.kind] as ModelClass | undefined;
  if (typeof cls !== 'function' || cls.apiVersion !== o.apiVersion || cls.kind !== o.kind) {
    throw new Error(`${o.apiVersion} ${o.kind}: ${module} does not model this kind`);
  }
  return cls;
}

// --- Workloads ------------------------------------------------------------------------------------

export interface Container {
  name: string;
  image: string;
  imagePullPolicy?: string;
  command?: string[];
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: any }[];
  envFrom?: { configMapRef?: { name: string; optional?: boolean }; secretRef?: { name: string; optional?: boolean }; prefix?: string }[];
  startupProbe?: Probe;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: any;
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}
export interface Probe {
  httpGet?: { path: string; port: number | string };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
}

export const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'Job', 'DaemonSet', 'CronJob', 'Pod', 'ReplicaSet']);

export interface Workload {
  object: K8sObject;
  /** The pod template's spec and labels. */
  pod: any;
  labels: Record<string, string>;
}

/** Every object that makes pods, with its pod template. CronJobs and bare Pods included, should they appear. */
export function workloads(objects: K8sObject[]): Workload[] {
  return objects
    .filter((o) => WORKLOAD_KINDS.has(o.kind))
    .map((o) => {
      const template = o.kind === 'Pod' ? { metadata: o.metadata, spec: o.spec } : o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template : o.spec.template;
      return { object: o, pod: template.spec, labels: (template.metadata?.labels ?? {}) as Record<string, string> };
    });
}

/** A label selector ({matchLabels, matchExpressions} or a Service's plain map) against labels. */
export function selects(selector: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] } | Record<string, string> | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  const s = selector as { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };
  const isStructured = 'matchLabels' in s || 'matchExpressions' in s;
  const matchLabels = isStructured ? (s.matchLabels ?? {}) : (selector as Record<string, string>);
  for (const [k, v] of Object.entries(matchLabels)) if (labels[k] !== v) return false;
  for (const e of (isStructured ? s.matchExpressions : undefined) ?? []) {
    const has = e.key in labels;
    const inValues = has && (e.values ?? []).includes(labels[e.key]!);
    if (e.operator === 'In' && !inValues) return false;
    if (e.operator === 'NotIn' && inValues) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** Where a variable of a container comes from. */
export type EnvSource =
  | { kind: 'value'; value: string }
  | { kind: 'configMap'; name: string; key: string; value: string }
  | { kind: 'secret'; name: string; key: string; optional: boolean; value?: string }
  | { kind: 'field'; fieldPath: string };

/**
 * A container's environment as the kubelet builds it: envFrom sources in
 * order, then `env` (later wins). ConfigMaps and Secrets are looked up in the
 * same render; a Secret that is not there (created in the cluster) gives no
 * value. Throws on a reference to a ConfigMap that is not rendered.
 */
export function environment(c: Container, objects: K8sObject[]): Map<string, EnvSource> {
  const configMap = (name: string) => objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name);
  const secret = (name: string) => objects.find((o) => o.kind === 'Secret' && o.metadata.name === name);
  const decoded = (s: K8sObject | undefined, key: string): string | undefined =>
    s?.stringData?.[key] ?? (s?.data?.[key] !== undefined ? Buffer.from(s.data[key]!, 'base64').toString('utf8') : undefined);
  const env = new Map<string, EnvSource>();
  for (const from of c.envFrom ?? []) {
    if (from.configMapRef) {
      const cm = configMap(from.configMapRef.name);
      if (!cm) throw new Error(`${c.name}: envFrom ConfigMap ${from.configMapRef.name} is not in the render`);
      for (const [key, value] of Object.entries(cm.data ?? {})) env.set(`${from.prefix ?? ''}${key}`, { kind: 'configMap', name: cm.metadata.name, key, value: String(value) });
    } else if (from.secretRef) {
      const s = secret(from.secretRef.name);
      if (!s) throw new Error(`${c.name}: envFrom Secret ${from.secretRef.name} is not in the render; its keys cannot be known`);
      for (const key of Object.keys({ ...s.data, ...s.stringData })) {
        env.set(`${from.prefix ?? ''}${key}`, { kind: 'secret', name: s.metadata.name, key, optional: false, value: decoded(s, key) });
      }
    }
  }
  for (const e of c.env ?? []) {
    if (e.valueFrom?.secretKeyRef) {
      const r = e.valueFrom.secretKeyRef as { name: string; key: string; optional?: boolean };
      env.set(e.name, { kind: 'secret', name: r.name, key: r.key, optional: r.optional === true, value: decoded(secret(r.name), r.key) });
    } else if (e.valueFrom?.configMapKeyRef) {
      const r = e.valueFrom.configMapKeyRef as { name: string; key: string };
      const value = configMap(r.name)?.data?.[r.key];
      if (value === undefined) throw new Error(`${c.name}: ${e.name} refers to ConfigMap ${r.name} key ${r.key}, which is not in the render`);
      env.set(e.name, { kind: 'configMap', name: r.name, key: r.key, value });
    } else if (e.valueFrom?.fieldRef) {
      env.set(e.name, { kind: 'field', fieldPath: e.valueFrom.fieldRef.fieldPath as string });
    } else if (e.valueFrom) {
      throw new Error(`${c.name}: ${e.name} comes from ${Object.keys(e.valueFrom).join(', ')}, which these tests do not read`);
    } else {
      env.set(e.name, { kind: 'value', value: e.value ?? '' });
    }
  }
  return env;
}

/** Memory quantity ("512Mi", "1Gi", "600M", bytes) in bytes; CPU quantity ("500m", "2") in cores. */
export function bytesOf(q: string | number): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(String(q));
  if (!m) throw new Error(`not a memory quantity: ${q}`);
  const unit = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 }[m[2] ?? ''] ?? 1;
  return Number(m[1]) * unit;
}
export function coresOf(q: string | number): number {
  const m = /^(\d+(?:\.\d+)?)(m)?$/.exec(String(q));
  if (!m) throw new Error(`not a CPU quantity: ${q}`);
  return Number(m[1]) / (m[2] ? 1000 : 1);
}
