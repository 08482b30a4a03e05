// The whole control plane (`k8ts server`: API server, scheduler, controller-manager) with the real
// kubectl, on three nodes registered as objects: the user's manifests are scheduled, rolled out,
// rolled back, and cleaned up as on a real cluster.
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from './support/controlPlane.ts';
import { startFakeNodes, type FakeNodes } from './support/fakeNodes.ts';

const EXAMPLES = resolve(import.meta.dirname, '../examples');
let cp: ControlPlane;
let nodes: FakeNodes;

beforeAll(async () => {
  // Nodes are declared dead after 6 s without a Lease renewal (upstream's default is 40 s).
  cp = await startControlPlane({ full: true, args: ['--node-monitor-grace-period', '6'] });
  nodes = await startFakeNodes(cp.kubeconfig, [
    { name: 'master', ip: '192.168.56.10', master: true },
    { name: 'worker-0', ip: '192.168.56.11' },
    { name: 'worker-1', ip: '192.168.56.12' },
  ]);
});
afterAll(async () => {
  await nodes?.stop();
  await cp?.stop();
});

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what} ${last ? String(last) : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const json = async (args: string[]) => JSON.parse((await cp.kubectl([...args, '-o', 'json'])).stdout);

describe('the control plane on three nodes', () => {
  it('gives every node a podCIDR, a default ServiceAccount to every namespace', async () => {
    const cidrs = await until('podCIDRs', async () => {
      const list = await json(['get', 'nodes']);
      const all = list.items.map((n: any) => n.spec.podCIDR);
      return all.every(Boolean) && all;
    });
    expect(new Set(cidrs).size).toBe(3);
    for (const c of cidrs) expect(c).toMatch(/^10\.244\.\d+\.0\/24$/);
    await until('default SA', async () => (await cp.kubectl(['get', 'sa', 'default', '-n', 'kube-system'], { allowFail: true })).code === 0);
  });

  it("runs the user's manifests: mysql lands on worker-0 with its PV, nginx on a worker", async () => {
    await cp.kubectl(['apply', '-f', join(EXAMPLES, 'mysql-namespace.yaml')]);
    await cp.kubectl(['apply', '-f', EXAMPLES]);
    const pvc = await until('PVC bound', async () => {
      const p = await json(['get', 'pvc', 'my-pvc', '-n', 'mysql']);
      return p.status.phase === 'Bound' && p;
    });
    expect(pvc.spec.volumeName).toBe('my-pv');
    await cp.kubectl(['rollout', 'status', 'deployment/mysql-deploy', '-n', 'mysql', '--timeout=60s']);
    const pods = await json(['get', 'pods', '-n', 'mysql', '-l', 'app=mysql']);
    expect(pods.items).toHaveLength(1);
    expect(pods.items[0].spec.nodeName).toBe('worker-0');
    const nginx = await until('nginx scheduled', async () => (await json(['get', 'pod', 'nginx-pod'])).spec.nodeName);
    expect(['worker-0', 'worker-1']).toContain(nginx);
    const describe = (await cp.kubectl(['describe', 'pod', 'nginx-pod'])).stdout;
    expect(describe).toMatch(/Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned default\/nginx-pod to worker-[01]/);
  });

  it('rolls a Deployment forward and back with kubectl rollout', async () => {
    await cp.kubectl(['create', 'deployment', 'web', '--image=nginx:1.22.1', '--replicas=3']);
    await cp.kubectl(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    await cp.kubectl(['set', 'image', 'deployment/web', 'nginx=nginx:1.23']);
    await cp.kubectl(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    const history = (await cp.kubectl(['rollout', 'history', 'deployment/web'])).stdout;
    expect(history).toMatch(/^1\s/m);
    expect(history).toMatch(/^2\s/m);
    await cp.kubectl(['rollout', 'undo', 'deployment/web']);
    await cp.kubectl(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    const web = await json(['get', 'deploy', 'web']);
    expect(web.spec.template.spec.containers[0].image).toBe('nginx:1.22.1');
    expect(web.status).toMatchObject({ replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
    const pods = await json(['get', 'pods', '-l', 'app=web']);
    const spread = new Set(pods.items.map((p: any) => p.spec.nodeName));
    expect(spread.has('master')).toBe(false);
  });

  it('a Service gets Endpoints and EndpointSlices of its ready pods', async () => {
    await cp.kubectl(['expose', 'deployment', 'web', '--port=80', '--name=web-svc']);
    const ep = await until('endpoints', async () => {
      const e = await json(['get', 'endpoints', 'web-svc']);
      const addrs = e.subsets?.[0]?.addresses ?? [];
      return addrs.length === 3 && e;
    });
    for (const a of ep.subsets[0].addresses) expect(a.ip).toMatch(/^10\.244\.\d+\.\d+$/);
    const slices = await json(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web-svc']);
    expect(slices.items).toHaveLength(1);
    expect(slices.items[0].endpoints.every((e: any) => e.conditions.ready)).toBe(true);
    expect((await cp.kubectl(['get', 'ep', 'web-svc'])).stdout).toMatch(/web-svc\s+10\.244\.\d+\.\d+:80,10\.244/);
  });

  it('a DaemonSet runs one pod per worker; a StatefulSet names its pods in order', async () => {
    const ds = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent' }, spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'busybox' }] } } } };
    await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(ds) });
    await cp.kubectl(['rollout', 'status', 'daemonset/agent', '--timeout=60s']);
    const agents = (await json(['get', 'pods', '-l', 'app=agent'])).items.map((p: any) => p.spec.nodeName).sort();
    expect(agents).toEqual(['worker-0', 'worker-1']); // the master's NoSchedule taint keeps it off
    const sts = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db' }, spec: { serviceName: 'db', replicas: 2, selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'busybox' }] } } } };
    await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(sts) });
    await cp.kubectl(['rollout', 'status', 'statefulset/db', '--timeout=60s']);
    expect((await json(['get', 'pods', '-l', 'app=db'])).items.map((p: any) => p.metadata.name).sort()).toEqual(['db-0', 'db-1']);
    await cp.kubectl(['delete', 'daemonset/agent', 'statefulset/db']);
  });

  it('a Job runs its pods to completion', async () => {
    await cp.kubectl(['create', 'job', 'once', '--image=busybox', '--', 'true']);
    // No container runs here: play the kubelet's last word for the Job's pod.
    const pod = await until('job pod running', async () => {
      const p = (await json(['get', 'pods', '-l', 'job-name=once'])).items[0];
      return p?.status?.phase === 'Running' && p;
    });
    await cp.kubectl(['patch', 'pod', pod.metadata.name, '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Succeeded","conditions":[{"type":"Ready","status":"False"}]}}']);
    await cp.kubectl(['wait', '--for=condition=complete', 'job/once', '--timeout=60s']);
    expect((await cp.kubectl(['get', 'job', 'once'])).stdout).toMatch(/once\s+Complete\s+1\/1/);
  });

  it('a pod that fits nowhere stays Pending with the FailedScheduling summary', async () => {
    await cp.kubectl(['run', 'huge', '--image=busybox', '--overrides={"spec":{"containers":[{"name":"huge","image":"busybox","resources":{"requests":{"memory":"64Gi"}}}]}}']);
    const event = await until('FailedScheduling', async () => {
      const ev = await json(['get', 'events', '--field-selector', 'involvedObject.name=huge,reason=FailedScheduling']);
      return ev.items[0];
    });
    expect(event.message).toContain('0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient memory.');
    expect((await json(['get', 'pod', 'huge'])).status.phase).toBe('Pending');
  });

  it('deleting the namespace deletes everything in it, then the namespace', async () => {
    await cp.kubectl(['delete', 'namespace', 'mysql', '--timeout=60s']);
    const left = await cp.kubectl(['get', 'all', '-n', 'mysql', '-o', 'name']);
    expect(left.stdout.trim()).toBe('');
    const ns = await cp.kubectl(['get', 'ns', 'mysql'], { allowFail: true });
    expect(ns.stderr).toContain('NotFound');
    // my-pv is Retain: it stays, Released, when its claim goes.
    await until('PV released', async () => (await json(['get', 'pv', 'my-pv'])).status.phase === 'Released');
  });

  it('deleting a Deployment cascades to its ReplicaSets and pods', async () => {
    await cp.kubectl(['delete', 'deployment', 'web']);
    await until('web pods gone', async () => (await json(['get', 'pods', '-l', 'app=web'])).items.length === 0);
    expect((await json(['get', 'rs'])).items.filter((r: any) => r.metadata.name.startsWith('web-'))).toEqual([]);
  });

  it('a node that stops renewing its Lease goes NotReady; its pods are evicted and replaced elsewhere', async () => {
    const manifest = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'ha' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'ha' } },
        template: {
          metadata: { labels: { app: 'ha' } },
          spec: {
            containers: [{ name: 'c', image: 'nginx:1.22.1' }],
            // Leave an unreachable node after 1 s instead of the default 300 s.
            tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 1 }],
            nodeSelector: { 'kubernetes.io/hostname': 'worker-1' },
          },
        },
      },
    };
    await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(manifest) });
    await cp.kubectl(['rollout', 'status', 'deployment/ha', '--timeout=60s']);
    // Let the pods go anywhere from now on, then kill the node they are on.
    nodes.kill('worker-1');
    await cp.kubectl(['patch', 'deployment', 'ha', '--type=json', '-p', '[{"op":"remove","path":"/spec/template/spec/nodeSelector"}]']);
    const node = await until('worker-1 NotReady', async () => {
      const n = await json(['get', 'node', 'worker-1']);
      const ready = n.status.conditions.find((c: any) => c.type === 'Ready');
      return ready.status === 'Unknown' && n;
    });
    expect(node.spec.taints).toContainEqual(expect.objectContaining({ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }));
    expect((await cp.kubectl(['get', 'nodes'])).stdout).toMatch(/worker-1\s+NotReady/);
    await until('replacements running on worker-0', async () => {
      const pods = (await json(['get', 'pods', '-l', 'app=ha'])).items.filter((p: any) => !p.metadata.deletionTimestamp);
      return pods.length === 2 && pods.every((p: any) => p.spec.nodeName === 'worker-0' && p.status.phase === 'Running');
    });
  });
});
