import { describe, expect, it } from 'vitest';
import type { ConfigMap, Container, Pod, Secret, Service } from 'kubernetes-types/core/v1.js';
import { EnvConfigError, expand, expandCommandAndArgs, makeEnvironmentVariables, resourceFieldValue, type EnvContext } from './envVars.ts';
import { fromServices, serviceEnvVars } from './serviceEnv.ts';
import type { ObjectLookup } from './types.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');

const configMaps: Record<string, ConfigMap> = {
  'default/mysql-conf': { metadata: { name: 'mysql-conf' }, data: { MYSQL_DATABASE: 'shop', 'bad key': 'x', PORT: '3306' } },
};
const secrets: Record<string, Secret> = {
  'default/mysql-pass': { metadata: { name: 'mysql-pass' }, data: { password: b64('s3cret'), MYSQL_USER: b64('app') } },
};
const services: Service[] = [
  { metadata: { name: 'nginx', namespace: 'default' }, spec: { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } },
  { metadata: { name: 'kubernetes', namespace: 'default' }, spec: { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443 }] } },
  { metadata: { name: 'headless', namespace: 'default' }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } },
  { metadata: { name: 'other-ns', namespace: 'web' }, spec: { clusterIP: '10.96.0.30', ports: [{ port: 8080 }] } },
];

const lookup: ObjectLookup = {
  getConfigMap: async (ns, name) => configMaps[`${ns}/${name}`],
  getSecret: async (ns, name) => secrets[`${ns}/${name}`],
  listServices: async (ns) => services.filter((s) => s.metadata?.namespace === ns),
};

const pod = (container: Container, extra: Partial<NonNullable<Pod['spec']>> = {}): Pod => ({
  metadata: { name: 'web-1', namespace: 'default', uid: 'u-1', labels: { app: 'web' }, annotations: { team: 'a' } },
  spec: { nodeName: 'worker-0', serviceAccountName: 'default', containers: [container], ...extra },
});

const ctx = (p: Pod): EnvContext => ({
  hostIPs: ['192.168.56.11'],
  podIPs: ['10.244.1.5'],
  nodeAllocatable: { cpu: 2, memory: 2 * 1024 ** 3 },
  serviceEnv: serviceEnvVars(p, services),
});

async function envOf(container: Container, extra?: Partial<NonNullable<Pod['spec']>>): Promise<Record<string, string>> {
  const p = pod(container, extra);
  const res = await makeEnvironmentVariables(p, container, lookup, ctx(p));
  return Object.fromEntries(res.env.map((e) => [e.key, e.value]));
}

describe('expand', () => {
  const vars: Record<string, string> = { A: 'a', B: 'b' };
  const cases: [string, string][] = [
    ['$(A)', 'a'],
    ['x-$(A)-$(B)', 'x-a-b'],
    ['$(MISSING)', '$(MISSING)'],
    ['$$(A)', '$(A)'],
    ['$$', '$'],
    ['$A', '$A'],
    ['$(A', '$(A'],
    ['tail$', 'tail$'],
    ['', ''],
  ];
  for (const [input, want] of cases) it(`"${input}" → "${want}"`, () => expect(expand(input, (n) => vars[n])).toBe(want));
});

describe('makeEnvironmentVariables', () => {
  it('resolves values, $(VAR) references, fieldRefs and key refs', async () => {
    const env = await envOf({
      name: 'c',
      resources: { limits: { memory: '128Mi' }, requests: { cpu: '250m' } },
      env: [
        { name: 'GREETING', value: 'hello' },
        { name: 'MESSAGE', value: '$(GREETING) from $(POD_NAME)' },
        { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'LATE', value: '$(POD_NAME)' },
        { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
        { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        { name: 'TEAM', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['team']" } } },
        { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        { name: 'SA', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
        { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
        { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'MEM_LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
        { name: 'CPU_LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
        { name: 'CPU_REQUEST_M', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
        { name: 'DB', valueFrom: { configMapKeyRef: { name: 'mysql-conf', key: 'MYSQL_DATABASE' } } },
        { name: 'PASS', valueFrom: { secretKeyRef: { name: 'mysql-pass', key: 'password' } } },
        { name: 'OPT', valueFrom: { secretKeyRef: { name: 'absent', key: 'x', optional: true } } },
        { name: 'SVC', value: '$(NGINX_SERVICE_HOST):$(NGINX_SERVICE_PORT)' },
      ],
    });
    expect(env).toMatchObject({
      GREETING: 'hello',
      // POD_NAME is defined after MESSAGE: not yet known when MESSAGE is expanded, as upstream.
      MESSAGE: 'hello from $(POD_NAME)',
      LATE: 'web-1',
      NS: 'default',
      UID: 'u-1',
      APP: 'web',
      TEAM: 'a',
      NODE: 'worker-0',
      SA: 'default',
      HOST_IP: '192.168.56.11',
      POD_IP: '10.244.1.5',
      MEM_LIMIT: '128',
      // No CPU limit: the node's allocatable (2 cores).
      CPU_LIMIT: '2',
      CPU_REQUEST_M: '250',
      DB: 'shop',
      PASS: 's3cret',
      OPT: '',
      SVC: '10.96.0.20:80',
    });
  });

  it('envFrom takes every valid key with its prefix and reports the invalid ones; env overrides it', async () => {
    const c: Container = {
      name: 'c',
      envFrom: [{ configMapRef: { name: 'mysql-conf' } }, { secretRef: { name: 'mysql-pass' }, prefix: 'S_' }],
      env: [{ name: 'PORT', value: '3307' }],
    };
    const p = pod(c);
    const res = await makeEnvironmentVariables(p, c, lookup, ctx(p));
    const env = Object.fromEntries(res.env.map((e) => [e.key, e.value]));
    expect(env).toMatchObject({ MYSQL_DATABASE: 'shop', PORT: '3307', S_password: 's3cret', S_MYSQL_USER: 'app' });
    expect(res.invalidKeys).toEqual(['bad key']);
  });

  it('a missing required ConfigMap, Secret or key is a config error', async () => {
    for (const c of [
      { name: 'c', envFrom: [{ configMapRef: { name: 'absent' } }] },
      { name: 'c', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'mysql-conf', key: 'absent' } } }] },
      { name: 'c', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'absent', key: 'k' } } }] },
    ] as Container[]) {
      const p = pod(c);
      await expect(makeEnvironmentVariables(p, c, lookup, ctx(p))).rejects.toBeInstanceOf(EnvConfigError);
    }
  });

  it('Service variables come last and never override the container', async () => {
    const env = await envOf({ name: 'c', env: [{ name: 'NGINX_SERVICE_HOST', value: 'mine' }] });
    expect(env.NGINX_SERVICE_HOST).toBe('mine');
    expect(env.KUBERNETES_SERVICE_HOST).toBe('10.96.0.1');
    expect(env.OTHER_NS_SERVICE_HOST).toBeUndefined();
    expect(env.HEADLESS_SERVICE_HOST).toBeUndefined();
  });

  it('enableServiceLinks: false keeps only the kubernetes Service', async () => {
    const env = await envOf({ name: 'c' }, { enableServiceLinks: false });
    expect(env.NGINX_SERVICE_HOST).toBeUndefined();
    expect(env.KUBERNETES_SERVICE_HOST).toBe('10.96.0.1');
  });

  it('expands command and args from the final environment', () => {
    const c: Container = { name: 'c', command: ['sh', '-c', 'echo $(A)'], args: ['$(B)', '$$(A)'] };
    expect(expandCommandAndArgs(c, [{ key: 'A', value: '1' }, { key: 'B', value: '2' }])).toEqual({ command: ['sh', '-c', 'echo 1'], args: ['2', '$(A)'] });
  });
});

describe('fromServices', () => {
  it('writes the Docker-links variables of upstream', () => {
    const vars = fromServices([
      { metadata: { name: 'my-nginx' }, spec: { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80 }, { name: 'dns', port: 53, protocol: 'UDP' }] } },
    ]);
    expect(vars).toEqual([
      { name: 'MY_NGINX_SERVICE_HOST', value: '10.96.0.20' },
      { name: 'MY_NGINX_SERVICE_PORT', value: '80' },
      { name: 'MY_NGINX_SERVICE_PORT_HTTP', value: '80' },
      { name: 'MY_NGINX_SERVICE_PORT_DNS', value: '53' },
      { name: 'MY_NGINX_PORT', value: 'tcp://10.96.0.20:80' },
      { name: 'MY_NGINX_PORT_80_TCP', value: 'tcp://10.96.0.20:80' },
      { name: 'MY_NGINX_PORT_80_TCP_PROTO', value: 'tcp' },
      { name: 'MY_NGINX_PORT_80_TCP_PORT', value: '80' },
      { name: 'MY_NGINX_PORT_80_TCP_ADDR', value: '10.96.0.20' },
      { name: 'MY_NGINX_PORT_53_UDP', value: 'udp://10.96.0.20:53' },
      { name: 'MY_NGINX_PORT_53_UDP_PROTO', value: 'udp' },
      { name: 'MY_NGINX_PORT_53_UDP_PORT', value: '53' },
      { name: 'MY_NGINX_PORT_53_UDP_ADDR', value: '10.96.0.20' },
    ]);
  });
});

describe('resourceFieldValue', () => {
  const alloc = { cpu: 2, memory: 4 * 1024 ** 3 };
  const c: Container = { name: 'c', resources: { limits: { cpu: '1500m', memory: '1Gi' }, requests: { cpu: '100m', memory: '100Mi' } } };
  const cases: [string, string | undefined, string][] = [
    ['limits.cpu', undefined, '2'], // 1.5 cores rounded up
    ['limits.cpu', '1m', '1500'],
    ['requests.cpu', '1m', '100'],
    ['limits.memory', undefined, String(1024 ** 3)],
    ['limits.memory', '1Mi', '1024'],
    ['requests.memory', '1Mi', '100'],
  ];
  for (const [resource, divisor, want] of cases) {
    it(`${resource} / ${divisor ?? '1'} = ${want}`, () => expect(resourceFieldValue(c, { resource, divisor }, alloc)).toBe(want));
  }
});
