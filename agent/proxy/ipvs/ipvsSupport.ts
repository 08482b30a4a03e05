// IPVS needs the ip_vs kernel module (and dummy links for kube-ipvs0). Where they are missing,
// the proxy says so and runs in iptables mode instead, as upstream kube-proxy does
// (cmd/kube-proxy/app/server_linux.go: "Can't use the IPVS proxier").
import type { CommandRunner } from '../exec.ts';

export interface IpvsSupport {
  ok: boolean;
  reason?: string;
}

export async function checkIpvsSupport(run: CommandRunner): Promise<IpvsSupport> {
  // /proc/net/ip_vs exists once the module is loaded; try to load it first.
  await run(['modprobe', 'ip_vs']);
  const probe = await run(['cat', '/proc/net/ip_vs']);
  if (probe.code !== 0) return { ok: false, reason: 'the ip_vs kernel module is not available (/proc/net/ip_vs is missing)' };
  const ipvsadm = await run(['ipvsadm', '-Ln']);
  if (ipvsadm.code !== 0) return { ok: false, reason: `ipvsadm does not work: ${ipvsadm.stderr.trim()}` };
  const dummy = await run(['ip', 'link', 'add', 'k8ts-ipvs-probe', 'type', 'dummy']);
  if (dummy.code !== 0) return { ok: false, reason: `the kernel cannot create dummy links for kube-ipvs0: ${dummy.stderr.trim()}` };
  await run(['ip', 'link', 'del', 'k8ts-ipvs-probe']);
  return { ok: true };
}
