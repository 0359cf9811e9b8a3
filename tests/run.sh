#!/usr/bin/env bash
# THE test command: `sudo tests/run.sh` on a Debian 12 machine (root).
#   1. tests/env/up.sh: Debian packages, network namespace vhpc-test, virtlogd + libvirtd in it;
#   2. builds the solution once, outside the namespace (restore needs the network);
#   3. builds the guest images (cached by recipe: deploy/image/build-image.sh, build-tiny.sh);
#   4. runs every test project with `dotnet test --no-build` inside the namespace (tests open TCP
#      to guests, which only exist there; the libvirt socket is reachable from it too);
#   5. prints per-project results and, as the very last line, "N passed, N failed[, N skipped]".
# Exits non-zero if a step fails, any test failed or was skipped, or a test project ran zero tests.
#
# Usage: tests/run.sh [options] [project...]
#   project: libvirt seed engine daemon e2e (default: all), or "unit" = seed engine
#   --no-e2e        leave out Vhpc.EndToEnd.Tests
#   --no-build      do not build the solution (use the last Release build)
#   --boot-check    also boot one image guest with plain virsh (tests/env/boot-check.sh)
#   --filter EXPR   passed to dotnet test --filter
# VHPC_IMAGE_CACHE (default /var/cache/vhpc/images) is where the images are built and taken from.
# Environment for the tests: VHPC_TEST_IMAGE_DIR, VHPC_TEST_TINY_DIR, VHPC_TEST_NETNS,
# VHPC_TEST_LIBVIRT_URI, VHPC_TEST_REPO_ROOT, VHPC_TEST_RESULTS_DIR (exported below).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
NETNS=${VHPC_NETNS:-vhpc-test}
ALL=(libvirt seed engine daemon e2e)
declare -A PROJECT=([libvirt]=Vhpc.Libvirt.Tests [seed]=Vhpc.Seed.Tests [engine]=Vhpc.Engine.Tests
  [daemon]=Vhpc.Daemon.Tests [e2e]=Vhpc.EndToEnd.Tests)

die() { echo "tests/run.sh: $*" >&2; exit 2; }
step() { echo; echo "=== $* ($(date +%T))"; }

selected=() no_e2e=0 build=1 boot_check=0 filter=
while [ $# -gt 0 ]; do
  case $1 in
    --no-e2e) no_e2e=1 ;;
    --no-build) build=0 ;;
    --boot-check) boot_check=1 ;;
    --filter) [ $# -ge 2 ] || die "--filter needs an expression"; filter=$2; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    unit) selected+=(seed engine) ;;
    libvirt|seed|engine|daemon|e2e) selected+=("$1") ;;
    *) die "unknown argument '$1' (projects: ${ALL[*]} unit; options: --no-e2e --no-build --boot-check --filter EXPR)" ;;
  esac
  shift
done
[ ${#selected[@]} -gt 0 ] || selected=("${ALL[@]}")
if [ "$no_e2e" -eq 1 ]; then
  keep=(); for p in "${selected[@]}"; do [ "$p" = e2e ] || keep+=("$p"); done; selected=("${keep[@]}")
fi
[ ${#selected[@]} -gt 0 ] || die "no test project selected"
mapfile -t selected < <(printf '%s\n' "${selected[@]}" | awk '!seen[$0]++')
[ "$(id -u)" -eq 0 ] || die "must run as root (it starts libvirtd in a network namespace): sudo tests/run.sh"
command -v dotnet >/dev/null || die "the .NET 10 SDK is not installed (dotnet not on PATH)"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
t_start=$(date +%s)

step "test environment (tests/env/up.sh)"
tests/env/up.sh

if [ "$build" -eq 1 ]; then
  step "build (dotnet build Vhpc.Daemon.sln -c Release)"
  t0=$(date +%s)
  dotnet build Vhpc.Daemon.sln -c Release -nologo -v minimal
  echo "build: $(( $(date +%s) - t0 )) s"
fi

step "guest images (cached by recipe)"
t0=$(date +%s)
deploy/image/build-image.sh
deploy/image/build-tiny.sh
echo "images: $(( $(date +%s) - t0 )) s"

# The images just built (VHPC_IMAGE_CACHE moves both, e.g. to a private cache while developing).
IMAGE_CACHE=${VHPC_IMAGE_CACHE:-/var/cache/vhpc/images}
export VHPC_TEST_IMAGE_DIR=${VHPC_TEST_IMAGE_DIR:-$IMAGE_CACHE/current}
export VHPC_TEST_TINY_DIR=${VHPC_TEST_TINY_DIR:-$IMAGE_CACHE/tiny-current}
export VHPC_TEST_NETNS=$NETNS
export VHPC_TEST_LIBVIRT_URI=${VHPC_TEST_LIBVIRT_URI:-qemu:///system}
export VHPC_TEST_REPO_ROOT=$ROOT
RESULTS=${VHPC_TEST_RESULTS_DIR:-$ROOT/TestResults}
export VHPC_TEST_RESULTS_DIR=$RESULTS
rm -rf "$RESULTS"
mkdir -p "$RESULTS"

env_failed=0
step "tiny guest boot check (tests/env/tiny-check.sh)"
tests/env/tiny-check.sh || env_failed=1
if [ "$boot_check" -eq 1 ]; then
  step "image guest boot check (tests/env/boot-check.sh)"
  tests/env/boot-check.sh || env_failed=1
fi

# counts FILE -> "total passed failed skipped" from a trx file's test results (its <Counters> leave
# skipped tests out: xunit skips are UnitTestResults with outcome NotExecuted).
counts() {
  python3 - "$1" <<'PY'
import sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
results = ET.parse(sys.argv[1]).getroot().findall("t:Results//t:UnitTestResult", ns)
outcomes = [r.get("outcome", "") for r in results]
passed = outcomes.count("Passed")
skipped = outcomes.count("NotExecuted")
print(len(outcomes), passed, len(outcomes) - passed - skipped, skipped)
PY
}

# failures FILE -> one line per failed test: its name and the first line of its message.
failures() {
  python3 - "$1" <<'PY'
import sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
for r in ET.parse(sys.argv[1]).getroot().findall("t:Results//t:UnitTestResult", ns):
    if r.get("outcome") in ("Passed", "NotExecuted"):
        continue
    message = r.findtext("t:Output/t:ErrorInfo/t:Message", default="", namespaces=ns).strip()
    first = message.splitlines()[0][:300] if message else "(no message)"
    print(f"  {r.get('testName')} [{r.get('outcome')}]: {first}")
PY
}

passed=0 failed=0 skipped=0 broken=() failed_tests=()
summary=()
for key in "${selected[@]}"; do
  name=${PROJECT[$key]}
  proj=tests/$name/$name.csproj
  step "$name"
  [ -f "$proj" ] || { broken+=("$name: project missing"); continue; }
  trx=$RESULTS/$name.trx
  args=(test "$proj" --no-build -c Release --nologo --results-directory "$RESULTS"
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal"
    --blame-hang-timeout "${VHPC_TEST_HANG_TIMEOUT:-30m}" --blame-hang-dump-type none)
  [ -n "$filter" ] && args+=(--filter "$filter")
  t0=$(date +%s)
  rc=0
  ip netns exec "$NETNS" dotnet "${args[@]}" || rc=$?
  secs=$(( $(date +%s) - t0 ))
  if [ ! -f "$trx" ]; then
    broken+=("$name: no results (dotnet test exit $rc)")
    summary+=("$(printf '%-22s no results, exit %s, %ss' "$name" "$rc" "$secs")")
    continue
  fi
  if ! read -r total p f s < <(counts "$trx"); then
    broken+=("$name: unreadable results $trx")
    continue
  fi
  passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
  [ "$f" -eq 0 ] || failed_tests+=("$(failures "$trx")")
  summary+=("$(printf '%-22s %4d passed %4d failed %4d skipped  %5ss' "$name" "$p" "$f" "$s" "$secs")")
  # With --filter a project may legitimately match nothing; a full run must run something everywhere.
  [ "$total" -gt 0 ] || [ -n "$filter" ] || broken+=("$name: ran zero tests")
  [ "$rc" -eq 0 ] || [ "$f" -gt 0 ] || broken+=("$name: dotnet test exit $rc")
done

step "summary ($(( $(date +%s) - t_start )) s in all; results in $RESULTS)"
for line in "${summary[@]}"; do echo "$line"; done
[ "$env_failed" -eq 0 ] || broken+=("environment boot check failed (see above)")
[ "$skipped" -eq 0 ] || broken+=("$skipped tests skipped: no test may skip (a missing dependency must fail)")
for b in "${broken[@]}"; do echo "FAILED: $b"; done
if [ ${#failed_tests[@]} -gt 0 ]; then
  echo "failed tests:"
  for t in "${failed_tests[@]}"; do echo "$t"; done
fi
line="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
echo "$line"
[ "$failed" -eq 0 ] && [ ${#broken[@]} -eq 0 ]
