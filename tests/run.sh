#!/usr/bin/env bash
# THE test command: `sudo tests/run.sh` on a Debian 12 machine runs every tier; `tests/run.sh unit`
# runs the hermetic tier as any user. Each test carries one tier (trait Tier, see
# tests/Vhpc.Testing/TestTier.cs); a tier runs its tests with `dotnet test --filter Tier=<tier>`
# in every project that has some, and tells them which tier runs (VHPC_TEST_TIER), so a test that
# needs more than its tier fails with what to change.
#   unit      hermetic: no root, no libvirtd, no network namespace, no guests (libvirt's in-process
#             test driver, local tools, loopback sockets). Runs as any user; as root it runs in a
#             mount and network namespace of its own with libvirt's sockets hidden.
#   libvirtd  tests/env/up.sh's environment: root, namespace vhpc-test and its libvirtd, private
#             libvirtds, sshd and `ip netns`; no guest boots.
#   guests    boots guests: the tiny image and the Debian image (both built first, cached by recipe).
#   systemd   vhpcd installed with deploy/install.sh in a container booting a real systemd
#             (tests/systemd/, systemd-nspawn) that runs its own libvirtd and tiny guests.
#   e2e       the whole product against a 1 + 3 Slurm cluster.
# The tiers above unit run as root inside namespace vhpc-test (tests open TCP connections to guests),
# except systemd: `ip netns exec` remounts /sys without the cgroup hierarchies nspawn needs, and the
# container brings its own network namespace for its guests.
# The last line is "N passed, N failed[, N skipped]"; exits non-zero if a step fails, a test failed
# or was skipped, or a project ran zero tests of its tier.
#
# Usage: tests/run.sh [options] [tier...]        (default: unit libvirtd guests systemd e2e)
#   --project NAME  only these test projects (repeatable): architecture posix libvirt seed engine daemon systemd e2e
#   --no-e2e        leave out the e2e tier
#   --no-build      do not build (use the last Release build)
#   --boot-check    also boot one image guest with plain virsh (tests/env/boot-check.sh) before the guests tier
#   --filter EXPR   more dotnet test filter, joined to the tier's with &
# Environment: VHPC_TEST_RESULTS_DIR (default TestResults/), VHPC_TEST_HANG_TIMEOUT (default 60m: the e2e test runs ~32 min under TCG).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=deploy/lib/common.sh
. "$ROOT/deploy/lib/common.sh"
cd "$ROOT"
VHPC_SCRIPT=tests/run.sh DIE_STATUS=2

TIERS=(unit libvirtd guests systemd e2e)
declare -A PROJECT=([architecture]=Vhpc.Architecture.Tests [posix]=Vhpc.Posix.Tests [libvirt]=Vhpc.Libvirt.Tests
  [seed]=Vhpc.Seed.Tests [engine]=Vhpc.Engine.Tests [daemon]=Vhpc.Daemon.Tests [systemd]=Vhpc.Systemd.Tests [e2e]=Vhpc.EndToEnd.Tests)
# Which projects hold tests of which tier (a project listed here must run at least one of them).
# (unit: longest first, as they run side by side.)
declare -A TIER_PROJECTS=([unit]="engine daemon seed libvirt posix architecture" [libvirtd]="libvirt engine daemon"
  [guests]="libvirt engine daemon" [systemd]="systemd" [e2e]="e2e")

tiers=() projects=() no_e2e=0 build=1 boot_check=0 filter=
while [ $# -gt 0 ]; do
  case $1 in
    --no-e2e) no_e2e=1 ;;
    --no-build) build=0 ;;
    --boot-check) boot_check=1 ;;
    --filter) [ $# -ge 2 ] || die "--filter needs an expression"; filter=$2; shift ;;
    --project) [ $# -ge 2 ] && [ -n "${PROJECT[$2]:-}" ] || die "--project needs one of: ${!PROJECT[*]}"; projects+=("$2"); shift ;;
    -h|--help) sed -n '2,28p' "$0"; exit 0 ;;
    unit|libvirtd|guests|systemd|e2e) tiers+=("$1") ;;
    *) die "unknown argument '$1' (tiers: ${TIERS[*]}; options: --project NAME --no-e2e --no-build --boot-check --filter EXPR)" ;;
  esac
  shift
done
[ ${#tiers[@]} -gt 0 ] || tiers=("${TIERS[@]}")
if [ "$no_e2e" -eq 1 ]; then
  keep=(); for t in "${tiers[@]}"; do [ "$t" = e2e ] || keep+=("$t"); done; tiers=("${keep[@]}")
fi
[ ${#tiers[@]} -gt 0 ] || die "no tier selected"
# In the order of TIERS, each once.
ordered=(); for t in "${TIERS[@]}"; do for s in "${tiers[@]}"; do [ "$t" != "$s" ] || { ordered+=("$t"); break; }; done; done; tiers=("${ordered[@]}")
needs_root=0; for t in "${tiers[@]}"; do [ "$t" = unit ] || needs_root=1; done
[ "$needs_root" -eq 0 ] || require_root "tiers ${tiers[*]} start libvirtd in a network namespace: sudo tests/run.sh"
require_dotnet
command -v python3 >/dev/null || die "python3 is needed to read the test results: apt-get install python3"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# A user without a writable home (nobody) still needs somewhere for dotnet's first-run files.
if [ ! -w "${HOME:-/nonexistent}" ]; then
  DOTNET_CLI_HOME=$(mktemp -d /tmp/vhpc-dotnet-home.XXXXXX); export DOTNET_CLI_HOME HOME=$DOTNET_CLI_HOME
fi
t_start=$(date +%s)

if [ "$build" -eq 1 ]; then
  step "build (dotnet build Vhpc.Daemon.sln -c Release)"
  t0=$(date +%s)
  dotnet build Vhpc.Daemon.sln -c Release -nologo -v minimal
  echo "build: $(( $(date +%s) - t0 )) s"
fi

RESULTS=${VHPC_TEST_RESULTS_DIR:-$ROOT/TestResults}
rm -rf "$RESULTS"
mkdir -p "$RESULTS"

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

# in_tier_sandbox TIER COMMAND...: where a tier's tests run. systemd: as it is (see above). unit as root: a mount and network namespace
# of its own (only loopback; tmpfs over /run/libvirt, so libvirtd's sockets are not there); unit as
# another user: as it is (libvirtd refuses users without polkit rights); the other tiers: namespace vhpc-test.
in_tier_sandbox() {
  local tier=$1; shift
  if [ "$tier" = systemd ]; then
    "$@"
  elif [ "$tier" != unit ]; then
    ip netns exec "$NETNS" "$@"
  elif [ "$(id -u)" -eq 0 ]; then
    unshare --mount --net sh -c 'mount --make-rprivate / && ip link set lo up && mount -t tmpfs tmpfs /run/libvirt && exec "$@"' sh "$@"
  else
    "$@"
  fi
}

# run_project TIER KEY: one project's tests of one tier; its exit code and seconds go to files beside the results.
run_project() {
  local tier=$1 name=${PROJECT[$2]} rc=0 t0
  local proj=tests/$name/$name.csproj
  [ -f "$proj" ] || { echo "project missing: $proj"; echo 127 >"$RESULTS/$tier-$name.rc"; return 0; }
  local args=(test "$proj" --no-build -c Release --nologo --results-directory "$RESULTS"
    --logger "trx;LogFileName=$tier-$name.trx" --logger "console;verbosity=normal"
    --blame-hang-timeout "${VHPC_TEST_HANG_TIMEOUT:-60m}" --blame-hang-dump-type none
    --filter "Tier=$tier${filter:+&($filter)}")
  t0=$(date +%s)
  in_tier_sandbox "$tier" dotnet "${args[@]}" || rc=$?
  echo "$rc" >"$RESULTS/$tier-$name.rc"
  echo $(( $(date +%s) - t0 )) >"$RESULTS/$tier-$name.secs"
}

# collect TIER KEY: adds one project's results of one tier to the totals.
collect() {
  local tier=$1 name=${PROJECT[$2]} total p f s
  local trx=$RESULTS/$tier-$name.trx label="$1 ${PROJECT[$2]}"
  local rc secs
  rc=$(cat "$RESULTS/$tier-$name.rc" 2>/dev/null || echo "?") secs=$(cat "$RESULTS/$tier-$name.secs" 2>/dev/null || echo "?")
  if [ ! -f "$trx" ]; then
    broken+=("$label: no results (dotnet test exit $rc)")
    summary+=("$(printf '%-32s no results, exit %s, %ss' "$label" "$rc" "$secs")")
    return 0
  fi
  if ! read -r total p f s < <(counts "$trx"); then
    broken+=("$label: unreadable results $trx")
    return 0
  fi
  passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
  [ "$f" -eq 0 ] || failed_tests+=("$(failures "$trx")")
  summary+=("$(printf '%-32s %4d passed %4d failed %4d skipped  %5ss' "$label" "$p" "$f" "$s" "$secs")")
  # With --filter a project may legitimately match nothing; a whole tier must run something everywhere.
  [ "$total" -gt 0 ] || [ -n "$filter" ] || broken+=("$label: ran zero tests")
  [ "$rc" = 0 ] || [ "$f" -gt 0 ] || broken+=("$label: dotnet test exit $rc")
}

passed=0 failed=0 skipped=0 broken=() failed_tests=() summary=() env_failed=0 env_up=0
for tier in "${tiers[@]}"; do
  if [ "$tier" != unit ] && [ "$env_up" -eq 0 ]; then
    step "test environment (tests/env/up.sh)"
    tests/env/up.sh
    env_up=1
  fi
  if [ "$tier" = guests ] || [ "$tier" = systemd ] || [ "$tier" = e2e ]; then
    step "guest images (cached by recipe)"
    t0=$(date +%s)
    deploy/image/build-image.sh
    deploy/image/build-tiny.sh
    echo "images: $(( $(date +%s) - t0 )) s"
  fi
  if [ "$tier" = systemd ]; then
    # install.sh in the container publishes vhpcd with Native AOT and restores offline from this
    # machine's NuGet packages: the ILCompiler and runtime packs for this machine's RID must be there
    # (a plain `dotnet build` does not fetch them).
    step "vhpcd's Native AOT packages (dotnet restore -r RID, for the container's offline install)"
    case "$(uname -m)" in x86_64) rid=linux-x64 ;; aarch64) rid=linux-arm64 ;; *) die "no .NET RID for $(uname -m)" ;; esac
    dotnet restore src/Vhpc.Daemon/Vhpc.Daemon.csproj -r "$rid" --nologo -v minimal
  fi
  if [ "$tier" = guests ]; then
    step "tiny guest boot check (tests/env/tiny-check.sh)"
    tests/env/tiny-check.sh || env_failed=1
    if [ "$boot_check" -eq 1 ]; then
      step "image guest boot check (tests/env/boot-check.sh)"
      tests/env/boot-check.sh || env_failed=1
    fi
  fi

  t_tier=$(date +%s)
  keys=()
  for key in ${TIER_PROJECTS[$tier]}; do
    if [ ${#projects[@]} -gt 0 ] && [[ " ${projects[*]} " != *" $key "* ]]; then continue; fi
    keys+=("$key")
  done
  export VHPC_TEST_TIER=$tier
  if [ "$tier" = unit ]; then
    # Hermetic projects share nothing: they run side by side, as many at once as there are cores
    # (much of their time is waiting on processes such as ansible-playbook), each into its own log,
    # printed when all are done.
    jobs_max=$(nproc)
    step "$tier: ${keys[*]} ($jobs_max at a time)"
    for key in "${keys[@]}"; do
      while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n || true; done
      run_project "$tier" "$key" >"$RESULTS/$tier-${PROJECT[$key]}.log" 2>&1 &
    done
    wait
    for key in "${keys[@]}"; do
      step "$tier: ${PROJECT[$key]}"
      cat "$RESULTS/$tier-${PROJECT[$key]}.log"
    done
  else
    for key in "${keys[@]}"; do
      step "$tier: ${PROJECT[$key]}"
      run_project "$tier" "$key"
    done
  fi
  for key in "${keys[@]}"; do
    collect "$tier" "$key"
  done
  summary+=("$(printf '%-32s %43ss' "tier $tier" "$(( $(date +%s) - t_tier ))")")
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
