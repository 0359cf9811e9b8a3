#!/usr/bin/env bash
# vhpcd's resident memory and serving time: the Native AOT vhpcd that deploy/install.sh installs and
# the JIT vhpcd that `dotnet build` makes, each with runtime settings, against the JIT build's
# defaults measured in the same run (interleaved rounds, so machine load drifts over all variants
# alike). Each sample starts vhpcd in the foreground with one cluster on libvirt's in-process test
# driver (test:///default: the engine, the libvirt binding and the event loop are loaded and used, no
# libvirtd and no guest needed), waits until it serves (the socket is bound after READY), idles and
# reads VmRSS ("started"); then runs `vhpc list`, `vhpc plan`, `vhpc status` and `vhpc apply` (what
# a user does first; on the test driver the apply ends at the base image upload, which that driver
# cannot stream), idles and reads VmRSS again ("after commands"), and times `vhpc status` several
# times (the CLI's own start included: what a user waits for). Prints medians with min and max per
# variant, the ratio to the JIT default, the time until vhpcd served, the load average before and
# after, and where the JIT and AOT defaults' memory is (by mapping).
#
#   tests/bench/footprint.sh [rounds]       (default 5; as root; build first: dotnet build -c Release)
# Environment: VHPCD (the JIT vhpcd; default the Release build output), VHPC (the CLI), AOT_VHPCD (the
# Native AOT vhpcd; default: published now with `dotnet publish -r RID`, incremental),
# IDLE_SECONDS (5), STATUS_REPS (5), ONLY (a regex of variant names to run besides the two defaults),
# BASELINE_VHPCD (another build of vhpcd, e.g. of an earlier commit: measured as variant "baseline build").
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-5}
IDLE=${IDLE_SECONDS:-5}
REPS=${STATUS_REPS:-5}
COMMANDS=("list" "plan vfp-bench" "status vfp-bench" "apply vfp-bench")
VHPCD=${VHPCD:-src/Vhpc.Daemon/bin/Release/net10.0/vhpcd}
VHPC=${VHPC:-src/Vhpc.Cli/bin/Release/net10.0/vhpc}
[ -x "$VHPCD" ] && [ -x "$VHPC" ] || { echo "build first: dotnet build Vhpc.Daemon.sln -c Release ($VHPCD, $VHPC)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "run as root (the control socket is given group 0)" >&2; exit 1; }
if [ -z "${AOT_VHPCD:-}" ]; then
  case "$(uname -m)" in x86_64) rid=linux-x64 ;; aarch64) rid=linux-arm64 ;; *) echo "no .NET RID for $(uname -m): set AOT_VHPCD" >&2; exit 1 ;; esac
  echo "publishing the Native AOT vhpcd ($rid; as deploy/install.sh does)" >&2
  dotnet publish src/Vhpc.Daemon/Vhpc.Daemon.csproj -c Release -r "$rid" -p:PublishAot=true --nologo -v quiet >&2
  AOT_VHPCD=src/Vhpc.Daemon/bin/Release/net10.0/$rid/publish/vhpcd
fi
[ -x "$AOT_VHPCD" ] || { echo "no Native AOT vhpcd at $AOT_VHPCD" >&2; exit 1; }

# name|program (jit, aot or a path)|environment (space-separated VAR=VALUE; empty = the defaults)
VARIANTS=(
  "JIT default|jit|"
  "AOT default|aot|"
  "AOT OTLP export on|aot|OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:9"
  "AOT GCgen0size 1 MiB|aot|DOTNET_GCgen0size=0x100000"
  "AOT GCConserveMemory 9|aot|DOTNET_GCConserveMemory=9"
  "AOT GCHeapHardLimit 32 MiB|aot|DOTNET_GCHeapHardLimit=0x2000000"
  "AOT Server GC|aot|DOTNET_gcServer=1"
  "AOT non-concurrent GC|aot|DOTNET_gcConcurrent=0"
  "JIT OTLP export on|jit|OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:9"
  "JIT Server GC|jit|DOTNET_gcServer=1"
  "JIT GCgen0size 1 MiB|jit|DOTNET_GCgen0size=0x100000"
  "JIT GCHeapHardLimit 32 MiB|jit|DOTNET_GCHeapHardLimit=0x2000000"
  "JIT TieredCompilation off|jit|DOTNET_TieredCompilation=0"
  "JIT TieredPGO off|jit|DOTNET_TieredPGO=0"
  "JIT ReadyToRun code off|jit|DOTNET_ReadyToRun=0"
)
[ -n "${BASELINE_VHPCD:-}" ] && VARIANTS+=("baseline build|$BASELINE_VHPCD|")
[ -n "${ONLY:-}" ] && mapfile -t VARIANTS < <(printf '%s\n' "${VARIANTS[@]}" | grep -E "^(JIT default|AOT default|${ONLY})\|")

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

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# sample PROGRAM MAPS ENV... -> "started_kib after_kib served_ms status_ms" (status_ms: median of REPS runs)
sample() {
  local program=$1 maps=$2; shift 2
  # This runs in a subshell of its own: stop this sample's vhpcd whichever way the subshell ends.
  trap '[ -z "$pid" ] || kill -TERM "$pid" 2>/dev/null || true' EXIT
  rm -rf "$work/state"/* "$work/pool" "$socket"
  local t0; t0=$(now_ms)
  env "$@" "$program" "${args[@]}" >"$work/vhpcd.log" 2>&1 &
  pid=$!
  for _ in $(seq 3000); do [ -S "$socket" ] && break; sleep 0.01; done
  local served=$(( $(now_ms) - t0 ))
  [ -S "$socket" ] || { cat "$work/vhpcd.log" >&2; echo "vhpcd did not start ($program $*)" >&2; exit 1; }
  sleep "$IDLE"
  local started; started=$(rss_kib "$pid")
  local command
  for command in "${COMMANDS[@]}"; do
    # shellcheck disable=SC2086 # the words are the command line
    VHPC_SOCKET=$socket "$VHPC" $command >"$work/vhpc.out" 2>&1 || true
  done
  grep -q 'virStorageVolUpload' "$work/vhpc.out" \
    || { cat "$work/vhpc.out" >&2; echo "the apply did not reach the base image upload ($program $*)" >&2; exit 1; }
  local times=() i t
  for i in $(seq "$REPS"); do
    t=$(now_ms)
    VHPC_SOCKET=$socket "$VHPC" status vfp-bench >/dev/null 2>&1 || { echo "vhpc status failed ($program $*)" >&2; exit 1; }
    times+=($(( $(now_ms) - t )))
  done
  sleep "$IDLE"
  local after; after=$(rss_kib "$pid")
  if [ -n "$maps" ]; then
    # Resident KiB per mapping (file, or [anon]/[heap]), largest first.
    awk '/^[0-9a-f]+-[0-9a-f]+ / {f = (NF >= 6) ? $6 : "[anon]"} /^Rss:/ {r[f] += $2}
         END {for (f in r) printf "%8.1f MiB  %s\n", r[f] / 1024, f}' "/proc/$pid/smaps" | sort -rn | head -12 >"$maps"
    { grep -o '[^/]*\.dll$' "/proc/$pid/maps" || true; } | sort -u >"$maps.dll"
  fi
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; pid=
  echo "$started $after $served $(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"
}

declare -A started after served latency
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "footprint: $ROUNDS rounds of ${#VARIANTS[@]} variants, ${IDLE} s idle before each reading, $REPS timed vhpc status; load average $load_before" >&2
for round in $(seq "$ROUNDS"); do
  # Rotate the order every round so no variant always follows another.
  for i in $(seq 0 $((${#VARIANTS[@]} - 1))); do
    v=${VARIANTS[$(( (i + round) % ${#VARIANTS[@]} ))]}
    IFS='|' read -r name program environment <<<"$v"
    case $program in jit) program=$VHPCD ;; aot) program=$AOT_VHPCD ;; esac
    maps=
    if [ "$round" -eq 1 ]; then case $name in "JIT default") maps=$work/jit.maps ;; "AOT default") maps=$work/aot.maps ;; esac; fi
    # shellcheck disable=SC2086 # VAR=VALUE words
    read -r s a ms lat < <(sample "$program" "$maps" $environment) || true
    [ -n "${lat:-}" ] || { echo "sample '$name' failed (see above)" >&2; exit 1; }
    started[$name]="${started[$name]:-} $s" after[$name]="${after[$name]:-} $a" served[$name]="${served[$name]:-} $ms" latency[$name]="${latency[$name]:-} $lat"
    echo "  round $round: $name started $((s / 1024)) MiB, after commands $((a / 1024)) MiB, served after $ms ms, vhpc status $lat ms (load $(cut -d' ' -f1 /proc/loadavg))" >&2
  done
done

# median, min, max of a list of numbers
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; print m}'; }
lo() { tr ' ' '\n' | grep . | sort -n | head -1; }
hi() { tr ' ' '\n' | grep . | sort -n | tail -1; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
base_s=$(echo "${started[JIT default]}" | median) base_a=$(echo "${after[JIT default]}" | median)
printf '\n| variant | started (median, min-max) | after list/plan/status/apply | vs JIT default | served after | vhpc status |\n|---|---|---|---|---|---|\n'
for v in "${VARIANTS[@]}"; do
  name=${v%%|*}
  ms=$(echo "${started[$name]}" | median) ma=$(echo "${after[$name]}" | median)
  printf '| %s | %s MiB (%s-%s) | %s MiB (%s-%s) | %s / %s | %s ms | %s ms |\n' "$name" \
    "$(mib "$ms")" "$(mib "$(echo "${started[$name]}" | lo)")" "$(mib "$(echo "${started[$name]}" | hi)")" \
    "$(mib "$ma")" "$(mib "$(echo "${after[$name]}" | lo)")" "$(mib "$(echo "${after[$name]}" | hi)")" \
    "$(awk -v a="$ms" -v b="$base_s" 'BEGIN {printf "%.2fx (%+.1f MiB)", a / b, (a - b) / 1024}')" \
    "$(awk -v a="$ma" -v b="$base_a" 'BEGIN {printf "%.2fx (%+.1f MiB)", a / b, (a - b) / 1024}')" \
    "$(echo "${served[$name]}" | median)" "$(echo "${latency[$name]}" | median)"
done
for kind in jit aot; do
  [ -f "$work/$kind.maps" ] || continue
  echo
  echo "where the ${kind^^} default's memory was after the commands (resident, by mapping):"
  cat "$work/$kind.maps"
  echo "managed assemblies mapped: $(wc -l <"$work/$kind.maps.dll")"
done
echo "load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)"
