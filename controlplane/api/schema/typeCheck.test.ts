import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { RESOURCES, findKind } from '../resources.ts';
import { checkBody, decodeErrorMessage, warningHeader } from './typeCheck.ts';

const DEPLOYMENT = { group: 'apps', version: 'v1', kind: 'Deployment' };
const deployment = (spec: unknown) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec });

// The manifests people bring: nginx and mysql with local storage.
const MANIFESTS = `
apiVersion: v1
kind: Namespace
metadata: { name: shop, labels: { team: web } }
---
apiVersion: v1
kind: Pod
metadata: { name: nginx, namespace: shop, labels: { app: nginx } }
spec:
  initContainers:
    - name: init
      image: busybox:1.36
      command: ["sh", "-c", "echo hello > /work/index.html"]
      volumeMounts: [{ name: www, mountPath: /work }]
  containers:
    - name: nginx
      image: nginx:1.22.1
      ports: [{ containerPort: 80, name: http, protocol: TCP }]
      resources: { requests: { cpu: 100m, memory: 64Mi }, limits: { cpu: 0.5, memory: 128Mi } }
      readinessProbe: { httpGet: { path: /, port: http }, periodSeconds: 5 }
      livenessProbe: { tcpSocket: { port: 80 }, initialDelaySeconds: 3 }
      volumeMounts: [{ name: www, mountPath: /usr/share/nginx/html, readOnly: true }]
  volumes:
    - name: www
      hostPath: { path: /srv/www, type: DirectoryOrCreate }
  restartPolicy: Always
---
apiVersion: v1
kind: ConfigMap
metadata: { name: mysql-config }
data:
  MYSQL_DATABASE: shop
  my.cnf: |
    [mysqld]
    bind-address=0.0.0.0
---
apiVersion: v1
kind: Secret
metadata: { name: mysql-pass }
type: Opaque
data: { password: cGFzc3dvcmQ= }
stringData: { user: root }
---
apiVersion: v1
kind: PersistentVolume
metadata: { name: mysql-pv, labels: { type: local } }
spec:
  capacity: { storage: 5Gi }
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: local-storage
  local: { path: /mnt/data }
  nodeAffinity:
    required:
      nodeSelectorTerms:
        - matchExpressions:
            - { key: kubernetes.io/hostname, operator: In, values: [worker-0] }
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: mysql-pvc }
spec:
  storageClassName: local-storage
  accessModes: [ReadWriteOnce]
  resources: { requests: { storage: 5Gi } }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: mysql, labels: { app: mysql } }
spec:
  replicas: 1
  selector: { matchLabels: { app: mysql } }
  strategy: { type: Recreate }
  template:
    metadata: { labels: { app: mysql } }
    spec:
      containers:
        - name: mysql
          image: mysql:8.0.23
          envFrom: [{ configMapRef: { name: mysql-config } }]
          env:
            - name: MYSQL_ROOT_PASSWORD
              valueFrom: { secretKeyRef: { name: mysql-pass, key: password } }
          ports: [{ containerPort: 3306, name: mysql }]
          volumeMounts: [{ name: data, mountPath: /var/lib/mysql }]
      volumes:
        - name: data
          persistentVolumeClaim: { claimName: mysql-pvc }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: nginx }
spec:
  replicas: 2
  selector: { matchLabels: { app: nginx } }
  strategy: { type: RollingUpdate, rollingUpdate: { maxSurge: 25%, maxUnavailable: 1 } }
  template:
    metadata: { labels: { app: nginx } }
    spec: { containers: [{ name: nginx, image: nginx:1.22.1 }] }
---
apiVersion: v1
kind: Service
metadata: { name: nginx }
spec:
  type: NodePort
  selector: { app: nginx }
  ports: [{ port: 80, targetPort: http, nodePort: 30080, protocol: TCP }]
---
apiVersion: v1
kind: Service
metadata: { name: mysql }
spec:
  clusterIP: None
  selector: { app: mysql }
  ports: [{ port: 3306, targetPort: 3306 }]
---
apiVersion: batch/v1
kind: CronJob
metadata: { name: backup, creationTimestamp: null }
spec:
  schedule: "*/5 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{ name: backup, image: busybox, args: [date] }]
`;

describe('checkBody accepts realistic manifests', () => {
  for (const d of parseAllDocuments(MANIFESTS)) {
    const obj = d.toJS() as { apiVersion: string; kind: string; metadata: { name: string } };
    it(`${obj.kind} ${obj.metadata.name}`, () => {
      const r = findKind(obj.apiVersion, obj.kind)!;
      expect(checkBody(r, obj, 'Strict')).toEqual({ errors: [], warnings: [] });
    });
  }
});

describe('checkBody reports wrong JSON types as the Go decoder does', () => {
  it('a string where an int32 belongs', () => {
    const r = checkBody(DEPLOYMENT, deployment({ replicas: 'three' }), 'Strict');
    expect(r.errors).toEqual(['json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32']);
    expect(decodeErrorMessage(DEPLOYMENT, r.errors)).toBe(
      'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32');
  });

  it('an object where a list belongs', () => {
    const r = checkBody(DEPLOYMENT, deployment({ template: { spec: { containers: {} } } }), 'Ignore');
    expect(r.errors).toEqual(['json: cannot unmarshal object into Go struct field PodSpec.spec.template.spec.containers of type []v1.Container']);
  });

  it('a fraction where an integer belongs, naming the number', () => {
    const r = checkBody(DEPLOYMENT, deployment({ template: { spec: { containers: [{ name: 'a', ports: [{ containerPort: 80.5 }] }] } } }), 'Strict');
    expect(r.errors).toEqual(['json: cannot unmarshal number 80.5 into Go struct field ContainerPort.spec.template.spec.containers.ports.containerPort of type int32']);
  });

  it('an int32 out of range', () => {
    expect(checkBody(DEPLOYMENT, deployment({ replicas: 2 ** 31 }), 'Strict').errors[0]).toMatch(/cannot unmarshal number 2147483648 .* of type int32/);
  });

  it('a string where a struct belongs, at the top', () => {
    expect(checkBody(DEPLOYMENT, deployment('x'), 'Strict').errors).toEqual(['json: cannot unmarshal string into Go struct field Deployment.spec of type v1.DeploymentSpec']);
  });

  it('a number in a map of strings', () => {
    expect(checkBody(DEPLOYMENT, { ...deployment({}), metadata: { labels: { app: 1 } } }, 'Strict').errors).toEqual([
      'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels.app of type string',
    ]);
  });

  it('a body that is not an object', () => {
    expect(checkBody(DEPLOYMENT, [1], 'Strict').errors).toEqual(['json: cannot unmarshal array into Go value of type v1.Deployment']);
  });

  it('quantities: strings in the quantity grammar and bare numbers pass, others fail', () => {
    const pod = (limits: unknown) => ({ apiVersion: 'v1', kind: 'Pod', spec: { containers: [{ name: 'a', resources: { limits } }] } });
    const POD = { group: '', version: 'v1', kind: 'Pod' };
    expect(checkBody(POD, pod({ cpu: '250m', memory: '1.5Gi', storage: 1e9, x: '1e3' }), 'Strict').errors).toEqual([]);
    expect(checkBody(POD, pod({ cpu: 'lots' }), 'Strict').errors[0]).toMatch(/^quantities must match the regular expression/);
    expect(checkBody(POD, pod({ cpu: true }), 'Strict').errors[0]).toMatch(/^quantities must match/);
  });

  it('int-or-string: a port name or number passes, a bool fails', () => {
    const SVC = { group: '', version: 'v1', kind: 'Service' };
    const svc = (targetPort: unknown) => ({ spec: { ports: [{ port: 80, targetPort }] } });
    expect(checkBody(SVC, svc('http'), 'Strict').errors).toEqual([]);
    expect(checkBody(SVC, svc(8080), 'Strict').errors).toEqual([]);
    expect(checkBody(SVC, svc(true), 'Strict').errors).toEqual(['json: cannot unmarshal bool into Go value of type int32']);
  });

  it('date-time: RFC 3339 and null pass, other strings fail', () => {
    const NS = { group: '', version: 'v1', kind: 'Namespace' };
    expect(checkBody(NS, { metadata: { creationTimestamp: '2024-05-01T10:00:00Z' } }, 'Strict').errors).toEqual([]);
    expect(checkBody(NS, { metadata: { creationTimestamp: null } }, 'Strict').errors).toEqual([]);
    expect(checkBody(NS, { metadata: { creationTimestamp: 'yesterday' } }, 'Strict').errors[0]).toMatch(/^parsing time "yesterday"/);
  });

  it('bytes: Secret data must be base64', () => {
    const SECRET = { group: '', version: 'v1', kind: 'Secret' };
    expect(checkBody(SECRET, { data: { a: 'aGVsbG8=', b: '' } }, 'Strict').errors).toEqual([]);
    expect(checkBody(SECRET, { data: { a: 'hello world' } }, 'Strict').errors).toEqual(['illegal base64 data at input byte 5']);
    expect(checkBody(SECRET, { data: { a: 'aGVsbG8' } }, 'Strict').errors).toEqual(['illegal base64 data at input byte 4']);
  });

  it('opaque values (ControllerRevision data, managedFields fieldsV1) take anything', () => {
    const CR = { group: 'apps', version: 'v1', kind: 'ControllerRevision' };
    const body = { revision: 1, data: { spec: { anything: [1, 'x'] } }, metadata: { managedFields: [{ manager: 'kubectl', fieldsV1: { 'f:spec': {} } }] } };
    expect(checkBody(CR, body, 'Strict')).toEqual({ errors: [], warnings: [] });
  });

  it('type errors fail the request even with fieldValidation=Ignore', () => {
    expect(checkBody(DEPLOYMENT, deployment({ replicas: 'three', foo: 1 }), 'Ignore')).toEqual({
      errors: ['json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32'], warnings: [],
    });
  });
});

describe('checkBody reports unknown fields by fieldValidation', () => {
  const body = deployment({ foo: 1, template: { spec: { containers: [{ name: 'a', imagee: 'nginx' }] } } });
  it('Strict: errors, with the message upstream sends', () => {
    const r = checkBody(DEPLOYMENT, body, 'Strict');
    expect(r).toEqual({ errors: ['unknown field "spec.foo"', 'unknown field "spec.template.spec.containers[0].imagee"'], warnings: [] });
    expect(decodeErrorMessage(DEPLOYMENT, r.errors)).toBe(
      'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo", unknown field "spec.template.spec.containers[0].imagee"');
  });
  it('Warn: warnings', () => {
    const r = checkBody(DEPLOYMENT, body, 'Warn');
    expect(r).toEqual({ errors: [], warnings: ['unknown field "spec.foo"', 'unknown field "spec.template.spec.containers[0].imagee"'] });
    expect(warningHeader(r.warnings[0])).toBe('299 - "unknown field \\"spec.foo\\""');
  });
  it('Ignore: nothing', () => {
    expect(checkBody(DEPLOYMENT, body, 'Ignore')).toEqual({ errors: [], warnings: [] });
  });
  it('unknown top-level fields too', () => {
    expect(checkBody(DEPLOYMENT, { ...deployment({}), spce: {} }, 'Strict').errors).toEqual(['unknown field "spce"']);
  });
  it('a kind without a schema passes unchecked', () => {
    expect(checkBody({ group: 'example.com', version: 'v1', kind: 'Widget' }, { foo: 1 }, 'Strict')).toEqual({ errors: [], warnings: [] });
  });
});

describe('checkBody never throws', () => {
  it('on arbitrary JSON as the body or as the spec of any served kind', () => {
    fc.assert(
      fc.property(fc.constantFrom(...RESOURCES), fc.jsonValue(), fc.constantFrom('Strict', 'Warn', 'Ignore') as fc.Arbitrary<'Strict' | 'Warn' | 'Ignore'>, (r, v, mode) => {
        for (const body of [v, { spec: v }, { metadata: v }, { spec: { template: { spec: { containers: [v] } } } }]) {
          const out = checkBody(r, body, mode);
          expect(Array.isArray(out.errors) && Array.isArray(out.warnings)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('on very deep nesting', () => {
    let deep: unknown = {};
    for (let i = 0; i < 5000; i++) deep = { spec: deep };
    expect(() => checkBody(DEPLOYMENT, deep, 'Strict')).not.toThrow();
  });
});
