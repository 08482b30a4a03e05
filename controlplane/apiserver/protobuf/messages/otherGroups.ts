// Protobuf messages of discovery.k8s.io/v1, coordination.k8s.io/v1, events.k8s.io/v1, policy/v1 and
// autoscaling/v1 (k8s.io/api/<group>/v1/types.go).
// Field numbers and JSON names come from the Go struct tags of k8s.io/api and k8s.io/apimachinery
// 1.34 (`protobuf:"bytes,N,opt,name=x"`, `json:"x,omitempty"`); the notation is explained in ../schema.ts.
import type { MessageTable } from '../schema.ts';

export const OTHER_GROUPS: MessageTable = {
  'discovery.EndpointSlice': {
    1: 'metadata: meta.ObjectMeta', 4: 'addressType: *string', 2: 'endpoints: []discovery.Endpoint',
    3: 'ports: []discovery.EndpointPort',
  },
  'discovery.Endpoint': {
    1: 'addresses: []string', 2: 'conditions: discovery.EndpointConditions', 3: 'hostname: *string',
    4: 'targetRef: core.ObjectReference', 5: 'deprecatedTopology: map[string]', 6: 'nodeName: *string',
    7: 'zone: *string', 8: 'hints: discovery.EndpointHints',
  },
  'discovery.EndpointConditions': { 1: 'ready: *bool', 2: 'serving: *bool', 3: 'terminating: *bool' },
  'discovery.EndpointHints': { 1: 'forZones: []discovery.ForZone', 2: 'forNodes: []discovery.ForNode' },
  'discovery.ForZone': { 1: 'name: *string' },
  'discovery.ForNode': { 1: 'name: *string' },
  'discovery.EndpointPort': {
    1: 'name: *string', 2: 'protocol: *string', 3: 'port: *int32', 4: 'appProtocol: *string',
  },
  'coordination.Lease': { 1: 'metadata: meta.ObjectMeta', 2: 'spec: coordination.LeaseSpec' },
  'coordination.LeaseSpec': {
    1: 'holderIdentity: *string', 2: 'leaseDurationSeconds: *int32', 3: 'acquireTime: MicroTime',
    4: 'renewTime: MicroTime', 5: 'leaseTransitions: *int32', 6: 'strategy: *string', 7: 'preferredHolder: *string',
  },
  'events.Event': {
    1: 'metadata: meta.ObjectMeta', 2: 'eventTime: MicroTime', 3: 'series: events.EventSeries',
    4: 'reportingController: string', 5: 'reportingInstance: string', 6: 'action: string', 7: 'reason: string',
    8: 'regarding: core.ObjectReference', 9: 'related: core.ObjectReference', 10: 'note: string', 11: 'type: string',
    12: 'deprecatedSource: core.EventSource', 13: 'deprecatedFirstTimestamp: Time',
    14: 'deprecatedLastTimestamp: Time', 15: 'deprecatedCount: int32',
  },
  'events.EventSeries': { 1: 'count: *int32', 2: 'lastObservedTime: MicroTime' },
  'policy.Eviction': { 1: 'metadata: meta.ObjectMeta', 2: 'deleteOptions: meta.DeleteOptions' },
  'autoscaling.Scale': {
    1: 'metadata: meta.ObjectMeta', 2: 'spec: autoscaling.ScaleSpec', 3: 'status: autoscaling.ScaleStatus',
  },
  'autoscaling.ScaleSpec': { 1: 'replicas: int32' },
  'autoscaling.ScaleStatus': { 1: 'replicas: *int32', 2: 'selector: string' },
};
