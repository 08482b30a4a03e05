// Protobuf messages of core/v1 kinds other than Pod (k8s.io/api/core/v1/types.go): Namespace, Service,
// ConfigMap, Secret, ServiceAccount, Node, PersistentVolume(Claim), Endpoints, Event, Binding.
// Field numbers and JSON names come from the Go struct tags of k8s.io/api and k8s.io/apimachinery
// 1.34 (`protobuf:"bytes,N,opt,name=x"`, `json:"x,omitempty"`); the notation is explained in ../schema.ts.
import type { MessageTable } from '../schema.ts';

export const CORE_V1: MessageTable = {
  'core.Namespace': {
    1: 'metadata: meta.ObjectMeta', 2: 'spec: core.NamespaceSpec', 3: 'status: core.NamespaceStatus',
  },
  'core.NamespaceSpec': { 1: 'finalizers: []string' },
  'core.NamespaceStatus': { 1: 'phase: string', 2: 'conditions: []core.NamespaceCondition' },
  'core.NamespaceCondition': {
    1: 'type: *string', 2: 'status: *string', 4: 'lastTransitionTime: Time', 5: 'reason: string',
    6: 'message: string',
  },
  'core.Binding': { 1: 'metadata: meta.ObjectMeta', 2: 'target: core.ObjectReference' },
  'core.ObjectReference': {
    1: 'kind: string', 2: 'namespace: string', 3: 'name: string', 4: 'uid: string', 5: 'apiVersion: string',
    6: 'resourceVersion: string', 7: 'fieldPath: string',
  },
  'core.Node': { 1: 'metadata: meta.ObjectMeta', 2: 'spec: core.NodeSpec', 3: 'status: core.NodeStatus' },
  'core.NodeSpec': {
    1: 'podCIDR: string', 7: 'podCIDRs: []string', 3: 'providerID: string', 4: 'unschedulable: bool',
    5: 'taints: []core.Taint', 6: 'configSource: core.NodeConfigSource', 2: 'externalID: string',
  },
  'core.Taint': { 1: 'key: *string', 2: 'value: string', 3: 'effect: *string', 4: 'timeAdded: Time' },
  'core.NodeConfigSource': { 2: 'configMap: core.ConfigMapNodeConfigSource' },
  'core.ConfigMapNodeConfigSource': {
    1: 'namespace: *string', 2: 'name: *string', 3: 'uid: string', 4: 'resourceVersion: string',
    5: 'kubeletConfigKey: *string',
  },
  'core.NodeStatus': {
    1: 'capacity: map[Quantity]', 2: 'allocatable: map[Quantity]', 3: 'phase: string',
    4: 'conditions: []core.NodeCondition', 5: 'addresses: []core.NodeAddress',
    6: 'daemonEndpoints: core.NodeDaemonEndpoints', 7: 'nodeInfo: core.NodeSystemInfo',
    8: 'images: []core.ContainerImage', 9: 'volumesInUse: []string', 10: 'volumesAttached: []core.AttachedVolume',
    11: 'config: core.NodeConfigStatus', 12: 'runtimeHandlers: []core.NodeRuntimeHandler',
    13: 'features: core.NodeFeatures',
  },
  'core.NodeCondition': {
    1: 'type: *string', 2: 'status: *string', 3: 'lastHeartbeatTime: Time', 4: 'lastTransitionTime: Time',
    5: 'reason: string', 6: 'message: string',
  },
  'core.NodeAddress': { 1: 'type: *string', 2: 'address: *string' },
  'core.NodeDaemonEndpoints': { 1: 'kubeletEndpoint: core.DaemonEndpoint' },
  'core.DaemonEndpoint': { 1: 'Port: *int32' },
  'core.NodeSystemInfo': {
    1: 'machineID: *string', 2: 'systemUUID: *string', 3: 'bootID: *string', 4: 'kernelVersion: *string',
    5: 'osImage: *string', 6: 'containerRuntimeVersion: *string', 7: 'kubeletVersion: *string',
    8: 'kubeProxyVersion: *string', 9: 'operatingSystem: *string', 10: 'architecture: *string',
    11: 'swap: core.NodeSwapStatus',
  },
  'core.NodeSwapStatus': { 1: 'capacity: *int64' },
  'core.ContainerImage': { 1: 'names: []string', 2: 'sizeBytes: int64' },
  'core.AttachedVolume': { 1: 'name: *string', 2: 'devicePath: *string' },
  'core.NodeConfigStatus': {
    1: 'assigned: core.NodeConfigSource', 2: 'active: core.NodeConfigSource',
    3: 'lastKnownGood: core.NodeConfigSource', 4: 'error: string',
  },
  'core.NodeRuntimeHandler': { 1: 'name: *string', 2: 'features: core.NodeRuntimeHandlerFeatures' },
  'core.NodeRuntimeHandlerFeatures': { 1: 'recursiveReadOnlyMounts: *bool', 2: 'userNamespaces: *bool' },
  'core.NodeFeatures': { 1: 'supplementalGroupsPolicy: *bool' },
  'core.Service': { 1: 'metadata: meta.ObjectMeta', 2: 'spec: core.ServiceSpec', 3: 'status: core.ServiceStatus' },
  'core.ServiceSpec': {
    1: 'ports: []core.ServicePort', 2: 'selector: map[string]', 3: 'clusterIP: string', 18: 'clusterIPs: []string',
    4: 'type: string', 5: 'externalIPs: []string', 7: 'sessionAffinity: string', 8: 'loadBalancerIP: string',
    9: 'loadBalancerSourceRanges: []string', 10: 'externalName: string', 11: 'externalTrafficPolicy: string',
    12: 'healthCheckNodePort: int32', 13: 'publishNotReadyAddresses: bool',
    14: 'sessionAffinityConfig: core.SessionAffinityConfig', 19: 'ipFamilies: []string',
    17: 'ipFamilyPolicy: *string', 20: 'allocateLoadBalancerNodePorts: *bool', 21: 'loadBalancerClass: *string',
    22: 'internalTrafficPolicy: *string', 23: 'trafficDistribution: *string',
  },
  'core.ServicePort': {
    1: 'name: string', 2: 'protocol: string', 6: 'appProtocol: *string', 3: 'port: *int32',
    4: 'targetPort: IntOrString', 5: 'nodePort: int32',
  },
  'core.SessionAffinityConfig': { 1: 'clientIP: core.ClientIPConfig' },
  'core.ClientIPConfig': { 1: 'timeoutSeconds: *int32' },
  'core.ServiceStatus': { 1: 'loadBalancer: core.LoadBalancerStatus', 2: 'conditions: []meta.Condition' },
  'core.LoadBalancerStatus': { 1: 'ingress: []core.LoadBalancerIngress' },
  'core.LoadBalancerIngress': {
    1: 'ip: string', 2: 'hostname: string', 3: 'ipMode: *string', 4: 'ports: []core.PortStatus',
  },
  'core.PortStatus': { 1: 'port: *int32', 2: 'protocol: *string', 3: 'error: *string' },
  'core.Endpoints': { 1: 'metadata: meta.ObjectMeta', 2: 'subsets: []core.EndpointSubset' },
  'core.EndpointSubset': {
    1: 'addresses: []core.EndpointAddress', 2: 'notReadyAddresses: []core.EndpointAddress',
    3: 'ports: []core.EndpointPort',
  },
  'core.EndpointAddress': {
    1: 'ip: *string', 3: 'hostname: string', 4: 'nodeName: *string', 2: 'targetRef: core.ObjectReference',
  },
  'core.EndpointPort': { 1: 'name: string', 2: 'port: *int32', 3: 'protocol: string', 4: 'appProtocol: *string' },
  'core.ConfigMap': {
    1: 'metadata: meta.ObjectMeta', 4: 'immutable: *bool', 2: 'data: map[string]', 3: 'binaryData: map[bytes]',
  },
  'core.Secret': {
    1: 'metadata: meta.ObjectMeta', 5: 'immutable: *bool', 2: 'data: map[bytes]', 4: 'stringData: map[string]',
    3: 'type: string',
  },
  'core.ServiceAccount': {
    1: 'metadata: meta.ObjectMeta', 2: 'secrets: []core.ObjectReference',
    3: 'imagePullSecrets: []core.LocalObjectReference', 4: 'automountServiceAccountToken: *bool',
  },
  'core.Event': {
    1: 'metadata: meta.ObjectMeta', 2: 'involvedObject: core.ObjectReference', 3: 'reason: string',
    4: 'message: string', 5: 'source: core.EventSource', 6: 'firstTimestamp: Time', 7: 'lastTimestamp: Time',
    8: 'count: int32', 9: 'type: string', 10: 'eventTime: MicroTime', 11: 'series: core.EventSeries',
    12: 'action: string', 13: 'related: core.ObjectReference', 14: 'reportingComponent: *string',
    15: 'reportingInstance: *string',
  },
  'core.EventSource': { 1: 'component: string', 2: 'host: string' },
  'core.EventSeries': { 1: 'count: int32', 2: 'lastObservedTime: MicroTime' },
  'core.PersistentVolume': {
    1: 'metadata: meta.ObjectMeta', 2: 'spec: core.PersistentVolumeSpec', 3: 'status: core.PersistentVolumeStatus',
  },
  'core.PersistentVolumeSpec': {
    1: 'capacity: map[Quantity]', 2: '...: core.PersistentVolumeSource', 3: 'accessModes: []string',
    4: 'claimRef: core.ObjectReference', 5: 'persistentVolumeReclaimPolicy: string', 6: 'storageClassName: string',
    7: 'mountOptions: []string', 8: 'volumeMode: *string', 9: 'nodeAffinity: core.VolumeNodeAffinity',
    10: 'volumeAttributesClassName: *string',
  },
  'core.SecretReference': { 1: 'name: string', 2: 'namespace: string' },
  'core.VolumeNodeAffinity': { 1: 'required: core.NodeSelector' },
  'core.PersistentVolumeStatus': {
    1: 'phase: string', 2: 'message: string', 3: 'reason: string', 4: 'lastPhaseTransitionTime: Time',
  },
  'core.PersistentVolumeClaim': {
    1: 'metadata: meta.ObjectMeta', 2: 'spec: core.PersistentVolumeClaimSpec',
    3: 'status: core.PersistentVolumeClaimStatus',
  },
  'core.PersistentVolumeClaimStatus': {
    1: 'phase: string', 2: 'accessModes: []string', 3: 'capacity: map[Quantity]',
    4: 'conditions: []core.PersistentVolumeClaimCondition', 5: 'allocatedResources: map[Quantity]',
    7: 'allocatedResourceStatuses: map[string]', 8: 'currentVolumeAttributesClassName: *string',
    9: 'modifyVolumeStatus: core.ModifyVolumeStatus',
  },
  'core.PersistentVolumeClaimCondition': {
    1: 'type: *string', 2: 'status: *string', 3: 'lastProbeTime: Time', 4: 'lastTransitionTime: Time',
    5: 'reason: string', 6: 'message: string',
  },
  'core.ModifyVolumeStatus': { 1: 'targetVolumeAttributesClassName: string', 2: 'status: *string' },
};
