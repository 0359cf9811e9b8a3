# What the scripts of deploy/ and tests/ share: messages, the repository's paths, the guest image,
# starting and stopping a vhpcd by its pid, and the settings file and cluster spec a foreground vhpcd
# runs with (deploy/demo.sh and tests/bench/apply-vs-baseline.sh write the same ones).
# Source it (it only defines variables and functions):  . "$ROOT/deploy/lib/common.sh"
# shellcheck shell=bash

VHPC_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
NETNS=${VHPC_NETNS:-vhpc-test}
VHPCD_BIN=$VHPC_ROOT/src/Vhpc.Daemon/bin/Release/net10.0/vhpcd
VHPC_BIN=$VHPC_ROOT/src/Vhpc.Cli/bin/Release/net10.0/vhpc
# The guests' kernel command line when they boot the image's kernel directly (no bootloader in it).
# no_timer_check: under TCG on a loaded host the kernel can panic with "IO-APIC + timer doesn't work".
GUEST_CMDLINE='root=/dev/vda rw console=ttyS0 net.ifnames=0'

# die MESSAGE: "script: MESSAGE" on stderr, then exit $DIE_STATUS (default 1).
die() { echo "${VHPC_SCRIPT:-${0##*/}}: $*" >&2; exit "${DIE_STATUS:-1}"; }
# step TITLE: a section header with the time, on stdout.
step() { echo; echo "=== $* ($(date +%T))"; }
# log MESSAGE: a timestamped line on stderr (stdout stays for results).
log() { echo "[$(date +%T)] $*" >&2; }

require_root() { [ "$(id -u)" -eq 0 ] || die "must run as root${1:+ ($1)}"; }
require_dotnet() { command -v dotnet >/dev/null || die "the .NET 10 SDK is not installed (dotnet not on PATH)"; }

# guest_image_dir: the Debian guest image, resolved (a later rebuild must not move a running guest's backing file).
guest_image_dir() {
  local dir=${VHPC_TEST_IMAGE_DIR:-/var/cache/vhpc/images/current}
  [ -f "$dir/root.qcow2" ] && [ -f "$dir/vmlinuz" ] && [ -f "$dir/initrd.img" ] \
    || die "no guest image in $dir: run deploy/image/build-image.sh (as root)"
  readlink -f "$dir"
}

# image_sha256 DIR: the sha256 of DIR/root.qcow2 (from its .sha256 file when the build wrote one).
image_sha256() {
  if [ -f "$1/root.qcow2.sha256" ]; then cut -d' ' -f1 "$1/root.qcow2.sha256"
  else sha256sum "$1/root.qcow2" | cut -d' ' -f1; fi
}

# build_vhpcd: vhpcd and vhpc, Release, quietly; fails unless both executables are there afterwards.
build_vhpcd() {
  require_dotnet
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
  dotnet build "$VHPC_ROOT/src/Vhpc.Daemon/Vhpc.Daemon.csproj" -c Release -nologo -v quiet >&2
  dotnet build "$VHPC_ROOT/src/Vhpc.Cli/Vhpc.Cli.csproj" -c Release -nologo -v quiet >&2
  [ -x "$VHPCD_BIN" ] && [ -x "$VHPC_BIN" ] || die "the build did not produce $VHPCD_BIN and $VHPC_BIN"
}

# write_vhpcd_settings FILE DIR: vhpcd.json for a foreground vhpcd whose clusters.d, state and socket
# (run/vhpcd.sock) live under DIR, root's group on the socket, guests in $NETNS, this checkout's playbook.
write_vhpcd_settings() {
  local file=$1 dir=$2
  mkdir -p "$dir"/{clusters.d,state,run}
  cat > "$file" <<JSON
{
  "Vhpcd": {
    "ClustersDirectory": "$dir/clusters.d",
    "StateDirectory": "$dir/state",
    "SocketPath": "$dir/run/vhpcd.sock",
    "SocketGroup": "0",
    "NetworkNamespace": "$NETNS",
    "PlaybookPath": "$VHPC_ROOT/deploy/ansible/site.yml"
  }
}
JSON
}

# write_cluster_spec FILE NAME IMAGE_DIR [--workers N] [--vcpu N] [--memory MiB] [--disk GiB]
#   [--cidr CIDR] [--network NAME] [--bridge NAME] [--pool-path DIR]
# A 1 + N cluster of the Debian image under TCG (direct kernel boot, no graphics); the network,
# bridge and pool lines appear only when given (else the spec's defaults). The serial console logs
# are volumes of the pool.
write_cluster_spec() {
  local file=$1 name=$2 image=$3 workers=3 vcpu=1 memory=1536 disk=8 cidr=192.168.123.0/24
  local network= bridge= pool= sha
  shift 3
  while [ $# -gt 0 ]; do
    case $1 in
      --workers) workers=$2 ;; --vcpu) vcpu=$2 ;; --memory) memory=$2 ;; --disk) disk=$2 ;;
      --cidr) cidr=$2 ;; --network) network=$2 ;; --bridge) bridge=$2 ;;
      --pool-path) pool=$2 ;;
      *) die "write_cluster_spec: unknown option $1" ;;
    esac
    shift 2
  done
  sha=$(image_sha256 "$image")
  {
    echo "name: $name"
    echo "domain: vhpc.local"
    echo "connect: qemu:///system"
    echo "image:"
    echo "  source: $image/root.qcow2"
    echo "  sha256: $sha"
    echo "  osFamily: Debian"
    echo "  format: qcow2"
    echo "  boot:"
    echo "    kernel: $image/vmlinuz"
    echo "    initrd: $image/initrd.img"
    echo "    cmdline: $GUEST_CMDLINE no_timer_check"
    [ -z "$pool" ] || echo "pool: { name: $name, path: $pool }"
    echo "network: { ${network:+name: $network, }cidr: $cidr${bridge:+, bridge: $bridge} }"
    echo "user: { name: vhpc }"
    echo "management: { count: 1, vcpu: $vcpu, memoryMiB: $memory, diskGiB: $disk }"
    echo "workers:    { count: $workers, vcpu: $vcpu, memoryMiB: $memory, diskGiB: $disk }"
    echo "vm: { accelerator: qemu, graphics: none }"
  } > "$file"
}

# start_vhpcd CONFIG SOCKET LOG: the built vhpcd in the foreground inside $NETNS, in the background of
# this shell (its pid in VHPCD_PID); returns once it listens on SOCKET, fails (log tail on stderr) if it
# exits or does not within 60 s.
VHPCD_PID=
start_vhpcd() {
  local config=$1 socket=$2 logfile=$3
  rm -f "$socket"
  ip netns exec "$NETNS" "$VHPCD_BIN" --config "$config" >>"$logfile" 2>&1 &
  VHPCD_PID=$!
  for _ in $(seq 300); do
    [ -S "$socket" ] && { log "vhpcd pid $VHPCD_PID, socket $socket"; return 0; }
    kill -0 "$VHPCD_PID" 2>/dev/null || { tail -n 30 "$logfile" >&2; log "vhpcd exited during start-up (log above)"; return 1; }
    sleep 0.2
  done
  tail -n 30 "$logfile" >&2
  log "vhpcd did not open $socket within 60 s"
  return 1
}

# stop_vhpcd: SIGTERM to the vhpcd start_vhpcd started (by its pid), SIGKILL after 60 s.
stop_vhpcd() {
  [ -n "$VHPCD_PID" ] || return 0
  if kill -0 "$VHPCD_PID" 2>/dev/null; then
    log "stopping vhpcd (pid $VHPCD_PID)"
    kill -TERM "$VHPCD_PID"
    for _ in $(seq 300); do kill -0 "$VHPCD_PID" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$VHPCD_PID" 2>/dev/null && { log "vhpcd did not stop within 60 s: SIGKILL"; kill -KILL "$VHPCD_PID"; }
  fi
  wait "$VHPCD_PID" 2>/dev/null || true
  VHPCD_PID=
}
