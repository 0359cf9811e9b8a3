#!/usr/bin/env bash
# vhpcd's resident memory when idle, per runtime setting, against the current default measured in the
# same run (interleaved rounds, so machine load drifts over all variants alike). Each sample starts
# vhpcd in the foreground with one cluster on libvirt's in-process test driver (test:///default: the
# engine, the libvirt binding and the event loop are loaded and used, no libvirtd needed), waits
# until it serves, runs `vhpc list`, `vhpc plan`, `vhpc status` and `vhpc apply` (what a user does
# first; on the test driver the apply ends at the base image upload, which that driver cannot
# stream), lets it idle, and reads VmRSS (and its anonymous, file and shared parts) from /proc. Prints
# median, min and max per variant, the difference to the default and the time until vhpcd served,
# plus where the default run's memory is (by mapping) and the assemblies it had loaded.
#
#   tests/bench/footprint.sh [rounds]       (default 5; as root; build first: dotnet build -c Release)
# Environment: VHPCD / VHPC (the built programs; default the Release build output), IDLE_SECONDS (5),
# SCENARIO (applied, the default, or started: see below),
# BASELINE_VHPCD (another build of vhpcd, e.g. of an earlier commit: measured as variant "baseline
# build"), ONLY (a regex of variant names to run besides the default).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-5}
IDLE=${IDLE_SECONDS:-5}
# SCENARIO=started: vhpcd started with its cluster loaded and libvirt answered, one `vhpc list`;
# SCENARIO=applied (default): also plan, status and an apply of the cluster on the test driver.
SCENARIO=${SCENARIO:-applied}
case $SCENARIO in
  started) COMMANDS=("list") ;;
  applied) COMMANDS=("list" "plan vfp-bench" "status vfp-bench" "apply vfp-bench") ;;
  *) echo "SCENARIO is started or applied" >&2; exit 2 ;;
esac
VHPCD=${VHPCD:-src/Vhpc.Daemon/bin/Release/net10.0/vhpcd}
VHPC=${VHPC:-src/Vhpc.Cli/bin/Release/net10.0/vhpc}
[ -x "$VHPCD" ] && [ -x "$VHPC" ] || { echo "build first: dotnet build Vhpc.Daemon.sln -c Release ($VHPCD, $VHPC)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "run as root (the control socket is given group 0)" >&2; exit 1; }

# name|environment (space-separated VAR=VALUE; empty = the shipped defaults)
VARIANTS=(
  "default|"
  "Server GC|DOTNET_gcServer=1"
  "non-concurrent GC|DOTNET_gcConcurrent=0"
  "GCgen0size 1 MiB|DOTNET_GCgen0size=0x100000"
  "GCConserveMemory 9|DOTNET_GCConserveMemory=9"
  "GCHeapHardLimit 32 MiB|DOTNET_GCHeapHardLimit=0x2000000"
  "TieredCompilation off|DOTNET_TieredCompilation=0"
  "TieredPGO off|DOTNET_TieredPGO=0"
  "QuickJit off|DOTNET_TC_QuickJit=0"
  "TieredPGO and QuickJitForLoops off|DOTNET_TieredPGO=0 DOTNET_TC_QuickJitForLoops=0"
  "ReadyToRun code off|DOTNET_ReadyToRun=0"
  "W^X off|DOTNET_EnableWriteXorExecute=0"
  "OTLP export on|OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:9"
)
[ -n "${BASELINE_VHPCD:-}" ] && VARIANTS+=("baseline build|VHPCD_PROGRAM=$BASELINE_VHPCD")
[ -n "${ONLY:-}" ] && mapfile -t VARIANTS < <(printf '%s\n' "${VARIANTS[@]}" | grep -E "^(default|${ONLY})\|")

work=$(mktemp -d /tmp/vhpc-footprint.XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
mkdir -p "$work/clusters.d" "$work/state" "$work/run"
image=$work/base.qcow2
printf 'footprint' >"$image"
cat >"$work/clusters.d/bench.yaml" <<YAML
name: vfp-bench
domain: bench.test
connect: test:///default
image: { source: $image, sha256: $(sha256sum "$image" | cut -d' ' -f1), osFamily: Debian }
pool: { name: vfp-bench, path: $work/pool }
network: { name: vfp-bench-net, cidr: 10.210.1.0/24 }
user: { name: vhpc }
management: { count: 1, vcpu: 1, memoryMiB: 512, diskGiB: 1 }
workers: { count: 2, vcpu: 1, memoryMiB: 512, diskGiB: 1 }
vm: { accelerator: qemu, graphics: none }
YAML
echo '{ "Guests": { "WaitForSsh": false, "LeaseTimeout": "00:00:01" } }' >"$work/vhpcd.json"
socket=$work/run/vhpcd.sock
args=(--config "$work/vhpcd.json" --clusters-dir "$work/clusters.d" --state-dir "$work/state"
  --socket "$socket" --socket-group 0 --log-target console)

# sample ENV... -> prints "VmRSS RssAnon RssFile RssShmem" in KiB and the milliseconds until vhpcd served
sample() {
  rm -rf "$work/state"/* "$work/pool" "$socket"
  local program=$VHPCD v
  for v in "$@"; do case $v in VHPCD_PROGRAM=*) program=${v#VHPCD_PROGRAM=} ;; esac; done
  local t0; t0=$(date +%s%N)
  env "$@" "$program" "${args[@]}" >"$work/vhpcd.log" 2>&1 &
  pid=$!
  for _ in $(seq 3000); do [ -S "$socket" ] && break; sleep 0.01; done
  local served=$(( ($(date +%s%N) - t0) / 1000000 ))
  [ -S "$socket" ] || { cat "$work/vhpcd.log" >&2; echo "vhpcd did not start ($*)" >&2; exit 1; }
  local command
  for command in "${COMMANDS[@]}"; do
    # shellcheck disable=SC2086 # the words are the command line
    VHPC_SOCKET=$socket "$VHPC" $command >/dev/null 2>&1 || true
  done
  sleep "$IDLE"
  echo "$(awk '/^(VmRSS|RssAnon|RssFile|RssShmem):/ {printf "%s ", $2}' "/proc/$pid/status")$served"
  if [ -n "${MAPS:-}" ]; then
    grep -o '[^/]*\.dll$' "/proc/$pid/maps" | sort -u >"$MAPS"
    # Resident KiB per mapping (file, or [anon]/[heap]), largest first.
    awk '/^[0-9a-f]+-[0-9a-f]+ / {f = (NF >= 6) ? $6 : "[anon]"} /^Rss:/ {r[f] += $2}
         END {for (f in r) printf "%8.1f MiB  %s\n", r[f] / 1024, f}' "/proc/$pid/smaps" | sort -rn | head -15 >"$MAPS.rss"
  fi
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; pid=
}

declare -A rss parts start
echo "footprint ($SCENARIO): $ROUNDS rounds of ${#VARIANTS[@]} variants, ${IDLE} s idle each; load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for round in $(seq "$ROUNDS"); do
  # Rotate the order every round so no variant always follows another.
  for i in $(seq 0 $((${#VARIANTS[@]} - 1))); do
    v=${VARIANTS[$(( (i + round) % ${#VARIANTS[@]} ))]}
    name=${v%%|*} environment=${v#*|}
    maps=; [ "$name" = default ] && [ "$round" -eq 1 ] && maps=$work/assemblies
    # shellcheck disable=SC2086 # VAR=VALUE words
    read -r kib anon file shmem ms < <(MAPS=$maps sample $environment)
    rss[$name]="${rss[$name]:-} $kib" parts[$name]="${parts[$name]:-} $anon/$file/$shmem" start[$name]="${start[$name]:-} $ms"
    echo "  round $round: $name $((kib / 1024)) MiB (anon $((anon / 1024)), file $((file / 1024)), shared $((shmem / 1024))), served after $ms ms" >&2
  done
done

median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.1f", m / 1024}'; }
base=$(echo "${rss[default]}" | median)
printf '\n| variant | median RSS | min | max | vs default | anon/file/shared (last) | served after (median) |\n|---|---|---|---|---|---|---|\n'
for v in "${VARIANTS[@]}"; do
  name=${v%%|*}
  m=$(echo "${rss[$name]}" | median)
  lo=$(echo "${rss[$name]}" | tr ' ' '\n' | grep . | sort -n | head -1)
  hi=$(echo "${rss[$name]}" | tr ' ' '\n' | grep . | sort -n | tail -1)
  last=$(echo "${parts[$name]}" | tr ' ' '\n' | grep . | tail -1 | awk -F/ '{printf "%.0f/%.0f/%.0f MiB", $1/1024, $2/1024, $3/1024}')
  ms=$(echo "${start[$name]}" | tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  printf '| %s | %s MiB | %.1f | %.1f | %+.1f MiB | %s | %s ms |\n' "$name" "$m" "$(echo "$lo / 1024" | bc -l)" "$(echo "$hi / 1024" | bc -l)" "$(echo "$m - $base" | bc -l)" "$last" "$ms"
done
echo
echo "where the default run's memory was (resident, by mapping):"
cat "$work/assemblies.rss"
echo
echo "assemblies loaded by the default run ($(wc -l <"$work/assemblies")): $(tr '\n' ' ' <"$work/assemblies")"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
