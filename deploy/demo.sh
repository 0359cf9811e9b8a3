#!/usr/bin/env bash
# The main job, end to end, on a Debian 12 machine as root: a 1 management + 3 worker Slurm cluster
# from a spec, built by vhpcd in the sandboxed libvirtd, then `srun -N3 hostname` across the workers
# and `vhpc check`, which proves Slurm, munge, srun, /home, MPI, a job array and accounting.
#   1. tests/env/up.sh          Debian packages, network namespace vhpc-test, libvirtd inside it
#   2. build-image.sh           the Debian 12 guest image (cached)
#   3. dotnet build             vhpcd and vhpc (Release)
#   4. vhpcd                    started here, inside the namespace, with its files under $DEMO_DIR
#   5. vhpc apply / status / ssh vhpc-demo-m-01 -- srun -N3 hostname / check
#   6. vhpc destroy (unless --keep), then stop the vhpcd this script started (by its pid).
# Usage: sudo deploy/demo.sh [--keep] | sudo deploy/demo.sh destroy
# Environment: VHPC_DEMO_DIR (default /var/lib/vhpc-demo): config, clusters.d, state, socket, logs.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=deploy/lib/common.sh
. "$ROOT/deploy/lib/common.sh"
cd "$ROOT"
VHPC_SCRIPT=deploy/demo.sh
DEMO_DIR=${VHPC_DEMO_DIR:-/var/lib/vhpc-demo}
CLUSTER=vhpc-demo
MGMT=$CLUSTER-m-01
SOCKET=$DEMO_DIR/run/vhpcd.sock

mode=demo keep=0
case ${1:-} in
  "") ;;
  --keep) keep=1 ;;
  destroy) mode=destroy ;;
  *) echo "usage: deploy/demo.sh [--keep] | deploy/demo.sh destroy" >&2; exit 2 ;;
esac

require_root "sudo deploy/demo.sh"
require_dotnet
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
t_start=$(date +%s)

step "sandboxed libvirtd (tests/env/up.sh)"
tests/env/up.sh

step "guest image (deploy/image/build-image.sh)"
deploy/image/build-image.sh
image=$(guest_image_dir)

step "build vhpcd and vhpc"
build_vhpcd

write_vhpcd_settings "$DEMO_DIR/vhpcd.json" "$DEMO_DIR"
write_cluster_spec "$DEMO_DIR/clusters.d/$CLUSTER.yaml" "$CLUSTER" "$image"

step "start vhpcd (inside network namespace $NETNS; log $DEMO_DIR/vhpcd.log)"
trap stop_vhpcd EXIT
start_vhpcd "$DEMO_DIR/vhpcd.json" "$SOCKET" "$DEMO_DIR/vhpcd.log" || die "vhpcd did not start (log $DEMO_DIR/vhpcd.log)"
vhpc() { "$VHPC_BIN" --socket "$SOCKET" "$@"; }

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

step "vhpc check $CLUSTER"
t0=$(date +%s)
vhpc check "$CLUSTER" || die "vhpc check failed: the lines above name each failed check's node and its error"
echo "check: $(( $(date +%s) - t0 )) s"

if [ "$keep" -eq 1 ]; then
  echo
  echo "cluster $CLUSTER left running; remove it with: sudo deploy/demo.sh destroy"
else
  step "vhpc destroy $CLUSTER"
  vhpc destroy "$CLUSTER" --yes
fi
echo "demo done in $(( $(date +%s) - t_start )) s"
