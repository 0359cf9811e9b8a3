#!/usr/bin/env bash
# Define + undefine of a domain and a network through the libvirt binding versus virsh processes,
# against the shared libvirtd (start it with tests/env/up.sh as root), in one BenchmarkDotNet run.
# The Ratio column is binding time / virsh time per category.
set -euo pipefail
cd "$(dirname "$0")/../.."
virsh -q -c qemu:///system version >/dev/null 2>&1 \
  || { echo "libvirtd is not reachable at qemu:///system: run tests/env/up.sh as root" >&2; exit 1; }
artifacts=${VHPC_BENCH_ARTIFACTS:-$(mktemp -d /tmp/vhpc-bench-binding.XXXXXX)}
dotnet run -c Release --project tests/Vhpc.Benchmarks -- --filter '*BindingBenchmarks*' --artifacts "$artifacts" "$@"
cat "$artifacts"/results/*BindingBenchmarks-report-github.md
