// IPv4 parsing for the proxy (this proxy is IPv4-only, like the lab and the VMs).
export function isIPv4(s: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  return !!m && m.slice(1).every((o) => Number(o) <= 255 && (o === '0' || !o.startsWith('0')));
}

export function ipToNumber(ip: string): number {
  return ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

/** "10.244.0.0/16" → { base, bits }; undefined when malformed. */
export function parseCIDR(cidr: string): { base: number; bits: number } | undefined {
  const [ip, bits] = cidr.split('/');
  if (!ip || bits === undefined || !isIPv4(ip) || !/^\d{1,2}$/.test(bits) || Number(bits) > 32) return undefined;
  return { base: ipToNumber(ip), bits: Number(bits) };
}

export function cidrContains(cidr: string, ip: string): boolean {
  const c = parseCIDR(cidr);
  if (!c || !isIPv4(ip)) return false;
  const mask = c.bits === 0 ? 0 : (~0 << (32 - c.bits)) >>> 0;
  return ((ipToNumber(ip) & mask) >>> 0) === ((c.base & mask) >>> 0);
}
