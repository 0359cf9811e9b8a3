#!/usr/bin/env bash
# How much of a guest's memory its kernel reports, against the RealMemory that slurm.conf gives a
# node of that size (deploy/ansible/roles/slurm_controller: RealMemory from the spec's memoryMiB).
# slurmd drains a node whose memory is below its RealMemory ("Low RealMemory"), so the rule must stay
# below what slurmd sees (`slurmd -C`, from MemTotal) for every size. Boots one guest per size from
# the image at once (plain virsh, tests/env/guest-lib.sh), reads /proc/meminfo and `slurmd -C`,
# prints a table with the margin, removes the guests. Exits 1 if a margin is not positive.
# Usage: sudo flock /run/vhpc-guests.lock tests/bench/memtotal.sh [MIB...]   (default 1024 1536 2048)
# Needs tests/env/up.sh and the role image (VHPC_TEST_IMAGE_DIR, default /var/cache/vhpc/images/current).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=tests/env/guest-lib.sh
. "$HERE/../env/guest-lib.sh"

NET=vti-mem BRIDGE=vti-mem0 PREFIX=10.204.8
CMDLINE="$CMDLINE no_timer_check"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1024 1536 2048)
for s in "${sizes[@]}"; do [[ $s =~ ^[0-9]+$ ]] && [ "$s" -ge 256 ] || die "sizes are MiB, at least 256 (got '$s')"; done
require_env
image=$(guest_image_dir)
defaults=$ROOT/deploy/ansible/roles/slurm_controller/defaults/main.yml
percent=$(sed -n 's/^slurm_controller_memory_reserve_percent: *//p' "$defaults")
reserve=$(sed -n 's/^slurm_controller_memory_reserve_mib: *//p' "$defaults")
[ -n "$percent" ] && [ -n "$reserve" ] || die "no memory reserve settings in $defaults"
work=$(mktemp -d /var/tmp/vti-mem.XXXXXX)
chmod 0755 "$work"
names=()
cleanup() { for n in "${names[@]}"; do domain_remove "$n"; done; net_remove "$NET"; rm -rf "$work"; }
trap cleanup EXIT
ssh-keygen -q -t ed25519 -N '' -C vti-mem -f "$work/id_ed25519"
net_create "$NET" "$BRIDGE" "$PREFIX"

i=0
for s in "${sizes[@]}"; do
  i=$((i + 1))
  name=vti-mem-$s mac=$(printf '52:54:00:cc:08:%02x' "$i")
  names+=("$name")
  mkdir -p "$work/$name" && chmod 0755 "$work/$name"
  seed_create "$work/$name" "$name" "$work/id_ed25519.pub"
  domain_create "$name" "$work/$name" "$image" "$NET" "$mac" 1 "$s"
done
log "started ${names[*]} from $image"

printf '%-10s %12s %14s %16s %8s\n' "memoryMiB" "MemTotal MiB" "slurmd -C MiB" "RealMemory rule" "margin"
bad=0 i=0
for s in "${sizes[@]}"; do
  i=$((i + 1))
  name=vti-mem-$s mac=$(printf '52:54:00:cc:08:%02x' "$i")
  ip=$(wait_lease "$NET" "$mac" "$name" "$work/$name" 900)
  wait_ssh "$work/id_ed25519" "$ip" "$name" "$work/$name" 900
  memtotal_kib=$(guest_ssh "$work/id_ed25519" "$ip" "awk '/^MemTotal:/ {print \$2}' /proc/meminfo" </dev/null)
  slurmd_mib=$(guest_ssh "$work/id_ed25519" "$ip" "/usr/sbin/slurmd -C 2>/dev/null | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p'" </dev/null)
  rule=$(( (s * (100 - percent) / 100 - reserve) / 16 * 16 ))
  seen=${slurmd_mib:-$((memtotal_kib / 1024))}
  margin=$((seen - rule))
  printf '%-10s %12s %14s %16s %8s\n' "$s" "$((memtotal_kib / 1024))" "${slurmd_mib:-n/a}" "$rule" "$margin"
  [ "$margin" -gt 0 ] || bad=1
done
echo "rule: RealMemory = (memoryMiB * (100 - $percent) / 100 - $reserve) rounded down to 16 MiB; load $(cut -d' ' -f1-3 /proc/loadavg)"
[ "$bad" -eq 0 ] || die "a RealMemory above what slurmd sees: a node of that size would be drained"
