#!/usr/bin/env bash
# Bring up the sandboxed libvirt test environment on a Debian 12 host (as root), idempotently:
#   1. install the Debian packages the tests need, if any is missing (ansible: its community.general
#      collection has the chroot connection the image build applies the roles with);
#   2. create the network namespace $VHPC_NETNS (default vhpc-test) with loopback up;
#   3. start virtlogd and libvirtd inside it, unless they already run;
#   4. wait until libvirtd answers on its Unix socket.
# Guests' bridges, dnsmasq and NAT rules live in the namespace (traffic to the guests' private
# addresses must stay inside a namespace the run created), while the socket
# /run/libvirt/libvirt-sock stays reachable from the host. What this script started is
# recorded in $VHPC_ENV_STATE so that down.sh stops only that, by pid.
set -euo pipefail

# shellcheck source=deploy/lib/common.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/deploy/lib/common.sh"
VHPC_SCRIPT=tests/env/up.sh
STATE=${VHPC_ENV_STATE:-/run/vhpc-test-env}
PACKAGES=(libvirt-daemon-system libvirt-clients libvirt0 libvirt-dev qemu-system-x86 qemu-utils
  dnsmasq-base iptables genisoimage xorriso p7zip-full mmdebstrap ansible-core ansible ansible-lint
  linux-image-amd64 iproute2 util-linux openssh-client openssh-server e2fsprogs cpio busybox-static
  python3 systemd kmod gzip systemd-container)

require_root "it installs packages and creates a network namespace"

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  apt-get update -q
  # The package scripts would start libvirtd/virtlogd through systemd; there may be none (no PID 1
  # systemd on CI machines) and we start our own inside the namespace anyway.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" \
    || die "apt-get install failed for: ${missing[*]}"
fi
for bin in libvirtd virtlogd virsh qemu-system-x86_64 qemu-img dnsmasq iptables; do
  command -v "$bin" >/dev/null || die "$bin not found after installing packages"
done

mkdir -p "$STATE"
if ! ip netns list | awk '{print $1}' | grep -qx "$NETNS"; then
  ip netns add "$NETNS"
  echo "$NETNS" > "$STATE/netns"
fi
ip netns exec "$NETNS" ip link set lo up

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# in_netns_daemon COMMAND...: starts a daemon in the namespace with nothing open but stdin, stdout and
# stderr. A daemon keeps every descriptor it inherits: started under `flock LOCK tests/run.sh` it
# would hold that lock for as long as it runs, and every later `flock LOCK` would wait forever.
in_netns_daemon() {
  (
    cd "/proc/$BASHPID/fd"
    for fd in *; do
      [ "$fd" -gt 2 ] && eval "exec $fd>&-"
    done
    cd /
    exec ip netns exec "$NETNS" "$@"
  )
}

# virtlogd must run before any domain starts (qemu's serial log goes through it).
if ! alive /run/virtlogd.pid; then
  in_netns_daemon virtlogd -d
  for _ in $(seq 50); do alive /run/virtlogd.pid && break; sleep 0.1; done
  alive /run/virtlogd.pid || die "virtlogd did not start"
  cat /run/virtlogd.pid > "$STATE/virtlogd.pid"
fi

if ! alive /run/libvirtd.pid; then
  rm -f /run/libvirt/libvirt-sock
  in_netns_daemon libvirtd -d
  for _ in $(seq 50); do alive /run/libvirtd.pid && break; sleep 0.2; done
  alive /run/libvirtd.pid || die "libvirtd did not start (see journal or /var/log/libvirt)"
  cat /run/libvirtd.pid > "$STATE/libvirtd.pid"
fi
# libvirtd must be the one in our namespace: guest traffic may never reach the host's networks.
pid=$(cat /run/libvirtd.pid)
[ "$(readlink "/proc/$pid/ns/net")" = "$(ip netns exec "$NETNS" readlink /proc/self/ns/net)" ] \
  || die "a libvirtd (pid $pid) runs outside network namespace $NETNS; stop it first"

for _ in $(seq 100); do
  virsh -q -c qemu:///system version >/dev/null 2>&1 && break
  sleep 0.2
done
virsh -q -c qemu:///system version >/dev/null 2>&1 || die "libvirtd does not answer on qemu:///system"

# Debian's package autostarts libvirt's 'default' NAT network (192.168.122.0/24). Tests create their
# own networks; keep the default one out of the way so that it cannot collide with them.
# down.sh turns its autostart back on if this script turned it off.
if virsh -q -c qemu:///system net-info default >/dev/null 2>&1; then
  if virsh -q -c qemu:///system net-info default 2>/dev/null | grep -Eq '^Autostart:[[:space:]]+yes'; then
    touch "$STATE/default-net-autostart"
  fi
  virsh -q -c qemu:///system net-autostart default --disable >/dev/null 2>&1 || true
  virsh -q -c qemu:///system net-destroy default >/dev/null 2>&1 || true
fi
echo "libvirtd $(cat /run/libvirtd.pid) ready in network namespace $NETNS"
