// The cluster's certificates: one CA, the API server's serving certificate (with the SANs kubectl
// insists on: a CN-only certificate is rejected), and client certificates whose subject says who
// the client is — CN = user name, O = groups, as upstream's x509 authenticator reads them
// (k8s.io/apiserver/pkg/authentication/request/x509). ECDSA P-256 keeps generation instant.
import { webcrypto } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;
const ONE_YEAR_MS = 365 * 24 * 3600 * 1000; // kubeadm's leaf certificate lifetime

export interface PemPair {
  cert: string;
  key: string;
}

async function newKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function keyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

async function importKey(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decode(pem)[0];
  return webcrypto.subtle.importKey('pkcs8', der, ALG, true, ['sign']) as Promise<CryptoKey>;
}

function dn(cn: string, orgs: string[] = []): string {
  const escape = (s: string) => s.replace(/([,+"\\<>;=])/g, '\\$1');
  return [`CN=${escape(cn)}`, ...orgs.map((o) => `O=${escape(o)}`)].join(', ');
}

export async function createCA(commonName = 'k8ts-ca'): Promise<PemPair> {
  const keys = await newKeys();
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: dn(commonName),
    keys,
    signingAlgorithm: ALG,
    notBefore: new Date(now - 3600_000),
    notAfter: new Date(now + TEN_YEARS_MS),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: cert.toString('pem'), key: await keyPem(keys.privateKey) };
}

interface LeafOptions {
  commonName: string;
  organizations?: string[];
  /** DNS names and IP addresses; presence makes it a serving certificate. */
  hosts?: string[];
  client?: boolean;
  server?: boolean;
}

export async function signLeaf(ca: PemPair, opts: LeafOptions): Promise<PemPair> {
  const caCert = new x509.X509Certificate(ca.cert);
  const caKey = await importKey(ca.key);
  const keys = await newKeys();
  const usages: string[] = [];
  if (opts.server) usages.push(x509.ExtendedKeyUsage.serverAuth);
  if (opts.client) usages.push(x509.ExtendedKeyUsage.clientAuth);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension(usages),
    await x509.AuthorityKeyIdentifierExtension.create(caCert, false),
  ];
  if (opts.hosts?.length) {
    const names = opts.hosts.map((h) => (isIP(h) ? { type: 'ip' as const, value: h } : { type: 'dns' as const, value: h }));
    extensions.push(new x509.SubjectAlternativeNameExtension(names));
  }
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    subject: dn(opts.commonName, opts.organizations),
    issuer: caCert.subject,
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: ALG,
    notBefore: new Date(now - 3600_000),
    notAfter: new Date(now + ONE_YEAR_MS),
    extensions,
  });
  return { cert: cert.toString('pem'), key: await keyPem(keys.privateKey) };
}

export interface ClusterPki {
  ca: PemPair;
  serving: PemPair;
  admin: PemPair;
}

function readPair(dir: string, name: string): PemPair | undefined {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  if (!existsSync(cert) || !existsSync(key)) return undefined;
  return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
}

function writePair(dir: string, name: string, pair: PemPair): void {
  writeFileSync(join(dir, `${name}.crt`), pair.cert, { mode: 0o644 });
  writeFileSync(join(dir, `${name}.key`), pair.key, { mode: 0o600 });
}

/** The SANs a certificate carries, to know whether a kept serving certificate still fits. */
function sansOf(pem: string): Set<string> {
  const ext = new x509.X509Certificate(pem).getExtension(x509.SubjectAlternativeNameExtension);
  return new Set((ext?.names.items ?? []).map((n) => n.value));
}

/**
 * Loads the CA and certificates from DIR, creating what is missing. The serving certificate is
 * re-issued when the requested hosts are not all among its SANs (a new --bind-address, say).
 */
export async function ensurePki(dir: string, hosts: string[]): Promise<ClusterPki> {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  let ca = readPair(dir, 'ca');
  if (!ca) writePair(dir, 'ca', (ca = await createCA()));
  let serving = readPair(dir, 'apiserver');
  if (!serving || hosts.some((h) => !sansOf(serving!.cert).has(h))) {
    serving = await signLeaf(ca, { commonName: 'kube-apiserver', hosts, server: true });
    writePair(dir, 'apiserver', serving);
  }
  let admin = readPair(dir, 'admin');
  if (!admin) {
    admin = await signLeaf(ca, { commonName: 'kubernetes-admin', organizations: ['system:masters'], client: true });
    writePair(dir, 'admin', admin);
  }
  return { ca, serving, admin };
}
