#!/usr/bin/env bash
# Boots a real systemd (PID 1 + journald) in a systemd-nspawn container on a host whose PID 1 is not
# systemd, runs commands in it, and tears it down again (as root). Used by tests/Vhpc.Systemd.Tests.
#
#   container.sh boot NAME ROOTFS [BIND...]   boot ROOTFS (read-only, throw-away overlay on top) as
#                                             machine NAME; BIND is SRC:DST, bind-mounted read-only;
#                                             prints the container's PID 1 (a host pid) when running
#   container.sh exec NAME CMD [ARG...]       run CMD inside (all namespaces, clean environment)
#   container.sh leader NAME                  print the container's PID 1
#   container.sh stop NAME                    power off, then remove the cgroups it made (depth-first)
#
# What each choice avoids (every one was hit, see the shared systemd-nspawn notes):
# - --register=no --keep-unit: no host systemd or machined to register with ("Failed to open system
#   bus"); so no machinectl either: commands go in with nsenter.
# - its own cgroup in both the name=systemd and the unified hierarchy before exec: nspawn makes
#   payload/ and supervisor/ under the cgroup it runs in, which must not be the host's root.
# - SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1: the container sees pure cgroup2, so libvirt can start qemu.
# - --private-network: the container's own network namespace; libvirt's bridges, dnsmasq, NAT rules
#   and every guest packet stay inside it (and the container gets CAP_NET_ADMIN there).
# - --console=read-only, stdin /dev/null: no tty is needed; the console goes to the log file.
# - --volatile=overlay: the cached root is never written; each boot starts from the same state.
# State (pid, console log) lives in /run/vhpc-systemd/NAME until stop, which ends only the nspawn it
# started (by its recorded pid) and removes the state.
set -euo pipefail

STATE_ROOT=${VHPC_SYSTEMD_STATE:-/run/vhpc-systemd}
PATH_INSIDE=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

die() { echo "tests/systemd/container.sh: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "must run as root"
[ $# -ge 2 ] || die "usage: container.sh boot|exec|leader|stop NAME ..."
cmd=$1 name=$2
shift 2
[[ $name =~ ^[a-z0-9][a-z0-9-]{0,30}$ ]] || die "bad machine name '$name'"
state=$STATE_ROOT/$name

# The hierarchies nspawn makes its payload/ and supervisor/ cgroups in: name=systemd and the unified
# one on a hybrid host (like the test machines), or the single cgroup2 tree.
cgroup_roots() {
  if [ -f /sys/fs/cgroup/cgroup.controllers ]; then echo /sys/fs/cgroup; return; fi
  local h
  for h in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified; do [ -d "$h" ] && echo "$h"; done
}
nspawn_pid() { cat "$state/nspawn.pid" 2>/dev/null; }
leader() {
  local n; n=$(nspawn_pid) || return 1
  kill -0 "$n" 2>/dev/null || return 1
  # The container's PID 1 is nspawn's only child.
  awk '{print $1}' "/proc/$n/task/$n/children" 2>/dev/null
}
inside() {
  local l; l=$(leader) || die "container $name is not running"
  [ -n "$l" ] || die "container $name has no PID 1 (yet)"
  nsenter -t "$l" -a env -i PATH=$PATH_INSIDE TERM=dumb SYSTEMD_PAGER= SYSTEMD_COLORS=0 LANG=C.UTF-8 "$@"
}

boot() {
  local rootfs=$1; shift
  for bin in systemd-nspawn nsenter; do
    command -v "$bin" >/dev/null || die "$bin not found: apt-get install systemd-container util-linux"
  done
  [ -x "$rootfs/lib/systemd/systemd" ] || die "$rootfs is not a root with systemd (build it with tests/systemd/rootfs.sh)"
  if leader >/dev/null 2>&1 && [ -n "$(leader)" ]; then die "container $name already runs (container.sh stop $name)"; fi
  local binds=() b
  for b in "$@"; do
    [ -e "${b%%:*}" ] || die "bind source ${b%%:*} does not exist"
    binds+=("--bind-ro=$b")
  done
  local roots; roots=$(cgroup_roots)
  [ -n "$roots" ] || die "no cgroup hierarchy under /sys/fs/cgroup (inside 'ip netns exec'? run this outside)"
  mkdir -p "$state"
  local r; for r in $roots; do mkdir -p "$r/$name"; done
  rm -f "$state/nspawn.pid"
  local t0; t0=$(date +%s.%N)
  # setsid: nspawn outlives this script; its pid is recorded by the shell that becomes it, after
  # moving itself into the container's own cgroups.
  SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1 setsid -f bash -c '
    for r in $3; do echo $$ >"$r/$1/cgroup.procs"; done
    echo $$ >"$2/nspawn.pid"
    shift 3
    exec systemd-nspawn "$@" </dev/null' boot "$name" "$state" "$roots" \
      -D "$rootfs" -M "$name" -b --register=no --keep-unit --volatile=overlay --private-network \
      --console=read-only "${binds[@]}" >"$state/nspawn.log" 2>&1
  local l=
  for _ in $(seq 100); do l=$(leader 2>/dev/null) && [ -n "$l" ] && break; sleep 0.1; done
  [ -n "$l" ] || { cat "$state/nspawn.log" >&2; die "the container did not start"; }
  # is-system-running --wait returns once start-up is over ("degraded" is over too).
  local st=
  for _ in $(seq 300); do
    st=$(inside systemctl is-system-running --wait 2>/dev/null) || true
    [[ $st =~ ^(running|degraded)$ ]] && break
    sleep 0.2
  done
  [[ $st =~ ^(running|degraded)$ ]] || { tail -n 40 "$state/nspawn.log" >&2; die "systemd in $name did not finish booting (state '$st')"; }
  echo "container $name booted ($st) in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s" >&2
  echo "$l"
}

stop() {
  local n; n=$(nspawn_pid) || true
  if [ -n "$n" ] && kill -0 "$n" 2>/dev/null; then
    inside systemctl poweroff --no-block >/dev/null 2>&1 || kill -TERM "$n" 2>/dev/null || true
    for _ in $(seq 300); do kill -0 "$n" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$n" 2>/dev/null; then
      echo "container $name did not power off within 30 s: SIGKILL to nspawn $n" >&2
      kill -KILL "$n" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$n" 2>/dev/null || break; sleep 0.1; done
    fi
  fi
  # Depth-first: a cgroup can only be removed once its children are.
  local r
  for r in $(cgroup_roots); do
    [ -d "$r/$name" ] || continue
    find "$r/$name" -depth -type d -exec rmdir {} \; 2>/dev/null || true
    [ -d "$r/$name" ] && echo "cgroup $r/$name still has processes" >&2
  done
  rmdir /run/systemd/nspawn/propagate/"$name" 2>/dev/null || true
  rm -rf "$state"
}

case $cmd in
  boot) [ $# -ge 1 ] || die "usage: container.sh boot NAME ROOTFS [SRC:DST...]"; boot "$@" ;;
  exec) [ $# -ge 1 ] || die "usage: container.sh exec NAME CMD [ARG...]"; inside "$@" ;;
  leader) leader ;;
  stop) stop ;;
  *) die "unknown command '$cmd' (boot, exec, leader, stop)" ;;
esac
