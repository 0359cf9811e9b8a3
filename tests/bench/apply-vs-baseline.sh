#!/usr/bin/env bash
# Issue 5, "Measure": in ONE run and back to back, on the same sandboxed libvirtd (namespace vhpc-test),
#   1. the baseline: tests/bench/boot-baseline.sh --only cluster (1 + 3 guests in parallel by a plain
#      script: genisoimage + qemu-img + virsh), then --only single (one guest alone);
#   2. the product: a vhpcd started here (Release build, foreground, inside the namespace, with its own
#      temporary config, clusters.d, state directory and socket) and `vhpc apply` of a 1 management +
#      3 worker cluster `vtx-bench` (network 10.210.0.0/24) from the same image;
#   3. a second `vhpc apply` with nothing changed (issue 12: no login, no Ansible), timed as a whole;
#   4. `vhpc destroy --yes`, the vhpcd stopped by its pid, and a check that nothing named vtx- is left.
# Timings: every line `vhpc apply` prints (one per progress event of the daemon's event stream) is
# stamped with the wall clock when it arrives; t0 is the moment `vhpc apply` is launched. A node is
# "SSH-ready" at its `SSH ok` line: SSH with the cluster key works, `cloud-init status --wait` is done
# and the hostname is right - the same checks the baseline's "ready" makes. "apply done" is the final
# `cluster ... ready` line (Slurm configured by Ansible on every node).
#
# Same on both sides: the image (/var/cache/vhpc/images/current: root.qcow2 as the backing file of a
# per-guest qcow2 overlay, direct kernel boot of its vmlinuz + initrd.img), the kernel command line
# (root=/dev/vda rw console=ttyS0 net.ifnames=0 no_timer_check), vCPUs and memory
# (VHPC_BENCH_VCPUS, VHPC_BENCH_MEMORY_MIB, default 2 and 2048: the engine's defaults), TCG
# (<domain type='qemu'>, <cpu mode='maximum'/>, q35), virtio disk and NIC, seed ISO on SATA, virtio rng,
# no graphics, all guests started in parallel, the same readiness checks.
# Still different (part of what is measured, or too small to matter):
#   - vhpcd uploads the base image once into its own pool through a libvirt stream while hashing it
#     (~740 MB; sha256 checked), the baseline backs its overlays with the cached file directly;
#   - vhpcd writes the seed ISOs in-process and uploads them as volumes, defines a pool, a network with
#     fixed DHCP hosts and marked domains; the baseline runs genisoimage and qemu-img processes and a
#     network with a plain DHCP range;
#   - vhpcd waits for the lease only after every domain has started (all nodes in parallel), polls
#     leases every 1.5 s and retries SSH with exponential backoff; the baseline polls per guest every
#     0.5 s (lease) and 1 s (SSH);
#   - vhpcd's seed also sets the FQDN and manages /etc/hosts; its domains add a virtio console, a
#     guest-agent channel and a memballoon; it generates an ECDSA key (baseline: ed25519);
#   - the overlays are 4 GiB on both sides (diskGiB: 4 = the image's size, so cloud-init resizes nothing);
#   - the scenarios run one after another, so load from other work on the machine can differ between
#     them: the load average is recorded at the start and end of each.
#
# Usage: sudo tests/bench/apply-vs-baseline.sh [--workers N] [--results DIR] [--no-build]
#   --workers N   1..3 (default 3): the cluster shape on both sides is 1 + N; N < 3 is a cheaper shape
#                 for trying the script out, not the measurement.
#   --results DIR where the raw output goes (default /tmp/bench-results): apply-vs-baseline-STAMP.jsonl
#                 (one JSON line per scenario + a summary line), .txt (the table), -apply.log (the
#                 stamped `vhpc apply` output), -vhpcd.log.
#   --no-build    use the existing Release build of vhpcd and vhpc.
# Needs: tests/env/up.sh (libvirtd in namespace vhpc-test), deploy/image/build-image.sh (the image),
# the .NET 10 SDK, genisoimage, jq. Takes ~15-25 minutes under TCG on 2 cores.
# On failure or Ctrl-C: the baseline removes its own vti-b-* guests; this script destroys the vtx-bench
# cluster through vhpcd (restarting the vhpcd it started if needed), stops only that vhpcd (by pid),
# then removes anything still named vtx-bench* with virsh as a last resort.
set -euo pipefail
shopt -s inherit_errexit
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=tests/env/guest-lib.sh
. "$HERE/../env/guest-lib.sh"

CLUSTER=vtx-bench NETWORK=vtx-bench-net BRIDGE=vtx-bench0 CIDR=10.210.0.0/24
POOL_DIR=/var/lib/libvirt/images/$CLUSTER
# libvirt's own per-domain qemu log (not vhpcd's: the serial console logs are volumes of the pool). It
# stays after undefine, as for every domain, so it is no leftover; the clean-up removes it all the same.
QEMU_LOG_DIR=/var/log/libvirt/qemu
VCPUS=${VHPC_BENCH_VCPUS:-2} MEM=${VHPC_BENCH_MEMORY_MIB:-2048}
export VHPC_BENCH_VCPUS=$VCPUS VHPC_BENCH_MEMORY_MIB=$MEM

workers=3 results_dir=/tmp/bench-results build=1
while [ $# -gt 0 ]; do
  case $1 in
    --workers) workers=$2; shift ;;
    --results) results_dir=$2; shift ;;
    --no-build) build=0 ;;
    *) die "unknown argument '$1' (--workers 1..3, --results DIR, --no-build)" ;;
  esac
  shift
done
case $workers in 1|2|3) ;; *) die "--workers must be 1..3 (got '$workers')" ;; esac
nodes=$((1 + workers))

wall() { printf '%s' "${EPOCHREALTIME/,/.}"; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# Everything named vtx-bench* that libvirt, the pool directory (with the serial console log volumes) or
# the namespace hold.
leftovers() {
  {
    "${VIRSH[@]}" list --all --name
    "${VIRSH[@]}" net-list --all --name
    "${VIRSH[@]}" pool-list --all --name
  } 2>/dev/null | grep "^$CLUSTER" || true
  ls -d "$POOL_DIR" 2>/dev/null || true
  ip netns exec "$NETNS" ip -o link show 2>/dev/null | awk -F': ' '{ print $2 }' | cut -d@ -f1 | grep "^$BRIDGE" || true
}

require_env
command -v jq >/dev/null || die "jq missing: apt-get install jq"
[ "$build" -eq 0 ] || require_dotnet
image=$(guest_image_dir)
left=$(leftovers)
[ -z "$left" ] || die "objects of $CLUSTER are left from an earlier run, remove them first: $(echo "$left" | paste -sd' ' -)"

if [ "$build" -eq 1 ]; then
  log "building vhpcd and vhpc (Release)"
  build_vhpcd
fi
[ -x "$VHPCD_BIN" ] && [ -x "$VHPC_BIN" ] || die "no Release build at $VHPCD_BIN and $VHPC_BIN (drop --no-build)"

mkdir -p "$results_dir"
stamp=$(date +%Y%m%d-%H%M%S)
out=$results_dir/apply-vs-baseline-$stamp
jsonl=$out.jsonl
work=$(mktemp -d /var/tmp/vtx-bench.XXXXXX)
SOCKET=$work/run/vhpcd.sock
destroyed=1

vhpc() { "$VHPC_BIN" --socket "$SOCKET" "$@"; }

# Last resort after a failed destroy: remove what is still named vtx-bench* with virsh.
sweep() {
  local d v
  for d in $("${VIRSH[@]}" list --all --name 2>/dev/null | grep "^$CLUSTER-" || true); do
    "${VIRSH[@]}" destroy "$d" >/dev/null 2>&1 || true
    "${VIRSH[@]}" undefine "$d" >/dev/null 2>&1 || true
  done
  "${VIRSH[@]}" net-destroy "$NETWORK" >/dev/null 2>&1 || true
  "${VIRSH[@]}" net-undefine "$NETWORK" >/dev/null 2>&1 || true
  for v in $("${VIRSH[@]}" vol-list "$CLUSTER" 2>/dev/null | awk 'NR > 2 && NF { print $1 }'); do
    "${VIRSH[@]}" vol-delete "$v" --pool "$CLUSTER" >/dev/null 2>&1 || true
  done
  "${VIRSH[@]}" pool-destroy "$CLUSTER" >/dev/null 2>&1 || true
  "${VIRSH[@]}" pool-undefine "$CLUSTER" >/dev/null 2>&1 || true
  rm -rf "$POOL_DIR"
  rm -f "$QEMU_LOG_DIR/$CLUSTER"-*
}

cleanup() {
  local rc=$? left
  set +e
  trap - INT TERM
  if [ "$destroyed" -eq 0 ]; then
    log "cleaning up cluster $CLUSTER through vhpcd"
    stop_vhpcd
    if start_vhpcd "$work/vhpcd.json" "$SOCKET" "$work/vhpcd.log"; then
      timeout 900 "$VHPC_BIN" --socket "$SOCKET" destroy "$CLUSTER" --yes >&2
    fi
    stop_vhpcd
    left=$(leftovers)
    if [ -n "$left" ]; then
      log "vhpc destroy left: $(echo "$left" | paste -sd' ' -); removing with virsh"
      sweep
      left=$(leftovers)
    fi
    if [ -n "$left" ]; then log "still left after cleanup: $(echo "$left" | paste -sd' ' -)"; [ "$rc" -ne 0 ] || rc=1
    else log "nothing named $CLUSTER* is left"; fi
  fi
  stop_vhpcd
  [ -f "$work/vhpcd.log" ] && cp "$work/vhpcd.log" "$out-vhpcd.log"
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

cores=$(nproc)
log "apply-vs-baseline: 1 + $workers nodes, $VCPUS vCPU, $MEM MiB each, TCG, $cores cores; results $out.*"
load_start=$(loadavg)

# scenario_baseline LABEL ARGS...: one boot-baseline.sh scenario, with the load around it.
baseline_json() {
  local l0 l1 json
  l0=$(loadavg)
  json=$("$HERE/boot-baseline.sh" "$@")
  l1=$(loadavg)
  jq -c --arg l0 "$l0" --arg l1 "$l1" '. + {loadavg_start: $l0, loadavg_end: $l1}' <<<"$json"
}

log "=== baseline cluster: $nodes guests in parallel (boot-baseline.sh --only cluster)"
bl_cluster=$(baseline_json --only cluster --guests "$nodes")
echo "$bl_cluster" | tee -a "$jsonl"
log "=== baseline single: one guest alone (boot-baseline.sh --only single)"
bl_single=$(baseline_json --only single)
echo "$bl_single" | tee -a "$jsonl"

log "=== vhpcd: apply $CLUSTER (1 + $workers)"
write_vhpcd_settings "$work/vhpcd.json" "$work"
write_cluster_spec "$work/clusters.d/$CLUSTER.yaml" "$CLUSTER" "$image" --workers "$workers" --vcpu "$VCPUS" --memory "$MEM" --disk 4 \
  --cidr "$CIDR" --network "$NETWORK" --bridge "$BRIDGE" --pool-path "$POOL_DIR"
"$VHPC_BIN" validate -f "$work/clusters.d/$CLUSTER.yaml" >&2
start_vhpcd "$work/vhpcd.json" "$SOCKET" "$work/vhpcd.log" || die "vhpcd did not start"

# Each line of `vhpc apply` with the wall-clock time it arrived (TAB-separated), echoed to stderr.
stamp_lines() {
  local line
  while IFS= read -r line; do
    printf '%s\t%s\n' "$(wall)" "$line"
    printf '%s\n' "$line" >&2
  done
}
l0=$(loadavg)
destroyed=0
t0=$(wall)
set +e
vhpc apply "$CLUSTER" 2>&1 | stamp_lines > "$out-apply.log"
apply_rc=${PIPESTATUS[0]}
set -e
t_exit=$(wall)
l1=$(loadavg)
[ "$apply_rc" -eq 0 ] || die "vhpc apply failed (exit $apply_rc); its output: $out-apply.log"

# The progress lines are `[%6.1fs] NODE(20) STEP(12) OUTCOME (TOOK s)  MESSAGE` (src/Vhpc.Cli/Output/
# ProgressLine.cs); cluster-wide steps carry the cluster name as NODE. -> one JSON event per line.
events=$(awk -F'\t' -v t0="$t0" '
  function trim(s) { gsub(/^ +| +$/, "", s); return s }
  $2 ~ /^\[ *[0-9.]+s\] / {
    line = $2; node = trim(substr(line, 11, 20)); step = trim(substr(line, 32, 12)); rest = substr(line, 45)
    outcome = rest; sub(/ \(.*$/, "", outcome); sub(/  .*$/, "", outcome)
    took = "null"; if (match(rest, /^[a-zA-Z. ]+ \([0-9.]+ s\)/)) { took = substr(rest, 1, RLENGTH); sub(/^.*\(/, "", took); sub(/ s\)$/, "", took) }
    printf "{\"t\":%.1f,\"node\":\"%s\",\"step\":\"%s\",\"outcome\":\"%s\",\"took\":%s}\n", $1 - t0, node, step, outcome, took
  }
  $2 ~ /^cluster .* ready in [0-9.]+ s/ {
    reported = $2; sub(/^.* ready in /, "", reported); sub(/ s.*$/, "", reported)
    printf "{\"t\":%.1f,\"node\":\"\",\"step\":\"done\",\"outcome\":\"ok\",\"took\":%s}\n", $1 - t0, reported
  }' "$out-apply.log" | jq -s -c .)

vhpcd_json=$(jq -c -n --argjson e "$events" --arg cluster "$CLUSTER" --argjson nodes "$nodes" --argjson vcpus "$VCPUS" \
  --argjson mem "$MEM" --arg l0 "$l0" --arg l1 "$l1" --argjson exit_s "$(elapsed "$t0" "$t_exit")" '
  def r: (. * 10 | round) / 10;
  def at($step; $outcome): [$e[] | select(.step == $step and .outcome == $outcome) | .t];
  def took($step): [$e[] | select(.step == $step and .outcome == "ok") | .took // 0];
  ($e | map(select(.node != $cluster and .node != "")) | map(.node) | unique) as $names
  | (at("SSH"; "ok") | max) as $ssh_ready
  | (at("lease"; "ok") | max) as $leased
  | (at("booting"; "ok") | max) as $started
  | (at("booting"; "...") | min) as $first_boot
  | (at("done"; "ok") | max) as $done
  | if ($names | length) != $nodes or (at("SSH"; "ok") | length) != $nodes or $done == null
    then error("expected \($nodes) nodes SSH-ready and a final ready line in the apply output") else . end
  | {bench: "apply-vs-baseline", scenario: "vhpcd", guests: $nodes, vcpus: $vcpus, memory_mib: $mem,
     all_ready_s: $ssh_ready, apply_done_s: $done, cli_exit_s: $exit_s,
     engine_reported_s: ($e | map(select(.step == "done")) | .[0].took),
     all_started_s: $started,
     phases: {
       pre_boot_s: $first_boot,
       boot_calls_s: (($started - $first_boot) | r),
       lease_wait_s: (($leased - $started) | r),
       ssh_wait_s: (($ssh_ready - $leased) | r),
       ansible_s: (($done - $ssh_ready) | r)
     },
     steps_s: ([["plan", "plan"], ["pool", "pool"], ["base_image", "base image"], ["network", "network"], ["volume", "volume"],
                ["seed", "seed"], ["define", "defining"], ["boot", "booting"], ["lease", "lease"], ["ssh", "SSH"], ["configure", "configuring"]]
               | map({key: .[0], value: {max: (took(.[1]) | max), sum: (took(.[1]) | add // 0 | r), count: (took(.[1]) | length)}})
               | from_entries),
     nodes: [$names[] as $n | {name: $n,
       started_s: ([$e[] | select(.node == $n and .step == "booting" and .outcome == "ok") | .t] | max),
       lease_s: ([$e[] | select(.node == $n and .step == "lease" and .outcome == "ok") | .t] | max),
       ready_s: ([$e[] | select(.node == $n and .step == "SSH" and .outcome == "ok") | .t] | max),
       configured_s: ([$e[] | select(.node == $n and .step == "configuring" and .outcome == "ok") | .t] | max)}],
     loadavg_start: $l0, loadavg_end: $l1}')
echo "$vhpcd_json" | tee -a "$jsonl"

# Issue 12: the second apply with nothing changed. Every node's record holds, so it logs into no node
# and runs no Ansible; its final line says how many nodes were configured and how many were up to date.
log "=== vhpcd: second apply of $CLUSTER, nothing changed"
t2=$(wall)
second_out=$(vhpc apply "$CLUSTER" 2>&1) || die "second vhpc apply failed: $second_out"
t2_exit=$(wall)
echo "$second_out" >&2
echo "$second_out" > "$out-apply2.log"
second_summary=$(grep -E '^cluster .* ready in ' <<<"$second_out" | tail -1)
# Tasks per node from vhpcd's log: the recap line of each node's configuration run (ok counts the
# changed ones too; skipped are the other role's tasks that the free-strategy play skips).
tasks=$(grep -oE "$CLUSTER-[mw]-[0-9]+: ok=[0-9]+ changed=[0-9]+ failed=[0-9]+ unreachable=[0-9]+ skipped=[0-9]+" "$work/vhpcd.log" \
  | awk '{ split($2, ok, "="); split($6, sk, "="); sub(":", "", $1); printf "{\"node\":\"%s\",\"ok\":%s,\"skipped\":%s}\n", $1, ok[2], sk[2] }' | jq -s -c .)
second_json=$(jq -c -n --argjson s "$(elapsed "$t2" "$t2_exit")" --arg line "$second_summary" --argjson tasks "$tasks" \
  '{bench: "apply-vs-baseline", scenario: "second-apply", seconds: $s, summary: $line, tasks_per_node: $tasks}')
echo "$second_json" | tee -a "$jsonl"

log "=== destroy $CLUSTER"
vhpc destroy "$CLUSTER" --yes >&2
stop_vhpcd
left=$(leftovers)
[ -z "$left" ] || die "vhpc destroy left objects behind: $(echo "$left" | paste -sd' ' -)"
destroyed=1
log "nothing named $CLUSTER* is left (domains, networks, pools, pool directory with the console log volumes, bridge)"
load_end=$(loadavg)

summary=$(jq -c -n --argjson c "$bl_cluster" --argjson s "$bl_single" --argjson v "$vhpcd_json" --argjson second "$second_json" \
  --arg l0 "$load_start" --arg l1 "$load_end" --argjson cores "$cores" '
  def r2: (. * 100 | round) / 100;
  def r1: (. * 10 | round) / 10;
  {bench: "apply-vs-baseline", scenario: "summary", guests: $v.guests, vcpus: $v.vcpus, memory_mib: $v.memory_mib, cores: $cores,
   baseline_cluster_all_ready_s: $c.all_ready_s, baseline_single_ready_s: $s.all_ready_s,
   vhpcd_all_ssh_ready_s: $v.all_ready_s, vhpcd_apply_done_s: $v.apply_done_s,
   ratio_vhpcd_over_baseline_cluster: ($v.all_ready_s / $c.all_ready_s | r2),
   ratio_slurm_ready_over_baseline_cluster: ($v.apply_done_s / $c.all_ready_s | r2),
   configuration_after_last_ssh_ready_s: ($v.apply_done_s - $v.all_ready_s | r1),
   second_apply_s: ($second.seconds | r1), second_apply_summary: $second.summary,
   tasks_per_node: ($second.tasks_per_node | map("\(.node) \(.ok) ok/\(.skipped) skipped") | join(", ")),
   ratio_baseline_cluster_over_single: ($c.all_ready_s / $s.all_ready_s | r2),
   ratio_vhpcd_over_single: ($v.all_ready_s / $s.all_ready_s | r2),
   engine_overhead_s: ($v.all_ready_s - $c.all_ready_s | r1),
   vhpcd_all_started_s: $v.all_started_s, baseline_cluster_all_started_s: $c.all_started_s,
   pre_boot_overhead_s: ($v.all_started_s - $c.all_started_s | r1),
   loadavg_start: $l0, loadavg_end: $l1}')
echo "$summary" | tee -a "$jsonl"

table() {
  jq -r -n --argjson m "$summary" --argjson v "$vhpcd_json" '
    def s: tostring + " s";
    def row($what; $value): "  " + ($what + (" " * 50))[0:50] + $value;
    "",
    "apply-vs-baseline: 1 + \($m.guests - 1) nodes, \($m.vcpus) vCPU / \($m.memory_mib) MiB each, TCG, \($m.cores) host cores",
    row("baseline cluster: all \($m.guests) ready (virsh+genisoimage)"; $m.baseline_cluster_all_ready_s | s),
    row("baseline single guest ready"; $m.baseline_single_ready_s | s),
    row("vhpcd apply: all \($m.guests) SSH-ready"; $m.vhpcd_all_ssh_ready_s | s),
    row("vhpcd apply done (Slurm configured)"; $m.vhpcd_apply_done_s | s),
    row("ratio vhpcd SSH-ready / baseline cluster"; $m.ratio_vhpcd_over_baseline_cluster | tostring),
    row("ratio vhpcd Slurm-ready / baseline cluster"; $m.ratio_slurm_ready_over_baseline_cluster | tostring),
    row("configuration after the last SSH-ready"; $m.configuration_after_last_ssh_ready_s | s),
    row("configure step per node (longest, sum)"; "\($v.steps_s.configure.max | s), \($v.steps_s.configure.sum | s)"),
    row("tasks per node (configuration runs)"; $m.tasks_per_node),
    row("second apply, nothing changed"; "\($m.second_apply_s | s): \($m.second_apply_summary)"),
    row("ratio baseline cluster / single"; $m.ratio_baseline_cluster_over_single | tostring),
    row("ratio vhpcd / single"; $m.ratio_vhpcd_over_single | tostring),
    row("engine overhead (vhpcd - baseline cluster)"; $m.engine_overhead_s | s),
    row("pre-boot: all domains running, vhpcd"; "\($v.all_started_s | s) (baseline \($m.baseline_cluster_all_started_s | s), overhead \($m.pre_boot_overhead_s | s))"),
    row("vhpcd phases"; "before first start \($v.phases.pre_boot_s | s), starting \($v.phases.boot_calls_s | s), lease wait \($v.phases.lease_wait_s | s),"),
    row(""; "SSH wait \($v.phases.ssh_wait_s | s), Ansible \($v.phases.ansible_s | s)"),
    row("vhpcd steps (longest per node)"; "plan \($v.steps_s.plan.max | s), base image \($v.steps_s.base_image.max | s), network \($v.steps_s.network.max | s),"),
    row(""; "volume \($v.steps_s.volume.max | s), seed \($v.steps_s.seed.max | s), define \($v.steps_s.define.max | s), boot \($v.steps_s.boot.max | s)"),
    row("load average 1/5/15 min (\($m.cores) cores)"; "start \($m.loadavg_start), end \($m.loadavg_end)")'
}
table | tee "$out.txt"
log "raw output: $jsonl, $out.txt, $out-apply.log, $out-vhpcd.log"
