#!/usr/bin/env bash
# Build the Debian 12 guest image for vhpcd's tests and demos (as root):
#   /var/cache/vhpc/images/<hash>/{root.qcow2,root.qcow2.sha256,vmlinuz,initrd.img,recipe.sha256}
#   /var/cache/vhpc/images/current -> <hash>
# Two layers, one recipe:
#   1. mmdebstrap: only what boots the guest and lets it be managed (kernel, systemd, cloud-init,
#      sshd, python3 for Ansible); prepare-boot.sh and customize-rootfs.sh make it a NoCloud guest;
#   2. Ansible: the cluster-independent half of vhpc's roles (deploy/ansible/image.yml: Slurm,
#      slurmdbd + MariaDB, munge, NFS, OpenMPI + PMIx, users, directories, units) applied to the
#      unpacked tree over the community.general.chroot connection, inside mmdebstrap's customize
#      hook (its /proc, /sys, /dev mounts and its block on starting services are in place there).
#      The package lists live in the roles; nothing of their configuration is repeated here.
# <hash> is the sha256 of the recipe: these scripts, the boot package list, image.yml and the roles'
# image half (see recipe() below), so a machine builds each recipe once; a second run with the same recipe
# only prints the paths. A build happens under a temporary name and is renamed into place only when
# complete: a build that fails or is killed half-way is never used.
# Boot it by direct kernel boot: kernel vmlinuz, initrd initrd.img,
#   cmdline "root=/dev/vda rw console=ttyS0 net.ifnames=0", disk root.qcow2 (as a backing file).
# Environment: VHPC_IMAGE_CACHE (default /var/cache/vhpc/images), VHPC_IMAGE_MIRROR and
# VHPC_IMAGE_SECURITY_MIRROR (default: this host's apt sources, see mirror.sh), VHPC_IMAGE_SIZE
# (default 4G).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ANSIBLE_DIR=$(cd "$HERE/../ansible" && pwd)
CACHE=${VHPC_IMAGE_CACHE:-/var/cache/vhpc/images}
SIZE=${VHPC_IMAGE_SIZE:-4G}
SUITE=bookworm
# shellcheck source=deploy/image/mirror.sh
. "$HERE/mirror.sh"
# ifupdown + isc-dhcp-client: cloud-init's fallback network config (DHCP on eth0) is rendered for
# ifupdown on Debian, as on Debian's own cloud images. dbus: hostnamectl (cloud-init's set_hostname).
# e2fsprogs: cloud-init's resizefs module runs resize2fs (not in --variant=apt; its absence is an error).
# python3-apt: Ansible's apt module, which installs the roles' packages (image.yml).
PACKAGES=(systemd systemd-sysv dbus cloud-init openssh-server python3 python3-apt sudo locales
  linux-image-amd64 initramfs-tools ifupdown isc-dhcp-client iproute2 procps e2fsprogs)

# shellcheck source=deploy/lib/common.sh
. "$HERE/../lib/common.sh"
[ "$(id -u)" -eq 0 ] || die "must run as root (mmdebstrap in root mode, mke2fs -d keeps ownership)"
for bin in mmdebstrap mke2fs qemu-img sha256sum; do
  command -v "$bin" >/dev/null || die "$bin not found (run tests/env/up.sh, or apt-get install mmdebstrap e2fsprogs qemu-utils)"
done
command -v ansible-playbook >/dev/null || die "ansible-playbook not found: apt-get install ansible (it carries community.general)"
ansible-doc -t connection community.general.chroot >/dev/null 2>&1 \
  || die "Ansible's community.general.chroot connection is missing: apt-get install ansible (ansible-core alone does not carry community.general)"

# The recipe: every file that decides what goes into the image, by path and content. Of the roles,
# what their image half reads: tasks/image*.yml (the image tasks and the helpers they include),
# defaults, vars, files and meta; not the apply-time tasks and templates, which never reach the image
# (tests/Vhpc.Engine.Tests ApplyPlaybookShapeTests holds the image tasks to that).
recipe() {
  (cd "$HERE/../.." && find deploy/image/build-image.sh deploy/image/mirror.sh deploy/image/prepare-boot.sh \
      deploy/image/customize-rootfs.sh deploy/ansible/image.yml deploy/ansible/roles -type f \
      \( -path 'deploy/image/*' -o -path deploy/ansible/image.yml -o -path 'deploy/ansible/roles/*/tasks/image*.yml' \
         -o -path 'deploy/ansible/roles/*/defaults/*' -o -path 'deploy/ansible/roles/*/vars/*' \
         -o -path 'deploy/ansible/roles/*/files/*' -o -path 'deploy/ansible/roles/*/meta/*' \) -print0 \
    | LC_ALL=C sort -z | xargs -0 sha256sum)
  echo "$SUITE $SIZE ${PACKAGES[*]}"
}
hash=$(recipe | sha256sum | cut -c1-16)
out=$CACHE/$hash

print_paths() {
  echo "image:  $CACHE/current/root.qcow2 (sha256 $(cut -d' ' -f1 "$out/root.qcow2.sha256"))"
  echo "kernel: $CACHE/current/vmlinuz"
  echo "initrd: $CACHE/current/initrd.img"
  echo "recipe: $hash ($out)"
}

mkdir -p "$CACHE"
# One build at a time per machine (tests/run.sh and deploy/demo.sh may both ask for it).
exec 9>"$CACHE/.build.lock"
flock 9

if [ -f "$out/recipe.sha256" ] && [ -f "$out/root.qcow2" ] && [ -f "$out/root.qcow2.sha256" ]; then
  ln -sfn "$hash" "$CACHE/current.tmp" && mv -T "$CACHE/current.tmp" "$CACHE/current"
  echo "guest image up to date (recipe $hash)"
  print_paths
  exit 0
fi

mapfile -t SOURCES < <(vhpc_debian_sources "$SUITE") || die "no Debian mirror (see above)"
[ ${#SOURCES[@]} -gt 0 ] || die "no Debian mirror (see above)"

work=$(mktemp -d "$CACHE/.build-$hash.XXXXXX")
trap 'rm -rf "$work"' EXIT
start=$(date +%s)

# The roles' half runs from mmdebstrap's customize hook: a playbook against the unpacked tree.
cat > "$work/inventory.yml" <<YAML
image:
  hosts:
    guest-image:
      ansible_connection: community.general.chroot
      ansible_host: $work/rootfs
      ansible_python_interpreter: /usr/bin/python3
YAML
printf '[defaults]\n' > "$work/ansible.cfg"
cat > "$work/apply-roles.sh" <<SH
#!/bin/sh
# mmdebstrap customize hook: deploy/ansible/image.yml against the tree, then the NoCloud finish.
set -eu
t0=\$(date +%s)
ANSIBLE_CONFIG='$work/ansible.cfg' ANSIBLE_HOME='$work/ansible-home' ANSIBLE_LOCAL_TEMP='$work/ansible-tmp' \\
  ANSIBLE_REMOTE_TMP=/tmp/.vhpc-image-ansible ANSIBLE_PIPELINING=True ANSIBLE_NOCOLOR=True \\
  ANSIBLE_RETRY_FILES_ENABLED=False ANSIBLE_DISPLAY_SKIPPED_HOSTS=False ANSIBLE_INVENTORY_ENABLED=yaml \\
  ansible-playbook -i '$work/inventory.yml' '$ANSIBLE_DIR/image.yml'
echo "image.yml (roles baked into the image): \$(( \$(date +%s) - t0 )) s"
sh '$HERE/customize-rootfs.sh' "\$1"
SH

echo "building guest image $hash: mmdebstrap $SUITE from ${SOURCES[*]}, then deploy/ansible/image.yml"
t0=$(date +%s)
include=$(IFS=,; echo "${PACKAGES[*]}")
mmdebstrap --mode=root --variant=apt --format=directory \
  --include="$include" \
  --aptopt='Acquire::Languages "none"' \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
  --essential-hook="sh '$HERE/prepare-boot.sh' \"\$1\"" \
  --customize-hook="sh '$work/apply-roles.sh' \"\$1\"" \
  "$SUITE" "$work/rootfs" "${SOURCES[@]}"
t1=$(date +%s)
echo "mmdebstrap with the roles: $((t1 - t0)) s"

kernel=$(ls "$work"/rootfs/boot/vmlinuz-* | sort -V | tail -n1)
initrd=$(ls "$work"/rootfs/boot/initrd.img-* | sort -V | tail -n1)
[ -f "$kernel" ] && [ -f "$initrd" ] || die "no kernel/initrd in the image's /boot"
# Direct kernel boot needs the root disk's drivers in the initrd, and cloud-init's local stage the
# seed cdrom's (prepare-boot.sh lists them).
listing=$(lsinitramfs "$initrd")
for m in virtio_blk virtio_pci virtio_net ext4 ahci sr_mod isofs; do
  grep -q "/$m\.ko" <<<"$listing" || die "initrd lacks $m.ko"
done
cp "$kernel" "$work/vmlinuz"
cp "$initrd" "$work/initrd.img"

t2=$(date +%s)
mke2fs -q -t ext4 -L vhpc-root -d "$work/rootfs" "$work/root.raw" "$SIZE"
qemu-img convert -O qcow2 "$work/root.raw" "$work/root.qcow2"
rm -f "$work/root.raw"
# The spec names the image by its sha256 (vhpcd's base volume is named after it): compute it once.
(cd "$work" && sha256sum root.qcow2 > root.qcow2.sha256)
rm -rf "$work/rootfs"
t3=$(date +%s)
echo "mke2fs + qemu-img convert: $((t3 - t2)) s"

echo "$hash" > "$work/recipe.sha256"
# qemu runs as an unprivileged user: the image is a read-only backing file for it.
chmod 0644 "$work"/root.qcow2 "$work"/root.qcow2.sha256 "$work"/vmlinuz "$work"/initrd.img "$work"/recipe.sha256
chmod 0755 "$work"
rm -rf "$out"
mv -T "$work" "$out"
trap - EXIT
ln -sfn "$hash" "$CACHE/current.tmp" && mv -T "$CACHE/current.tmp" "$CACHE/current"
echo "guest image built in $(( $(date +%s) - start )) s"
print_paths
