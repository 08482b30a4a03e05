import { describe, expect, it } from 'vitest';
import { RESOURCES, apiVersionOf } from '../../api/resources.ts';
import { messageForKind, messageNames, messageSchema, parseFieldSpec } from './schema.ts';

describe('parseFieldSpec', () => {
  it.each([
    { spec: 'name: string', want: { json: 'name', inline: false, keepZero: false, shape: 'single', value: { kind: 'scalar', scalar: 'string' } } },
    { spec: 'replicas: *int32', want: { json: 'replicas', inline: false, keepZero: true, shape: 'single', value: { kind: 'scalar', scalar: 'int32' } } },
    { spec: 'containers: []core.Container', want: { json: 'containers', inline: false, keepZero: false, shape: 'repeated', value: { kind: 'message', name: 'core.Container' } } },
    { spec: 'data: map[bytes]', want: { json: 'data', inline: false, keepZero: false, shape: 'map', value: { kind: 'scalar', scalar: 'bytes' } } },
    { spec: 'limits: map[Quantity]', want: { json: 'limits', inline: false, keepZero: false, shape: 'map', value: { kind: 'wellKnown', name: 'Quantity' } } },
    { spec: '...: core.VolumeSource', want: { json: '...', inline: true, keepZero: false, shape: 'single', value: { kind: 'message', name: 'core.VolumeSource' } } },
  ])("reads '$spec'", ({ spec, want }) => {
    expect(parseFieldSpec(spec)).toEqual(want);
  });

  it.each([
    'name string', // no colon
    'name: float', // no such type
    'labels: map[string', // unclosed map
    'spec: *core.PodSpec', // '*' on a message
    '...: []core.VolumeSource', // inline list
    '...: string', // inline scalar
  ])("rejects '%s'", (spec) => {
    expect(() => parseFieldSpec(spec)).toThrow(/protobuf field spec|applies to scalars|can be inline/);
  });
});

describe('message tables', () => {
  it('refer only to messages they define', () => {
    const missing: string[] = [];
    for (const name of messageNames()) {
      for (const [num, field] of messageSchema(name)!) {
        if (field.value.kind === 'message' && !messageSchema(field.value.name)) missing.push(`${name}.${num} → ${field.value.name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it.each([
    // Spot checks against k8s.io/api's generated.proto.
    { message: 'meta.ObjectMeta', field: 8, json: 'creationTimestamp' },
    { message: 'meta.ObjectMeta', field: 17, json: 'managedFields' },
    { message: 'core.PodSpec', field: 2, json: 'containers' },
    { message: 'core.PodSpec', field: 20, json: 'initContainers' },
    { message: 'core.ServicePort', field: 4, json: 'targetPort' },
    { message: 'core.Secret', field: 4, json: 'stringData' },
    { message: 'apps.DeploymentSpec', field: 9, json: 'progressDeadlineSeconds' },
    { message: 'batch.CronJobSpec', field: 5, json: 'jobTemplate' },
    { message: 'meta.DeleteOptions', field: 4, json: 'propagationPolicy' },
  ])('$message field $field is $json', ({ message, field, json }) => {
    expect(messageSchema(message)?.get(field)?.json).toBe(json);
  });
});

describe('messageForKind', () => {
  it('has a message for every kind the API server serves', () => {
    const missing = RESOURCES.filter((r) => !messageForKind(apiVersionOf(r), r.kind)).map((r) => `${apiVersionOf(r)} ${r.kind}`);
    expect(missing).toEqual([]);
  });

  it.each([
    { apiVersion: 'apps/v1', kind: 'Deployment', want: 'apps.Deployment' },
    { apiVersion: 'events.k8s.io/v1', kind: 'Event', want: 'events.Event' },
    { apiVersion: 'v1', kind: 'Event', want: 'core.Event' },
    { apiVersion: 'policy/v1', kind: 'Eviction', want: 'policy.Eviction' },
    { apiVersion: 'autoscaling/v1', kind: 'Scale', want: 'autoscaling.Scale' },
    { apiVersion: 'v1', kind: 'DeleteOptions', want: 'meta.DeleteOptions' },
    { apiVersion: 'batch/v1', kind: 'DeleteOptions', want: 'meta.DeleteOptions' },
    { apiVersion: 'v1', kind: 'PodSpec', want: undefined }, // a message, not a kind
    { apiVersion: 'apps/v1beta1', kind: 'Deployment', want: undefined },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', want: undefined },
    { apiVersion: 'v1', kind: 'constructor', want: undefined }, // names of Object.prototype are not kinds
    { apiVersion: 'toString/v1', kind: 'Pod', want: undefined },
  ])('$apiVersion $kind → $want', ({ apiVersion, kind, want }) => {
    expect(messageForKind(apiVersion, kind)).toBe(want);
  });
});
