#!/usr/bin/env bash
# Development check after run-site.cs: on the guests that guests.sh booted, sinfo shows every worker
# idle, srun -N<workers> hostname prints their names, and an sbatch job completes with its output.
#   sudo deploy/ansible/dev/verify-slurm.sh
set -euo pipefail
VTA_DIR=${VTA_DIR:-/var/tmp/vta-cluster}
NETNS=${VHPC_NETNS:-vhpc-test}
# shellcheck disable=SC1091
. "$VTA_DIR/cluster.env"
mgmt_ip=${VTA_NODE_0#* }
workers=()
for var in $(compgen -v VTA_NODE_ | sort -t_ -k3 -n); do
  [ "$var" = VTA_NODE_0 ] || workers+=("${!var% *}")
done
n=${#workers[@]}
on() { local ip=$1; shift; ip netns exec "$NETNS" ssh -q -i "$VTA_KEY" -o BatchMode=yes \
  -o UserKnownHostsFile="$VTA_KNOWN_HOSTS" -o StrictHostKeyChecking=yes "vhpc@$ip" "$@"; }
fail() { echo "verify-slurm: FAIL: $*" >&2; exit 1; }

idle=$(on "$mgmt_ip" "sinfo -h -N -t idle -o %N" | sort -u | tr '\n' ' ')
echo "idle workers: $idle"
for w in "${workers[@]}"; do [[ " $idle " == *" $w "* ]] || fail "$w is not idle (sinfo: $(on "$mgmt_ip" sinfo -N))"; done

names=$(on "$mgmt_ip" "srun -N$n hostname" | sort | tr '\n' ' ')
echo "srun -N$n hostname: $names"
[ "$names" = "$(printf '%s\n' "${workers[@]}" | sort | tr '\n' ' ')" ] || fail "srun printed '$names'"

job=$(on "$mgmt_ip" "printf '#!/bin/sh\nsrun hostname\n' > /tmp/vta-job.sh && sbatch --parsable -N$n -o /tmp/vta-job-%j.out /tmp/vta-job.sh")
for _ in $(seq 60); do
  state=$(on "$mgmt_ip" "scontrol show job $job" | grep -o 'JobState=[A-Z]*' | cut -d= -f2)
  [ "$state" = COMPLETED ] && break
  case $state in FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY) fail "job $job ended $state";; esac
  sleep 2
done
[ "$state" = COMPLETED ] || fail "job $job still $state"
# The batch script runs on the allocation's first node, which writes the output file.
first=$(on "$mgmt_ip" "scontrol show job $job" | grep -o ' BatchHost=[^ ]*' | cut -d= -f2)
first_ip=$(for var in $(compgen -v VTA_NODE_); do set -- ${!var}; [ "$1" = "$first" ] && echo "$2"; done; true)
out=$(on "$first_ip" "cat /tmp/vta-job-$job.out" | sort | tr '\n' ' ')
echo "sbatch job $job COMPLETED on $first, output: $out"
[ "$out" = "$(printf '%s\n' "${workers[@]}" | sort | tr '\n' ' ')" ] || fail "job output '$out'"
echo "verify-slurm ok: $n workers idle, srun and sbatch ran on all of them"
