# install_node_credentials: copies this node's kubeconfigs, kubelet serving certificate and the CA
# from the shared folder (where master.sh's clusterCredentials.ts put them) into /etc/k8ts.
# Returns 0 when a file changed, so the caller restarts the kubelet and the proxy.
# shellcheck shell=bash
install_node_credentials() {
  local src="$SHARED_DIR/nodes/$NODE_NAME" changed=1 f
  install_if_changed "$SHARED_DIR/ca.crt" "$CONF_DIR/ca.crt" 0644 && changed=0
  for f in kubelet.kubeconfig proxy.kubeconfig kubelet.key; do
    install_if_changed "$src/$f" "$CONF_DIR/$f" 0600 && changed=0
  done
  install_if_changed "$src/kubelet.crt" "$CONF_DIR/kubelet.crt" 0644 && changed=0
  return $changed
}
