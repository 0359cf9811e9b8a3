#!/usr/bin/env bash
# Seeds per second: the in-process NoCloudSeed writer versus spawning genisoimage per seed, in one
# BenchmarkDotNet run (same inputs, both write an ISO file). The Ratio column is time per seed
# relative to genisoimage; Seeds/s is 1 / mean.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v genisoimage >/dev/null || { echo "genisoimage is not installed: install genisoimage" >&2; exit 1; }
artifacts=${VHPC_BENCH_ARTIFACTS:-$(mktemp -d /tmp/vhpc-bench-seed.XXXXXX)}
dotnet run -c Release --project tests/Vhpc.Benchmarks -- --filter '*SeedBenchmarks*' --artifacts "$artifacts" "$@"
cat "$artifacts"/results/*SeedBenchmarks-report-github.md
