#!/usr/bin/env bash
# Builds an offline libvirt box for the three-VM lab from Debian packages: no Vagrant Cloud, no
# internet inside the VMs. Everything the nodes need is preinstalled, so provisioning installs
# nothing:
#
#   Debian 12 (mmdebstrap): systemd, the kernel, containerd, runc, CNI plugins, iptables,
#     nftables, ipvsadm, ipset, conntrack, etcd-server, openssh, sudo, rsync, curl
#   Node.js 20: the host's /usr/bin/node (same Debian 12 base; Debian's own nodejs is 18)
#   k8ts in /opt/k8ts: the compiled JavaScript (vagrant/box/build-dist.sh) and the host's
#     node_modules (better-sqlite3 is built for this Node)
#   a `vagrant` user with Vagrant's insecure key and passwordless sudo; eth0 on DHCP through
#     systemd-networkd (Vagrant then writes eth1's static address the same way)
#
# No bootloader: the box's own Vagrantfile boots vmlinuz/initrd.img directly (libvirt's kernel,
# initrd and cmdline). The box is a tar of metadata.json, box.img (qcow2), vmlinuz, initrd.img
# and that Vagrantfile.
#
# Usage: vagrant/box/build-box.sh [--out DIR] [--name BOX] [--force]
#   --out    where the root filesystem, image and .box are made (/var/cache/k8ts-vagrant)
#   --name   the box name given to `vagrant box add` (k8ts/bookworm); nothing is added when
#            --no-add is given
#   --force  rebuild even when DIR/k8ts.box exists
# Needs root, mmdebstrap, qemu-utils, e2fsprogs and vagrant (for `vagrant box add`).
# shellcheck disable=SC2016 # mmdebstrap's hooks expand $1 (the root filesystem) themselves
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
out=/var/cache/k8ts-vagrant name=k8ts/bookworm force=no add=yes
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --name) name=$2; shift 2 ;;
    --force) force=yes; shift ;;
    --no-add) add=no; shift ;;
    *) echo "unknown flag $1" >&2; exit 2 ;;
  esac
done
log() { printf '==> [box] %s\n' "$*"; }
[ "$(id -u)" = 0 ] || { echo "ERROR: building the box needs root (mmdebstrap, mkfs)" >&2; exit 1; }
for tool in mmdebstrap qemu-img mkfs.ext4; do
  command -v "$tool" >/dev/null || { echo "ERROR: $tool is missing (apt-get install mmdebstrap qemu-utils e2fsprogs)" >&2; exit 1; }
done
node_bin=$(command -v node)
[ "$(node -p 'process.versions.node.split(".")[0]')" -ge 20 ] || { echo "ERROR: the host's node is older than 20" >&2; exit 1; }
[ -d "$repo/node_modules" ] || { echo "ERROR: $repo/node_modules is missing (npm ci first)" >&2; exit 1; }

box="$out/k8ts.box"
if [ -f "$box" ] && [ "$force" = no ]; then
  log "$box exists (--force rebuilds it)"
else
  mkdir -p "$out"
  [ -f "$repo/dist/k8ts.mjs" ] || "$repo/vagrant/box/build-dist.sh" "$repo"

  # What a node needs (vagrant/provision/common.sh checks for the same list) and what a VM needs
  # to boot, be reached over SSH and be provisioned.
  packages=(
    systemd-sysv udev kmod dbus libpam-systemd linux-image-amd64 initramfs-tools e2fsprogs
    iproute2 iputils-ping procps less openssh-server sudo ca-certificates rsync curl libstdc++6
    containerd runc containernetworking-plugins iptables nftables ipvsadm ipset conntrack
    etcd-server
  )
  rootfs="$out/rootfs"
  rm -rf "$rootfs" "$out/box.build"
  mkdir -p "$out/box.build"
  vagrant_pub=$(find /usr/share/rubygems-integration /usr/lib/ruby /opt/vagrant -name vagrant.pub -path '*keys*' 2>/dev/null | head -1 || true)
  [ -n "$vagrant_pub" ] || { echo "ERROR: Vagrant's insecure public key (keys/vagrant.pub) was not found" >&2; exit 1; }

  log "mmdebstrap: Debian 12 with ${#packages[@]} packages"
  # Services that Debian starts at boot but the lab does not want until provisioning asks:
  # etcd (only with K8TS_STORAGE=etcd).
  mmdebstrap --variant=apt --include="$(IFS=,; echo "${packages[*]}")" \
    --customize-hook='chroot "$1" systemctl disable etcd.service >/dev/null 2>&1 || true' \
    --customize-hook='chroot "$1" systemctl enable systemd-networkd.service ssh.service >/dev/null' \
    --customize-hook='echo k8ts > "$1/etc/hostname"; printf "/dev/vda / ext4 rw,errors=remount-ro 0 1\n" > "$1/etc/fstab"' \
    --customize-hook='printf "[Match]\nName=eth0\n\n[Network]\nDHCP=ipv4\n" > "$1/etc/systemd/network/10-eth0.network"' \
    --customize-hook='printf "UseDNS no\n" > "$1/etc/ssh/sshd_config.d/k8ts.conf"' \
    --customize-hook='chroot "$1" useradd -m -s /bin/bash vagrant && echo "vagrant ALL=(ALL) NOPASSWD: ALL" > "$1/etc/sudoers.d/vagrant" && chmod 0440 "$1/etc/sudoers.d/vagrant"' \
    --customize-hook="install -D -m 0600 '$vagrant_pub' \"\$1/home/vagrant/.ssh/authorized_keys\" && chroot \"\$1\" chown -R vagrant:vagrant /home/vagrant/.ssh && chmod 0700 \"\$1/home/vagrant/.ssh\"" \
    --customize-hook="install -m 0755 '$node_bin' \"\$1/usr/bin/node\"" \
    bookworm "$rootfs" /etc/apt/sources.list.d/debian.sources

  log "k8ts in /opt/k8ts (dist, node_modules)"
  mkdir -p "$rootfs/opt/k8ts"
  (cd "$repo" && tar -cf - --exclude=node_modules/.cache package.json package-lock.json README.md dist examples node_modules) |
    tar -C "$rootfs/opt/k8ts" -xf -
  # provisioning compares this with the synced package-lock.json: equal means no npm ci.
  sha256sum "$repo/package-lock.json" | cut -d' ' -f1 >"$rootfs/opt/k8ts/node_modules/.k8ts-lock.sha256"
  rm -rf "$rootfs/var/cache/apt/archives/"*.deb "$rootfs/var/lib/apt/lists/"*

  cp "$rootfs"/boot/vmlinuz-* "$out/box.build/vmlinuz"
  cp "$rootfs"/boot/initrd.img-* "$out/box.build/initrd.img"
  log "image: ext4 → qcow2"
  truncate -s 0 "$out/root.raw"
  truncate -s 8G "$out/root.raw"
  mkfs.ext4 -q -F -L root -d "$rootfs" "$out/root.raw"
  qemu-img convert -O qcow2 "$out/root.raw" "$out/box.build/box.img"
  rm -f "$out/root.raw"
  printf '{"provider":"libvirt","format":"qcow2","virtual_size":8}\n' >"$out/box.build/metadata.json"
  cat >"$out/box.build/Vagrantfile" <<'EOF'
# The k8ts offline box (vagrant/box/build-box.sh): no bootloader, libvirt boots the kernel directly.
Vagrant.configure("2") do |config|
  config.vm.provider :libvirt do |lv|
    lv.kernel = File.join(File.dirname(__FILE__), "vmlinuz")
    lv.initrd = File.join(File.dirname(__FILE__), "initrd.img")
    lv.cmd_line = "console=ttyS0 root=/dev/vda rw net.ifnames=0"
  end
end
EOF
  tar -C "$out/box.build" -cf "$box.tmp" metadata.json Vagrantfile box.img vmlinuz initrd.img
  mv "$box.tmp" "$box"
  rm -rf "$out/box.build" "$rootfs"
  log "$box: $(du -h "$box" | cut -f1)"
fi

if [ "$add" = yes ]; then
  log "vagrant box add --force --name $name"
  vagrant box add --force --name "$name" "$box" >/dev/null
fi
