// Nodes and the subresources the scheduler, kubelet and controllers write through: cordon, taint,
// binding, graceful pod deletion, eviction by drain, /status and /scale, finalizers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from './support/controlPlane.ts';
import { rawClient, type RawClient } from './support/rawClient.ts';

let cp: ControlPlane;
let api: RawClient;

const NODE = `apiVersion: v1
kind: Node
metadata:
  name: worker-0
  labels: {kubernetes.io/hostname: worker-0}
status:
  conditions:
  - {type: Ready, status: "True", reason: KubeletReady, message: kubelet is posting ready status, lastHeartbeatTime: "2026-01-01T00:00:00Z", lastTransitionTime: "2026-01-01T00:00:00Z"}
  addresses:
  - {type: InternalIP, address: 192.168.56.11}
`;
const pod = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } });
const PODS = '/api/v1/namespaces/default/pods';
const MERGE = { 'Content-Type': 'application/merge-patch+json' };

beforeAll(async () => {
  cp = await startControlPlane();
  api = rawClient(cp.url, cp.dataDir);
  await cp.kubectl(['apply', '-f', '-'], { input: NODE });
});
afterAll(async () => {
  api?.close();
  await cp?.stop();
});

async function bind(name: string, node = 'worker-0') {
  return api.request('POST', `${PODS}/${name}/binding`, JSON.stringify({ apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { apiVersion: 'v1', kind: 'Node', name: node } }));
}

describe('nodes', () => {
  it('get nodes shows status and addresses; cordon and uncordon flip spec.unschedulable', async () => {
    expect((await cp.kubectl(['get', 'nodes', '-o', 'wide'])).stdout).toMatch(/worker-0\s+Ready\s+<none>\s+\S+\s+\S*\s+192\.168\.56\.11/);
    await cp.kubectl(['cordon', 'worker-0']);
    expect((await cp.kubectl(['get', 'no', 'worker-0'])).stdout).toContain('Ready,SchedulingDisabled');
    await cp.kubectl(['uncordon', 'worker-0']);
    const node = JSON.parse((await cp.kubectl(['get', 'no', 'worker-0', '-o', 'json'])).stdout);
    expect(node.spec.unschedulable).toBeUndefined();
  });

  it('taint adds and removes a taint', async () => {
    await cp.kubectl(['taint', 'node', 'worker-0', 'dedicated=db:NoSchedule']);
    let node = JSON.parse((await cp.kubectl(['get', 'no', 'worker-0', '-o', 'json'])).stdout);
    expect(node.spec.taints).toEqual([{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]);
    await cp.kubectl(['taint', 'node', 'worker-0', 'dedicated=db:NoSchedule-']);
    node = JSON.parse((await cp.kubectl(['get', 'no', 'worker-0', '-o', 'json'])).stdout);
    expect(node.spec.taints ?? []).toEqual([]);
  });
});

describe('pods/binding and graceful deletion', () => {
  it('binding sets nodeName and PodScheduled once; a second binding is a 409', async () => {
    expect((await api.request('POST', PODS, pod('bound'))).status).toBe(201);
    expect((await bind('bound')).status).toBe(201);
    const p = (await api.request('GET', `${PODS}/bound`)).json();
    expect(p.spec.nodeName).toBe('worker-0');
    expect(p.status.conditions).toContainEqual(expect.objectContaining({ type: 'PodScheduled', status: 'True' }));
    const again = await bind('bound', 'worker-1');
    expect(again.status).toBe(409);
    expect(again.json().message).toContain('is already assigned to node "worker-0"');
    expect((await cp.kubectl(['describe', 'node', 'worker-0'])).stdout).toMatch(/Non-terminated Pods:\s+\(1 in total\)/);
  });

  it('deleting a pod on a node is graceful: Terminating until deleted with grace 0', async () => {
    const res = await api.request('DELETE', `${PODS}/bound`);
    expect(res.status).toBe(202);
    const p = res.json();
    expect(p.metadata.deletionTimestamp).toBeTruthy();
    expect(p.metadata.deletionGracePeriodSeconds).toBe(30);
    expect((await cp.kubectl(['get', 'pod', 'bound'])).stdout).toMatch(/bound\s+0\/1\s+Terminating/);
    await cp.kubectl(['delete', 'pod', 'bound', '--force', '--grace-period=0']);
    expect((await api.request('GET', `${PODS}/bound`)).status).toBe(404);
  });

  it('drain evicts the pods on a node', async () => {
    expect((await api.request('POST', PODS, pod('evictee'))).status).toBe(201);
    expect((await bind('evictee')).status).toBe(201);
    const { stdout } = await cp.kubectl(['drain', 'worker-0', '--force', '--grace-period=0', '--timeout=30s']);
    expect(stdout).toContain('evicting pod default/evictee');
    expect(stdout).toContain('node/worker-0 drained');
    expect((await api.request('GET', `${PODS}/evictee`)).status).toBe(404);
    await cp.kubectl(['uncordon', 'worker-0']);
  });
});

describe('status, scale and finalizers', () => {
  const DEPLOY = '/apis/apps/v1/namespaces/default/deployments';
  const deployment = JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.22.1' }] } } },
  });

  it('a write to the main resource ignores status; a write to /status changes only status', async () => {
    const created = await api.request('POST', DEPLOY, deployment);
    expect(created.status).toBe(201);
    expect(created.json().status).toEqual({});
    const main = await api.request('PATCH', `${DEPLOY}/web`, JSON.stringify({ spec: { paused: true }, status: { replicas: 9 } }), MERGE);
    expect(main.json().status).toEqual({});
    expect(main.json().spec.paused).toBe(true);
    expect(main.json().metadata.generation).toBe(2);
    const status = await api.request('PATCH', `${DEPLOY}/web/status`, JSON.stringify({ spec: { replicas: 7 }, status: { replicas: 2, observedGeneration: 2 } }), MERGE);
    expect(status.status).toBe(200);
    expect(status.json().status).toEqual({ replicas: 2, observedGeneration: 2 });
    expect(status.json().spec.replicas).toBe(2);
    expect(status.json().metadata.generation).toBe(2);
  });

  it('the scale subresource reads and writes spec.replicas as autoscaling/v1 Scale', async () => {
    const scale = (await api.request('GET', `${DEPLOY}/web/scale`)).json();
    expect(scale).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 2 }, status: { replicas: 2, selector: 'app=web' } });
    const patched = await api.request('PATCH', `${DEPLOY}/web/scale`, JSON.stringify({ spec: { replicas: 4 } }), MERGE);
    expect(patched.json().spec.replicas).toBe(4);
    const bad = await api.request('PATCH', `${DEPLOY}/web/scale`, JSON.stringify({ spec: { replicas: -1 } }), MERGE);
    expect(bad.status).toBe(422);
  });

  it('an object with a finalizer waits in deletion until the finalizer is removed', async () => {
    const cm = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', finalizers: ['example.com/hold'] } });
    expect((await api.request('POST', '/api/v1/namespaces/default/configmaps', cm)).status).toBe(201);
    const del = await api.request('DELETE', '/api/v1/namespaces/default/configmaps/held');
    expect(del.status).toBe(202);
    expect(del.json().metadata.deletionTimestamp).toBeTruthy();
    expect((await api.request('GET', '/api/v1/namespaces/default/configmaps/held')).status).toBe(200);
    const release = await api.request('PATCH', '/api/v1/namespaces/default/configmaps/held', JSON.stringify({ metadata: { finalizers: null } }), MERGE);
    expect(release.status).toBe(200);
    expect((await api.request('GET', '/api/v1/namespaces/default/configmaps/held')).status).toBe(404);
  });

  it('propagationPolicy Foreground and Orphan add their finalizers', async () => {
    const fg = await api.request('DELETE', `${DEPLOY}/web`, JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Foreground' }));
    expect(fg.status).toBe(202);
    expect(fg.json().metadata.finalizers).toEqual(['foregroundDeletion']);
  });

  it('deletecollection deletes what the selector matches', async () => {
    const CMS = '/api/v1/namespaces/default/configmaps';
    for (const [name, tier] of [['dc-a', 'x'], ['dc-b', 'x'], ['dc-c', 'y']]) {
      expect((await api.request('POST', CMS, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { tier } } }))).status).toBe(201);
    }
    const res = await api.request('DELETE', `${CMS}?labelSelector=tier%3Dx`);
    expect(res.status).toBe(200);
    expect(res.json().items.map((o: any) => o.metadata.name).sort()).toEqual(['dc-a', 'dc-b']);
    const left = (await api.request('GET', `${CMS}?labelSelector=tier`)).json().items.map((o: any) => o.metadata.name);
    expect(left).toEqual(['dc-c']);
  });

  it('dryRun=All validates and answers without writing', async () => {
    const res = await api.request('POST', `/api/v1/namespaces/default/configmaps?dryRun=All`, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dry' } }));
    expect(res.status).toBe(201);
    expect((await api.request('GET', '/api/v1/namespaces/default/configmaps/dry')).status).toBe(404);
  });
});
