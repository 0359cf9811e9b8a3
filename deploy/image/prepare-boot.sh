#!/bin/sh
# Runs as mmdebstrap's --essential-hook (root directory $1): before the kernel and the other packages
# are installed, so that the initramfs the kernel's postinst builds already follows these settings.
# Part of the image recipe (build-image.sh hashes it).
set -eu
root=$1

# A small initramfs with just what direct kernel boot from a virtio disk needs: under TCG every
# megabyte to decompress and every module udev loads costs boot time (MODULES=most made 36 MB).
mkdir -p "$root/etc/initramfs-tools/conf.d" "$root/etc/initramfs-tools/hooks"
cat > "$root/etc/initramfs-tools/conf.d/vhpc.conf" <<'CONF'
MODULES=list
COMPRESS=gzip
CONF
# The seed is a SATA cdrom (vhpcd's domain XML): its drivers (ahci, sr_mod, isofs) go into the initrd
# too, so that /dev/sr0 exists when cloud-init's local stage looks for the cidata seed. Left to udev
# after the switch to the root file system, under TCG the cdrom appeared ~40 s after that stage had
# looked: it found no seed, wrote its DHCP fallback for eth0 (ifup waited minutes for a server that a
# bridge-mode network does not have), and the network stage then applied the seed's static
# network-config but could not bring it up ("ifup: interface eth0 already configured"): the node
# never got its fixed address.
cat > "$root/etc/initramfs-tools/hooks/vhpc-virtio" <<'HOOK'
#!/bin/sh
[ "$1" = prereqs ] && exit 0
. /usr/share/initramfs-tools/hook-functions
manual_add_modules virtio_pci virtio_blk virtio_net virtio_scsi virtio_console ext4 crc32c_generic crc32c_intel
manual_add_modules ahci libahci sr_mod cdrom isofs
HOOK
chmod 0755 "$root/etc/initramfs-tools/hooks/vhpc-virtio"

# Drivers for hardware these guests do not use (TCG with cpu mode='maximum' advertises SVM, so kvm
# would load): each one is udev work at boot.
mkdir -p "$root/etc/modprobe.d"
cat > "$root/etc/modprobe.d/vhpc-guest.conf" <<'MOD'
blacklist kvm
blacklist kvm_amd
blacklist kvm_intel
blacklist iTCO_wdt
blacklist iTCO_vendor_support
blacklist pcspkr
blacklist powernow_k8
blacklist floppy
MOD
