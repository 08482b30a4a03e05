// A probe's port by number or by the name of one of the container's ports (upstream
// pkg/probe ResolveContainerPort), with upstream's error texts: they end up in the
// "probe errored" event a user reads.
import type { Container } from 'kubernetes-types/core/v1.js';

export type PortResolution = { port: number } | { error: string };

export function resolveContainerPort(param: number | string | undefined, container: Container): PortResolution {
  let port: number;
  if (typeof param === 'number') {
    port = param;
  } else if (typeof param === 'string') {
    const named = container.ports?.find((p) => p.name === param);
    if (named) {
      port = named.containerPort;
    } else if (/^[+-]?\d+$/.test(param)) {
      // Last ditch, as upstream: maybe a number written as a string.
      port = Number(param);
    } else {
      return { error: `strconv.Atoi: parsing ${JSON.stringify(param)}: invalid syntax` };
    }
  } else {
    return { error: `intOrString had no kind: ${String(param)}` };
  }
  if (Number.isInteger(port) && port > 0 && port < 65536) return { port };
  return { error: `invalid port number: ${port}` };
}
