import { describe, expect, it } from 'vitest';
import * as m from '../validation/manifests.fixture.ts';
import { applyDefaults, defaultPullPolicy, generateJobSelector, prepareForCreate, qosClass } from './index.ts';

type Obj = Record<string, any>;

function defaulted<T extends Obj>(make: () => T): any {
  const o = make();
  applyDefaults(o.kind, m.resourceOf(o as unknown as { apiVersion: string; kind: string }).group, o);
  return o;
}

describe('pod defaults', () => {
  const pod = defaulted(m.nginxPod);
  const [nginx] = pod.spec.containers;

  it('fills the pod-wide policies', () => {
    expect(pod.spec).toMatchObject({
      restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler',
      securityContext: {}, enableServiceLinks: true,
    });
  });

  it('fills container defaults in app and init containers', () => {
    for (const c of [nginx, pod.spec.initContainers[0]]) {
      expect(c).toMatchObject({ imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' });
    }
    expect(nginx.ports[0].protocol).toBe('TCP');
  });

  it('fills probe defaults', () => {
    expect(nginx.readinessProbe).toEqual({
      httpGet: { path: '/', port: 'http', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3,
    });
  });

  it('keeps an explicit hostPath type and fills volume defaults', () => {
    const p = m.nginxPod();
    (p.spec.volumes as any[]).push({ name: 'cfg', configMap: { name: 'c' } }, { name: 'scratch' }, { name: 'h', hostPath: { path: '/x' } });
    applyDefaults('Pod', '', p);
    expect(p.spec.volumes.map((v: any) => v.hostPath?.type ?? v.configMap?.defaultMode ?? v.emptyDir)).toEqual(['DirectoryOrCreate', 420, {}, '']);
  });

  it('copies limits into missing requests on pods only', () => {
    const p = m.nginxPod() as any;
    p.spec.containers[0].resources = { limits: { cpu: '1', memory: '1Gi' } };
    applyDefaults('Pod', '', p);
    expect(p.spec.containers[0].resources.requests).toEqual({ cpu: '1', memory: '1Gi' });
    const d = m.mysqlDeployment() as any;
    d.spec.template.spec.containers[0].resources = { limits: { cpu: '1' } };
    applyDefaults('Deployment', 'apps', d);
    expect(d.spec.template.spec.containers[0].resources.requests).toBeUndefined();
    expect(d.spec.template.spec.enableServiceLinks).toBeUndefined();
  });

  it('defaults env fieldRef apiVersion', () => {
    expect(defaulted(m.mysqlDeployment).spec.template.spec.containers[0].env[1].valueFrom.fieldRef.apiVersion).toBe('v1');
  });

  it('defaults hostPort to containerPort on the host network', () => {
    const p = m.nginxPod() as any;
    p.spec.hostNetwork = true;
    applyDefaults('Pod', '', p);
    expect(p.spec.containers[0].ports[0].hostPort).toBe(80);
  });

  it.each([
    ['nginx', 'Always'], ['nginx:latest', 'Always'], ['nginx:1.22.1', 'IfNotPresent'], ['master:5000/nginx', 'Always'],
    ['master:5000/nginx:1.22.1', 'IfNotPresent'], ['nginx@sha256:abcd', 'IfNotPresent'], ['nginx:latest@sha256:abcd', 'Always'],
  ])('pulls %s with %s', (image, policy) => {
    expect(defaultPullPolicy(image)).toBe(policy);
  });
});

describe('workload defaults', () => {
  it('defaults a Deployment and keeps Recreate without rollingUpdate', () => {
    const d = defaulted(m.mysqlDeployment);
    expect(d.spec).toMatchObject({ replicas: 1, revisionHistoryLimit: 10, progressDeadlineSeconds: 600, strategy: { type: 'Recreate' } });
    expect(d.spec.strategy.rollingUpdate).toBeUndefined();
    const plain = m.mysqlDeployment() as any;
    delete plain.spec.strategy;
    applyDefaults('Deployment', 'apps', plain);
    expect(plain.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  });

  it('defaults a DaemonSet', () => {
    expect(defaulted(m.nodeExporterDaemonSet).spec).toMatchObject({
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } }, revisionHistoryLimit: 10,
    });
  });

  it('defaults a StatefulSet and its claim templates', () => {
    const s = defaulted(m.webStatefulSet);
    expect(s.spec).toMatchObject({
      replicas: 2, podManagementPolicy: 'OrderedReady', revisionHistoryLimit: 10,
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
    });
    expect(s.spec.volumeClaimTemplates[0]).toMatchObject({ spec: { volumeMode: 'Filesystem' }, status: { phase: 'Pending' } });
  });

  it('defaults a ReplicaSet to one replica', () => {
    const rs: any = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'x' }, spec: {} };
    applyDefaults('ReplicaSet', 'apps', rs);
    expect(rs.spec.replicas).toBe(1);
  });

  it('defaults a Job', () => {
    expect(defaulted(m.piJob).spec).toMatchObject({
      completions: 1, parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false, podReplacementPolicy: 'TerminatingOrFailed',
    });
  });

  it('leaves completions unset when only parallelism is given', () => {
    const j = m.piJob() as any;
    j.spec.parallelism = 3;
    applyDefaults('Job', 'batch', j);
    expect([j.spec.completions, j.spec.parallelism]).toEqual([undefined, 3]);
  });

  it('defaults a CronJob without Job defaults in its template', () => {
    const c = defaulted(m.backupCronJob);
    expect(c.spec).toMatchObject({ concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 });
    expect(c.spec.jobTemplate.spec.backoffLimit).toBeUndefined();
    expect(c.spec.jobTemplate.spec.template.spec.schedulerName).toBe('default-scheduler');
  });
});

describe('core defaults', () => {
  it('defaults a NodePort Service', () => {
    expect(defaulted(m.nginxService).spec).toMatchObject({
      type: 'NodePort', sessionAffinity: 'None', externalTrafficPolicy: 'Cluster', internalTrafficPolicy: 'Cluster',
      ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4'], ports: [{ protocol: 'TCP', targetPort: 'http' }],
    });
  });

  it('defaults targetPort to port and leaves externalTrafficPolicy off a ClusterIP Service', () => {
    const s: any = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db' }, spec: { ports: [{ port: 3306 }] } };
    applyDefaults('Service', '', s);
    expect(s.spec.ports[0].targetPort).toBe(3306);
    expect(s.spec.type).toBe('ClusterIP');
    expect(s.spec.externalTrafficPolicy).toBeUndefined();
  });

  it('makes a selectorless headless Service RequireDualStack', () => {
    const s: any = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db' }, spec: { clusterIP: 'None' } };
    applyDefaults('Service', '', s);
    expect(s.spec).toMatchObject({ clusterIPs: ['None'], ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv4'] });
  });

  it('labels a Namespace with its name and marks it Active', () => {
    expect(defaulted(m.defaultNamespaceObj)).toMatchObject({ metadata: { labels: { 'kubernetes.io/metadata.name': 'shop' } }, status: { phase: 'Active' } });
  });

  it('defaults PersistentVolumes and claims', () => {
    expect(defaulted(m.localPV)).toMatchObject({ spec: { persistentVolumeReclaimPolicy: 'Retain', volumeMode: 'Filesystem' }, status: { phase: 'Pending' } });
    expect(defaulted(m.mysqlClaim)).toMatchObject({ spec: { volumeMode: 'Filesystem' }, status: { phase: 'Pending' } });
  });

  it('types a Secret Opaque and folds stringData into data', () => {
    const s = defaulted(m.mysqlSecret);
    expect(s).toMatchObject({ type: 'Opaque', data: { password: Buffer.from('hunter2').toString('base64') } });
    expect(s.stringData).toBeUndefined();
  });

  it('gives a Node allocatable equal to capacity and pairs podCIDR with podCIDRs', () => {
    const n = defaulted(m.workerNode);
    expect(n.status.allocatable).toEqual(n.status.capacity);
    expect(n.spec.podCIDRs).toEqual(['10.244.1.0/24']);
  });

  it('leaves wrongly typed fields alone', () => {
    const d: any = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { replicas: 'three', strategy: 'fast', template: 7 } };
    applyDefaults('Deployment', 'apps', d);
    expect(d.spec).toMatchObject({ replicas: 'three', strategy: 'fast', template: 7, revisionHistoryLimit: 10 });
  });
});

describe('prepareForCreate', () => {
  it('adds the kubernetes finalizer to a new Namespace once', () => {
    const ns: any = { metadata: { name: 'shop' }, spec: { finalizers: ['example.com/x'] } };
    prepareForCreate('Namespace', '', ns);
    prepareForCreate('Namespace', '', ns);
    expect(ns.spec.finalizers).toEqual(['example.com/x', 'kubernetes']);
  });

  it('does not add the finalizer back through defaulting on update', () => {
    const ns: any = { metadata: { name: 'shop' }, spec: { finalizers: [] } };
    applyDefaults('Namespace', '', ns);
    expect(ns.spec.finalizers).toEqual([]);
  });

  it('generates a Job selector from its uid', () => {
    const j: any = m.piJob();
    generateJobSelector(j);
    const uid = j.metadata.uid;
    expect(j.spec.selector).toEqual({ matchLabels: { 'batch.kubernetes.io/controller-uid': uid } });
    expect(j.spec.template.metadata.labels).toEqual({
      'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': uid, 'job-name': 'pi',
    });
  });

  it.each([
    ['no resources', [{}], 'BestEffort'],
    ['equal requests and limits', [{ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } }], 'Guaranteed'],
    ['limits only (requests follow)', [{ limits: { cpu: '500m', memory: '128Mi' } }], 'Guaranteed'],
    ['requests below limits', [{ requests: { cpu: '100m' }, limits: { cpu: '500m', memory: '128Mi' } }], 'Burstable'],
    ['one container without limits', [{ limits: { cpu: '1', memory: '1Gi' } }, {}], 'Burstable'],
  ])('classes a pod with %s as %s', (_what, resources, want) => {
    expect(qosClass({ containers: resources.map((r, i) => ({ name: `c${i}`, resources: r })) })).toBe(want);
  });
});
