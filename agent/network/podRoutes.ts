// Routes to the other nodes' pods, host-gw style (flannel's host-gw backend): for every other
// Node, "its podCIDR via its InternalIP". Works when the nodes share a link, as the lab's and
// Vagrant's do. Our routes carry their own protocol number, so listing them finds exactly ours
// and a sync never touches a route someone else made.
import type { Node } from 'kubernetes-types/core/v1.js';
import type { Logger } from '../../controlplane/client/log.ts';
import { mustRun, type CommandRunner } from '../proxy/exec.ts';

/**
 * The `proto` of our routes (rtnetlink's rtm_protocol). 87 is unassigned in iproute2's
 * rt_protos (Calico uses 80, BIRD 12, kernel 2, static 4).
 */
export const ROUTE_PROTOCOL = '87';

export interface PodRoute {
  /** A podCIDR, e.g. 10.244.2.0/24. */
  dst: string;
  /** The node's InternalIP. */
  gateway: string;
}

export function internalIP(node: Node): string | undefined {
  return node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
}

/** Every other Node's podCIDR via its InternalIP; Nodes without either (yet) get no route. */
export function desiredRoutes(nodes: Node[], selfName: string): PodRoute[] {
  const routes: PodRoute[] = [];
  for (const n of nodes) {
    if (n.metadata?.name === selfName || n.metadata?.deletionTimestamp) continue;
    const dst = n.spec?.podCIDR;
    const gateway = internalIP(n);
    if (dst && gateway) routes.push({ dst, gateway });
  }
  return routes.sort((a, b) => a.dst.localeCompare(b.dst));
}

/** Our routes as `ip -j route show proto 87` prints them. */
export function parseRoutes(json: string): PodRoute[] {
  const text = json.trim();
  if (!text) return [];
  const rows = JSON.parse(text) as { dst: string; gateway?: string }[];
  return rows.map((r) => ({ dst: r.dst, gateway: r.gateway ?? '' }));
}

export interface RouteDiff {
  /** Missing, or present with another gateway: `ip route replace`. */
  replace: PodRoute[];
  /** Ours but no longer wanted (the Node is gone): `ip route del`. */
  remove: PodRoute[];
}

export function diffRoutes(desired: PodRoute[], actual: PodRoute[]): RouteDiff {
  const have = new Map(actual.map((r) => [r.dst, r.gateway]));
  const want = new Set(desired.map((r) => r.dst));
  return {
    replace: desired.filter((r) => have.get(r.dst) !== r.gateway),
    remove: actual.filter((r) => !want.has(r.dst)),
  };
}

/**
 * Converges the routing table on `desired`. One failing route (a gateway not on any link: the
 * kernel says "Nexthop has invalid gateway") does not hold up the others; the error lists the
 * failures so the caller retries.
 */
export async function syncRoutes(run: CommandRunner, desired: PodRoute[], log: Logger): Promise<RouteDiff> {
  const actual = parseRoutes(await mustRun(run, ['ip', '-j', 'route', 'show', 'proto', ROUTE_PROTOCOL]));
  const diff = diffRoutes(desired, actual);
  const failures: string[] = [];
  for (const r of diff.remove) {
    const res = await run(['ip', 'route', 'del', r.dst, 'proto', ROUTE_PROTOCOL]);
    if (res.code === 0) log.info({ dst: r.dst, via: r.gateway }, 'removed route to a node that is gone');
    else failures.push(`del ${r.dst}: ${res.stderr.trim()}`);
  }
  for (const r of diff.replace) {
    const res = await run(['ip', 'route', 'replace', r.dst, 'via', r.gateway, 'proto', ROUTE_PROTOCOL]);
    if (res.code === 0) log.info({ dst: r.dst, via: r.gateway }, 'added route to a node\'s pods');
    else failures.push(`replace ${r.dst} via ${r.gateway}: ${res.stderr.trim()}`);
  }
  if (failures.length) throw new Error(`route sync failed: ${failures.join('; ')}`);
  return diff;
}
