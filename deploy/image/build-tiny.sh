#!/usr/bin/env bash
# Build the tiny fast-boot guest for lifecycle and crash tests (as root): the host's Debian kernel and
# a busybox-static initramfs (cpio newc) that mounts proc/sys/dev, loads the virtio drivers, brings up
# eth0 and idles. eth0 gets the fixed address of the seed's network-config (the cidata cdrom vhpcd
# attaches on SATA) when it has one (bridge-mode networks, no DHCP), else a lease from udhcpc. It boots in seconds under TCG. An ACPI power button press (virsh
# shutdown) powers it off. Output:
#   /var/cache/vhpc/images/tiny-<hash>/{vmlinuz,initrd.img,recipe.sha256}, symlink tiny-current.
# Boot: kernel vmlinuz, initrd initrd.img, cmdline "console=ttyS0" (optionally "hostname=NAME", sent
# to DHCP as option 12), no disk needed. The serial console prints "vhpc-tiny: ready <ip>" once eth0
# has a lease, "vhpc-tiny: ready <ip> (seed)" once it has the seed's fixed address.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${VHPC_IMAGE_CACHE:-/var/cache/vhpc/images}
# Drivers the guest needs; their dependencies are resolved (in load order) with modprobe.
MODULES=(virtio_pci virtio_net virtio_blk button evdev ahci sr_mod isofs)

# shellcheck source=deploy/lib/common.sh
. "$HERE/../lib/common.sh"
[ "$(id -u)" -eq 0 ] || die "must run as root"
[ -x /bin/busybox ] && /bin/busybox --list | grep -qx udhcpc \
  || die "a static busybox with udhcpc is needed: apt-get install busybox-static"
command -v cpio >/dev/null || die "cpio missing: apt-get install cpio"
command -v modprobe >/dev/null || die "modprobe missing: apt-get install kmod"

# The newest Debian kernel installed on the host whose modules are present (linux-image-amd64).
kver=
for k in $(ls /boot/vmlinuz-* 2>/dev/null | sed 's|/boot/vmlinuz-||' | sort -V -r); do
  [ -d "/lib/modules/$k" ] && { kver=$k; break; }
done
[ -n "$kver" ] || die "no /boot/vmlinuz-* with matching /lib/modules: apt-get install linux-image-amd64"
# Module files in load order, dependencies first, each once.
mapfile -t modfiles < <(for m in "${MODULES[@]}"; do
  modprobe -S "$kver" --show-depends "$m" || die "kernel $kver has no module $m"
done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }')
[ ${#modfiles[@]} -gt 0 ] || die "no module files resolved for kernel $kver"

hash=$( { cat "$HERE/build-tiny.sh"; echo "$kver"; sha256sum /bin/busybox "/boot/vmlinuz-$kver"; } \
  | sha256sum | cut -c1-16)
out=$CACHE/tiny-$hash
mkdir -p "$CACHE"
exec 9>"$CACHE/.build-tiny.lock"
flock 9

if [ ! -f "$out/recipe.sha256" ]; then
  work=$(mktemp -d "$CACHE/.build-tiny-$hash.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  root=$work/root
  mkdir -p "$root"/{bin,dev,proc,sys,run,tmp,etc/acpi/PWRF,lib/modules}
  cp /bin/busybox "$root/bin/busybox"
  for f in "${modfiles[@]}"; do
    m=$(basename "$f"); m=${m%%.ko*}
    case $f in
      *.ko) cp "$f" "$root/lib/modules/$m.ko" ;;
      *.ko.xz) xz -dc "$f" > "$root/lib/modules/$m.ko" ;;
      *.ko.zst) zstd -qdc "$f" > "$root/lib/modules/$m.ko" ;;
      *) die "unknown module format $f" ;;
    esac
    echo "$m" >> "$root/etc/modules.order"
  done
  cat > "$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $(cat /etc/modules.order); do
  insmod /lib/modules/$m.ko || echo "vhpc-tiny: insmod $m failed"
done
name=vhpc-tiny
for arg in $(cat /proc/cmdline); do
  case $arg in hostname=*) name=${arg#hostname=} ;; esac
done
hostname "$name"
# ACPI power button (virsh shutdown) -> power off.
acpid -c /etc/acpi -l /dev/null
ip link set lo up
for _ in $(seq 50); do [ -e /sys/class/net/eth0 ] && break; sleep 0.1; done
ip link set eth0 up
# A cidata seed whose network-config gives a fixed address (bridge mode: no DHCP on the segment)
# decides; without one (NAT networks, or no seed), DHCP as before.
mkdir -p /seed
# (AHCI probing under TCG on a loaded host takes seconds; a fresh cdrom may refuse the first mount.)
for _ in $(seq 100); do [ -e /dev/sr0 ] && break; sleep 0.1; done
fixed= via= mounted=
if [ -e /dev/sr0 ]; then
  for _ in $(seq 20); do mount -t iso9660 -o ro /dev/sr0 /seed 2>/dev/null && { mounted=1; break; }; sleep 0.2; done
fi
if [ -n "$mounted" ]; then
  if [ -f /seed/network-config ]; then
    fixed=$(grep -oE '[0-9]+[.][0-9]+[.][0-9]+[.][0-9]+/[0-9]+' /seed/network-config | head -n 1)
    via=$(sed -n 's/.*via: *"*\([0-9.]*\).*/\1/p' /seed/network-config | head -n 1)
  fi
  umount /seed
fi
if [ -n "$fixed" ]; then
  ip addr add "$fixed" dev eth0
  [ -n "$via" ] && ip route replace default via "$via" dev eth0
  echo "vhpc-tiny: ready $fixed (seed)"
else
  # Blocks until the first lease (retrying forever), then keeps renewing in the background.
  udhcpc -i eth0 -s /etc/udhcpc.script -x "hostname:$name" -T 1 -A 2 2>/dev/null
  addr=$(ip -4 -o addr show eth0 | awk '{print $4}')
  if [ -n "$addr" ]; then echo "vhpc-tiny: ready $addr"; else echo "vhpc-tiny: eth0 has no address"; fi
fi
while :; do sleep 3600; done
INIT
  cat > "$root/etc/udhcpc.script" <<'DHCP'
#!/bin/sh
case $1 in
  deconfig) ip -4 addr flush dev "$interface" ;;
  bound|renew)
    ip -4 addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    [ -n "$router" ] && ip route replace default via "${router%% *}" dev "$interface"
    ;;
esac
exit 0
DHCP
  cat > "$root/etc/acpi/PWRF/00000080" <<'PWR'
#!/bin/sh
echo "vhpc-tiny: power button, powering off" > /dev/console
poweroff -f
PWR
  chmod 0755 "$root/init" "$root/etc/udhcpc.script" "$root/etc/acpi/PWRF/00000080"
  (cd "$root" && find . | sort | cpio --quiet -o -H newc --owner=0:0 | gzip -9) > "$work/initrd.img"
  cp "/boot/vmlinuz-$kver" "$work/vmlinuz"
  rm -rf "$root"
  echo "$hash" > "$work/recipe.sha256"
  chmod 0644 "$work"/vmlinuz "$work"/initrd.img "$work"/recipe.sha256
  chmod 0755 "$work"
  rm -rf "$out"
  mv -T "$work" "$out"
  trap - EXIT
  echo "tiny guest built (kernel $kver)"
else
  echo "tiny guest up to date (recipe $hash)"
fi
ln -sfn "tiny-$hash" "$CACHE/tiny-current.tmp" && mv -T "$CACHE/tiny-current.tmp" "$CACHE/tiny-current"
echo "kernel: $CACHE/tiny-current/vmlinuz"
echo "initrd: $CACHE/tiny-current/initrd.img"
echo "cmdline: console=ttyS0 hostname=<name>"
