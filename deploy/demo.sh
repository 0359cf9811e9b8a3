#!/usr/bin/env bash
# The main job, end to end, on a Debian 12 machine as root: a 1 management + 3 worker Slurm cluster
# from a spec, built by vhpcd in the sandboxed libvirtd, then `srun -N3 hostname` across the workers.
#   1. tests/env/up.sh          Debian packages, network namespace vhpc-test, libvirtd inside it
#   2. build-image.sh           the Debian 12 guest image (cached)
#   3. dotnet build             vhpcd and vhpc (Release)
#   4. vhpcd                    started here, inside the namespace, with its files under $DEMO_DIR
#   5. vhpc apply / status / ssh vhpc-demo-m-01 -- srun -N3 hostname
#   6. vhpc destroy (unless --keep), then stop the vhpcd this script started (by its pid).
# Usage: sudo deploy/demo.sh [--keep] | sudo deploy/demo.sh destroy
# Environment: VHPC_DEMO_DIR (default /var/lib/vhpc-demo): config, clusters.d, state, socket, logs.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
NETNS=${VHPC_NETNS:-vhpc-test}
DEMO_DIR=${VHPC_DEMO_DIR:-/var/lib/vhpc-demo}
CLUSTER=vhpc-demo
MGMT=$CLUSTER-m-01
SOCKET=$DEMO_DIR/run/vhpcd.sock
VHPCD=$ROOT/src/Vhpc.Daemon/bin/Release/net10.0/vhpcd
VHPC=$ROOT/src/Vhpc.Cli/bin/Release/net10.0/vhpc

mode=demo keep=0
case ${1:-} in
  "") ;;
  --keep) keep=1 ;;
  destroy) mode=destroy ;;
  *) echo "usage: deploy/demo.sh [--keep] | deploy/demo.sh destroy" >&2; exit 2 ;;
esac

die() { echo "deploy/demo.sh: $*" >&2; exit 1; }
step() { echo; echo "=== $* ($(date +%T))"; }
[ "$(id -u)" -eq 0 ] || die "must run as root: sudo deploy/demo.sh"
command -v dotnet >/dev/null || die "the .NET 10 SDK is not installed (dotnet not on PATH)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
t_start=$(date +%s)

step "sandboxed libvirtd (tests/env/up.sh)"
tests/env/up.sh

step "guest image (deploy/image/build-image.sh)"
deploy/image/build-image.sh
image=$(readlink -f /var/cache/vhpc/images/current)
if [ -f "$image/root.qcow2.sha256" ]; then sha=$(cut -d' ' -f1 "$image/root.qcow2.sha256")
else sha=$(sha256sum "$image/root.qcow2" | cut -d' ' -f1); fi

step "build vhpcd and vhpc"
dotnet build src/Vhpc.Daemon/Vhpc.Daemon.csproj -c Release -nologo -v quiet
dotnet build src/Vhpc.Cli/Vhpc.Cli.csproj -c Release -nologo -v quiet
[ -x "$VHPCD" ] && [ -x "$VHPC" ] || die "build did not produce $VHPCD and $VHPC"

mkdir -p "$DEMO_DIR"/{clusters.d,state,run}
cat > "$DEMO_DIR/vhpcd.json" <<JSON
{
  "Vhpcd": {
    "ClustersDirectory": "$DEMO_DIR/clusters.d",
    "StateDirectory": "$DEMO_DIR/state",
    "SocketPath": "$SOCKET",
    "SocketGroup": "0",
    "NetworkNamespace": "$NETNS",
    "PlaybookPath": "$ROOT/deploy/ansible/site.yml"
  }
}
JSON
# The guests boot the image's own kernel directly (no bootloader in the image); TCG: KVM does not
# work on these machines.
cat > "$DEMO_DIR/clusters.d/$CLUSTER.yaml" <<YAML
name: $CLUSTER
domain: vhpc.local
connect: qemu:///system
image:
  source: $image/root.qcow2
  sha256: $sha
  osFamily: Debian
  format: qcow2
  boot:
    kernel: $image/vmlinuz
    initrd: $image/initrd.img
    # no_timer_check: under TCG on a loaded host the kernel can panic with "IO-APIC + timer doesn't work".
    cmdline: root=/dev/vda rw console=ttyS0 net.ifnames=0 no_timer_check
network: { cidr: 192.168.123.0/24 }
user: { name: vhpc }
management: { count: 1, vcpu: 1, memoryMiB: 1536, diskGiB: 8 }
workers:    { count: 3, vcpu: 1, memoryMiB: 1536, diskGiB: 8 }
vm: { accelerator: qemu, graphics: none }
YAML

step "start vhpcd (inside network namespace $NETNS; log $DEMO_DIR/vhpcd.log)"
rm -f "$SOCKET"
ip netns exec "$NETNS" "$VHPCD" --config "$DEMO_DIR/vhpcd.json" >"$DEMO_DIR/vhpcd.log" 2>&1 &
vhpcd_pid=$!
stop_vhpcd() {
  if kill -0 "$vhpcd_pid" 2>/dev/null; then
    echo "stopping vhpcd (pid $vhpcd_pid)"
    kill -TERM "$vhpcd_pid"
    for _ in $(seq 100); do kill -0 "$vhpcd_pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$vhpcd_pid" 2>/dev/null && kill -KILL "$vhpcd_pid"
    wait "$vhpcd_pid" 2>/dev/null || true
  fi
}
trap stop_vhpcd EXIT
for _ in $(seq 300); do
  [ -S "$SOCKET" ] && break
  kill -0 "$vhpcd_pid" 2>/dev/null || { tail -n 30 "$DEMO_DIR/vhpcd.log" >&2; die "vhpcd exited during start-up (log above)"; }
  sleep 0.2
done
[ -S "$SOCKET" ] || { tail -n 30 "$DEMO_DIR/vhpcd.log" >&2; die "vhpcd did not open $SOCKET within 60 s"; }
echo "vhpcd pid $vhpcd_pid, socket $SOCKET"
vhpc() { "$VHPC" --socket "$SOCKET" "$@"; }

if [ "$mode" = destroy ]; then
  step "vhpc destroy $CLUSTER"
  vhpc destroy "$CLUSTER" --yes
  exit 0
fi

step "vhpc apply $CLUSTER"
t0=$(date +%s)
vhpc apply "$CLUSTER"
echo "apply: $(( $(date +%s) - t0 )) s"

step "vhpc status $CLUSTER"
vhpc status "$CLUSTER"

step "vhpc ssh $MGMT -- srun -N3 hostname"
out=$(vhpc ssh "$MGMT" -- srun -N3 hostname)
echo "$out"
for w in 01 02 03; do
  grep -q "^$CLUSTER-w-$w" <<<"$out" || die "srun output lacks worker $CLUSTER-w-$w"
done
echo "srun ran on all 3 workers"

if [ "$keep" -eq 1 ]; then
  echo
  echo "cluster $CLUSTER left running; remove it with: sudo deploy/demo.sh destroy"
else
  step "vhpc destroy $CLUSTER"
  vhpc destroy "$CLUSTER" --yes
fi
echo "demo done in $(( $(date +%s) - t_start )) s"
