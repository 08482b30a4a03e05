// The kubelet's node: registration, status and the heartbeat Lease.
export { startNodeStatus, type NodeStatusOptions, type NodeStatusHandle } from './nodeStatusManager.ts';
export { buildNodeStatus, nodeStatusChanged, shouldReportStatus, KUBELET_VERSION, type RuntimeImage, type NodeStatusInputs } from './nodeStatus.ts';
export { type RuntimeHealth } from './nodeConditions.ts';
export { type ReservedResources } from './nodeCapacity.ts';
export { TAINT_CONTROL_PLANE } from './initialNode.ts';
