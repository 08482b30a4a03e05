// The node CIDR set of the range allocator (upstream: pkg/controller/nodeipam/ipam/cidrset): the
// cluster CIDR cut into equal node-sized blocks, block i being the i-th /maskSize inside it.
// IPv4 only; the lab and the Vagrant VMs have no IPv6 pod network.

/** kube-controller-manager's --cluster-cidr in the user's notes (flannel's default). */
export const DEFAULT_CLUSTER_CIDR = '10.244.0.0/16';
/** --node-cidr-mask-size-ipv4 default: a /24 per node (254 pod addresses). */
export const DEFAULT_NODE_CIDR_MASK_SIZE = 24;

export interface Ipv4Cidr {
  /** The network address as an unsigned 32-bit number. */
  base: number;
  prefix: number;
}

export function parseIpv4Cidr(text: string): Ipv4Cidr | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text.trim());
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const addr = ((octets[0]! << 24) >>> 0) + (octets[1]! << 16) + (octets[2]! << 8) + octets[3]!;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { base: (addr & mask) >>> 0, prefix };
}

export function formatIpv4Cidr(c: Ipv4Cidr): string {
  const b = c.base;
  return `${b >>> 24}.${(b >>> 16) & 255}.${(b >>> 8) & 255}.${b & 255}/${c.prefix}`;
}

export class CidrSet {
  readonly cluster: Ipv4Cidr;
  readonly maskSize: number;
  /** How many node blocks fit in the cluster CIDR. */
  readonly size: number;

  constructor(clusterCidr: string, maskSize: number) {
    const cluster = parseIpv4Cidr(clusterCidr);
    if (!cluster) throw new Error(`invalid cluster CIDR "${clusterCidr}": want an IPv4 CIDR such as ${DEFAULT_CLUSTER_CIDR}`);
    if (!Number.isInteger(maskSize) || maskSize < cluster.prefix || maskSize > 32) {
      throw new Error(`node CIDR mask size ${maskSize} must be between the cluster CIDR's prefix (${cluster.prefix}) and 32`);
    }
    // upstream refuses more than 16 bits of difference (65536 nodes); so do we, to keep scans small.
    if (maskSize - cluster.prefix > 16) throw new Error(`node CIDR mask size ${maskSize} is more than 16 bits longer than the cluster CIDR /${cluster.prefix}`);
    this.cluster = cluster;
    this.maskSize = maskSize;
    this.size = 2 ** (maskSize - cluster.prefix);
  }

  /** The i-th node block, "10.244.<i>.0/24" for the defaults. */
  at(i: number): string {
    return formatIpv4Cidr({ base: (this.cluster.base + i * 2 ** (32 - this.maskSize)) >>> 0, prefix: this.maskSize });
  }

  /** The index of a node block of this set, or undefined when the CIDR is not one of its blocks. */
  indexOf(cidr: string): number | undefined {
    const c = parseIpv4Cidr(cidr);
    if (!c || c.prefix !== this.maskSize) return undefined;
    const offset = c.base - this.cluster.base;
    const blockSize = 2 ** (32 - this.maskSize);
    if (offset < 0 || offset % blockSize !== 0) return undefined;
    const i = offset / blockSize;
    return i < this.size ? i : undefined;
  }

  /** The lowest block not in `used` (CIDR strings held by nodes or reserved); undefined when full. */
  nextFree(used: Iterable<string>): string | undefined {
    const taken = new Set<number>();
    for (const cidr of used) {
      const i = this.indexOf(cidr);
      if (i !== undefined) taken.add(i);
    }
    for (let i = 0; i < this.size; i++) if (!taken.has(i)) return this.at(i);
    return undefined;
  }
}
