// deploy/k8s: every kustomization renders with `kubectl kustomize`, every
// object it renders is valid for the Kubernetes API and the CRDs it uses
// (KEDA, Prometheus Operator), and the overlays keep their promises: one
// namespace, no secret values, references that resolve, locked-down pods,
// resources, spread, disruption budgets, network policies. No cluster here:
// the manifests are validated, not run. Needs kubectl (fails, saying how to
// install it, without one).
import { strict as assert } from 'node:assert';
import { describe, it, type TestContext } from 'node:test';
import {
  EXTERNAL_SECRET, KUSTOMIZATIONS, OVERLAYS, REPLAY_OF, bytesOf, coresOf, idOf, renderer, modelClass, render, selects, workloads,
  type Container, type K8sObject, type KustomizationName,
} from './support/k8s-manifests.js';
import { typeErrors } from './support/k8s-strict-fields.js';

const cache = new Map<KustomizationName, K8sObject[]>();
/** The render of a kustomization (once per run); throws kustomize's or the install message. */
function objectsOf(name: KustomizationName): K8sObject[] {
  if (!cache.has(name)) cache.set(name, render(name));
  return cache.get(name)!;
}
const containersOf = (pod: { containers: Container[]; initContainers?: Container[] }) => [...(pod.initContainers ?? []), ...pod.containers];
const APPLIED = [...OVERLAYS, 'replay/production', 'replay/local'] as const;

/** Peak and steady RSS measured per service (docs/containers.md, deploy/k8s/README.md and the manifests' comments; MiB). */
const MEASURED_MIB: Record<string, { peak: number; steady?: number }> = {
  ingest: { peak: 192 }, // 1M records at full speed
  enrichment: { peak: 200, steady: 116 }, // alone over 1M records (make bench 2026-12-04: 191; 194-198 alone); after the compose run (105k)
  's3-sink': { peak: 245, steady: 208 }, // the sink alone draining a full 1M topic (make bench 2026-12-04); after the compose run
};

describe('deploy/k8s renders with kustomize', () => {
  it('has kustomize v5 or later (kubectl\'s or its own)', (t: TestContext) => {
    t.diagnostic(`rendered by ${renderer().describe}`);
  });

  it('renders every kustomization, each object once and named', () => {
    for (const name of KUSTOMIZATIONS) {
      const objects = objectsOf(name);
      assert.ok(objects.length > 0, `${name}: renders nothing`);
      const seen = new Set<string>();
      for (const o of objects) {
        assert.ok(o.apiVersion && o.kind && o.metadata?.name, `${name}: an object without apiVersion, kind or name: ${JSON.stringify(o).slice(0, 200)}`);
        assert.ok(!seen.has(idOf(o)), `${name}: ${idOf(o)} twice`);
        seen.add(idOf(o));
      }
    }
  });
});

describe('every rendered object is valid for the API and the CRDs', () => {
  it('validates against the Kubernetes API schemas and the KEDA and Prometheus Operator CRD schemas (kubernetes-models)', async () => {
    const problems: string[] = [];
    const kinds = new Set<string>();
    for (const name of KUSTOMIZATIONS) {
      for (const o of objectsOf(name)) {
        kinds.add(`${o.apiVersion} ${o.kind}`);
        try {
          const Model = await modelClass(o);
          new Model(o).validate();
        } catch (err) {
          problems.push(`${name}: ${idOf(o)}: ${(err as Error).message}`);
        }
      }
    }
    assert.deepEqual(problems, []);
    for (const kind of ['keda.sh/v1alpha1 ScaledObject', 'keda.sh/v1alpha1 TriggerAuthentication', 'monitoring.coreos.com/v1 PodMonitor']) {
      assert.ok(kinds.has(kind), `no ${kind} rendered: its CRD schema was not exercised`);
    }
  });

  it('declares no field the API does not know (what apply\'s strict field validation rejects)', () => {
    const all = KUSTOMIZATIONS.flatMap((name) => objectsOf(name));
    assert.deepEqual(typeErrors(all), []);
  });

  it('fails the checks above on a bad object, an unknown field and an unknown kind', async () => {
    const deployment = structuredClone(objectsOf('overlays/production').find((o) => o.kind === 'Deployment')!);
    const Deployment = await modelClass(deployment);
    assert.doesNotThrow(() => new Deployment(deployment).validate());
    const wrongType = structuredClone(deployment);
    wrongType.spec.template.spec.containers[0].ports[0].containerPort = 'metrics';
    assert.throws(() => new Deployment(wrongType).validate(), /containerPort/);
    const unknownField = structuredClone(deployment);
    unknownField.spec.template.spec.containers[0].readinessprobe = { httpGet: { path: '/readyz', port: 'metrics' } };
    assert.match(typeErrors([unknownField]).join('\n'), /readinessprobe/);
    const scaled = structuredClone(objectsOf('overlays/production').find((o) => o.kind === 'ScaledObject')!);
    scaled.spec.maxReplicaCount = '6';
    await assert.rejects(async () => new (await modelClass(scaled))(scaled).validate(), /maxReplicaCount/);
    await assert.rejects(modelClass({ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledThing' }), /ScaledThing/);
    await assert.rejects(modelClass({ apiVersion: 'example.com/v1', kind: 'Widget' }), /no schema known/);
  });
});

describe('the overlays', () => {
  it('put every namespaced object of an overlay into its namespace, which enforces the restricted Pod Security Standard', () => {
    for (const name of APPLIED) {
      const objects = objectsOf(name);
      const namespaces = objects.filter((o) => o.kind === 'Namespace');
      assert.equal(namespaces.length, 1, `${name}: one Namespace`);
      const ns = namespaces[0]!;
      assert.equal(ns.metadata.labels?.['pod-security.kubernetes.io/enforce'], 'restricted', `${name}: namespace enforces "restricted"`);
      for (const o of objects) if (o.kind !== 'Namespace') assert.equal(o.metadata.namespace, ns.metadata.name, `${name}: ${idOf(o)} is not in ${ns.metadata.name}`);
    }
  });

  it('build a replay as its overlay plus the replay Job and its volume, changing nothing else', () => {
    for (const [replay, overlay] of Object.entries(REPLAY_OF) as [KustomizationName, KustomizationName][]) {
      const added = objectsOf(replay).filter((o) => !objectsOf(overlay).some((p) => idOf(p) === idOf(o)));
      assert.deepEqual(added.map((o) => o.kind).sort(), ['Job', 'PersistentVolumeClaim'], `${replay}: adds ${added.map(idOf).join(', ')}`);
      for (const o of objectsOf(overlay)) {
        assert.deepEqual(objectsOf(replay).find((r) => idOf(r) === idOf(o)), o, `${replay}: ${idOf(o)} differs from ${overlay}'s: applying the replay would change it`);
      }
      assert.equal(workloads(objectsOf(overlay)).filter((w) => w.object.kind === 'Job').length, 0, `${overlay}: a Job in the overlay would run again at every apply after its TTL`);
    }
  });

  it('hold no secret value in production: no Secret, credentials by reference, workload identity for S3', () => {
    const objects = objectsOf('replay/production');
    assert.deepEqual(objects.filter((o) => o.kind === 'Secret').map(idOf), [], 'production renders no Secret');
    for (const w of workloads(objects)) {
      for (const c of containersOf(w.pod)) {
        for (const e of c.env ?? []) {
          assert.ok(!/^S3_(ACCESS_KEY_ID|SECRET_ACCESS_KEY)$/.test(e.name), `${idOf(w.object)}: ${e.name}: no static S3 keys in production`);
          if (/PASSWORD|SECRET|USERNAME/.test(e.name)) {
            assert.equal(e.valueFrom?.secretKeyRef?.name, EXTERNAL_SECRET, `${idOf(w.object)}: ${e.name} comes from Secret ${EXTERNAL_SECRET}`);
          }
        }
      }
    }
    const sinkAccount = objects.find((o) => o.kind === 'ServiceAccount' && o.metadata.name === 'stockstream-s3-sink')!;
    assert.match(sinkAccount.metadata.annotations?.['eks.amazonaws.com/role-arn'] ?? '', /^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]+$/, 'the sink\'s service account names its IAM role (IRSA)');
    const sink = workloads(objects).find((w) => w.labels['app.kubernetes.io/component'] === 's3-sink')!;
    assert.equal(sink.pod.serviceAccountName, 'stockstream-s3-sink');
    for (const w of workloads(objects)) {
      if (idOf(w.object) !== idOf(sink.object)) assert.notEqual(w.pod.serviceAccountName, 'stockstream-s3-sink', `${idOf(w.object)}: only the sink gets the S3 role`);
    }
  });

  it('hold no secret value in local but the local S3 server\'s documented development keys', () => {
    const secrets = objectsOf('replay/local').filter((o) => o.kind === 'Secret');
    assert.equal(secrets.length, 1, 'one Secret');
    const data = Object.fromEntries(Object.entries(secrets[0]!.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
    assert.deepEqual(data, { S3_ACCESS_KEY_ID: 'stockstream', S3_SECRET_ACCESS_KEY: 'stockstream-secret' });
  });

  it('resolve every reference: ConfigMaps, Secrets, service accounts, volumes, scale targets, authentications, selectors', () => {
    for (const name of APPLIED) {
      const objects = objectsOf(name);
      const find = (kind: string, n: string) => objects.find((o) => o.kind === kind && o.metadata.name === n);
      const pods = workloads(objects);
      for (const w of pods) {
        const id = `${name}: ${idOf(w.object)}`;
        assert.ok(find('ServiceAccount', w.pod.serviceAccountName), `${id}: service account ${w.pod.serviceAccountName} not rendered`);
        for (const v of w.pod.volumes ?? []) {
          if (v.persistentVolumeClaim) assert.ok(find('PersistentVolumeClaim', v.persistentVolumeClaim.claimName), `${id}: PVC ${v.persistentVolumeClaim.claimName} not rendered`);
          if (v.configMap) assert.ok(find('ConfigMap', v.configMap.name), `${id}: ConfigMap ${v.configMap.name} not rendered`);
          if (v.secret) assert.ok(find('Secret', v.secret.secretName), `${id}: Secret ${v.secret.secretName} not rendered`);
        }
        for (const c of containersOf(w.pod)) {
          for (const m of c.volumeMounts ?? []) assert.ok((w.pod.volumes ?? []).some((v: { name: string }) => v.name === m.name), `${id}: ${c.name} mounts unknown volume ${m.name}`);
          for (const from of c.envFrom ?? []) {
            if (from.configMapRef) assert.ok(find('ConfigMap', from.configMapRef.name), `${id}: ConfigMap ${from.configMapRef.name} not rendered`);
            assert.equal(from.secretRef, undefined, `${id}: envFrom a Secret would put every key of it in the environment; use secretKeyRef`);
          }
          for (const e of c.env ?? []) {
            const ref = e.valueFrom?.secretKeyRef as { name: string; key: string } | undefined;
            if (!ref) continue;
            const secret = find('Secret', ref.name);
            if (secret) assert.ok(ref.key in { ...secret.data, ...secret.stringData }, `${id}: ${e.name}: Secret ${ref.name} has no key ${ref.key}`);
            else assert.equal(ref.name, EXTERNAL_SECRET, `${id}: ${e.name}: Secret ${ref.name} is neither rendered nor the documented ${EXTERNAL_SECRET}`);
          }
        }
        if (w.object.kind === 'StatefulSet') {
          const governing = find('Service', w.object.spec.serviceName);
          assert.equal(governing?.spec.clusterIP, 'None', `${id}: serviceName ${w.object.spec.serviceName} is a headless Service`);
        }
        if (w.object.kind !== 'Job') assert.ok(selects(w.object.spec.selector, w.labels), `${id}: its selector does not select its own pods`);
      }
      for (const o of objects) {
        const matched = (selector: unknown) => pods.filter((w) => selects(selector as Record<string, string>, w.labels));
        if (o.kind === 'Service' || o.kind === 'PodDisruptionBudget' || o.kind === 'PodMonitor' || o.kind === 'NetworkPolicy') {
          const selector = o.kind === 'Service' ? o.spec.selector : o.kind === 'NetworkPolicy' ? o.spec.podSelector : o.spec.selector;
          assert.ok(matched(selector).length > 0, `${name}: ${idOf(o)} selects no pod`);
        }
        if (o.kind === 'ScaledObject') {
          const ref = o.spec.scaleTargetRef as { apiVersion?: string; kind?: string; name: string };
          const target = find(ref.kind ?? 'Deployment', ref.name);
          assert.ok(target && target.apiVersion === (ref.apiVersion ?? 'apps/v1'), `${name}: ${idOf(o)} scales ${ref.kind}/${ref.name}, which is not rendered`);
          for (const t of o.spec.triggers as { authenticationRef?: { name: string } }[]) {
            if (t.authenticationRef) assert.ok(find('TriggerAuthentication', t.authenticationRef.name), `${name}: ${idOf(o)}: TriggerAuthentication ${t.authenticationRef.name} not rendered`);
          }
        }
        if (o.kind === 'TriggerAuthentication') {
          for (const r of o.spec.secretTargetRef as { name: string; key: string }[]) {
            const secret = find('Secret', r.name);
            if (secret) assert.ok(r.key in { ...secret.data, ...secret.stringData }, `${name}: ${idOf(o)}: Secret ${r.name} has no key ${r.key}`);
            else assert.equal(r.name, EXTERNAL_SECRET, `${name}: ${idOf(o)}: Secret ${r.name} is neither rendered nor ${EXTERNAL_SECRET}`);
          }
        }
      }
      // Every object is labelled as StockStream's (kubectl get/delete -l app.kubernetes.io/part-of=stockstream).
      for (const o of objects) if (o.kind !== 'Namespace') assert.equal(o.metadata.labels?.['app.kubernetes.io/part-of'], 'stockstream', `${name}: ${idOf(o)} has no part-of label`);
    }
  });
});

describe('the pods', () => {
  it('run every container as the image\'s non-root user, read-only, unprivileged, without capabilities, with seccomp', () => {
    for (const name of APPLIED) {
      for (const w of workloads(objectsOf(name))) {
        const id = `${name}: ${idOf(w.object)}`;
        const pod = w.pod;
        assert.equal(pod.securityContext?.runAsNonRoot, true, `${id}: pod runAsNonRoot`);
        assert.equal(pod.securityContext?.runAsUser, 1000, `${id}: pod runs as uid 1000 (node)`);
        assert.equal(pod.securityContext?.seccompProfile?.type, 'RuntimeDefault', `${id}: pod seccomp`);
        assert.equal(pod.automountServiceAccountToken, false, `${id}: no API token mounted (nothing here talks to the API)`);
        assert.equal(pod.enableServiceLinks, false, `${id}: no variables from the namespace's Services`);
        assert.equal(pod.hostNetwork ?? false, false);
        for (const c of containersOf(pod)) {
          const s = c.securityContext ?? {};
          const cid = `${id}: container ${c.name}`;
          assert.equal(s.runAsNonRoot, true, `${cid}: runAsNonRoot`);
          assert.equal(s.runAsUser, 1000, `${cid}: runAsUser 1000 (the image's node user)`);
          assert.equal(s.readOnlyRootFilesystem, true, `${cid}: readOnlyRootFilesystem`);
          assert.equal(s.allowPrivilegeEscalation, false, `${cid}: allowPrivilegeEscalation false`);
          assert.deepEqual(s.capabilities, { drop: ['ALL'] }, `${cid}: drops all capabilities, adds none`);
          assert.equal(s.seccompProfile?.type, 'RuntimeDefault', `${cid}: seccomp RuntimeDefault`);
          assert.equal(s.privileged ?? false, false, `${cid}: not privileged`);
          // Node and the services write temporary files (DuckDB) to /tmp.
          const tmp = (c.volumeMounts ?? []).find((m) => m.mountPath === '/tmp');
          assert.ok(tmp, `${cid}: a writable /tmp under the read-only root`);
          assert.ok((pod.volumes as { name: string; emptyDir?: unknown }[]).find((v) => v.name === tmp.name)?.emptyDir, `${cid}: /tmp is an emptyDir`);
        }
      }
    }
  });

  it('give every container requests and limits, the limits above the measured peaks', () => {
    for (const name of APPLIED) {
      for (const w of workloads(objectsOf(name))) {
        for (const c of containersOf(w.pod)) {
          const cid = `${name}: ${idOf(w.object)}: ${c.name}`;
          const r = c.resources ?? {};
          for (const res of ['cpu', 'memory']) {
            assert.ok(r.requests?.[res] !== undefined && r.limits?.[res] !== undefined, `${cid}: requests and limits of ${res}`);
          }
          assert.ok(bytesOf(r.requests!.memory!) <= bytesOf(r.limits!.memory!), `${cid}: memory request above its limit`);
          assert.ok(coresOf(r.requests!.cpu!) <= coresOf(r.limits!.cpu!), `${cid}: cpu request above its limit`);
          const measured = MEASURED_MIB[c.args?.[0] ?? ''];
          if (!measured || w.pod.initContainers?.includes(c)) continue;
          // 20% above the peak: the peak moves from run to run (docs/performance.md: ±30% on shared machines).
          assert.ok(bytesOf(r.limits!.memory!) >= measured.peak * 1.2 * 2 ** 20, `${cid}: memory limit ${r.limits!.memory} is not 20% above the measured peak ${measured.peak} MiB`);
          if (measured.steady) assert.ok(bytesOf(r.requests!.memory!) >= measured.steady * 2 ** 20, `${cid}: memory request below the measured steady state ${measured.steady} MiB`);
        }
      }
    }
  });

  it('spread the long-running pods over zones (and the consumers over nodes) and budget the consumers\' disruptions', () => {
    for (const name of APPLIED) {
      const objects = objectsOf(name);
      for (const w of workloads(objects)) {
        if (w.object.kind === 'Job') continue;
        const id = `${name}: ${idOf(w.object)}`;
        const spread = (w.pod.topologySpreadConstraints ?? []) as { topologyKey: string; labelSelector: unknown }[];
        const keys = spread.map((s) => s.topologyKey);
        assert.ok(keys.includes('topology.kubernetes.io/zone'), `${id}: spread over zones`);
        for (const s of spread) assert.ok(selects(s.labelSelector as Record<string, string>, w.labels), `${id}: a spread constraint does not count its own pods`);
        const component = w.labels['app.kubernetes.io/component'];
        if (component === 'enrichment' || component === 's3-sink') {
          assert.ok(keys.includes('kubernetes.io/hostname'), `${id}: spread over nodes`);
          const budgets = objects.filter((o) => o.kind === 'PodDisruptionBudget' && selects(o.spec.selector, w.labels));
          assert.equal(budgets.length, 1, `${id}: one PodDisruptionBudget`);
          // maxUnavailable, not minAvailable: with a single replica, minAvailable: 1 would block every node drain.
          assert.equal(budgets[0]!.spec.maxUnavailable, 1, `${id}: PDB maxUnavailable 1`);
        }
      }
    }
  });

  it('let in only the metrics port, and let out only DNS and the named ports of the services\' dependencies', () => {
    for (const name of APPLIED) {
      const objects = objectsOf(name);
      const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
      for (const w of workloads(objects)) {
        const id = `${name}: ${idOf(w.object)}`;
        const mine = policies.filter((p) => selects(p.spec.podSelector, w.labels));
        const types = new Set(mine.flatMap((p) => p.spec.policyTypes as string[]));
        assert.ok(types.has('Ingress') && types.has('Egress'), `${id}: not isolated for both ingress and egress`);
        const ingress = mine.flatMap((p) => (p.spec.ingress ?? []) as { ports?: { port: unknown }[] }[]);
        for (const rule of ingress) assert.deepEqual(rule.ports?.map((p) => p.port), ['metrics'], `${id}: ingress to the metrics port only`);
        const egress = mine.flatMap((p) => (p.spec.egress ?? []) as { to?: unknown[]; ports?: { port: unknown; protocol?: string }[] }[]);
        for (const rule of egress) {
          assert.ok(rule.ports && rule.ports.length > 0, `${id}: an egress rule without ports lets out everything`);
          assert.ok(rule.to && rule.to.length > 0, `${id}: an egress rule without destinations lets out to anywhere`);
        }
        assert.ok(egress.some((r) => r.ports!.some((p) => p.port === 53 && p.protocol === 'UDP')), `${id}: DNS`);
      }
    }
  });
});
