#!/usr/bin/env bash
# Every node, master and workers alike: what a kubelet and a proxy need on a Debian 12 machine.
# Idempotent: `vagrant provision` runs it again and it changes only what differs.
#
#   1. check that --node-ip is on an interface (the private network, eth1; never the NAT address)
#   2. Debian packages: containerd, runc, CNI plugins, the rule tools
#   3. Node.js >= 20
#   4. kernel modules and sysctls
#   5. the repository in /opt/k8ts, its npm dependencies, /usr/local/bin/k8ts
#   6. containerd's configuration (rendered by the lab's own renderer)
#   7. /etc/k8ts/k8ts.env and the systemd units
#
# When something the components read changed (code, units, k8ts.env), it leaves /run/k8ts/restart
# so that master.sh / worker.sh restart them; when only the proxy mode changed (proxy.env), it
# leaves /run/k8ts/restart-proxy and only the proxy restarts.
# Usage: common.sh --role master|worker --node-name NAME --node-ip IP --master-ip IP ... (see lib.sh)
source "$(dirname "$0")/lib.sh"
parse_flags "$@"
mkdir -p /run/k8ts "$CONF_DIR"
restart_needed() { touch /run/k8ts/restart; }

# --- 1. The node's address ---------------------------------------------------------------------
# Vagrant's first interface is NAT and has 10.0.2.15 on every VM: a kubelet that guessed its
# address from the default route would report the same InternalIP on all three nodes.
iface=$(ip -o -4 addr show | awk -v ip="$NODE_IP" '{ split($4, a, "/"); if (a[1] == ip) print $2 }')
[ -n "$iface" ] || die "no interface has $NODE_IP: is the private network up? ($(ip -o -4 addr show | awk '{print $2, $4}' | tr '\n' ' '))"
log "node ip $NODE_IP on $iface"

# --- 2. Packages ---------------------------------------------------------------------------------
# rsync copies the repository out of the synced folder; curl polls the API server's /readyz.
apt_install containerd runc containernetworking-plugins iptables nftables ipvsadm ipset conntrack \
  iproute2 kmod rsync curl ca-certificates

# --- 3. Node.js >= 20 ------------------------------------------------------------------------------
# k8ts needs Node 20 (package.json engines). Debian 12's own nodejs is 18.x, so on a stock
# bookworm box this step installs Debian's nodejs only when the configured apt sources offer
# version 20 or later (e.g. a newer Debian release or a nodejs 20 repository added to the box).
# Otherwise the box must bring Node 20 itself: the offline box from vagrant/box/ copies the
# host's Node 20 (same Debian 12 base) to /usr/bin/node; any other box needs node >= 20 on PATH
# (with npm) before provisioning.
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(node_major)" -lt 20 ]; then
  candidate=$(apt-cache policy nodejs 2>/dev/null | awk '/Candidate:/ {print $2}')
  if [ -n "$candidate" ] && [ "$candidate" != "(none)" ] && dpkg --compare-versions "$candidate" ge 20; then
    apt_install nodejs
    command -v npm >/dev/null || apt_install npm
  fi
fi
[ "$(node_major)" -ge 20 ] || die "Node.js >= 20 is needed and neither the box nor apt ($(apt-cache policy nodejs 2>/dev/null | awk '/Candidate:/ {print $2}')) provides it; see the comment in common.sh"
log "node $(node --version)"

# --- 4. Kernel modules and sysctls ----------------------------------------------------------------
# br_netfilter: bridged pod traffic goes through iptables (Service DNAT for pods on the same node).
# ip_vs*: the proxy's ipvs mode; loaded on every node so switching modes needs no reboot.
modules=(overlay br_netfilter ip_vs ip_vs_rr ip_vs_wrr ip_vs_sh nf_conntrack)
printf '%s\n' "# k8ts: loaded at boot by systemd-modules-load" "${modules[@]}" >/tmp/k8ts-modules.conf
install_if_changed /tmp/k8ts-modules.conf /etc/modules-load.d/k8ts.conf 0644 || true
for m in "${modules[@]}"; do modprobe "$m" || die "modprobe $m failed"; done

cat >/tmp/k8ts-sysctl.conf <<'EOF'
# k8ts: what kubeadm's preflight asks for, plus IPVS in masquerade mode.
net.ipv4.ip_forward = 1
net.bridge.bridge-nf-call-iptables = 1
net.bridge.bridge-nf-call-ip6tables = 1
# IPVS with masquerading needs conntrack entries for the connections it balances.
net.ipv4.vs.conntrack = 1
EOF
install_if_changed /tmp/k8ts-sysctl.conf /etc/sysctl.d/90-k8ts.conf 0644 || true
sysctl -q -p /etc/sysctl.d/90-k8ts.conf

# --- 4b. A route for the Service CIDR --------------------------------------------------------------
# A ClusterIP is DNATed in the nat table's OUTPUT chain, after the routing decision: a packet
# the node itself sends to 10.96.x.y needs some route first, or connect() fails with "network is
# unreachable". Vagrant's NAT interface usually brings a default route; an isolated management
# network (K8TS_LIBVIRT_MGMT_MODE=none) brings none, so the Service range goes out eth1 then. The
# networkd drop-in keeps it across reboots (Vagrant writes 50-vagrant-IFACE.network).
if ! ip route get "${SERVICE_CIDR%/*}" >/dev/null 2>&1; then
  log "route for the Service range $SERVICE_CIDR via $iface"
  ip route replace "$SERVICE_CIDR" dev "$iface"
fi
if [ -f "/etc/systemd/network/50-vagrant-$iface.network" ] && ! ip route show default | grep -q .; then
  printf '# k8ts: the Service range (see vagrant/provision/common.sh)\n[Route]\nDestination=%s\n' "$SERVICE_CIDR" >/tmp/k8ts-route.conf
  install_if_changed /tmp/k8ts-route.conf "/etc/systemd/network/50-vagrant-$iface.network.d/k8ts-services.conf" 0644 || true
  rm -f /tmp/k8ts-route.conf
fi

# --- 5. The repository, its dependencies, the compiled JavaScript ------------------------------
# A copy, not the synced folder itself: node_modules is built for this VM (better-sqlite3 is a
# native module) and must not land in the host's folder. The offline box (vagrant/box/) comes
# with /opt/k8ts already filled: then only what changed on the host is copied.
[ -f "$REPO_SRC/package.json" ] || die "$REPO_SRC has no package.json: is the project folder synced?"
mkdir -p "$K8TS_HOME"
copied=$(rsync -a --delete --itemize-changes --exclude /.git --exclude /.vagrant --exclude /tmp \
  --exclude /dist.building --exclude node_modules "$REPO_SRC/" "$K8TS_HOME/")
[ -z "$copied" ] || log "repository updated in $K8TS_HOME ($(printf '%s\n' "$copied" | wc -l) changes)"
# The components run dist/ with node_modules: other files (sources, docs, tests) change nothing.
if grep -qE '^[^ ]+ (dist/|package(-lock)?\.json$)' <<<"$copied"; then restart_needed; fi
# npm ci only when node_modules was installed from another lockfile (the box records the hash of
# the one it was made with). All dependencies, dev ones too: typescript compiles dist/ below.
lock_hash=$(sha256sum "$K8TS_HOME/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$K8TS_HOME/node_modules/.k8ts-lock.sha256" 2>/dev/null)" != "$lock_hash" ]; then
  log "npm ci in $K8TS_HOME"
  command -v npm >/dev/null || die "npm is missing (it comes with Node.js 20)"
  # Native modules fall back to a compiler when no prebuilt binary can be downloaded.
  (cd "$K8TS_HOME" && npm ci --no-audit --no-fund) || {
    apt_install make g++ python3
    (cd "$K8TS_HOME" && npm ci --no-audit --no-fund)
  }
  echo "$lock_hash" >"$K8TS_HOME/node_modules/.k8ts-lock.sha256"
  restart_needed
fi
# The units run the compiled JavaScript: the host's dist/ (vagrant/box/build-dist.sh) came with
# the copy above; without it, it is compiled here (minutes under emulation).
if [ ! -f "$K8TS_HOME/dist/k8ts.mjs" ]; then
  log "compiling k8ts to $K8TS_HOME/dist"
  bash "$K8TS_HOME/vagrant/box/build-dist.sh" "$K8TS_HOME"
  restart_needed
fi
cat >/tmp/k8ts-bin <<EOF
#!/bin/sh
# k8ts <component> [flags]: the compiled k8ts in $K8TS_HOME/dist, run by $(command -v node).
exec $(command -v node) $K8TS_HOME/dist/k8ts.mjs "\$@"
EOF
install_if_changed /tmp/k8ts-bin "$K8TS_BIN" 0755 && restart_needed

# --- 6. containerd ------------------------------------------------------------------------------------
if [ "$(run_helper containerdConfig --registry-mirror "$REGISTRY_MIRROR")" = changed ]; then
  log "containerd configuration written"
  start_unit containerd.service yes
else
  start_unit containerd.service
fi
wait_for 120 "containerd's socket" test -S /run/containerd/containerd.sock

# --- 7. This node's settings and the units ---------------------------------------------------------
# The units read every per-node value from k8ts.env ($VAR in ExecStart splits into words, so an
# empty variable adds no argument).
server_storage_args=''
[ "$STORAGE" = etcd ] && server_storage_args="--storage etcd --etcd-servers http://127.0.0.1:2379"
kubelet_extra_args=''
[ "$ROLE" = master ] && kubelet_extra_args='--master' # control-plane label and NoSchedule taint
cat >/tmp/k8ts.env <<EOF
# Written by vagrant/provision/common.sh; read by the k8ts-* units.
NODE_NAME=$NODE_NAME
NODE_IP=$NODE_IP
NODE_ROLE=$ROLE
API_PORT=$API_PORT
CLUSTER_CIDR=$CLUSTER_CIDR
SERVICE_CIDR=$SERVICE_CIDR
CLUSTER_DNS=$CLUSTER_DNS
SERVER_STORAGE_ARGS=$server_storage_args
KUBELET_EXTRA_ARGS=$kubelet_extra_args
EOF
install_if_changed /tmp/k8ts.env "$CONF_DIR/k8ts.env" 0644 && restart_needed
# The proxy mode alone: switching it (K8TS_PROXY_MODE=ipvs vagrant provision) restarts the proxy only.
printf '# Written by vagrant/provision/common.sh; read by k8ts-proxy.service.\nPROXY_MODE=%s\n' "$PROXY_MODE" >/tmp/k8ts-proxy.env
install_if_changed /tmp/k8ts-proxy.env "$CONF_DIR/proxy.env" 0644 && touch /run/k8ts/restart-proxy

units_changed=no
for unit in "$REPO_SRC"/vagrant/units/*.service; do
  install_if_changed "$unit" "/etc/systemd/system/$(basename "$unit")" 0644 && units_changed=yes
done
if [ "$units_changed" = yes ]; then
  systemctl daemon-reload
  restart_needed
fi
rm -f /tmp/k8ts-modules.conf /tmp/k8ts-sysctl.conf /tmp/k8ts-bin /tmp/k8ts.env /tmp/k8ts-proxy.env
log "common provisioning done"
