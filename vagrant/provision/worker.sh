#!/usr/bin/env bash
# A worker: waits for its credentials from master (through the shared folder), then starts its
# kubelet and proxy. Runs after common.sh.
#
# Vagrant's libvirt provider brings the machines up in parallel, so a worker may get here before
# master has written anything: it polls, with a bound generous enough for QEMU's emulation.
# Usage: worker.sh --role worker --node-name NAME --node-ip IP --master-ip IP ... (see lib.sh)
source "$(dirname "$0")/lib.sh"
parse_flags "$@"
restart=no
[ -e /run/k8ts/restart ] && restart=yes
proxy_restart=$restart
[ -e /run/k8ts/restart-proxy ] && proxy_restart=yes

# Master writes the kubelet serving key last: once it is there, the node's files are complete.
log "waiting for $SHARED_DIR/nodes/$NODE_NAME (written by master's provisioning)"
wait_for 1800 "credentials from master in $SHARED_DIR/nodes/$NODE_NAME (is the folder shared two-way? see the Vagrantfile)" \
  test -s "$SHARED_DIR/nodes/$NODE_NAME/kubelet.key"
source "$(dirname "$0")/node-credentials.sh"

# The kubelet registers its Node itself; it only needs the API server to answer. The credentials
# are read again on every try: the shared folder may still hold those of an earlier cluster (a
# `vagrant destroy` leaves .vagrant/k8ts on the host) until master's provisioning rewrites them,
# and the earlier CA would never verify the new API server.
api_server_ready() {
  install_node_credentials && restart=yes
  curl -fsS --cacert "$CONF_DIR/ca.crt" "$API_SERVER/readyz"
}
log "waiting for the API server at $API_SERVER/readyz"
wait_for 1800 "the API server's /readyz at $API_SERVER (with the CA in $SHARED_DIR/ca.crt)" api_server_ready
start_unit k8ts-kubelet.service "$restart"
start_unit k8ts-proxy.service "$proxy_restart"
rm -f /run/k8ts/restart /run/k8ts/restart-proxy
log "worker ready"
