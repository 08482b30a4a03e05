// The node's masquerade rule: pod traffic leaving the pod network (to the internet, to a node's
// own address on the LAN) goes out with the node's address, because nothing outside knows
// how to route back to a podCIDR. Traffic between pods on different nodes keeps its pod source
// address: the routes in podRoutes.ts carry it. One chain of our own in the nat table, jumped to
// from POSTROUTING and reloaded whole with iptables-restore --noflush, so a sync is idempotent.
import { mustRun, type CommandRunner } from '../proxy/exec.ts';

export const MASQUERADE_CHAIN = 'K8TS-POSTROUTING';
const JUMP_COMMENT = 'k8ts: pod network masquerading';

/** The iptables-restore input that (re)defines our chain: flushed and refilled in one commit. */
export function masqueradeRestoreInput(podCIDR: string, clusterCIDR: string): string {
  return [
    '*nat',
    `:${MASQUERADE_CHAIN} - [0:0]`,
    `-A ${MASQUERADE_CHAIN} -s ${podCIDR} ! -d ${clusterCIDR} -m comment --comment "k8ts: pod traffic leaving the pod network" -j MASQUERADE`,
    'COMMIT',
    '',
  ].join('\n');
}

const jumpRule = ['POSTROUTING', '-m', 'comment', '--comment', JUMP_COMMENT, '-j', MASQUERADE_CHAIN];

export async function syncMasquerade(run: CommandRunner, podCIDR: string, clusterCIDR: string): Promise<void> {
  // The chain must exist before a rule can jump to it.
  await mustRun(run, ['iptables-restore', '-w', '--noflush'], masqueradeRestoreInput(podCIDR, clusterCIDR));
  const present = await run(['iptables', '-w', '-t', 'nat', '-C', ...jumpRule]);
  if (present.code !== 0) await mustRun(run, ['iptables', '-w', '-t', 'nat', '-A', ...jumpRule]);
}
