import { describe, expect, it } from 'vitest';
import { makeNode, makePod, newState, nodeInfos } from '../testing.ts';
import { nodePorts } from './nodePorts.ts';

const withPort = (name: string, hostPort: number, o: { hostIP?: string; protocol?: 'TCP' | 'UDP'; nodeName?: string } = {}) =>
  makePod(name, {
    nodeName: o.nodeName,
    containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80, hostPort, hostIP: o.hostIP, protocol: o.protocol }] }],
  });

describe('NodePorts filter', () => {
  const cases = [
    { name: 'a free port fits', existing: withPort('a', 8080, { nodeName: 'n' }), pod: withPort('p', 80), fits: true },
    { name: 'the same port and protocol conflicts', existing: withPort('a', 80, { nodeName: 'n' }), pod: withPort('p', 80), fits: false },
    { name: 'another protocol does not conflict', existing: withPort('a', 53, { nodeName: 'n', protocol: 'UDP' }), pod: withPort('p', 53), fits: true },
    { name: 'two distinct host IPs do not conflict', existing: withPort('a', 80, { nodeName: 'n', hostIP: '10.0.0.1' }), pod: withPort('p', 80, { hostIP: '10.0.0.2' }), fits: true },
    { name: '0.0.0.0 conflicts with any host IP', existing: withPort('a', 80, { nodeName: 'n', hostIP: '10.0.0.1' }), pod: withPort('p', 80), fits: false },
  ];
  for (const t of cases)
    it(t.name, () => {
      const [ni] = nodeInfos([makeNode('n')], [t.existing]);
      const state = newState();
      nodePorts.preFilter(state, t.pod);
      const s = nodePorts.filter(state, t.pod, ni!);
      expect(s.code).toBe(t.fits ? 'Success' : 'Unschedulable');
      if (!t.fits) expect(s.reasons).toEqual(["node(s) didn't have free ports for the requested pod ports"]);
    });

  it('PreFilter skips pods without host ports', () => {
    expect(nodePorts.preFilter(newState(), makePod('p')).status.code).toBe('Skip');
  });
});
