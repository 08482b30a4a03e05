// A raw HTTPS client with the admin client certificate, for requests kubectl would never send.
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { join } from 'node:path';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json(): any;
}

export interface RawClient {
  request(method: string, path: string, body?: string | Buffer, headers?: Record<string, string>): Promise<RawResponse>;
  close(): void;
}

export function rawClient(url: string, dataDir: string, opts: { anonymous?: boolean } = {}): RawClient {
  const pki = join(dataDir, 'pki');
  const agent = new Agent({
    ca: readFileSync(join(pki, 'ca.crt')),
    cert: opts.anonymous ? undefined : readFileSync(join(pki, 'admin.crt')),
    key: opts.anonymous ? undefined : readFileSync(join(pki, 'admin.key')),
    keepAlive: true,
    maxSockets: 8,
  });
  return {
    request(method, path, body, headers = {}) {
      return new Promise((resolve, reject) => {
        // An explicit Content-Length: Node sends a DELETE body with neither it nor chunked encoding otherwise.
        const length = body === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(body)) };
        const req = request(new URL(path, url), { method, agent, headers: { Accept: 'application/json', ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...length, ...headers } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json: () => JSON.parse(text) });
          });
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}
