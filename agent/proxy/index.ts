// The proxy's public API.
export { runProxy, cleanupProxyRules, DEFAULT_HEALTHZ_BIND_ADDRESS, DEFAULT_MIN_SYNC_PERIOD_MS, DEFAULT_SYNC_PERIOD_MS, DEFAULT_SERVICE_CIDR, type ProxyOptions } from './proxy.ts';
export type { ProxyMode } from './types.ts';
