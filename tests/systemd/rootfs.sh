#!/usr/bin/env bash
# Builds the Debian 12 root of the systemd test tier's container (as root), cached by a hash of its
# recipe (this script, deploy/image/mirror.sh, the package list, the mirror lines):
#   /var/cache/vhpc/systemd/<hash>/rootfs, and the symlink /var/cache/vhpc/systemd/current -> <hash>.
# The root holds what a user's libvirt host would have (systemd + journald, libvirt, qemu, dnsmasq,
# iptables, Ansible, OpenSSH client) plus what the .NET SDK and runtime need to run (ICU, OpenSSL)
# and the C toolchain deploy/install.sh links the Native AOT vhpcd with (gcc, libc6-dev);
# the SDK itself is bind-mounted from the host at boot (container.sh), vhpcd is installed inside
# with deploy/install.sh. The container boots it read-only with a throw-away overlay, so this tree
# is never changed by a test run. Prints the rootfs path as its last line.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${VHPC_SYSTEMD_CACHE:-/var/cache/vhpc/systemd}
SUITE=bookworm
PACKAGES=(systemd systemd-sysv dbus procps iproute2 util-linux passwd
  libvirt-daemon-system libvirt-clients libvirt-daemon-driver-qemu qemu-system-x86 qemu-utils
  dnsmasq-base iptables ansible-core python3 openssh-client
  libicu72 libssl3 libstdc++6 zlib1g ca-certificates
  gcc libc6-dev)

ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=../../deploy/lib/common.sh
. "$ROOT/deploy/lib/common.sh"
VHPC_SCRIPT=tests/systemd/rootfs.sh
require_root "mmdebstrap in root mode"
command -v mmdebstrap >/dev/null || die "mmdebstrap not found: apt-get install mmdebstrap (tests/env/up.sh installs it)"

# The same mirror (and security mirror) the guest image is built from: the host's own apt sources.
# shellcheck source=../../deploy/image/mirror.sh
. "$ROOT/deploy/image/mirror.sh"
SOURCES_TEXT=$(vhpc_debian_sources "$SUITE") || die "no Debian $SUITE mirror (see the message above)"
mapfile -t SOURCES <<<"$SOURCES_TEXT"

hash=$( { cat "$HERE/rootfs.sh" "$ROOT/deploy/image/mirror.sh"; echo "$SUITE ${PACKAGES[*]}"; printf '%s\n' "${SOURCES[@]}"; } \
  | sha256sum | cut -c1-16)
out=$CACHE/$hash
mkdir -p "$CACHE"
exec 9>"$CACHE/.build.lock"
flock 9

if [ ! -f "$out/recipe.sha256" ]; then
  work=$(mktemp -d "$CACHE/.build-$hash.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  t0=$(date +%s)
  echo "building the systemd tier's root $hash: mmdebstrap $SUITE from the host's apt sources" >&2
  include=$(IFS=,; echo "${PACKAGES[*]}")
  # Recommends off: only what is listed and its dependencies, as the reference's libvirt needed.
  # Package scripts run in a chroot: they cannot start services, and need not.
  mmdebstrap --mode=root --variant=minbase --format=directory \
    --include="$include" \
    --aptopt='APT::Install-Recommends "false"' --aptopt='Acquire::Languages "none"' \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --customize-hook='echo vhpc-systemd-tier >"$1/etc/hostname"' \
    --customize-hook='ln -sf /dev/null "$1/etc/systemd/system/console-getty.service"' \
    "$SUITE" "$work/rootfs" "${SOURCES[@]}" >"$work/mmdebstrap.log" 2>&1 \
    || { tail -n 30 "$work/mmdebstrap.log" >&2; die "mmdebstrap failed (log above)"; }
  for f in usr/sbin/libvirtd usr/bin/qemu-system-x86_64 usr/bin/ansible-playbook lib/systemd/systemd usr/bin/journalctl; do
    [ -e "$work/rootfs/$f" ] || die "the built root lacks /$f"
  done
  echo "$hash" >"$work/recipe.sha256"
  rm -rf "$out"
  mkdir -p "$out"
  mv "$work/rootfs" "$work/recipe.sha256" "$work/mmdebstrap.log" "$out/"
  echo "built in $(( $(date +%s) - t0 )) s ($(du -sh "$out/rootfs" | cut -f1))" >&2
fi
ln -sfn "$hash" "$CACHE/current.tmp" && mv -T "$CACHE/current.tmp" "$CACHE/current"
echo "$out/rootfs"
