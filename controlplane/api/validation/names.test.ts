import { describe, expect, it } from 'vitest';
import {
  ipFamilyOf, isConfigMapKey, isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isEnvVarName, isQualifiedName,
  isValidCIDR, isValidLabelValue, isValidPathSegmentName, isValidPortName,
} from './names.ts';

describe('name syntax', () => {
  it.each<[string, (v: string) => string[], string, boolean]>([
    ['DNS-1123 label', isDNS1123Label, 'nginx-1', true],
    ['DNS-1123 label', isDNS1123Label, '1nginx', true],
    ['DNS-1123 label', isDNS1123Label, 'my.name', false],
    ['DNS-1123 label', isDNS1123Label, '-a', false],
    ['DNS-1123 label', isDNS1123Label, 'a'.repeat(64), false],
    ['DNS-1123 subdomain', isDNS1123Subdomain, 'nginx.17b2c3', true],
    ['DNS-1123 subdomain', isDNS1123Subdomain, 'Nginx', false],
    ['DNS-1123 subdomain', isDNS1123Subdomain, 'a..b', false],
    ['DNS-1035 label', isDNS1035Label, 'web', true],
    ['DNS-1035 label', isDNS1035Label, '1web', false],
    ['qualified name', isQualifiedName, 'app.kubernetes.io/name', true],
    ['qualified name', isQualifiedName, 'My_Name', true],
    ['qualified name', isQualifiedName, '/name', false],
    ['qualified name', isQualifiedName, 'example.com/', false],
    ['label value', isValidLabelValue, '', true],
    ['label value', isValidLabelValue, 'v1.2_3', true],
    ['label value', isValidLabelValue, 'has space', false],
    ['config key', isConfigMapKey, '.dockerconfigjson', true],
    ['config key', isConfigMapKey, '..data', false],
    ['env var name', isEnvVarName, '1_STARTS_WITH_DIGIT', true],
    ['env var name', isEnvVarName, 'TAB\tIN', false],
    ['port name', isValidPortName, 'http-alt', true],
    ['port name', isValidPortName, '8080', false],
    ['port name', isValidPortName, 'a--b', false],
    ['path segment', isValidPathSegmentName, 'pv-1', true],
    ['path segment', isValidPathSegmentName, 'a/b', false],
    ['CIDR', isValidCIDR, '10.244.1.0/24', true],
    ['CIDR', isValidCIDR, 'fd00::/64', true],
    ['CIDR', isValidCIDR, '10.244.1.0/33', false],
  ])('%s accepts %j: %s', (_what, check, value, ok) => {
    expect(check(value).length === 0).toBe(ok);
  });

  it('explains a qualified name prefix and name separately', () => {
    expect(isQualifiedName('Bad_Prefix/-x')).toEqual([
      "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    ]);
  });

  it('reports both length and syntax for a long bad label', () => {
    expect(isDNS1123Label('A'.repeat(64))[0]).toBe('must be no more than 63 characters');
  });

  it.each([['10.0.0.1', 'IPv4'], ['2001:db8::ffff', 'IPv6'], ['::1', 'IPv6'], ['::ffff:10.0.0.1', 'IPv6'], ['10.0.0.256', undefined], ['1::2::3', undefined], ['abc', undefined]])(
    'reads the family of %s as %s',
    (ip, fam) => {
      expect(ipFamilyOf(ip)).toBe(fam);
    },
  );
});
