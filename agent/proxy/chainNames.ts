// Chain names, computed exactly as upstream so `iptables-save` and `nft list ruleset` read like
// kube-proxy's. iptables chain names must be ≤ 28 characters: a prefix plus the first 16
// base32 characters of a SHA-256 (pkg/proxy/iptables/proxier.go portProtoHash).
// nftables allows long names: "HASH8-ns/svc/proto/port" (pkg/proxy/nftables/proxier.go).
import { createHash } from 'node:crypto';
import type { EndpointInfo, ServicePortInfo } from './types.ts';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 (with the alphabet Go's base32.StdEncoding uses). */
export function base32(buf: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

export function hashPrefix(s: string, length: number): string {
  return base32(createHash('sha256').update(s).digest()).slice(0, length);
}

const proto = (svc: ServicePortInfo) => svc.protocol.toLowerCase();

/** KUBE-SVC-, KUBE-SVL-, KUBE-EXT-, KUBE-FW- + hash of "ns/svc:port" + protocol. */
export function iptablesServiceChain(prefix: 'KUBE-SVC-' | 'KUBE-SVL-' | 'KUBE-EXT-' | 'KUBE-FW-', svc: ServicePortInfo): string {
  return prefix + iptablesServiceHash(svc);
}

/** The hash part all four service chain names share: computed once per port, not per prefix. */
export function iptablesServiceHash(svc: ServicePortInfo): string {
  return hashPrefix(svc.name + proto(svc), 16);
}

/** KUBE-SEP- + hash of "ns/svc:port" + protocol + "ip:port". */
export function iptablesEndpointChain(svc: ServicePortInfo, ep: Pick<EndpointInfo, 'ip' | 'port'>): string {
  return 'KUBE-SEP-' + hashPrefix(svc.name + proto(svc) + `${ep.ip}:${ep.port}`, 16);
}

/** Chains this proxy creates per service or endpoint; anything else with KUBE- is left alone. */
export const IPTABLES_SERVICE_CHAIN = /^KUBE-(SVC|SVL|EXT|FW|SEP)-[A-Z2-7]{16}$/;

// nftables names are capped at 128 characters, minus room for the longest prefix (upstream).
const NFT_NAME_BASE_MAX = 128 - 16;

function nftHashAndTruncate(name: string): string {
  const full = `${hashPrefix(name, 8)}-${name}`;
  return full.length > NFT_NAME_BASE_MAX ? full.slice(0, NFT_NAME_BASE_MAX - 3) + '...' : full;
}

/** "ULMVA6XW-ns1/svc1/tcp/p80" */
export function nftServiceBase(svc: ServicePortInfo): string {
  return nftHashAndTruncate(`${svc.namespace}/${svc.service}/${proto(svc)}/${svc.portName}`);
}

/** "5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80" */
export function nftEndpointBase(svc: ServicePortInfo, ep: Pick<EndpointInfo, 'ip' | 'port'>): string {
  return nftHashAndTruncate(`${svc.namespace}/${svc.service}/${proto(svc)}/${svc.portName}__${ep.ip}/${ep.port}`);
}
