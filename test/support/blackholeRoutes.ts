// Network tests build their machines from network namespaces; while they run, the lab's ranges
// (pods, services, LAN) are blackholed in the root namespace so a packet that escapes a test's
// namespaces is dropped here instead of leaving the machine by the default route. A range that
// already has a route of its own (a running lab's) is left alone, and a test removes only the
// blackholes it added (with lab/netns.ts removeBlackholeRoutes).
import { addBlackholeRoutes, LAB_BLACKHOLE_CIDRS } from '../../lab/netns.ts';
import { tryRun } from '../../lab/run.ts';

/** Blackholes each range that has no route yet; returns the ranges it blackholed. */
export async function blackholeUnroutedRanges(cidrs: string[] = LAB_BLACKHOLE_CIDRS): Promise<string[]> {
  const added: string[] = [];
  for (const cidr of cidrs) {
    if ((await tryRun('ip', ['route', 'show', 'exact', cidr])).stdout.trim()) continue;
    await addBlackholeRoutes([cidr]);
    added.push(cidr);
  }
  return added;
}
