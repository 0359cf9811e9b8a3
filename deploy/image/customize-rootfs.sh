#!/bin/sh
# Runs from mmdebstrap's customize hook (after deploy/ansible/image.yml) with the unpacked root
# directory as $1. It turns the Debian 12 tree into a NoCloud guest that boots by direct kernel boot
# (root=/dev/vda, no partitions). Only boot and identity matters here: what the cluster's services
# need is the roles' (deploy/ansible/roles, tasks/image.yml).
# Part of the image recipe: changing this file changes the image hash (build-image.sh).
set -eu
root=$1

# cloud-init: only the NoCloud seed ISO (cidata); None keeps boot going when there is none.
cat > "$root/etc/cloud/cloud.cfg.d/90_dpkg.cfg" <<'CFG'
datasource_list: [ NoCloud, None ]
CFG
# C.UTF-8 is built into glibc, so cloud-init's locale module has nothing to generate at first boot
# (locale-gen under TCG takes long). ed25519/ecdsa host keys only: RSA key generation under TCG costs
# seconds per guest and the clients (SSH.NET, OpenSSH) handle both.
cat > "$root/etc/cloud/cloud.cfg.d/10_vhpc.cfg" <<'CFG'
locale: C.UTF-8
ssh_genkeytypes: [ ed25519, ecdsa ]
CFG
echo 'LANG=C.UTF-8' > "$root/etc/default/locale"

# The root file system is the whole virtio disk (mke2fs -d, no partition table).
cat > "$root/etc/fstab" <<'FSTAB'
/dev/vda / ext4 defaults,errors=remount-ro 0 0
FSTAB

# cloud-init's fallback network config is rendered for ifupdown (eni renderer): eth0 with DHCP via
# dhclient, written to interfaces.d, which must be sourced.
cat > "$root/etc/network/interfaces" <<'IFACES'
auto lo
iface lo inet loopback

source /etc/network/interfaces.d/*
IFACES

# Every guest gets its own identity at first boot: machine id, SSH host keys (cloud-init regenerates
# them), hostname (cloud-init sets local-hostname from meta-data).
: > "$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id"
rm -f "$root"/etc/ssh/ssh_host_*
rm -f "$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' > "$root/etc/hosts"

# Periodic maintenance only costs CPU on a 2-core TCG host; these guests live minutes.
for unit in apt-daily.timer apt-daily-upgrade.timer man-db.timer e2scrub_all.timer fstrim.timer; do
  chroot "$root" systemctl mask "$unit" >/dev/null 2>&1 || true
done
# A login prompt on the serial console (also logged to the domain's serial log file).
chroot "$root" systemctl enable serial-getty@ttyS0.service >/dev/null 2>&1

# Nothing to download from inside the sandbox; keep the image small. Ansible's temporary files too.
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb
rm -rf "$root/tmp/.vhpc-image-ansible" "$root/root/.ansible"
