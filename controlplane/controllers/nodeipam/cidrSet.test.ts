import { describe, expect, it } from 'vitest';
import { CidrSet, parseIpv4Cidr } from './cidrSet.ts';

describe('CidrSet', () => {
  const set = new CidrSet('10.244.0.0/16', 24);

  it.each([
    ['the first node gets the first /24', [], '10.244.0.0/24'],
    ['the next node gets the next /24', ['10.244.0.0/24'], '10.244.1.0/24'],
    ['a hole left by a deleted node is filled', ['10.244.0.0/24', '10.244.2.0/24'], '10.244.1.0/24'],
    ['CIDRs outside the cluster range are ignored', ['10.96.0.0/24', '192.168.0.0/24'], '10.244.0.0/24'],
    ['CIDRs of another size are ignored', ['10.244.0.0/25'], '10.244.0.0/24'],
    ['a block held twice counts once', ['10.244.0.0/24', '10.244.0.0/24'], '10.244.1.0/24'],
  ])('%s', (_name, used, want) => {
    expect(set.nextFree(used)).toBe(want);
  });

  it('returns undefined when every block is held', () => {
    const small = new CidrSet('10.0.0.0/30', 31);
    expect(small.size).toBe(2);
    expect(small.nextFree(['10.0.0.0/31', '10.0.0.2/31'])).toBeUndefined();
  });

  it('counts the third octet up to 255', () => {
    expect(set.size).toBe(256);
    expect(set.at(255)).toBe('10.244.255.0/24');
    expect(set.indexOf('10.244.255.0/24')).toBe(255);
    expect(set.indexOf('10.245.0.0/24')).toBeUndefined();
  });

  it('normalises a cluster CIDR with host bits set', () => {
    expect(new CidrSet('10.244.7.9/16', 24).at(0)).toBe('10.244.0.0/24');
  });

  it.each([
    ['not a CIDR', 'banana', 24],
    ['a mask shorter than the cluster prefix', '10.244.0.0/16', 8],
    ['too many node blocks', '10.0.0.0/8', 28],
  ])('rejects %s', (_name, cidr, mask) => {
    expect(() => new CidrSet(cidr, mask)).toThrow();
  });

  it('parses and masks addresses', () => {
    expect(parseIpv4Cidr('10.244.3.0/24')).toEqual({ base: (10 << 24) + (244 << 16) + (3 << 8), prefix: 24 });
    expect(parseIpv4Cidr('300.0.0.0/8')).toBeUndefined();
  });
});
