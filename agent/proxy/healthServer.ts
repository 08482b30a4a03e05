// /healthz and /metrics (upstream pkg/proxy/healthcheck/proxier_health.go on :10256, and the
// kubeproxy_* metrics of pkg/proxy/metrics, which upstream serves on :10249; here one server
// answers both). Metrics are written in the Prometheus text format by hand.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export class ProxyStatus {
  lastUpdated = 0;
  /** When the oldest change not yet applied was seen; 0 = none pending. */
  oldestPending = 0;
  syncs = { full: 0, partial: 0, failures: 0 };
  durations: number[] = [];
  lastDuration = 0;
  ruleCounts: Record<string, number> = {};

  constructor(
    readonly mode: string,
    /** upstream: 2 × syncPeriod */
    readonly healthTimeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  queued(): void {
    if (!this.oldestPending) this.oldestPending = this.now();
  }

  synced(full: boolean, seconds: number, ruleCounts: Record<string, number>): void {
    this.lastUpdated = this.now();
    this.oldestPending = 0;
    this.syncs[full ? 'full' : 'partial']++;
    this.durations.push(seconds);
    this.lastDuration = seconds;
    this.ruleCounts = ruleCounts;
  }

  failed(): void {
    this.syncs.failures++;
  }

  /** Healthy once rules were written and no change has waited longer than the timeout. */
  healthy(): boolean {
    if (!this.lastUpdated) return false;
    return !this.oldestPending || this.now() - this.oldestPending < this.healthTimeoutMs;
  }

  healthzBody(): string {
    return JSON.stringify({ lastUpdated: new Date(this.lastUpdated).toISOString(), currentTime: new Date(this.now()).toISOString(), mode: this.mode });
  }

  metricsText(): string {
    // upstream bucket layout: exponential from 1 ms, factor 2, 15 buckets
    const buckets = Array.from({ length: 15 }, (_, i) => 0.001 * 2 ** i);
    const lines = [
      '# HELP kubeproxy_sync_proxy_rules_duration_seconds SyncProxyRules latency in seconds',
      '# TYPE kubeproxy_sync_proxy_rules_duration_seconds histogram',
      ...buckets.map((b) => `kubeproxy_sync_proxy_rules_duration_seconds_bucket{le="${b}"} ${this.durations.filter((d) => d <= b).length}`),
      `kubeproxy_sync_proxy_rules_duration_seconds_bucket{le="+Inf"} ${this.durations.length}`,
      `kubeproxy_sync_proxy_rules_duration_seconds_sum ${this.durations.reduce((a, b) => a + b, 0)}`,
      `kubeproxy_sync_proxy_rules_duration_seconds_count ${this.durations.length}`,
      '# HELP kubeproxy_sync_proxy_rules_last_timestamp_seconds The last time proxy rules were successfully synced',
      '# TYPE kubeproxy_sync_proxy_rules_last_timestamp_seconds gauge',
      `kubeproxy_sync_proxy_rules_last_timestamp_seconds ${this.lastUpdated / 1000}`,
      '# HELP kubeproxy_syncs_total Rule syncs by kind (full, partial) and failures',
      '# TYPE kubeproxy_syncs_total counter',
      `kubeproxy_syncs_total{kind="full"} ${this.syncs.full}`,
      `kubeproxy_syncs_total{kind="partial"} ${this.syncs.partial}`,
      `kubeproxy_syncs_total{kind="failed"} ${this.syncs.failures}`,
      '# HELP kubeproxy_sync_proxy_rules_rules_total Rules written by the last sync, by mode and table',
      '# TYPE kubeproxy_sync_proxy_rules_rules_total gauge',
      ...Object.entries(this.ruleCounts).map(([k, v]) => `kubeproxy_sync_proxy_rules_rules_total{kind="${k}"} ${v}`),
    ];
    // Keep memory bounded: the histogram only needs counts, so fold old samples away.
    if (this.durations.length > 10_000) this.durations = this.durations.slice(-1000);
    return lines.join('\n') + '\n';
  }
}

/** "0.0.0.0:10256" → listening server; resolves with the bound address (port 0 picks one). */
export async function startHealthServer(bind: string, status: ProxyStatus): Promise<{ server: Server; address: AddressInfo }> {
  const i = bind.lastIndexOf(':');
  const host = i >= 0 ? bind.slice(0, i) : bind;
  const port = i >= 0 ? Number(bind.slice(i + 1)) : 10256;
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz' || path === '/livez') {
      const ok = status.healthy();
      res.writeHead(ok ? 200 : 503, { 'Content-Type': 'application/json' }).end(status.healthzBody());
    } else if (path === '/metrics') {
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(status.metricsText());
    } else {
      res.writeHead(404).end('404 page not found\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host || '0.0.0.0', () => resolve());
  });
  return { server, address: server.address() as AddressInfo };
}
