// Realistic manifests, as a user writes them (before defaults), shared by the defaulting and
// validation tests. Each factory returns a fresh copy so tests may mutate it.

import { findKind, type ResourceInfo } from '../resources.ts';

export function resourceOf(obj: { apiVersion: string; kind: string }): ResourceInfo {
  const r = findKind(obj.apiVersion, obj.kind);
  if (!r) throw new Error(`no resource for ${obj.apiVersion} ${obj.kind}`);
  return r;
}

export const nginxPod = () => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'nginx', namespace: 'default', labels: { app: 'nginx' } },
  spec: {
    initContainers: [
      { name: 'init-html', image: 'busybox:1.36', command: ['sh', '-c', 'echo hello > /html/index.html'], volumeMounts: [{ name: 'html', mountPath: '/html' }] },
    ],
    containers: [
      {
        name: 'nginx',
        image: 'nginx:1.22.1',
        ports: [{ containerPort: 80, name: 'http' }],
        volumeMounts: [{ name: 'html', mountPath: '/usr/share/nginx/html' }],
        resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } },
        readinessProbe: { httpGet: { path: '/', port: 'http' } },
      },
    ],
    volumes: [{ name: 'html', hostPath: { path: '/data/nginx', type: 'DirectoryOrCreate' } }],
  },
});

export const mysqlDeployment = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'mysql', namespace: 'default', labels: { app: 'mysql' } },
  spec: {
    selector: { matchLabels: { app: 'mysql' } },
    strategy: { type: 'Recreate' },
    template: {
      metadata: { labels: { app: 'mysql' } },
      spec: {
        containers: [
          {
            name: 'mysql',
            image: 'mysql:8.0.23',
            envFrom: [{ configMapRef: { name: 'mysql-config' } }],
            env: [
              { name: 'MYSQL_ROOT_PASSWORD', valueFrom: { secretKeyRef: { name: 'mysql-secret', key: 'password' } } },
              { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
            ],
            ports: [{ containerPort: 3306, name: 'mysql' }],
            volumeMounts: [{ name: 'mysql-persistent-storage', mountPath: '/var/lib/mysql' }],
          },
        ],
        volumes: [{ name: 'mysql-persistent-storage', persistentVolumeClaim: { claimName: 'mysql-pv-claim' } }],
      },
    },
  },
});

export const localPV = () => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name: 'mysql-pv-volume', labels: { type: 'local' } },
  spec: {
    storageClassName: 'manual',
    capacity: { storage: '5Gi' },
    accessModes: ['ReadWriteOnce'],
    local: { path: '/mnt/data' },
    nodeAffinity: {
      required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['worker-0'] }] }] },
    },
  },
});

export const mysqlClaim = () => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name: 'mysql-pv-claim', namespace: 'default' },
  spec: { storageClassName: 'manual', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } } },
});

export const nginxService = () => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'nginx', namespace: 'default' },
  spec: { type: 'NodePort', selector: { app: 'nginx' }, ports: [{ name: 'http', port: 80, targetPort: 'http', nodePort: 30080 }] },
});

export const mysqlConfigMap = () => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'mysql-config', namespace: 'default' },
  data: { MYSQL_DATABASE: 'app', 'my.cnf': '[mysqld]\nbind-address=0.0.0.0\n' },
});

export const mysqlSecret = () => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'mysql-secret', namespace: 'default' },
  stringData: { password: 'hunter2' },
});

export const backupCronJob = () => ({
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'backup', namespace: 'default' },
  spec: {
    schedule: '*/15 2-4 * * mon-fri',
    jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'dump', image: 'mysql:8.0.23', command: ['mysqldump'] }] } } } },
  },
});

export const piJob = () => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'pi', namespace: 'default', uid: '6f1c3c4e-0000-4000-8000-000000000001' },
  spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl:5.34', command: ['perl', '-e', 'print 1'] }] } } },
});

export const nodeExporterDaemonSet = () => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'node-exporter', namespace: 'kube-system' },
  spec: {
    selector: { matchLabels: { app: 'node-exporter' } },
    template: {
      metadata: { labels: { app: 'node-exporter' } },
      spec: { hostNetwork: true, tolerations: [{ operator: 'Exists' }], containers: [{ name: 'exporter', image: 'prom/node-exporter', ports: [{ containerPort: 9100 }] }] },
    },
  },
});

export const webStatefulSet = () => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    serviceName: 'web',
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.22.1', volumeMounts: [{ name: 'www', mountPath: '/usr/share/nginx/html' }] }] } },
    volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
  },
});

export const workerNode = () => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'worker-0', labels: { 'kubernetes.io/hostname': 'worker-0' } },
  spec: { podCIDR: '10.244.1.0/24' },
  status: { capacity: { cpu: '1', memory: '1024Mi', pods: '110' } },
});

export const defaultNamespaceObj = () => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });

export const nodeLease = () => ({
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  metadata: { name: 'worker-0', namespace: 'kube-node-lease' },
  spec: { holderIdentity: 'worker-0', leaseDurationSeconds: 40, renewTime: '2024-01-01T00:00:00.000000Z' },
});

export const nginxSlice = () => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: 'nginx-abc12', namespace: 'default', labels: { 'kubernetes.io/service-name': 'nginx' } },
  addressType: 'IPv4',
  endpoints: [{ addresses: ['10.244.1.5'], conditions: { ready: true }, nodeName: 'worker-0' }],
  ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
});

export const scheduledEvent = () => ({
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name: 'nginx.17b2c3d4e5f6', namespace: 'default' },
  involvedObject: { kind: 'Pod', namespace: 'default', name: 'nginx', apiVersion: 'v1' },
  reason: 'Scheduled',
  message: 'Successfully assigned default/nginx to worker-0',
  type: 'Normal',
});

/** Every manifest above, for tests that run over all of them. */
export const ALL_MANIFESTS = [
  nginxPod, mysqlDeployment, localPV, mysqlClaim, nginxService, mysqlConfigMap, mysqlSecret, backupCronJob, piJob,
  nodeExporterDaemonSet, webStatefulSet, workerNode, defaultNamespaceObj, nodeLease, nginxSlice, scheduledEvent,
];
