// Who is calling: a client certificate signed by the cluster CA (CN = user, O = groups, upstream's
// x509 authenticator) or a bearer token from the static token file (--token-auth-file, upstream's
// CSV format: token,user,uid,"group1,group2"). Everyone authenticated is allowed everything for
// now; anonymous requests get 401 except the public health and version endpoints, which upstream
// RBAC grants to system:unauthenticated (system:public-info-viewer).
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket, PeerCertificate } from 'node:tls';

export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
}

export const PUBLIC_PATHS = new Set(['/version', '/healthz', '/livez', '/readyz']);

export function parseTokenFile(text: string): Map<string, UserInfo> {
  const tokens = new Map<string, UserInfo>();
  for (const line of text.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const fields = line.match(/("[^"]*"|[^,]+)/g)?.map((f) => f.replace(/^"|"$/g, '').trim()) ?? [];
    const [token, name, uid, groups] = fields;
    if (!token || !name) continue;
    tokens.set(token, { name, uid, groups: groups ? groups.split(',').map((g) => g.trim()).filter(Boolean) : [] });
  }
  return tokens;
}

function asArray(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

export class Authenticator {
  private tokens: Map<string, UserInfo>;

  constructor(opts: { tokenFile?: string } = {}) {
    this.tokens = opts.tokenFile ? parseTokenFile(readFileSync(opts.tokenFile, 'utf8')) : new Map();
  }

  addToken(token: string, user: UserInfo): void {
    this.tokens.set(token, user);
  }

  authenticate(req: IncomingMessage): UserInfo | undefined {
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ')) {
      const user = this.tokens.get(auth.slice(7).trim());
      if (user) return { ...user, groups: [...user.groups, 'system:authenticated'] };
      return undefined; // a wrong token is 401 even with a certificate, as upstream's union authenticator stops at the first error
    }
    const socket = req.socket as TLSSocket;
    if (typeof socket.getPeerCertificate === 'function' && socket.authorized) {
      const cert: PeerCertificate = socket.getPeerCertificate();
      const cn = asArray(cert?.subject?.CN)[0];
      if (cn) return { name: cn, groups: [...asArray(cert.subject.O), 'system:authenticated'] };
    }
    return undefined;
  }
}
