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
install_node_credentials && restart=yes

# The kubelet registers its Node itself; it only needs the API server to answer.
log "waiting for the API server at $API_SERVER/readyz"
wait_for 1800 "the API server's /readyz at $API_SERVER" curl -fsS --cacert "$CONF_DIR/ca.crt" "$API_SERVER/readyz"
start_unit k8ts-kubelet.service "$restart"
start_unit k8ts-proxy.service "$proxy_restart"
rm -f /run/k8ts/restart /run/k8ts/restart-proxy
log "worker ready"
