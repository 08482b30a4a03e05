// The real kubectl against a started `k8ts server`: the user's manifests and the everyday commands.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { startControlPlane, type ControlPlane } from './support/controlPlane.ts';

const EXAMPLES = resolve(import.meta.dirname, '../examples');
let cp: ControlPlane;

beforeAll(async () => {
  cp = await startControlPlane();
});
afterAll(async () => {
  await cp?.stop();
});

const json = async (args: string[]) => JSON.parse((await cp.kubectl([...args, '-o', 'json'])).stdout);

describe('kubectl version and discovery', () => {
  it('reports server version 1.32 so the dispatcher runs kubectl 1.32', async () => {
    const v = JSON.parse((await cp.kubectl(['version', '-o', 'json'])).stdout);
    expect(v.serverVersion.major).toBe('1');
    expect(v.serverVersion.minor).toBe('32');
    expect(v.clientVersion.minor).toMatch(/^32/);
  });

  it('lists api-resources with short names, scope and verbs', async () => {
    const { stdout } = await cp.kubectl(['api-resources']);
    const rows = stdout.split('\n').map((l) => l.trim().split(/\s+/));
    const row = (name: string) => rows.find((r) => r[0] === name);
    expect(row('pods')).toEqual(['pods', 'po', 'v1', 'true', 'Pod']);
    expect(row('deployments')).toEqual(['deployments', 'deploy', 'apps/v1', 'true', 'Deployment']);
    expect(row('nodes')).toEqual(['nodes', 'no', 'v1', 'false', 'Node']);
    expect(row('persistentvolumeclaims')).toEqual(['persistentvolumeclaims', 'pvc', 'v1', 'true', 'PersistentVolumeClaim']);
    for (const n of ['services', 'endpoints', 'configmaps', 'secrets', 'serviceaccounts', 'events', 'replicasets', 'daemonsets', 'statefulsets', 'jobs', 'cronjobs', 'endpointslices', 'leases']) {
      expect(row(n), n).toBeDefined();
    }
  });

  it('has the system namespaces and the kubernetes Service at 10.96.0.1', async () => {
    const { stdout } = await cp.kubectl(['get', 'ns', '-o', 'name']);
    expect(stdout.split('\n').filter(Boolean).sort()).toEqual(['namespace/default', 'namespace/kube-node-lease', 'namespace/kube-public', 'namespace/kube-system']);
    const svc = await json(['get', 'svc', 'kubernetes', '-n', 'default']);
    expect(svc.spec.clusterIP).toBe('10.96.0.1');
  });
});

describe("the user's manifests", () => {
  it('apply -f creates every object, with validation on', async () => {
    const { stdout } = await cp.kubectl(['apply', '-f', join(EXAMPLES, 'mysql-namespace.yaml')]);
    expect(stdout).toContain('namespace/mysql created');
    const out = (await cp.kubectl(['apply', '-f', EXAMPLES])).stdout;
    for (const line of ['pod/nginx-pod created', 'service/nginx-service created', 'configmap/mysql-conf created', 'deployment.apps/mysql-deploy created', 'persistentvolume/my-pv created', 'persistentvolumeclaim/my-pvc created', 'pod/mysql-pod created']) {
      expect(out).toContain(line);
    }
  });

  it('apply a second time changes nothing', async () => {
    const { stdout } = await cp.kubectl(['apply', '-f', EXAMPLES]);
    expect(stdout).toContain('deployment.apps/mysql-deploy unchanged');
    expect(stdout).toContain('pod/nginx-pod unchanged');
    expect(stdout).not.toContain('configured');
  });

  it('stores defaults as upstream: imagePullPolicy, restartPolicy, strategy, Service type', async () => {
    const pod = await json(['get', 'pod', 'nginx-pod']);
    expect(pod.spec.containers[0].imagePullPolicy).toBe('IfNotPresent');
    expect(pod.spec.initContainers[0].imagePullPolicy).toBe('Always'); // busybox has no tag
    expect(pod.spec.restartPolicy).toBe('Always');
    expect(pod.spec.terminationGracePeriodSeconds).toBe(30);
    expect(pod.spec.dnsPolicy).toBe('ClusterFirst');
    expect(pod.status.phase).toBe('Pending');
    const deploy = await json(['get', 'deploy', 'mysql-deploy', '-n', 'mysql']);
    expect(deploy.spec.strategy).toEqual({ type: 'Recreate' });
    expect(deploy.spec.revisionHistoryLimit).toBe(10);
    expect(deploy.metadata.generation).toBe(1);
    const svc = await json(['get', 'svc', 'nginx-service']);
    expect(svc.spec.ports[0].nodePort).toBe(30080);
    expect(svc.spec.clusterIP).toMatch(/^10\.(9[6-9]|10[0-9]|11[01])\./);
    expect(svc.spec.sessionAffinity).toBe('None');
  });

  it('get prints server-side tables; -o wide adds columns', async () => {
    const { stdout } = await cp.kubectl(['get', 'pods', '-o', 'wide']);
    const [header, row] = stdout.split('\n');
    expect(header!.split(/\s{2,}/)).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
    expect(row).toMatch(/^nginx-pod\s+0\/1\s+Pending\s+0\s+\d+s\s+<none>\s+<none>\s+<none>\s+<none>/);
    const deploy = (await cp.kubectl(['get', 'deploy', '-n', 'mysql'])).stdout;
    expect(deploy.split('\n')[0]!.split(/\s{2,}/)).toEqual(['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
    expect(deploy).toMatch(/mysql-deploy\s+0\/1\s+0\s+0/);
    const svc = (await cp.kubectl(['get', 'svc', 'nginx-service'])).stdout;
    expect(svc).toMatch(/nginx-service\s+NodePort\s+10\.\S+\s+<none>\s+80:30080\/TCP/);
    const pv = (await cp.kubectl(['get', 'pv'])).stdout;
    expect(pv).toMatch(/my-pv\s+1Gi\s+RWO\s+Retain\s+Available|my-pv\s+1Gi\s+RWO\s+Retain\s+Pending/);
  });

  it('get all, get by short names, label selectors and -A', async () => {
    const all = (await cp.kubectl(['get', 'all', '-n', 'mysql'])).stdout;
    expect(all).toContain('pod/mysql-pod');
    expect(all).toContain('deployment.apps/mysql-deploy');
    const byLabel = (await cp.kubectl(['get', 'po', '-A', '-l', 'app=nginx', '-o', 'name'])).stdout.trim();
    expect(byLabel).toBe('pod/nginx-pod');
    const cm = (await cp.kubectl(['get', 'cm', '-n', 'mysql', 'mysql-conf', '-o', 'jsonpath={.data.MYSQL_DATABASE}'])).stdout;
    expect(cm).toBe('k8ts');
  });

  it('describe shows the object', async () => {
    const { stdout } = await cp.kubectl(['describe', 'pod', 'nginx-pod']);
    expect(stdout).toMatch(/Name:\s+nginx-pod/);
    expect(stdout).toMatch(/Init Containers:/);
    expect(stdout).toMatch(/Type:\s+HostPath/);
    const d = (await cp.kubectl(['describe', 'deploy', '-n', 'mysql', 'mysql-deploy'])).stdout;
    expect(d).toMatch(/StrategyType:\s+Recreate/);
  });

  it('logs and exec of a pod with no node say so', async () => {
    const logs = await cp.kubectl(['logs', 'nginx-pod'], { allowFail: true });
    expect(logs.code).not.toBe(0);
    expect(logs.stderr).toContain('Error from server (BadRequest): pod nginx-pod does not have a host assigned');
    const exec = await cp.kubectl(['exec', 'nginx-pod', '--', 'ls'], { allowFail: true });
    expect(exec.stderr).toContain('does not have a host assigned');
  });

  it('-o yaml round-trips through the store', async () => {
    const { stdout } = await cp.kubectl(['get', 'pvc', 'my-pvc', '-n', 'mysql', '-o', 'yaml']);
    const pvc = parseYaml(stdout);
    expect(pvc.kind).toBe('PersistentVolumeClaim');
    expect(pvc.spec.resources.requests.storage).toBe('1Gi');
    expect(pvc.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('changing objects', () => {
  it('label and annotate (and remove a label)', async () => {
    await cp.kubectl(['label', 'pod', 'nginx-pod', 'tier=web']);
    await cp.kubectl(['annotate', 'pod', 'nginx-pod', 'note=hello']);
    let pod = await json(['get', 'pod', 'nginx-pod']);
    expect(pod.metadata.labels).toEqual({ app: 'nginx', tier: 'web' });
    expect(pod.metadata.annotations.note).toBe('hello');
    await cp.kubectl(['label', 'pod', 'nginx-pod', 'tier-']);
    pod = await json(['get', 'pod', 'nginx-pod']);
    expect(pod.metadata.labels).toEqual({ app: 'nginx' });
    const conflict = await cp.kubectl(['label', 'pod', 'nginx-pod', 'app=other'], { allowFail: true });
    expect(conflict.code).not.toBe(0);
    expect(conflict.stderr).toContain("'app' already has a value (nginx)");
  });

  it('patch: strategic (default), merge and json', async () => {
    await cp.kubectl(['patch', 'deploy', 'mysql-deploy', '-n', 'mysql', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"mysql","image":"mysql:8.0.24"}]}}}}']);
    let d = await json(['get', 'deploy', 'mysql-deploy', '-n', 'mysql']);
    expect(d.spec.template.spec.containers).toHaveLength(1);
    expect(d.spec.template.spec.containers[0].image).toBe('mysql:8.0.24');
    expect(d.spec.template.spec.containers[0].envFrom).toEqual([{ configMapRef: { name: 'mysql-conf' } }]);
    expect(d.metadata.generation).toBe(2);
    await cp.kubectl(['patch', 'deploy', 'mysql-deploy', '-n', 'mysql', '--type=merge', '-p', '{"metadata":{"labels":{"team":"db"}}}']);
    await cp.kubectl(['patch', 'deploy', 'mysql-deploy', '-n', 'mysql', '--type=json', '-p', '[{"op":"test","path":"/metadata/labels/team","value":"db"},{"op":"replace","path":"/spec/replicas","value":2}]']);
    d = await json(['get', 'deploy', 'mysql-deploy', '-n', 'mysql']);
    expect(d.metadata.labels.team).toBe('db');
    expect(d.spec.replicas).toBe(2);
    const failed = await cp.kubectl(['patch', 'deploy', 'mysql-deploy', '-n', 'mysql', '--type=json', '-p', '[{"op":"test","path":"/spec/replicas","value":5}]'], { allowFail: true });
    expect(failed.code).not.toBe(0);
  });

  it('scale sets replicas through the scale subresource', async () => {
    const { stdout } = await cp.kubectl(['scale', 'deploy', 'mysql-deploy', '-n', 'mysql', '--replicas=3']);
    expect(stdout).toContain('deployment.apps/mysql-deploy scaled');
    expect((await json(['get', 'deploy', 'mysql-deploy', '-n', 'mysql'])).spec.replicas).toBe(3);
    await cp.kubectl(['scale', 'deploy', 'mysql-deploy', '-n', 'mysql', '--current-replicas=3', '--replicas=1']);
    expect((await json(['get', 'deploy', 'mysql-deploy', '-n', 'mysql'])).spec.replicas).toBe(1);
    const stale = await cp.kubectl(['scale', 'deploy', 'mysql-deploy', '-n', 'mysql', '--current-replicas=3', '--replicas=2'], { allowFail: true });
    expect(stale.code).not.toBe(0);
  });

  it('edit through KUBE_EDITOR', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-edit-'));
    const editor = join(dir, 'editor.sh');
    writeFileSync(editor, '#!/bin/sh\nsed -i "s/MYSQL_DATABASE: k8ts/MYSQL_DATABASE: edited/" "$1"\n');
    chmodSync(editor, 0o755);
    try {
      const { stdout } = await cp.kubectl(['edit', 'cm', 'mysql-conf', '-n', 'mysql'], { env: { KUBE_EDITOR: editor } });
      expect(stdout).toContain('configmap/mysql-conf edited');
      expect((await json(['get', 'cm', 'mysql-conf', '-n', 'mysql'])).data.MYSQL_DATABASE).toBe('edited');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('apply --server-side creates, re-applies, and reports conflicts with other managers', async () => {
    const manifest = readFileSync(join(EXAMPLES, 'nginx-service.yaml'), 'utf8').replace('nginx-service', 'nginx-ssa').replace('30080', '30090');
    const first = await cp.kubectl(['apply', '--server-side', '-f', '-'], { input: manifest });
    expect(first.stdout).toContain('service/nginx-ssa serverside-applied');
    const svc = await json(['get', 'svc', 'nginx-ssa', '--show-managed-fields']);
    expect(svc.metadata.managedFields.some((m: { manager: string; operation: string }) => m.manager === 'kubectl' && m.operation === 'Apply')).toBe(true);
    const again = await cp.kubectl(['apply', '--server-side', '-f', '-'], { input: manifest.replace('30090', '30091') });
    expect(again.stdout).toContain('serverside-applied');
    expect((await json(['get', 'svc', 'nginx-ssa'])).spec.ports[0].nodePort).toBe(30091);
    await cp.kubectl(['patch', 'svc', 'nginx-ssa', '--type=merge', '-p', '{"spec":{"ports":[{"port":80,"targetPort":81,"nodePort":30091}]}}']);
    const conflict = await cp.kubectl(['apply', '--server-side', '-f', '-'], { input: manifest.replace('30090', '30091'), allowFail: true });
    expect(conflict.code).not.toBe(0);
    expect(conflict.stderr).toContain('conflict');
    const forced = await cp.kubectl(['apply', '--server-side', '--force-conflicts', '-f', '-'], { input: manifest.replace('30090', '30091') });
    expect(forced.stdout).toContain('serverside-applied');
    expect((await json(['get', 'svc', 'nginx-ssa'])).spec.ports[0].targetPort).toBe(80);
  });

  it('get -w streams changes', async () => {
    const child = spawn('kubectl', ['--kubeconfig', cp.kubeconfig, 'get', 'cm', '-n', 'mysql', '-w', '--output-watch-events'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    try {
      await waitFor(() => out.includes('mysql-conf'));
      await cp.kubectl(['apply', '-n', 'mysql', '-f', '-'], { input: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: watched\ndata:\n  a: b\n' });
      await waitFor(() => /ADDED\s+watched/.test(out));
      await cp.kubectl(['delete', 'configmap', 'watched', '-n', 'mysql']);
      await waitFor(() => /DELETED\s+watched/.test(out));
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('kubectl create generators (sent as protobuf) create what they say', async () => {
    await cp.kubectl(['create', 'namespace', 'gen']);
    const gen = (args: string[]) => cp.kubectl(['-n', 'gen', ...args]);
    expect((await gen(['create', 'deployment', 'web', '--image=nginx:1.22.1', '--replicas=2', '--port=80'])).stdout).toContain('deployment.apps/web created');
    expect((await gen(['create', 'configmap', 'cfg', '--from-literal=a=b'])).stdout).toContain('configmap/cfg created');
    expect((await gen(['create', 'secret', 'generic', 'sec', '--from-literal=password=s3cret'])).stdout).toContain('secret/sec created');
    expect((await gen(['create', 'service', 'nodeport', 'np', '--tcp=80:8080'])).stdout).toContain('service/np created');
    expect((await gen(['create', 'job', 'once', '--image=busybox', '--', 'true'])).stdout).toContain('job.batch/once created');
    expect((await gen(['create', 'cronjob', 'tick', '--image=busybox', '--schedule=*/5 * * * *', '--', 'date'])).stdout).toContain('cronjob.batch/tick created');
    expect((await gen(['create', 'serviceaccount', 'robot'])).stdout).toContain('serviceaccount/robot created');
    const web = await json(['get', 'deploy', 'web', '-n', 'gen']);
    expect(web.spec.replicas).toBe(2);
    expect(web.spec.template.spec.containers[0]).toMatchObject({ name: 'nginx', image: 'nginx:1.22.1', ports: [{ containerPort: 80, protocol: 'TCP' }] });
    const sec = await json(['get', 'secret', 'sec', '-n', 'gen']);
    expect(Buffer.from(sec.data.password, 'base64').toString()).toBe('s3cret');
    const np = await json(['get', 'svc', 'np', '-n', 'gen']);
    expect(np.spec.ports[0]).toMatchObject({ port: 80, targetPort: 8080 });
    expect(np.spec.ports[0].nodePort).toBeGreaterThanOrEqual(30000);
    const job = await json(['get', 'job', 'once', '-n', 'gen']);
    expect(job.spec.template.spec.containers[0].command).toEqual(['true']);
  });

  it('delete --all removes a collection, by label too', async () => {
    for (const n of ['one', 'two', 'three']) await cp.kubectl(['create', 'configmap', `bulk-${n}`, '-n', 'gen', `--from-literal=n=${n}`]);
    await cp.kubectl(['label', 'configmap', 'bulk-one', 'bulk-two', '-n', 'gen', 'batch=x']);
    await cp.kubectl(['delete', 'configmap', '-n', 'gen', '-l', 'batch=x']);
    const left = (await cp.kubectl(['get', 'cm', '-n', 'gen', '-o', 'name'])).stdout;
    expect(left).toContain('bulk-three');
    expect(left).not.toContain('bulk-one');
    await cp.kubectl(['delete', 'configmap', '--all', '-n', 'gen']);
    expect((await cp.kubectl(['get', 'cm', '-n', 'gen', '-o', 'name'])).stdout).not.toContain('bulk-');
  });

  it('delete removes objects; a missing one is NotFound', async () => {
    const { stdout } = await cp.kubectl(['delete', 'pod', 'mysql-pod', '-n', 'mysql']);
    expect(stdout).toContain('pod "mysql-pod" deleted');
    const gone = await cp.kubectl(['get', 'pod', 'mysql-pod', '-n', 'mysql'], { allowFail: true });
    expect(gone.stderr).toContain('Error from server (NotFound): pods "mysql-pod" not found');
    await cp.kubectl(['delete', '-f', join(EXAMPLES, 'nginx-pod.yaml')]);
    expect((await cp.kubectl(['get', 'pods', '-o', 'name'])).stdout.trim()).toBe('');
  });
});

async function waitFor(cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
