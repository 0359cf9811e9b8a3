#!/usr/bin/env bash
# Issue 5's baseline: how long a plain script (virsh + genisoimage + qemu-img, in parallel) takes to
# bring guests from "start" to "all SSH-ready" (SSH accepts the key, `cloud-init status --wait` says
# done, hostname right) in the sandboxed libvirtd. Two scenarios, run one after the other:
#   cluster: 4 guests (1 management + 3 workers) started together;  single: one guest alone.
# tests/bench/apply-vs-baseline.sh runs this and then vhpcd's apply of the same shape, back to back.
# The guests match what vhpcd defines: same image, direct kernel boot with the same kernel command line
# (incl. no_timer_check), q35, virtio disk, seed on SATA, TCG with <cpu mode='maximum'/>.
# Usage: sudo tests/bench/boot-baseline.sh [--only cluster|single] [--guests N] [--output FILE]
#   --guests N: the cluster scenario starts N guests (1..4, default 4; a cheaper shape for trying out).
# Environment: VHPC_BENCH_VCPUS (default 2), VHPC_BENCH_MEMORY_MIB (default 2048): the engine's
# defaults, so that both sides boot the same machines; VHPC_TEST_IMAGE_DIR (default
# /var/cache/vhpc/images/current).
# Output: human progress on stderr; one JSON object per scenario on stdout (and appended to FILE),
# e.g. {"bench":"boot-baseline","scenario":"cluster","guests":4,"vcpus":2,"memory_mib":2048,
#       "all_ready_s":151.2,"all_started_s":1.9,
#       "nodes":[{"name":"vti-b-mgmt","started_s":..,"lease_s":..,"ssh_s":..,"ready_s":..},..]}
# started_s: seed (genisoimage) + overlay (qemu-img) + define + start done, i.e. the domain runs.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/env/guest-lib.sh
. "$HERE/../env/guest-lib.sh"

NET=vti-bench BRIDGE=vti-bench0 PREFIX=10.204.2
VCPUS=${VHPC_BENCH_VCPUS:-2} MEM=${VHPC_BENCH_MEMORY_MIB:-2048}
TIMEOUT=${VHPC_BENCH_TIMEOUT:-900}
# vhpcd's demo and bench specs boot with no_timer_check (under TCG on a loaded host the kernel can
# otherwise panic with "IO-APIC + timer doesn't work"); the baseline boots the same command line.
CMDLINE="$CMDLINE no_timer_check"
only= output= guests=4
while [ $# -gt 0 ]; do
  case $1 in
    --only) only=$2; shift ;;
    --guests) guests=$2; shift ;;
    --output) output=$2; shift ;;
    *) die "unknown argument '$1' (--only cluster|single, --guests N, --output FILE)" ;;
  esac
  shift
done
case $guests in 1|2|3|4) ;; *) die "--guests must be 1..4 (got '$guests')" ;; esac
case $only in ""|cluster|single) ;; *) die "--only must be cluster or single (got '$only')" ;; esac

require_env
image=$(guest_image_dir)
work=$(mktemp -d /var/tmp/vti-bench.XXXXXX)
chmod 0755 "$work"
ALL_NAMES=(vti-b-mgmt vti-b-w1 vti-b-w2 vti-b-w3 vti-b-single)
cleanup() {
  for n in "${ALL_NAMES[@]}"; do domain_remove "$n"; done
  net_remove "$NET"
  rm -rf "$work"
}
trap cleanup EXIT
ssh-keygen -q -t ed25519 -N '' -C vti-bench -f "$work/id_ed25519"
net_create "$NET" "$BRIDGE" "$PREFIX"

# One guest from nothing to ready, timed from the common start t0; writes NAME.result.
bring_up() {
  local name=$1 mac=$2 t0=$3 dir=$work/$1 ip t_started t_lease t_ssh t_ready
  mkdir -p "$dir" && chmod 0755 "$dir"
  seed_create "$dir" "$name" "$work/id_ed25519.pub"
  domain_create "$name" "$dir" "$image" "$NET" "$mac" "$VCPUS" "$MEM"; t_started=$(now)
  ip=$(wait_lease "$NET" "$mac" "$name" "$dir" "$TIMEOUT"); t_lease=$(now)
  wait_ssh "$work/id_ed25519" "$ip" "$name" "$dir" "$TIMEOUT"; t_ssh=$(now)
  check_ready "$work/id_ed25519" "$ip" "$name" "$dir"; t_ready=$(now)
  log "$name ready ($ip): lease $(elapsed "$t0" "$t_lease") s, ssh $(elapsed "$t0" "$t_ssh") s, ready $(elapsed "$t0" "$t_ready") s"
  printf '{"name":"%s","ip":"%s","started_s":%s,"lease_s":%s,"ssh_s":%s,"ready_s":%s}\n' "$name" "$ip" \
    "$(elapsed "$t0" "$t_started")" "$(elapsed "$t0" "$t_lease")" "$(elapsed "$t0" "$t_ssh")" "$(elapsed "$t0" "$t_ready")" > "$work/$name.result"
}

# scenario NAME GUEST... (each GUEST is name=mac): all started at once; prints the JSON line.
scenario() {
  local label=$1; shift
  local pids=() names=() t0 t_end failed=0 g nodes json started
  log "scenario $label: ${#@} guest(s), $VCPUS vCPU, $MEM MiB each"
  t0=$(now)
  for g in "$@"; do
    names+=("${g%%=*}")
    bring_up "${g%%=*}" "${g#*=}" "$t0" & pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || failed=1; done
  t_end=$(now)
  [ "$failed" -eq 0 ] || die "scenario $label: a guest did not become ready (see above)"
  nodes=$(for n in "${names[@]}"; do cat "$work/$n.result"; done | paste -sd, -)
  started=$(for n in "${names[@]}"; do sed 's/.*"started_s":\([0-9.]*\).*/\1/' "$work/$n.result"; done | sort -g | tail -n1)
  json=$(printf '{"bench":"boot-baseline","scenario":"%s","guests":%d,"vcpus":%d,"memory_mib":%d,"all_ready_s":%s,"all_started_s":%s,"nodes":[%s]}' \
    "$label" "${#names[@]}" "$VCPUS" "$MEM" "$(elapsed "$t0" "$t_end")" "$started" "$nodes")
  echo "$json"
  [ -z "$output" ] || echo "$json" >> "$output"
  for n in "${names[@]}"; do domain_remove "$n"; done
}

if [ -z "$only" ] || [ "$only" = cluster ]; then
  cluster=(vti-b-mgmt=52:54:00:cc:02:01 vti-b-w1=52:54:00:cc:02:02 vti-b-w2=52:54:00:cc:02:03 vti-b-w3=52:54:00:cc:02:04)
  scenario cluster "${cluster[@]:0:$guests}"
fi
if [ -z "$only" ] || [ "$only" = single ]; then
  scenario single vti-b-single=52:54:00:cc:02:11
fi
