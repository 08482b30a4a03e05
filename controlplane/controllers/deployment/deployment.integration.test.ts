// The ReplicaSet and Deployment controllers against a real API server, driven by the real kubectl:
// create, rollout status, set image (with surge limits), history, undo, restart, pause/resume,
// scale, Recreate, and a deleted pod coming back. A fake kubelet marks pods ready.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findResource } from '../../api/resources.ts';
import { startControlPlane, type ControlPlane } from '../../../test/support/controlPlane.ts';
import { createClient, createEventRecorder, createInformerFactory, loadKubeconfig, type ClosableClient, type InformerFactory, type KubeObject } from '../../client/index.ts';
import { newReplicaSetController } from '../replicaset/replicaSetController.ts';
import { runFakeKubelet, waitFor } from '../controllerUtils/testing/fakeKubelet.ts';
import { newDeploymentController } from './deploymentController.ts';

const RS = findResource('apps', 'v1', 'replicasets')!;
const PODS = findResource('', 'v1', 'pods')!;
const DEPLOYS = findResource('apps', 'v1', 'deployments')!;

let cp: ControlPlane;
let client: ClosableClient;
let informers: InformerFactory;
const stop = new AbortController();
const running: Promise<unknown>[] = [];

beforeAll(async () => {
  cp = await startControlPlane();
  client = createClient(loadKubeconfig(cp.kubeconfig));
  const log = pino({ level: process.env.K8TS_TEST_LOG ?? 'silent' });
  informers = createInformerFactory(client);
  const recorder = createEventRecorder(client, { component: 'controller-manager' }, { logger: log });
  const rsc = newReplicaSetController({ client, informers, recorder, log });
  const dc = newDeploymentController({ client, informers, recorder, log });
  informers.start(stop.signal);
  running.push(rsc.run(2, stop.signal), dc.run(2, stop.signal));
});

afterAll(async () => {
  stop.abort();
  await Promise.allSettled(running);
  client?.close();
  await cp?.stop();
});

async function namespace(name: string, kubelet = true): Promise<void> {
  await cp.kubectl(['create', 'namespace', name]);
  if (kubelet) running.push(runFakeKubelet(client, name, stop.signal));
}

function deployment(name: string, replicas: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'nginx:1.22.1' }] } },
      ...extra,
    },
  });
}

const replicaSets = async (ns: string, app: string) => (await client.resource(RS, ns).list({ labelSelector: `app=${app}` })).items;
const pods = async (ns: string, app: string) => (await client.resource(PODS, ns).list({ labelSelector: `app=${app}` })).items.filter((p) => !p.metadata.deletionTimestamp);
const imageOf = (o: KubeObject) => o.spec.template.spec.containers[0].image as string;
const revision = (o: KubeObject) => o.metadata.annotations?.['deployment.kubernetes.io/revision'];

describe('deployment and replica set controllers', () => {
  it('a Deployment of 3 creates one ReplicaSet <name>-<hash> and 3 pods it owns; rollout status returns', async () => {
    await namespace('d1');
    await cp.kubectl(['apply', '-n', 'd1', '-f', '-'], { input: deployment('web', 3) });
    const rs = await waitFor('a replica set', async () => (await replicaSets('d1', 'web'))[0]);
    const hash = rs.metadata.labels!['pod-template-hash']!;
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(rs.metadata.name).toBe(`web-${hash}`);
    expect(rs.spec.selector.matchLabels).toEqual({ app: 'web', 'pod-template-hash': hash });
    expect(rs.metadata.ownerReferences).toMatchObject([{ kind: 'Deployment', name: 'web', controller: true, blockOwnerDeletion: true }]);
    expect(rs.metadata.annotations).toMatchObject({ 'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4' });

    const ps = await waitFor('3 pods', async () => ((await pods('d1', 'web')).length === 3 ? pods('d1', 'web') : undefined));
    for (const p of ps) {
      expect(p.metadata.name.startsWith(`web-${hash}-`)).toBe(true);
      expect(p.metadata.labels).toEqual({ app: 'web', 'pod-template-hash': hash });
      expect(p.metadata.ownerReferences).toMatchObject([{ kind: 'ReplicaSet', name: rs.metadata.name, uid: rs.metadata.uid, controller: true }]);
    }

    const out = await cp.kubectl(['rollout', 'status', '-n', 'd1', 'deploy/web', '--timeout=60s']);
    expect(out.stdout).toContain('successfully rolled out');
    const d = await client.resource(DEPLOYS, 'd1').get('web');
    expect(d.status).toMatchObject({ replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: d.metadata.generation });
    expect(revision(d)).toBe('1');
    const conds = Object.fromEntries(d.status.conditions.map((c: any) => [c.type, c.reason]));
    expect(conds).toEqual({ Available: 'MinimumReplicasAvailable', Progressing: 'NewReplicaSetAvailable' });

    const rsNow = await client.resource(RS, 'd1').get(rs.metadata.name);
    expect(rsNow.status).toMatchObject({ replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: rsNow.metadata.generation });
    const events = await cp.kubectl(['get', 'events', '-n', 'd1', '-o', 'json']);
    const reasons = JSON.parse(events.stdout).items.map((e: any) => `${e.involvedObject.kind}/${e.reason}: ${e.message}`);
    expect(reasons).toContain(`Deployment/ScalingReplicaSet: Scaled up replica set ${rs.metadata.name} from 0 to 3`);
    expect(reasons.some((r: string) => r.startsWith('ReplicaSet/SuccessfulCreate: Created pod: web-'))).toBe(true);
  });

  it('set image rolls to a new ReplicaSet within maxSurge/maxUnavailable; history and undo restore the old image', async () => {
    await namespace('d2');
    const strategy = { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } };
    await cp.kubectl(['apply', '-n', 'd2', '-f', '-'], { input: deployment('web', 4, strategy) });
    await cp.kubectl(['rollout', 'status', '-n', 'd2', 'deploy/web', '--timeout=60s']);
    const [first] = await replicaSets('d2', 'web');

    // Watch every replica set change: the sum of their sizes never exceeds replicas + maxSurge.
    let maxTotal = 0;
    const sizes = new Map<string, number>();
    const watchStop = new AbortController();
    const watching = client.resource(RS, 'd2').watch({}, (ev) => {
      if (ev.type === 'DELETED') sizes.delete(ev.object.metadata.name);
      else if (ev.type !== 'BOOKMARK' && ev.type !== 'ERROR') sizes.set(ev.object.metadata.name, ev.object.spec.replicas);
      maxTotal = Math.max(maxTotal, [...sizes.values()].reduce((a, b) => a + b, 0));
    }, watchStop.signal);

    await cp.kubectl(['set', 'image', '-n', 'd2', 'deploy/web', 'web=nginx:1.26']);
    await cp.kubectl(['rollout', 'status', '-n', 'd2', 'deploy/web', '--timeout=60s']);
    watchStop.abort();
    await watching;
    expect(maxTotal).toBe(5);

    const all = await replicaSets('d2', 'web');
    expect(all).toHaveLength(2);
    const second = all.find((r) => r.metadata.name !== first!.metadata.name)!;
    expect(imageOf(second)).toBe('nginx:1.26');
    expect(second.spec.replicas).toBe(4);
    expect(revision(second)).toBe('2');
    expect((await client.resource(RS, 'd2').get(first!.metadata.name)).spec.replicas).toBe(0);
    expect(revision(await client.resource(DEPLOYS, 'd2').get('web'))).toBe('2');

    const history = await cp.kubectl(['rollout', 'history', '-n', 'd2', 'deploy/web']);
    expect(history.stdout).toMatch(/REVISION\s+CHANGE-CAUSE\s*\n1\s+<none>\s*\n2\s+<none>/);
    const rev1 = await cp.kubectl(['rollout', 'history', '-n', 'd2', 'deploy/web', '--revision=1']);
    expect(rev1.stdout).toContain('nginx:1.22.1');

    const undo = await cp.kubectl(['rollout', 'undo', '-n', 'd2', 'deploy/web']);
    expect(undo.stdout).toContain('rolled back');
    await cp.kubectl(['rollout', 'status', '-n', 'd2', 'deploy/web', '--timeout=60s']);
    const d = await client.resource(DEPLOYS, 'd2').get('web');
    expect(imageOf(d)).toBe('nginx:1.22.1');
    expect(revision(d)).toBe('3');
    const back = await client.resource(RS, 'd2').get(first!.metadata.name);
    expect(back.spec.replicas).toBe(4);
    expect(back.metadata.annotations).toMatchObject({ 'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/revision-history': '1' });
    expect(await replicaSets('d2', 'web')).toHaveLength(2);
    const after = await cp.kubectl(['rollout', 'history', '-n', 'd2', 'deploy/web']);
    expect(after.stdout).toMatch(/\n2\s+<none>\s*\n3\s+<none>/);
  });

  it('rollout restart makes a new ReplicaSet; pause holds a template change until resume', async () => {
    await namespace('d3');
    await cp.kubectl(['apply', '-n', 'd3', '-f', '-'], { input: deployment('web', 2) });
    await cp.kubectl(['rollout', 'status', '-n', 'd3', 'deploy/web', '--timeout=60s']);
    await cp.kubectl(['rollout', 'restart', '-n', 'd3', 'deploy/web']);
    await cp.kubectl(['rollout', 'status', '-n', 'd3', 'deploy/web', '--timeout=60s']);
    expect(await replicaSets('d3', 'web')).toHaveLength(2);

    await cp.kubectl(['rollout', 'pause', '-n', 'd3', 'deploy/web']);
    await waitFor('the DeploymentPaused condition', async () => {
      const d = await client.resource(DEPLOYS, 'd3').get('web');
      return d.status?.conditions?.find((c: any) => c.type === 'Progressing' && c.reason === 'DeploymentPaused' && c.status === 'Unknown');
    });
    await cp.kubectl(['set', 'image', '-n', 'd3', 'deploy/web', 'web=nginx:1.26']);
    await waitFor('the paused deployment to observe its generation', async () => {
      const d = await client.resource(DEPLOYS, 'd3').get('web');
      return d.status.observedGeneration === d.metadata.generation;
    });
    expect(await replicaSets('d3', 'web')).toHaveLength(2);

    await cp.kubectl(['rollout', 'resume', '-n', 'd3', 'deploy/web']);
    await cp.kubectl(['rollout', 'status', '-n', 'd3', 'deploy/web', '--timeout=60s']);
    const all = await replicaSets('d3', 'web');
    expect(all).toHaveLength(3);
    expect(all.filter((r) => r.spec.replicas > 0).map(imageOf)).toEqual(['nginx:1.26']);
  });

  it('kubectl scale changes the pod count; a deleted pod is recreated', async () => {
    await namespace('d4');
    await cp.kubectl(['apply', '-n', 'd4', '-f', '-'], { input: deployment('web', 2) });
    await cp.kubectl(['rollout', 'status', '-n', 'd4', 'deploy/web', '--timeout=60s']);
    await cp.kubectl(['scale', '-n', 'd4', 'deploy/web', '--replicas=5']);
    await waitFor('5 pods', async () => (await pods('d4', 'web')).length === 5);
    await cp.kubectl(['rollout', 'status', '-n', 'd4', 'deploy/web', '--timeout=60s']);
    await cp.kubectl(['scale', '-n', 'd4', 'deploy/web', '--replicas=1']);
    await waitFor('1 pod', async () => (await pods('d4', 'web')).length === 1);
    const [rs] = await replicaSets('d4', 'web');
    expect(rs!.metadata.annotations?.['deployment.kubernetes.io/desired-replicas']).toBe('1');

    const [victim] = await pods('d4', 'web');
    await cp.kubectl(['delete', 'pod', '-n', 'd4', victim!.metadata.name]);
    const replacement = await waitFor('a replacement pod', async () => (await pods('d4', 'web')).find((p) => p.metadata.name !== victim!.metadata.name));
    expect(replacement.metadata.ownerReferences?.[0]?.uid).toBe(rs!.metadata.uid);
    await waitFor('exactly one pod', async () => (await pods('d4', 'web')).length === 1);
  });

  it('Recreate scales the old ReplicaSet to 0 and waits for its pods to go before the new one gets pods', async () => {
    await namespace('d5');
    await cp.kubectl(['apply', '-n', 'd5', '-f', '-'], { input: deployment('db', 2, { strategy: { type: 'Recreate' } }) });
    await cp.kubectl(['rollout', 'status', '-n', 'd5', 'deploy/db', '--timeout=60s']);
    const [old] = await replicaSets('d5', 'db');

    // Every pod added must find no pod of another replica set alive.
    const alive = new Map<string, string>(); // pod name → pod-template-hash
    const violations: string[] = [];
    const watchStop = new AbortController();
    const watching = client.resource(PODS, 'd5').watch({}, (ev) => {
      const p = ev.object;
      const hash = p.metadata.labels?.['pod-template-hash'] ?? '';
      if (ev.type === 'DELETED') alive.delete(p.metadata.name);
      else if (ev.type === 'ADDED') {
        if (!alive.has(p.metadata.name) && [...alive.values()].some((h) => h !== hash)) violations.push(p.metadata.name);
        alive.set(p.metadata.name, hash);
      }
    }, watchStop.signal);

    await cp.kubectl(['set', 'image', '-n', 'd5', 'deploy/db', 'web=mysql:8.0.23']);
    await cp.kubectl(['rollout', 'status', '-n', 'd5', 'deploy/db', '--timeout=60s']);
    watchStop.abort();
    await watching;
    expect(violations).toEqual([]);
    expect((await client.resource(RS, 'd5').get(old!.metadata.name)).spec.replicas).toBe(0);
    const ps = await pods('d5', 'db');
    expect(ps).toHaveLength(2);
    expect(ps.every((p) => p.metadata.labels?.['pod-template-hash'] !== old!.metadata.labels?.['pod-template-hash'])).toBe(true);
  });

  it('a ReplicaSet on its own adopts a matching orphan pod and releases a pod whose labels stop matching', async () => {
    await namespace('r1', false);
    const orphan = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'orphan', labels: { app: 'solo' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
    await client.resource(PODS, 'r1').create(orphan as KubeObject);
    // The controllers' shared cache must know the orphan before the set exists, or the set would
    // first create two pods and then delete one of three.
    await waitFor('the orphan in the pod cache', () => informers.informerFor(PODS).lister.get('r1', 'orphan'));
    await cp.kubectl(['apply', '-n', 'r1', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: { name: 'solo' },
        spec: { replicas: 2, selector: { matchLabels: { app: 'solo' } }, template: { metadata: { labels: { app: 'solo' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
      }),
    });
    const rs = await waitFor('the replica set', () => client.resource(RS, 'r1').get('solo'));
    await waitFor('2 pods and the orphan adopted', async () => {
      const ps = await pods('r1', 'solo');
      const adopted = ps.find((p) => p.metadata.name === 'orphan')?.metadata.ownerReferences?.[0]?.uid === rs.metadata.uid;
      return ps.length === 2 && adopted;
    });
    await cp.kubectl(['label', 'pod', '-n', 'r1', 'orphan', 'app=other', '--overwrite']);
    await waitFor('the pod released and replaced', async () => {
      const released = await client.resource(PODS, 'r1').get('orphan');
      return !released.metadata.ownerReferences?.length && (await pods('r1', 'solo')).length === 2;
    });
    const st = await waitFor('status', async () => {
      const cur = await client.resource(RS, 'r1').get('solo');
      return cur.status?.replicas === 2 && cur.status?.observedGeneration === cur.metadata.generation ? cur.status : undefined;
    });
    expect(st).toMatchObject({ replicas: 2, fullyLabeledReplicas: 2 });
    expect(st.readyReplicas ?? 0).toBe(0);
  });
});
