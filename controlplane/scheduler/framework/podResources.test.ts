import { describe, expect, it } from 'vitest';
import { makePod } from '../testing.ts';
import { DEFAULT_MEMORY_REQUEST, DEFAULT_MILLI_CPU_REQUEST, podNonZeroRequests, podRequests } from './podResources.ts';

const MI = 1024 * 1024;
const c = (name: string, cpu?: string, memory?: string, restartPolicy?: 'Always') => ({
  name,
  image: 'busybox',
  restartPolicy,
  resources: { requests: { ...(cpu ? { cpu } : {}), ...(memory ? { memory } : {}) } },
});

describe('podRequests', () => {
  const cases = [
    { name: 'sums the app containers', pod: makePod('p', { containers: [c('a', '500m', '128Mi'), c('b', '250m', '64Mi')] }), cpu: 750, mem: 192 * MI },
    {
      name: 'an init container larger than the app containers sets the request',
      pod: makePod('p', { containers: [c('a', '500m', '128Mi')], spec: { initContainers: [c('i', '2', '64Mi')] } }),
      cpu: 2000,
      mem: 128 * MI,
    },
    {
      name: 'a sidecar init container adds to the app containers and to later init containers',
      pod: makePod('p', { containers: [c('a', '500m')], spec: { initContainers: [c('s', '100m', undefined, 'Always'), c('i', '1')] } }),
      cpu: 1100,
      mem: 0,
    },
    {
      name: 'overhead is added on top',
      pod: makePod('p', { containers: [c('a', '500m', '128Mi')], spec: { overhead: { cpu: '250m', memory: '64Mi' } } }),
      cpu: 750,
      mem: 192 * MI,
    },
  ];
  for (const t of cases)
    it(t.name, () => {
      const r = podRequests(t.pod);
      expect(r.milliCPU).toBe(t.cpu);
      expect(r.memory).toBe(t.mem);
    });

  it('scoring counts 100m and 200Mi for a container that requests nothing', () => {
    const r = podNonZeroRequests(makePod('p', { containers: [c('a'), c('b', '1')] }));
    expect(r.milliCPU).toBe(DEFAULT_MILLI_CPU_REQUEST + 1000);
    expect(r.memory).toBe(2 * DEFAULT_MEMORY_REQUEST);
  });
});
