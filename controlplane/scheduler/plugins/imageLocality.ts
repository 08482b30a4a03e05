// ImageLocality (plugins/imagelocality): prefers nodes that already hold the pod's images
// (node.status.images), scaled by how widely each image is spread so that one node holding a
// popular image does not attract every pod. Sizes are clamped between 23 MiB and 1000 MiB per
// container, as upstream. How widely each image is spread depends only on the Node objects, so
// it is counted once per change of the nodes, not once per pod (upstream keeps it in the cache).
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { StateKey, type CycleState } from '../framework/cycleState.ts';
import { MAX_NODE_SCORE, type PreScorePlugin, type ScorePlugin } from '../framework/interface.ts';
import type { NodeInfo } from '../framework/nodeInfo.ts';
import type { Snapshot } from '../framework/snapshot.ts';
import { SUCCESS, type Status } from '../framework/status.ts';

const MB = 1024 * 1024;
const MIN_THRESHOLD = 23 * MB;
const MAX_CONTAINER_THRESHOLD = 1000 * MB;

interface ImageSpread {
  size: number;
  numNodes: number;
}

interface ImageState {
  totalNodes: number;
  images: Map<string, ImageSpread>;
}

const imageStateKey = new StateKey<ImageState>('ImageLocality/preScore');

/**
 * "nginx" → "docker.io/library/nginx:latest". Upstream only adds ":latest"; kubelets report
 * images under their full reference, so both sides are brought to that form here.
 */
export function normalizedImageName(image: string): string {
  let name = image;
  if (!name.includes('@')) {
    const lastSlash = name.lastIndexOf('/');
    if (!name.slice(lastSlash + 1).includes(':')) name += ':latest';
  }
  const firstSlash = name.indexOf('/');
  const first = firstSlash < 0 ? '' : name.slice(0, firstSlash);
  const hasRegistry = firstSlash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasRegistry) name = `docker.io/${firstSlash < 0 ? 'library/' : ''}${name}`;
  return name;
}

const imagesByNode = new WeakMap<Node, Map<string, number>>();

/** The node's images by normalized name, worked out once per Node object. */
function nodeImages(node: Node): Map<string, number> {
  let out = imagesByNode.get(node);
  if (!out) {
    out = new Map<string, number>();
    for (const img of node.status?.images ?? []) for (const n of img.names ?? []) out.set(normalizedImageName(n), img.sizeBytes ?? 0);
    imagesByNode.set(node, out);
  }
  return out;
}

const spreadBySnapshot = new WeakMap<Snapshot, { nodesVersion: number; state: ImageState }>();

function imageSpread(snapshot: Snapshot): ImageState {
  const memo = spreadBySnapshot.get(snapshot);
  if (memo && memo.nodesVersion === snapshot.nodesVersion) return memo.state;
  const images = new Map<string, ImageSpread>();
  for (const n of snapshot.nodeInfos)
    for (const [name, size] of nodeImages(n.node)) {
      const s = images.get(name) ?? { size, numNodes: 0 };
      s.numNodes++;
      images.set(name, s);
    }
  const state = { totalNodes: snapshot.numNodes, images };
  spreadBySnapshot.set(snapshot, { nodesVersion: snapshot.nodesVersion, state });
  return state;
}

export function calculatePriority(sumScores: number, numContainers: number): number {
  const maxThreshold = MAX_CONTAINER_THRESHOLD * numContainers;
  const clamped = Math.min(Math.max(sumScores, MIN_THRESHOLD), maxThreshold);
  return Math.trunc((MAX_NODE_SCORE * (clamped - MIN_THRESHOLD)) / (maxThreshold - MIN_THRESHOLD));
}

const imagesByPod = new WeakMap<Pod, string[]>();

function podImages(pod: Pod): string[] {
  let names = imagesByPod.get(pod);
  if (!names) {
    names = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => normalizedImageName(c.image ?? ''));
    imagesByPod.set(pod, names);
  }
  return names;
}

export const imageLocality = {
  name: 'ImageLocality',

  preScore(state: CycleState, _pod: Pod, _feasible: NodeInfo[], snapshot: Snapshot): Status {
    state.write(imageStateKey, imageSpread(snapshot));
    return SUCCESS;
  },

  score(state: CycleState, pod: Pod, node: NodeInfo): number {
    const st = state.read(imageStateKey);
    // No node reports images (nodes without a kubelet): every node scores 0.
    if (!st || st.totalNodes === 0 || st.images.size === 0) return 0;
    const onNode = nodeImages(node.node);
    let sum = 0;
    const names = podImages(pod);
    for (const name of names) {
      const spread = st.images.get(name);
      if (spread && onNode.has(name)) sum += Math.trunc(spread.size * (spread.numNodes / st.totalNodes));
    }
    return calculatePriority(sum, names.length);
  },
} satisfies PreScorePlugin & ScorePlugin;
