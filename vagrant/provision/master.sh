#!/usr/bin/env bash
# The master: the CA and every certificate (once), the control plane, then the master's own
# kubelet (control-plane taint: user pods go to the workers) and proxy. Runs after common.sh.
#
#   1. etcd (only with --storage etcd): Debian's etcd-server on 127.0.0.1:2379
#   2. certificates: vagrant/provision/clusterCredentials.ts writes the CA and the API server's
#      certificate into /var/lib/k8ts/pki (k8ts server keeps them), and into the shared folder
#      the admin kubeconfig (for kubectl on the host) and each node's kubeconfigs and kubelet
#      serving certificate, which worker.sh picks up
#   3. k8ts-server, once /readyz answers: k8ts-kubelet and k8ts-proxy
# Usage: master.sh --role master --node-name master --node-ip IP --cluster-nodes n=ip,... (see lib.sh)
source "$(dirname "$0")/lib.sh"
parse_flags "$@"
restart=no
[ -e /run/k8ts/restart ] && restart=yes
proxy_restart=$restart
[ -e /run/k8ts/restart-proxy ] && proxy_restart=yes

# --- 1. etcd ----------------------------------------------------------------------------------------
if [ "$STORAGE" = etcd ]; then
  # Debian's unit listens on localhost:2379 only: nothing but the API server talks to it.
  apt_install etcd-server
  start_unit etcd.service
  wait_for 300 "etcd on 127.0.0.1:2379" curl -fsS http://127.0.0.1:2379/health
fi

# --- 2. Certificates -----------------------------------------------------------------------------
[ -n "$CLUSTER_NODES" ] || die "--cluster-nodes is required on master"
node_flags=()
IFS=',' read -r -a nodes <<<"$CLUSTER_NODES"
for n in "${nodes[@]}"; do node_flags+=(--node "$n"); done
mkdir -p "$SERVER_DATA_DIR" "$SHARED_DIR"
run_helper clusterCredentials \
  --pki-dir "$SERVER_DATA_DIR/pki" --out-dir "$SHARED_DIR" --api-server "$API_SERVER" \
  --service-cluster-ip-range "$SERVICE_CIDR" "${node_flags[@]}"
# The host user reads the admin kubeconfig through the synced folder.
chmod 0644 "$SHARED_DIR/admin.kubeconfig"
install -m 0600 "$SHARED_DIR/admin.kubeconfig" "$CONF_DIR/admin.kubeconfig"
source "$(dirname "$0")/node-credentials.sh"
install_node_credentials && restart=yes

# --- 3. The components -------------------------------------------------------------------------------
start_unit k8ts-server.service "$restart"
log "waiting for the API server at $API_SERVER/readyz"
wait_for 1800 "the API server's /readyz" curl -fsS --cacert "$CONF_DIR/ca.crt" "$API_SERVER/readyz"
start_unit k8ts-kubelet.service "$restart"
start_unit k8ts-proxy.service "$proxy_restart"
rm -f /run/k8ts/restart /run/k8ts/restart-proxy
log "master ready: kubectl --kubeconfig .vagrant/k8ts/admin.kubeconfig get nodes (on the host)"
