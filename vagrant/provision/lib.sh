# Shared by common.sh, master.sh and worker.sh (sourced, never run). Every provisioning script
# takes the same flags, passed by the Vagrantfile:
#
#   --role master|worker  --node-name NAME  --node-ip IP (the private-network address, eth1)
#   --master-ip IP  --cluster-nodes name=ip,name=ip,...  --proxy-mode iptables|nftables|ipvs
#   --storage sqlite|etcd  --registry-mirror HOST:PORT (empty: pull from the registries themselves)
#   --repo DIR (the synced project folder)  --shared-dir DIR (the folder shared with the host)
# shellcheck shell=bash
# shellcheck disable=SC2034 # the variables are for the scripts that source this file

set -euo pipefail

ROLE='' NODE_NAME='' NODE_IP='' MASTER_IP='' CLUSTER_NODES='' PROXY_MODE=iptables STORAGE=sqlite
REGISTRY_MIRROR='' REPO_SRC=/vagrant SHARED_DIR=/var/lib/k8ts-shared

# Where things live inside a VM.
K8TS_HOME=/opt/k8ts            # the repository, copied from the synced folder, with its node_modules
K8TS_BIN=/usr/local/bin/k8ts   # `k8ts <component>`: the units and the user run this
CONF_DIR=/etc/k8ts             # this node's kubeconfigs, certificates and k8ts.env
SERVER_DATA_DIR=/var/lib/k8ts  # `k8ts server --data-dir`: the store and the pki (CA key stays here)
API_PORT=6443                  # kube-apiserver's default --secure-port
CLUSTER_CIDR=10.244.0.0/16     # flannel's default pod range, as in `k8ts lab up`
SERVICE_CIDR=10.96.0.0/12      # kubeadm's default Service range
CLUSTER_DNS=10.96.0.10         # kubeadm's choice: the 10th address of the Service range

log() { printf '==> [%s] %s\n' "${NODE_NAME:-k8ts}" "$*"; }
die() { printf 'ERROR [%s]: %s\n' "${NODE_NAME:-k8ts}" "$*" >&2; exit 1; }

parse_flags() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --role) ROLE=$2 ;;
      --node-name) NODE_NAME=$2 ;;
      --node-ip) NODE_IP=$2 ;;
      --master-ip) MASTER_IP=$2 ;;
      --cluster-nodes) CLUSTER_NODES=$2 ;;
      --proxy-mode) PROXY_MODE=$2 ;;
      --storage) STORAGE=$2 ;;
      --registry-mirror) REGISTRY_MIRROR=$2 ;;
      --repo) REPO_SRC=$2 ;;
      --shared-dir) SHARED_DIR=$2 ;;
      *) die "unknown flag $1" ;;
    esac
    shift 2
  done
  case "$ROLE" in master|worker) ;; *) die "--role must be master or worker, got '$ROLE'" ;; esac
  case "$PROXY_MODE" in iptables|nftables|ipvs) ;; *) die "--proxy-mode must be iptables, nftables or ipvs" ;; esac
  case "$STORAGE" in sqlite|etcd) ;; *) die "--storage must be sqlite or etcd" ;; esac
  [ -n "$NODE_NAME" ] || die "--node-name is required"
  [ -n "$NODE_IP" ] || die "--node-ip is required"
  [ -n "$MASTER_IP" ] || die "--master-ip is required"
  API_SERVER="https://${MASTER_IP}:${API_PORT}"
}

# Installs the Debian packages that are missing (an offline box has them all: no apt at all then).
apt_install() {
  local missing=() p
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null ||
    { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; }
}

# install_if_changed SRC DEST MODE: copies only when the content differs; returns 0 if it copied.
install_if_changed() {
  if [ -f "$2" ] && cmp -s "$1" "$2"; then return 1; fi
  install -D -m "$3" "$1" "$2"
}

# Runs a helper of the repository, vagrant/provision/NAME.ts, from its compiled JavaScript
# (dist/, vagrant/box/build-dist.sh): under QEMU's emulation tsx would transpile for minutes.
run_helper() {
  local name=$1
  shift
  (cd "$K8TS_HOME" && node "dist/vagrant/provision/$name.js" "$@")
}

# wait_for SECONDS WHAT COMMAND...: polls every 2 s, fails with WHAT after SECONDS. Generous bounds:
# under QEMU's software emulation Node.js runs 20-55x slower than on the host.
wait_for() {
  local limit=$1 what=$2 waited=0
  shift 2
  until "$@" >/dev/null 2>&1; do
    [ "$waited" -ge "$limit" ] && die "gave up after ${limit}s waiting for $what"
    sleep 2
    waited=$((waited + 2))
  done
}

# Starts (or restarts, when its unit or configuration changed) a unit and enables it at boot.
start_unit() {
  local unit=$1 restart=${2:-no}
  systemctl enable "$unit" >/dev/null 2>&1
  if [ "$restart" = yes ]; then
    log "restarting $unit"
    systemctl restart "$unit"
  else
    systemctl start "$unit"
  fi
}
