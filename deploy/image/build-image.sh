#!/usr/bin/env bash
# Build the Debian 12 guest image for vhpcd's tests and demos (as root):
#   /var/cache/vhpc/images/<hash>/{root.qcow2,root.qcow2.sha256,vmlinuz,initrd.img,recipe.sha256}
#   /var/cache/vhpc/images/current -> <hash>
# <hash> is the sha256 of the recipe (this script, prepare-boot.sh, customize-rootfs.sh, packages), so a
# machine builds each recipe once; a second run with the same recipe only prints the paths.
# Boot it by direct kernel boot: kernel vmlinuz, initrd initrd.img,
#   cmdline "root=/dev/vda rw console=ttyS0 net.ifnames=0", disk root.qcow2 (as a backing file).
# Environment: VHPC_IMAGE_CACHE (default /var/cache/vhpc/images), VHPC_IMAGE_MIRROR (default
# http://deb.debian.org/debian), VHPC_IMAGE_SIZE (default 4G).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${VHPC_IMAGE_CACHE:-/var/cache/vhpc/images}
MIRROR=${VHPC_IMAGE_MIRROR:-http://deb.debian.org/debian}
SIZE=${VHPC_IMAGE_SIZE:-4G}
SUITE=bookworm
# ifupdown + isc-dhcp-client: cloud-init's fallback network config (DHCP on eth0) is rendered for
# ifupdown on Debian, as on Debian's own cloud images. dbus: hostnamectl (cloud-init's set_hostname).
# e2fsprogs: cloud-init's resizefs module runs resize2fs (not in --variant=apt; its absence is an error).
PACKAGES=(systemd systemd-sysv dbus cloud-init openssh-server python3 sudo locales
  slurm-wlm slurmctld slurmd munge nfs-kernel-server nfs-common linux-image-amd64 initramfs-tools
  ifupdown isc-dhcp-client iproute2 procps e2fsprogs)

# shellcheck source=deploy/lib/common.sh
. "$HERE/../lib/common.sh"
[ "$(id -u)" -eq 0 ] || die "must run as root (mmdebstrap in root mode, mke2fs -d keeps ownership)"
for bin in mmdebstrap mke2fs qemu-img sha256sum; do
  command -v "$bin" >/dev/null || die "$bin not found (run tests/env/up.sh, or apt-get install mmdebstrap e2fsprogs qemu-utils)"
done

hash=$( { cat "$HERE/build-image.sh" "$HERE/prepare-boot.sh" "$HERE/customize-rootfs.sh"; echo "$SUITE $SIZE ${PACKAGES[*]}"; } \
  | sha256sum | cut -c1-16)
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

work=$(mktemp -d "$CACHE/.build-$hash.XXXXXX")
trap 'rm -rf "$work"' EXIT
start=$(date +%s)

echo "building guest image $hash: mmdebstrap $SUITE from $MIRROR"
t0=$(date +%s)
include=$(IFS=,; echo "${PACKAGES[*]}")
mmdebstrap --mode=root --variant=apt --format=directory \
  --include="$include" \
  --aptopt='Acquire::Languages "none"' \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
  --essential-hook="sh '$HERE/prepare-boot.sh' \"\$1\"" \
  --customize-hook="sh '$HERE/customize-rootfs.sh' \"\$1\"" \
  "$SUITE" "$work/rootfs" "deb $MIRROR $SUITE main"
t1=$(date +%s)
echo "mmdebstrap: $((t1 - t0)) s"

kernel=$(ls "$work"/rootfs/boot/vmlinuz-* | sort -V | tail -n1)
initrd=$(ls "$work"/rootfs/boot/initrd.img-* | sort -V | tail -n1)
[ -f "$kernel" ] && [ -f "$initrd" ] || die "no kernel/initrd in the image's /boot"
# Direct kernel boot needs the root disk's drivers in the initrd (prepare-boot.sh lists them).
listing=$(lsinitramfs "$initrd")
for m in virtio_blk virtio_pci virtio_net ext4; do
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
