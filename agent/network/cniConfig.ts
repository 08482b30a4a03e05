// The node's CNI configuration: the conflist containerd's CRI plugin reads from its conf dir to
// give every pod sandbox an address from this node's podCIDR (what flannel's or kubenet's
// config would be for a host-gw network). Rendering is pure; writing is atomic and only when the
// content changes, because CNI DEL of a running pod uses whatever config is current.
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../controlplane/client/log.ts';

/** containerd with max_conf_num = 1 loads the first file in lexical order: keep this one first. */
export const CNI_CONF_FILE = '10-k8ts.conflist';
export const CNI_NETWORK_NAME = 'k8ts';
/** The spec version both containerd 1.6's libcni and containernetworking-plugins 1.1 speak. */
export const CNI_VERSION = '0.4.0';
/** The bridge every pod's veth joins; its address (the podCIDR's .1) is the pods' gateway. */
export const CNI_BRIDGE = 'cni0';

/**
 * The conflist for a node's podCIDR. bridge: isGateway gives cni0 the gateway address;
 * ipMasq false because the node's own masquerade rule NATs only traffic leaving the pod network
 * (with true, pod-to-pod traffic between nodes would be NATed too); hairpinMode so a pod can
 * reach itself through its Service. host-local allocates from the podCIDR and keeps its
 * allocations in a per-node dataDir (several nodes on one machine must not share one). portmap
 * serves hostPort. No loopback plugin: containerd sets up lo itself.
 */
export function renderConflist(podCIDR: string, ipamDataDir: string): string {
  const conf = {
    cniVersion: CNI_VERSION,
    name: CNI_NETWORK_NAME,
    plugins: [
      {
        type: 'bridge',
        bridge: CNI_BRIDGE,
        isGateway: true,
        ipMasq: false,
        hairpinMode: true,
        ipam: {
          type: 'host-local',
          ranges: [[{ subnet: podCIDR }]],
          dataDir: ipamDataDir,
          routes: [{ dst: '0.0.0.0/0' }],
        },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  };
  return JSON.stringify(conf, null, 2) + '\n';
}

/** The podCIDR a rendered conflist allocates from, for a log line when it changes. */
export function conflistSubnet(text: string): string | undefined {
  try {
    return JSON.parse(text)?.plugins?.[0]?.ipam?.ranges?.[0]?.[0]?.subnet;
  } catch {
    return undefined;
  }
}

export type ConflistWrite = 'unchanged' | 'created' | 'replaced';

/**
 * Writes the conflist into `confDir` unless it already says exactly that. Atomic (a temp file
 * renamed over the old one), so containerd never reads half a file.
 */
export async function writeConflist(confDir: string, content: string, log: Logger): Promise<ConflistWrite> {
  const path = join(confDir, CNI_CONF_FILE);
  const current = await readFile(path, 'utf8').catch(() => undefined);
  if (current === content) return 'unchanged';
  await mkdir(confDir, { recursive: true });
  const others = (await readdir(confDir)).filter((f) => /\.(conf|conflist|json)$/.test(f) && f !== CNI_CONF_FILE && f < CNI_CONF_FILE);
  if (others.length) log.warn({ confDir, files: others }, 'other CNI configs sort before ours; containerd uses the first one');
  const tmp = join(confDir, `.${CNI_CONF_FILE}.${process.pid}.tmp`);
  await writeFile(tmp, content, { mode: 0o644 });
  await rename(tmp, path);
  if (current === undefined) return 'created';
  // A Node's podCIDR cannot change, so this means the Node was deleted and registered again and
  // got another range. Pods created before keep their old addresses until recreated.
  log.warn({ path, from: conflistSubnet(current), to: conflistSubnet(content) }, 'CNI config changed: existing pods keep their old addresses until they are recreated');
  return 'replaced';
}
