#!/usr/bin/env bash
# Stop what tests/env/up.sh started (and only that, by the pids it recorded), then remove the
# namespace if up.sh created it.
set -uo pipefail
STATE=${VHPC_ENV_STATE:-/run/vhpc-test-env}
[ -d "$STATE" ] || exit 0

stop() {
  local pidfile=$1 pid
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  rm -f "$pidfile"
}
# up.sh turned off the autostart of libvirt's 'default' network: turn it back on (it is not started
# here: its dnsmasq would run in the namespace about to be removed).
if [ -f "$STATE/default-net-autostart" ]; then
  virsh -q -c qemu:///system net-autostart default >/dev/null 2>&1 || echo "down.sh: could not re-enable autostart of network 'default'" >&2
  rm -f "$STATE/default-net-autostart"
fi
stop "$STATE/libvirtd.pid"
stop "$STATE/virtlogd.pid"
if [ -f "$STATE/netns" ]; then
  ip netns delete "$(cat "$STATE/netns")" 2>/dev/null || true
  rm -f "$STATE/netns"
fi
rmdir "$STATE" 2>/dev/null || true
