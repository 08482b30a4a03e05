import { describe, expect, it } from 'vitest';
import { applyDefaults, prepareForCreate } from '../defaults/index.ts';
import type { StatusCause } from '../errors.ts';
import { validateUpdate } from './index.ts';
import * as m from './manifests.fixture.ts';

type Obj = Record<string, any>;

/** A stored object: defaulted, prepared, with the identity the API server gives it. */
function stored(make: () => Obj): Obj {
  const o = make();
  const r = m.resourceOf(o as { apiVersion: string; kind: string });
  o.metadata.uid ??= '0c6f7a3e-1111-4222-8333-444455556666';
  o.metadata.creationTimestamp = '2024-05-01T10:00:00Z';
  applyDefaults(r.kind, r.group, o);
  prepareForCreate(r.kind, r.group, o);
  if (o.kind === 'Service') {
    // The registry allocates the address when the Service is stored.
    o.spec.clusterIP = '10.96.0.20';
    o.spec.clusterIPs = ['10.96.0.20'];
  }
  return o;
}

/** What the API server does on update: default the new object, then validate against the old. */
function update(old: Obj, edit: (o: any) => void): StatusCause[] {
  const next = structuredClone(old);
  edit(next);
  const r = m.resourceOf(next as { apiVersion: string; kind: string });
  applyDefaults(r.kind, r.group, next);
  return validateUpdate(r, next, old);
}

const fields = (causes: StatusCause[]) => causes.map((c) => `${c.field}: ${c.message?.split('\n')[0]}`);

describe('validateUpdate', () => {
  it('accepts an unchanged object of every kind', () => {
    for (const make of m.ALL_MANIFESTS) expect(update(stored(make), () => {})).toEqual([]);
  });

  it.each<[string, () => Obj, (o: any) => void, string[]]>([
    ['a renamed object', m.nginxPod, (o) => (o.metadata.name = 'nginx2'), ['metadata.name: Invalid value: "nginx2": field is immutable']],
    ['a moved object', m.mysqlClaim, (o) => (o.metadata.namespace = 'shop'), ['metadata.namespace: Invalid value: "shop": field is immutable']],
    ['a changed uid', m.nginxPod, (o) => (o.metadata.uid = 'other'), ['metadata.uid: Invalid value: "other": field is immutable']],
    ['a changed creationTimestamp', m.localPV, (o) => (o.metadata.creationTimestamp = '2020-01-01T00:00:00Z'),
      ['metadata.creationTimestamp: Invalid value: "2020-01-01T00:00:00Z": field is immutable']],
    ['a new image on a pod', m.nginxPod, (o) => (o.spec.containers[0].image = 'nginx:1.23'), []],
    ['an added toleration on a pod', m.nginxPod, (o) => (o.spec.tolerations = [{ key: 'k', operator: 'Exists' }]), []],
    ['a shorter activeDeadlineSeconds on a pod', m.nginxPod, (o) => (o.spec.activeDeadlineSeconds = 60), []],
    ['a changed container port on a pod', m.nginxPod, (o) => (o.spec.containers[0].ports[0].containerPort = 8080), [
      'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
    ]],
    ['an added container on a pod', m.nginxPod, (o) => o.spec.containers.push({ name: 'side', image: 'busybox' }), [
      'spec.containers: Forbidden: pod updates may not add or remove containers',
    ]],
    ['a changed deployment selector', m.mysqlDeployment, (o) => {
      o.spec.selector.matchLabels.tier = 'db';
      o.spec.template.metadata.labels.tier = 'db';
    }, ['spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"mysql", "tier":"db"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable']],
    ['a scaled deployment', m.mysqlDeployment, (o) => (o.spec.replicas = 3), []],
    ['a changed statefulset serviceName', m.webStatefulSet, (o) => (o.spec.serviceName = 'www'), [
      "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ]],
    ['a changed job template', m.piJob, (o) => (o.spec.template.spec.containers[0].image = 'perl:5.36'), ['spec.template: Invalid value: field is immutable']],
    ['a changed service clusterIP', m.nginxService, (o) => {
      o.spec.clusterIP = '10.96.0.21';
      o.spec.clusterIPs = ['10.96.0.21'];
    }, [
      'spec.clusterIPs[0]: Invalid value: []string{"10.96.0.21"}: may not change once set',
    ]],
    ['a grown bound claim', m.mysqlClaim, (o) => (o.spec.resources.requests.storage = '10Gi'), [
      'spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
    ]],
    ['a changed claim access mode', m.mysqlClaim, (o) => (o.spec.accessModes = ['ReadWriteMany']), [
      'spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
    ]],
    ['a moved local volume', m.localPV, (o) => (o.spec.local.path = '/mnt/other'), ['spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation']],
    ['a changed secret type', m.mysqlSecret, (o) => (o.type = 'kubernetes.io/basic-auth'), ['type: Invalid value: "kubernetes.io/basic-auth": field is immutable']],
    ['a changed node podCIDR', m.workerNode, (o) => { o.spec.podCIDR = '10.244.2.0/24'; o.spec.podCIDRs = ['10.244.2.0/24']; }, [
      'spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid',
    ]],
    ['a changed endpoint slice addressType', m.nginxSlice, (o) => (o.addressType = 'FQDN'), [
      'addressType: Invalid value: "FQDN": field is immutable',
    ]],
  ])('%s', (_name, make, edit, want) => {
    expect(fields(update(stored(make), edit))).toEqual(want);
  });

  it('lets a bound claim grow but never shrink', () => {
    const old = stored(m.mysqlClaim);
    old.status.phase = 'Bound';
    expect(update(old, (o) => (o.spec.resources.requests.storage = '10Gi'))).toEqual([]);
    expect(fields(update(old, (o) => (o.spec.resources.requests.storage = '1Gi')))).toEqual([
      'spec.resources.requests.storage: Forbidden: field can not be less than previous value',
    ]);
  });

  it('freezes the data of an immutable configmap', () => {
    const old = stored(m.mysqlConfigMap);
    old.immutable = true;
    expect(fields(update(old, (o) => (o.data.MYSQL_DATABASE = 'other')))).toEqual(['data: Forbidden: field is immutable when `immutable` is set']);
    expect(fields(update(old, (o) => (o.immutable = false)))).toEqual(['immutable: Forbidden: field is immutable when `immutable` is set']);
  });

  it('names the changed field in the pod update message', () => {
    const [cause] = update(stored(m.nginxPod), (o) => (o.spec.containers[0].ports[0].containerPort = 8080));
    expect(cause.message).toContain('- spec.containers[0].ports[0].containerPort: 80\n+ spec.containers[0].ports[0].containerPort: 8080');
  });
});
