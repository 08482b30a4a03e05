// The kubelet's serving certificate for :10250. Either signed by the cluster CA (what the API
// server can verify with --kubelet-certificate-authority; upstream gets it through a CSR with
// CN=system:node:<name>, O=system:nodes), or self-signed the way upstream's kubelet makes one
// when given none: a throwaway CA "<host>-ca@<time>" that signs "<host>@<time>", and the
// certificate file holds both (client-go util/cert GenerateSelfSignedCertKey).
import { createCA, signLeaf, type PemPair } from '../../../controlplane/apiserver/pki.ts';

export interface ServingCertificateOptions {
  nodeName: string;
  /** The node's addresses and names (SANs): InternalIP, hostname. */
  hosts: string[];
  /** The cluster CA; without it the certificate is self-signed. */
  ca?: PemPair;
}

export async function kubeletServingCertificate(o: ServingCertificateOptions): Promise<PemPair> {
  const hosts = [...new Set([o.nodeName, ...o.hosts])];
  if (o.ca) {
    return signLeaf(o.ca, { commonName: `system:node:${o.nodeName}`, organizations: ['system:nodes'], hosts, server: true });
  }
  const stamp = Math.floor(Date.now() / 1000);
  const selfCA = await createCA(`${o.nodeName}-ca@${stamp}`);
  const leaf = await signLeaf(selfCA, { commonName: `${o.nodeName}@${stamp}`, hosts, server: true });
  return { cert: `${leaf.cert.trimEnd()}\n${selfCA.cert.trimEnd()}\n`, key: leaf.key };
}
