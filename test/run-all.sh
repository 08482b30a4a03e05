#!/usr/bin/env bash
# `npm test`: installs what the tests need on a fresh Debian 12 machine (as root), then runs every
# test once with vitest and ends with one plain line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

# Debian packages the tests drive for real: etcd, containerd + runc + CNI plugins, the rule
# tools, the image registry and the image builders.
packages=(etcd-server containerd runc containernetworking-plugins iptables nftables ipvsadm conntrack docker-registry skopeo mmdebstrap gcc libc6-dev iproute2)
need_apt=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || need_apt+=("$p"); done
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing: ${need_apt[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q "${need_apt[@]}" >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q "${need_apt[@]}" >/dev/null; }
  else
    echo "missing (install as root): ${need_apt[*]}" >&2
  fi
fi
# The Vagrant lab's static checks (vagrant validate's setting errors, shellcheck of the scripts);
# without recommends, so no hypervisor comes with them: the VMs are `npm run test:vm`'s.
static_tools=()
for p in vagrant shellcheck; do dpkg -s "$p" >/dev/null 2>&1 || static_tools+=("$p"); done
if [ ${#static_tools[@]} -gt 0 ] && [ "$(id -u)" = 0 ]; then
  echo "installing: ${static_tools[*]}"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get install -y -q --no-install-recommends "${static_tools[@]}" >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "${static_tools[@]}" >/dev/null; }; } ||
    echo "could not install ${static_tools[*]}: their checks are skipped" >&2
fi
command -v kubectl >/dev/null 2>&1 || echo "kubectl is missing: the end-to-end tests need the real kubectl at /usr/bin/kubectl" >&2

# Dependencies: npm ci when node_modules is missing or older than the lockfile.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

report=$(mktemp -t k8ts-vitest-XXXXXX.json)
npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@"
code=$?
node test/support/summary.mjs "$report"
rm -f "$report"
exit $code
