import { describe, expect, it } from 'vitest';
import { makeNode, makePod, newState, snapshotOf } from '../testing.ts';
import { calculatePriority, imageLocality, normalizedImageName } from './imageLocality.ts';

const MB = 1024 * 1024;

describe('ImageLocality', () => {
  const names = [
    { image: 'nginx', want: 'docker.io/library/nginx:latest' },
    { image: 'nginx:1.22.1', want: 'docker.io/library/nginx:1.22.1' },
    { image: 'bitnami/mysql:8', want: 'docker.io/bitnami/mysql:8' },
    { image: 'master:5000/pause:3.9', want: 'master:5000/pause:3.9' },
    { image: 'registry.k8s.io/pause', want: 'registry.k8s.io/pause:latest' },
  ];
  for (const t of names) it(`normalizes ${t.image}`, () => expect(normalizedImageName(t.image)).toBe(t.want));

  const priorities = [
    { name: 'below 23 MiB scores 0', sum: 10 * MB, containers: 1, score: 0 },
    { name: 'at 1000 MiB per container scores 100', sum: 1000 * MB, containers: 1, score: 100 },
    { name: 'the threshold grows with the number of containers', sum: 1000 * MB, containers: 2, score: 49 },
  ];
  for (const t of priorities) it(t.name, () => expect(calculatePriority(t.sum, t.containers)).toBe(t.score));

  it('prefers the node that already has the image, scaled by how many nodes have it', () => {
    const nginx = { names: ['docker.io/library/nginx:1.22.1'], sizeBytes: 500 * MB };
    const snap = snapshotOf([makeNode('has', { images: [nginx] }), makeNode('lacks')]);
    const pod = makePod('p');
    const state = newState();
    imageLocality.preScore(state, pod, snap.nodeInfos, snap);
    expect(imageLocality.score(state, pod, snap.get('has')!)).toBe(calculatePriority(250 * MB, 1));
    expect(imageLocality.score(state, pod, snap.get('lacks')!)).toBe(0);
  });
});
