// The default profile: which plugins run at each point, in upstream's order, and the score
// weights of the default configuration (pkg/scheduler/apis/config/v1/default_plugins.go):
// TaintToleration 3, NodeAffinity 2, PodTopologySpread 2, InterPodAffinity 2,
// NodeResourcesFit 1, NodeResourcesBalancedAllocation 1, ImageLocality 1.
import type { BindPlugin, ClusterView } from '../framework/interface.ts';
import type { Profile } from '../framework/runtime.ts';
import { balancedAllocation } from './balancedAllocation.ts';
import { defaultPreemption } from './defaultPreemption.ts';
import { imageLocality } from './imageLocality.ts';
import { interPodAffinity } from './interPodAffinity/index.ts';
import { nodeAffinity } from './nodeAffinity.ts';
import { nodeName } from './nodeName.ts';
import { nodePorts } from './nodePorts.ts';
import { nodeResourcesFit } from './nodeResourcesFit.ts';
import { nodeUnschedulable } from './nodeUnschedulable.ts';
import { podTopologySpread } from './podTopologySpread/index.ts';
import { taintToleration } from './taintToleration.ts';
import { volumeBinding } from './volumeBinding.ts';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

export function defaultProfile(view: ClusterView, binder: BindPlugin): Profile {
  const spread = podTopologySpread(view);
  const affinity = interPodAffinity(view);
  const volumes = volumeBinding(view);
  return {
    schedulerName: DEFAULT_SCHEDULER_NAME,
    preFilter: [nodePorts, nodeResourcesFit, volumes, spread, affinity],
    filter: [nodeUnschedulable, nodeName, taintToleration, nodeAffinity, nodePorts, nodeResourcesFit, volumes, spread, affinity],
    postFilter: [defaultPreemption],
    preScore: [taintToleration, nodeAffinity, spread, affinity, balancedAllocation, imageLocality],
    score: [
      { plugin: taintToleration, weight: 3 },
      { plugin: nodeAffinity, weight: 2 },
      { plugin: nodeResourcesFit, weight: 1 },
      { plugin: spread, weight: 2 },
      { plugin: affinity, weight: 2 },
      { plugin: balancedAllocation, weight: 1 },
      { plugin: imageLocality, weight: 1 },
    ],
    reserve: [],
    bind: [binder],
  };
}
