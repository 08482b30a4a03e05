// The node's pod network: CNI config for its podCIDR, masquerading, routes to other nodes' pods.
export { startNodeNetwork, NETWORK_RESYNC_MS, type NodeNetworkOptions, type NodeNetworkHandle } from './nodeNetwork.ts';
export { renderConflist, CNI_CONF_FILE } from './cniConfig.ts';
export { desiredRoutes, diffRoutes, ROUTE_PROTOCOL, type PodRoute } from './podRoutes.ts';
export { masqueradeRestoreInput, MASQUERADE_CHAIN } from './masquerade.ts';
