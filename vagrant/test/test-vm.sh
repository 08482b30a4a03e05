#!/usr/bin/env bash
# `npm run test:vm`: the three-VM lab for real. `vagrant up` of master, worker-0 and worker-1
# from the offline box (vagrant/box/), the user's nginx and mysql manifests deployed with the real
# kubectl, Services checked from the nodes, iptables then IPVS rules read on worker-0, a worker
# halted, and everything destroyed. Prints the time of each stage and the memory (RSS) of the
# control plane and the agents inside the VMs.
#
# On this kind of machine (no usable KVM, no internet, no systemd as PID 1) libvirtd, virtlogd and
# vagrant run inside a network namespace of their own, with QEMU's software emulation: every
# bridge libvirt makes lives there, and kubectl runs there too, never from the root namespace.
# The lab's images (lab/images/, cached in /var/cache/k8ts-lab/images) are served by a registry
# in that namespace on the private network's host address; each node's containerd mirrors
# docker.io and registry.k8s.io to it.
#
# Needs root. Settings (environment):
#   K8TS_VM_NS        the network namespace (vlab)
#   K8TS_VM_WORK      state: VAGRANT_HOME, the registry, logs (/var/lib/k8ts-vm-test)
#   K8TS_VM_KEEP=1    leave the VMs running at the end (destroy later: see the last lines)
#   K8TS_VM_BOX_FORCE=1  rebuild the box even when one exists
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
NS=${K8TS_VM_NS:-vlab}
WORK=${K8TS_VM_WORK:-/var/lib/k8ts-vm-test}
BOX_NAME=k8ts/bookworm
BOX_DIR=/var/cache/k8ts-vagrant
HOST_ADDR=192.168.56.1 # the private network's address on the host side (libvirt's bridge)
REGISTRY="$HOST_ADDR:5000"
KUBECONFIG_FILE="$REPO/.vagrant/k8ts/admin.kubeconfig"
RESULTS=()
T0=$(date +%s)
STAGE_START=$T0

export VAGRANT_HOME="$WORK/vagrant-home" VAGRANT_CHECKPOINT_DISABLE=1 VAGRANT_DEFAULT_PROVIDER=libvirt
export K8TS_BOX=$BOX_NAME K8TS_LIBVIRT_DRIVER=qemu K8TS_LIBVIRT_MGMT_MODE=none K8TS_REGISTRY_MIRROR=$REGISTRY
export K8TS_PROXY_MODE=iptables K8TS_CONSOLE_LOG_DIR="$WORK"
export LIBVIRT_DEFAULT_URI=qemu:///system

log() { printf '\n[%s +%ss] %s\n' "$(date -u +%H:%M:%S)" "$(($(date +%s) - T0))" "$*"; }
stage_done() {
  local now
  now=$(date +%s)
  RESULTS+=("$(printf '%-58s %5ss' "$1" "$((now - STAGE_START))")")
  log "stage done: $1 ($((now - STAGE_START)) s)"
  STAGE_START=$now
}
check() { RESULTS+=("  PASS  $*"); log "PASS: $*"; }
fail() {
  RESULTS+=("  FAIL  $*")
  log "FAIL: $*"
  exit 1
}
inns() { ip netns exec "$NS" "$@"; }
vagrant_() { (cd "$REPO" && inns vagrant "$@"); }
kubectl_() { inns kubectl --kubeconfig "$KUBECONFIG_FILE" --request-timeout=60s "$@"; }
# A command on a node: `vagrant ssh NODE -c CMD` (what the user types) for the checks that name
# it, plain ssh with `vagrant ssh-config`'s settings for polling (each vagrant start costs
# seconds to a minute on a loaded machine).
vagrant_ssh() { local node=$1; shift; vagrant_ ssh "$node" -c "$*" -- -q 2>/dev/null; }
on() {
  local node=$1
  shift
  if [ -s "$WORK/ssh_config" ]; then inns ssh -F "$WORK/ssh_config" -q "$node" "$*"; else vagrant_ssh "$node" "$@"; fi
}
# poll SECONDS WHAT COMMAND...: every 5 s until the command succeeds.
poll() {
  local limit=$1 what=$2 start
  shift 2
  start=$(date +%s)
  until "$@" >/dev/null 2>&1; do
    [ $(($(date +%s) - start)) -ge "$limit" ] && fail "$what (gave up after ${limit}s)"
    sleep 5
  done
}

started_pids=()
cleanup() {
  local rc=$?
  set +e
  if [ "${K8TS_VM_KEEP:-0}" != 1 ] && [ -d "$REPO/.vagrant/machines" ]; then
    log "vagrant destroy -f"
    STAGE_START=$(date +%s)
    vagrant_ destroy -f >"$WORK/destroy.log" 2>&1
    # What the private and management networks left (vagrant-libvirt removes them with the
    # last domain that used them).
    for net in k8ts vagrant-libvirt; do
      inns virsh net-destroy "$net" >/dev/null 2>&1
      inns virsh net-undefine "$net" >/dev/null 2>&1
    done
    local domains nets
    domains=$(inns virsh list --all --name | grep -c k8ts_ || true)
    nets=$(inns virsh net-list --all --name | grep -cE '^(k8ts|vagrant-libvirt)$' || true)
    if [ "$domains" = 0 ] && [ "$nets" = 0 ]; then check "vagrant destroy -f: no domain, no network left"; else RESULTS+=("  FAIL  after destroy: $domains domains, $nets networks"); fi
    stage_done "vagrant destroy -f"
  fi
  if [ -f "$WORK/registry/registry.pid" ]; then
    (cd "$REPO" && node --import tsx vagrant/test/labRegistry.ts stop --dir "$WORK/registry") >/dev/null 2>&1
  fi
  if [ "${K8TS_VM_KEEP:-0}" != 1 ]; then
    for pid in "${started_pids[@]}"; do kill "$pid" 2>/dev/null; done
    for pid in "${started_pids[@]}"; do
      for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    done
    if [ "${#started_pids[@]}" -gt 0 ]; then
      ip netns del "$NS" 2>/dev/null
      if ip netns list | grep -qw "$NS"; then RESULTS+=("  FAIL  namespace $NS left"); else check "namespace $NS removed"; fi
    fi
  else
    log "kept: VMs, libvirtd/virtlogd (pids ${started_pids[*]:-none}) in namespace $NS. Later:"
    log "  cd $REPO && VAGRANT_HOME=$VAGRANT_HOME ip netns exec $NS vagrant destroy -f"
  fi
  printf '\n==== k8ts three-VM lab (%s) ====\n' "$(date -u +%FT%TZ)"
  printf '%s\n' "${RESULTS[@]}"
  [ -f "$WORK/rss.txt" ] && { printf '\nMemory (RSS, MiB) inside the VMs after nginx and mysql:\n'; cat "$WORK/rss.txt"; }
  printf 'total %ss, exit %s\n' "$(($(date +%s) - T0))" "$rc"
  exit "$rc"
}

[ "$(id -u)" = 0 ] || { echo "npm run test:vm needs root (libvirt, namespaces, mmdebstrap)" >&2; exit 1; }
mkdir -p "$WORK"
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# --- Prerequisites ---------------------------------------------------------------------------------
log "prerequisites"
need=(vagrant vagrant-libvirt libvirt-daemon-system libvirt-daemon-driver-qemu libvirt-clients dnsmasq-base
  qemu-system-x86 qemu-utils mmdebstrap docker-registry skopeo e2fsprogs)
missing=()
for p in "${need[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null ||
    { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; }
fi
# qemu as root: /dev/kvm is root-only here, and with qemu as libvirt-qemu libvirt re-probes QEMU
# on every call ("KVM was enabled when probing ... but it is not available now").
if ! grep -q '^user = "root"' /etc/libvirt/qemu.conf; then
  sed -i 's/^#\?user = .*/user = "root"/; s/^#\?group = .*/group = "root"/' /etc/libvirt/qemu.conf
  rm -rf /var/cache/libvirt/qemu/capabilities/*
fi
stage_done "prerequisites (apt, qemu.conf)"

# --- libvirt in its namespace ------------------------------------------------------------------------
log "libvirtd and virtlogd in namespace $NS"
ip netns list | grep -qw "$NS" || { ip netns add "$NS"; ip -n "$NS" link set lo up; }
daemon_pid() { local f=$1; [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && cat "$f"; }
for d in virtlogd libvirtd; do
  pid=$(daemon_pid "/run/$d.pid" || true)
  if [ -n "$pid" ]; then
    [ "$(readlink "/proc/$pid/ns/net")" = "$(inns readlink /proc/self/ns/net)" ] ||
      fail "$d (pid $pid) runs outside namespace $NS: stop it first"
    log "$d already running (pid $pid)"
  else
    inns "$d" -d
    poll 60 "$d's pid file" test -s "/run/$d.pid"
    started_pids+=("$(cat "/run/$d.pid")")
  fi
done
poll 120 "libvirtd answering" inns virsh version
stage_done "libvirtd + virtlogd in namespace $NS"

# --- The box -----------------------------------------------------------------------------------------
log "compiled k8ts (dist/) and the offline box"
"$REPO/vagrant/box/build-dist.sh" "$REPO" 2>&1 | grep -v '^npm warn' || fail "build-dist.sh"
stage_done "k8ts compiled to dist/"
box_flags=(--out "$BOX_DIR" --name "$BOX_NAME")
[ "${K8TS_VM_BOX_FORCE:-0}" = 1 ] && box_flags+=(--force)
if [ -f "$BOX_DIR/k8ts.box" ] && [ "${K8TS_VM_BOX_FORCE:-0}" != 1 ] && vagrant box list 2>/dev/null | grep -q "^$BOX_NAME "; then
  log "box $BOX_NAME already added"
else
  "$REPO/vagrant/box/build-box.sh" "${box_flags[@]}" >"$WORK/box.log" 2>&1 || { tail -30 "$WORK/box.log"; fail "box build (see $WORK/box.log)"; }
fi
stage_done "offline box $BOX_NAME (build or reuse, box add)"

# --- Images -------------------------------------------------------------------------------------------
log "the lab's images in a registry at $REGISTRY (namespace $NS)"
(cd "$REPO" && node --import tsx vagrant/test/labRegistry.ts start --ns "$NS" --dir "$WORK/registry" --addr "0.0.0.0:5000") ||
  fail "registry"
stage_done "registry with the lab's images"

# --- vagrant up ------------------------------------------------------------------------------------------
log "vagrant up (QEMU TCG; provisioning log: $WORK/up.log)"
# What an earlier cluster left: its credentials in the shared folder (master's provisioning
# writes new ones; until then a worker would read the old CA), its RSS figures.
rm -rf "$REPO/.vagrant/k8ts/nodes"
rm -f "$KUBECONFIG_FILE" "$REPO/.vagrant/k8ts/ca.crt" "$WORK/ssh_config" "$WORK/rss.txt"
vagrant_ validate >/dev/null || fail "vagrant validate"
if ! vagrant_ up --no-color >"$WORK/up.log" 2>&1; then
  tail -40 "$WORK/up.log"
  fail "vagrant up (see $WORK/up.log)"
fi
check "vagrant up: three VMs provisioned"
vagrant_ ssh-config >"$WORK/ssh_config" 2>/dev/null || rm -f "$WORK/ssh_config"
stage_done "vagrant up (3 VMs, provisioning)"

# --- Nodes --------------------------------------------------------------------------------------------
[ -s "$KUBECONFIG_FILE" ] || fail "no admin kubeconfig at $KUBECONFIG_FILE"
check "admin kubeconfig on the host: .vagrant/k8ts/admin.kubeconfig"
nodes_ready() {
  [ "$(kubectl_ get nodes -o jsonpath='{range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status}{" "}{end}')" = "master=True worker-0=True worker-1=True " ]
}
poll 900 "three nodes Ready" nodes_ready
kubectl_ get nodes -o wide
ips=$(kubectl_ get nodes -o jsonpath='{range .items[*]}{.metadata.name}={.status.addresses[?(@.type=="InternalIP")].address}{" "}{end}')
[ "$ips" = "master=192.168.56.10 worker-0=192.168.56.11 worker-1=192.168.56.12 " ] || fail "InternalIPs: $ips"
check "3 nodes Ready with InternalIPs $ips"
stage_done "nodes Ready"

# --- The user's manifests --------------------------------------------------------------------------------
log "kubectl apply -f examples/"
# The mysql PersistentVolume is a `local` volume on worker-0: its path exists beforehand, as on
# a real node.
on worker-0 'sudo mkdir -p /data/mysql'
kubectl_ apply -f "$REPO/examples/mysql-namespace.yaml"
kubectl_ apply -f "$REPO/examples/"
# For the halted-worker check below: one replica per worker, short unreachable tolerations.
kubectl_ apply -f "$REPO/vagrant/test/failover-deployment.yaml"
all_running() {
  local phases
  phases=$(kubectl_ get pods -A -o jsonpath='{range .items[*]}{.status.phase}{"\n"}{end}')
  [ -n "$phases" ] && ! grep -qv '^Running$' <<<"$phases"
}
poll 1800 "every example pod Running" all_running
kubectl_ get pods -A -o wide
check "nginx and mysql pods Running ($(kubectl_ get pods -A --no-headers | wc -l) pods)"
stage_done "examples deployed, pods Running"

# --- Services -------------------------------------------------------------------------------------------
cluster_ip=$(kubectl_ get svc nginx-deploy -o jsonpath='{.spec.clusterIP}')
node_port=$(kubectl_ get svc nginx-deploy -o jsonpath='{.spec.ports[0].nodePort}')
answers_from() { on "$1" "curl -fsS -m 10 http://$2/" | grep -q nginx-deploy; }
poll 600 "nginx-deploy's ClusterIP $cluster_ip from worker-1" answers_from worker-1 "$cluster_ip"
check "nginx-deploy answers on its ClusterIP $cluster_ip:80 from worker-1"
nodeport_answers() { inns curl -fsS -m 10 "http://192.168.56.11:$node_port/" | grep -q nginx-deploy; }
poll 600 "NodePort $node_port on worker-0" nodeport_answers
check "nginx-deploy answers on NodePort 192.168.56.11:$node_port"
rules=$(vagrant_ssh worker-0 'sudo iptables-save')
{ grep -q '^:KUBE-SVC-' <<<"$rules" && grep -q '^:KUBE-SEP-' <<<"$rules"; } || fail "no KUBE-SVC/KUBE-SEP chains on worker-0"
check "worker-0 iptables-save: $(grep -c '^:KUBE-SVC-' <<<"$rules") KUBE-SVC and $(grep -c '^:KUBE-SEP-' <<<"$rules") KUBE-SEP chains"
grep -E "^-A KUBE-(SERVICES|SVC-[A-Z0-9]+|SEP-[A-Z0-9]+) .*(nginx-deploy|$cluster_ip)" <<<"$rules" | head -5 || true
stage_done "Services: ClusterIP, NodePort, iptables chains"

# --- Memory --------------------------------------------------------------------------------------------
log "RSS of k8ts and containerd inside the VMs"
: >"$WORK/rss.txt"
for node in master worker-0 worker-1; do
  # shellcheck disable=SC2016 # expanded inside the VM
  line=$(on "$node" 'for u in k8ts-server k8ts-kubelet k8ts-proxy containerd; do p=$(systemctl show -p MainPID --value $u.service 2>/dev/null); [ -n "$p" ] && [ "$p" != 0 ] && printf "%s=%s " $u $(( $(awk "/^VmRSS/ {print \$2}" /proc/$p/status) / 1024 )); done; free -m | awk "/^Mem:/ {printf \"node-used=%s node-total=%s\", \$3, \$2}"')
  printf '%-9s %s\n' "$node" "$line" | tee -a "$WORK/rss.txt"
done
stage_done "RSS measured"

# --- IPVS -----------------------------------------------------------------------------------------------
log "proxy mode ipvs: K8TS_PROXY_MODE=ipvs vagrant provision"
export K8TS_PROXY_MODE=ipvs
vagrant_ provision --no-color >"$WORK/provision-ipvs.log" 2>&1 || { tail -30 "$WORK/provision-ipvs.log"; fail "vagrant provision with ipvs"; }
endpoints=$(kubectl_ get endpoints nginx-deploy -o jsonpath='{range .subsets[*].addresses[*]}{.ip}{"\n"}{end}' | sort)
ipvs_has_all() {
  local table
  table=$(on worker-0 'sudo ipvsadm -Ln')
  grep -q "TCP  $cluster_ip:80" <<<"$table" || return 1
  local ep
  for ep in $endpoints; do
    [ "$(awk -v vip="$cluster_ip:80" '$1 == "TCP" { cur = $2 } $1 == "->" && cur == vip { print $2 }' <<<"$table" | grep -c "^$ep:80$")" = 1 ] || return 1
  done
  [ "$(awk -v vip="$cluster_ip:80" '$1 == "TCP" { cur = $2 } $1 == "->" && cur == vip && $2 != "RemoteAddress:Port" { n++ } END { print n + 0 }' <<<"$table")" = "$(wc -w <<<"$endpoints")" ]
}
poll 600 "ipvsadm -Ln on worker-0 showing $cluster_ip:80 with one real server per endpoint" ipvs_has_all
vagrant_ssh worker-0 'sudo ipvsadm -Ln' | grep -A5 "$cluster_ip:80"
check "ipvs mode: worker-0 ipvsadm -Ln has $cluster_ip:80 with $(wc -w <<<"$endpoints") real servers (one per endpoint)"
poll 600 "ClusterIP from worker-1 in ipvs mode" answers_from worker-1 "$cluster_ip"
check "ipvs mode: nginx-deploy answers on $cluster_ip from worker-1"
poll 600 "NodePort in ipvs mode" nodeport_answers
check "ipvs mode: nginx-deploy answers on NodePort 192.168.56.11:$node_port"
stage_done "proxy mode ipvs"

# --- A worker goes away ------------------------------------------------------------------------------
failover_on_worker1=$(kubectl_ get pods -l app=failover -o jsonpath='{range .items[*]}{.metadata.name} {.spec.nodeName}{"\n"}{end}' | awk '$2 == "worker-1" { print $1 }')
[ -n "$failover_on_worker1" ] || fail "no failover pod on worker-1 before the halt: $(kubectl_ get pods -l app=failover -o wide --no-headers)"
log "vagrant halt worker-1 (failover pod there: $failover_on_worker1)"
vagrant_ halt worker-1 >"$WORK/halt.log" 2>&1 || fail "vagrant halt worker-1"
worker1_not_ready() {
  [ "$(kubectl_ get node worker-1 -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" != True ]
}
poll 600 "worker-1 NotReady" worker1_not_ready
kubectl_ get nodes
check "worker-1 NotReady after vagrant halt"
stage_done "worker-1 NotReady"
# Pods on worker-1 are evicted once their not-ready/unreachable tolerations run out, and their
# controllers recreate them on worker-0: the failover Deployment tolerates 10 s (the examples'
# pods have the default 300 s).
failover_pods() { kubectl_ get pods -l app=failover -o jsonpath='{range .items[*]}{.metadata.name} {.spec.nodeName} {.status.phase} {.metadata.deletionTimestamp}{"\n"}{end}'; }
failover_moved() {
  local lines
  lines=$(failover_pods) || return 1
  # Two Running replicas on worker-0 that are not being deleted, none of them a pod that was on worker-1.
  [ "$(awk '$2 == "worker-0" && $3 == "Running" && $4 == "" { print $1 }' <<<"$lines" | grep -cvxF -f <(printf '%s\n' "$failover_on_worker1"))" -ge 2 ]
}
poll 1200 "the failover Deployment's pods recreated on worker-0" failover_moved
kubectl_ get pods -A -o wide
check "worker-1's failover pod ($failover_on_worker1) recreated on worker-0: $(failover_pods | awk '$2 == "worker-0" && $4 == "" { printf "%s ", $1 }')"
stage_done "pods recreated on worker-0"
