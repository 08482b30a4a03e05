// A node with pods, built from network namespaces for the proxy's real-rule tests: a node
// namespace holding a bridge (10.244.1.1/24) and a link to an outside client namespace
// (192.168.56.0/24), a client pod and two backend pods each running a tiny HTTP server that
// answers with its own name. Pods sit on hairpin-mode bridge ports, as the CNI bridge plugin
// makes them. Everything is named with a per-run prefix and removed by destroy().
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { removeBlackholeRoutes } from '../../lab/netns.ts';
import { blackholeUnroutedRanges } from '../../test/support/blackholeRoutes.ts';

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
const tryIp = (...args: string[]) => {
  try {
    return ip(...args);
  } catch {
    return undefined;
  }
};

export const NODE_IP = '192.168.56.11';
export const EXTERNAL_IP = '192.168.56.100';
export const POD_IPS = { client: '10.244.1.10', b1: '10.244.1.11', b2: '10.244.1.12' } as const;
export const BACKEND_PORT = 8080;

export interface TestNetwork {
  node: string;
  client: string;
  external: string;
  backends: Record<'b1' | 'b2', string>;
  /** Runs a command inside a namespace and returns stdout. */
  exec(ns: string, argv: string[]): string;
  /** new TCP connection per try; each result is the body, or an error code (ECONNREFUSED, TIMEOUT). */
  probe(ns: string, host: string, port: number, tries: number): Promise<string[]>;
  destroy(): Promise<void>;
}

const SERVER = `require('http').createServer((q,s)=>s.end(process.argv[1])).listen(${BACKEND_PORT},'0.0.0.0',()=>console.log('listening'))`;

const PROBE = `
const net=require('net');const [host,port,tries]=process.argv.slice(1);
(async()=>{const out=[];for(let i=0;i<Number(tries);i++){out.push(await new Promise(r=>{
 const s=net.connect({host,port:Number(port)});let body='';const t=setTimeout(()=>{s.destroy();r('TIMEOUT')},3000);
 s.on('connect',()=>s.write('GET / HTTP/1.0\\r\\nHost: x\\r\\n\\r\\n'));s.on('data',d=>body+=d);
 s.on('end',()=>{clearTimeout(t);r(body.split('\\r\\n\\r\\n')[1]??'')});s.on('error',e=>{clearTimeout(t);r(e.code)});}))}
 console.log(JSON.stringify(out))})()`;

export async function createTestNetwork(prefix: string): Promise<TestNetwork> {
  const node = `${prefix}-node`;
  const client = `${prefix}-client`;
  const external = `${prefix}-ext`;
  const backends = { b1: `${prefix}-b1`, b2: `${prefix}-b2` };
  const procs: ChildProcess[] = [];
  // The lab's ranges, blackholed in the root namespace while the test runs so nothing leaks out.
  const addedRoutes = await blackholeUnroutedRanges();
  // Leftovers of a killed run first.
  for (const ns of [node, client, external, backends.b1, backends.b2]) tryIp('netns', 'del', ns);
  for (const ns of [node, client, external, backends.b1, backends.b2]) {
    ip('netns', 'add', ns);
    ip('-n', ns, 'link', 'set', 'lo', 'up');
  }
  const sysctl = (ns: string, kv: string) => execFileSync('nsenter', [`--net=/run/netns/${ns}`, 'sysctl', '-q', '-w', kv]);
  ip('-n', node, 'link', 'add', 'br0', 'type', 'bridge');
  ip('-n', node, 'addr', 'add', '10.244.1.1/24', 'dev', 'br0');
  ip('-n', node, 'link', 'set', 'br0', 'up');
  sysctl(node, 'net.ipv4.ip_forward=1');
  sysctl(node, 'net.bridge.bridge-nf-call-iptables=1');
  const pods: [string, string][] = [[client, POD_IPS.client], [backends.b1, POD_IPS.b1], [backends.b2, POD_IPS.b2]];
  pods.forEach(([ns, addr], i) => {
    ip('-n', node, 'link', 'add', `veth${i}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
    ip('-n', node, 'link', 'set', `veth${i}`, 'master', 'br0', 'up');
    // Hairpin, as the CNI bridge plugin's hairpinMode sets it: with bridged traffic passing
    // through iptables, a pod's packet to its own Service is DNATed on the bridge and must leave
    // by the port it came in on.
    ip('-n', node, 'link', 'set', `veth${i}`, 'type', 'bridge_slave', 'hairpin', 'on');
    ip('-n', ns, 'addr', 'add', `${addr}/24`, 'dev', 'eth0');
    ip('-n', ns, 'link', 'set', 'eth0', 'up');
    ip('-n', ns, 'route', 'add', 'default', 'via', '10.244.1.1');
  });
  ip('-n', node, 'link', 'add', 'eth1', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', external);
  ip('-n', node, 'addr', 'add', `${NODE_IP}/24`, 'dev', 'eth1');
  ip('-n', node, 'link', 'set', 'eth1', 'up');
  // A default route like a real node's: packets for unknown addresses are forwarded, so a
  // Service without endpoints is rejected by the FORWARD rules rather than unroutable.
  ip('-n', node, 'route', 'add', 'default', 'via', EXTERNAL_IP);
  ip('-n', external, 'addr', 'add', `${EXTERNAL_IP}/24`, 'dev', 'eth0');
  ip('-n', external, 'link', 'set', 'eth0', 'up');

  const execIn = (ns: string, argv: string[]) => execFileSync('nsenter', [`--net=/run/netns/${ns}`, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  for (const [name, ns] of Object.entries(backends)) {
    const p = spawn('nsenter', [`--net=/run/netns/${ns}`, process.execPath, '-e', SERVER, name], { stdio: ['ignore', 'pipe', 'inherit'] });
    procs.push(p);
    await new Promise<void>((resolve, reject) => {
      p.stdout!.once('data', () => resolve());
      p.once('exit', (c) => reject(new Error(`backend ${name} exited ${c}`)));
    });
  }

  const probe = (ns: string, host: string, port: number, tries: number) =>
    new Promise<string[]>((resolve, reject) => {
      const p = spawn('nsenter', [`--net=/run/netns/${ns}`, process.execPath, '-e', PROBE, host, String(port), String(tries)], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      p.stdout!.on('data', (d) => (out += d));
      p.on('exit', (c) => (c === 0 ? resolve(JSON.parse(out)) : reject(new Error(`probe exited ${c}`))));
    });

  return {
    node,
    client,
    external,
    backends,
    exec: execIn,
    probe,
    async destroy() {
      for (const p of procs) {
        if (p.exitCode === null && p.signalCode === null) {
          const exited = new Promise((r) => p.once('exit', r));
          p.kill('SIGTERM');
          await exited;
        }
      }
      for (const ns of [node, client, external, backends.b1, backends.b2]) tryIp('netns', 'del', ns);
      await removeBlackholeRoutes(addedRoutes);
    },
  };
}
