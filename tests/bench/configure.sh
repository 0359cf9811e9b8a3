#!/usr/bin/env bash
# The configuration phase, before and after the role image, in ONE run and back to back:
#   baseline  the playbook and image recipe of a git ref (default: the first parent of the commit
#             that split the roles, i.e. the last full-playbook version): ~40 tasks per node,
#             packages checked, facts gathered, slurm.conf re-rendered by delegation;
#   role      this checkout's deploy/ansible/site.yml on the image built by this checkout's
#             deploy/image/build-image.sh (the roles' cluster-independent half baked in).
# Each scenario boots 1 management + 3 workers from its image with plain virsh (tests/env/guest-lib.sh;
# 1 vCPU / 1024 MiB each like the end-to-end test, VHPC_BENCH_VCPUS / VHPC_BENCH_MEMORY_MIB), waits
# until every guest is SSH-ready with cloud-init done, then times ansible-playbook started the way
# vhpcd's runner starts it (OpenSSH, ControlMaster, pipelining, one fork per node, strict host keys,
# an inventory and extra vars of the same shape), checks Slurm works (4 nodes: sinfo idle,
# srun -N3 hostname), and runs the playbook a second time (a converged cluster: 0 changed expected).
# Both images are built (or found) in VHPC_IMAGE_CACHE (default /var/cache/vhpc-dev/images, so the
# shared /var/cache/vhpc/images/current does not move); the baseline's recipe is built from
# `git archive REF deploy`, its mirror given by deploy/image/mirror.sh (the host's apt sources).
# Timing comes from a stdout callback (tests/bench/callback_plugins/vhpc_task_timer.py): per task and
# host the seconds from task start to that host's result; "remote" tasks are those that run a module
# on the node (not set_fact, include_*, import_*, meta, assert, debug).
# Usage: sudo flock /run/vhpc-guests.lock tests/bench/configure.sh [--ref REF] [--only baseline|role]
#          [--results DIR] [--keep]
#   --keep   leave the last scenario's guests running (and print how to reach them); a later run
#            removes them first.
# VHPC_BENCH_ROLE_IMAGE=DIR uses that image for the role scenario instead of building this
# checkout's (for trying a change of the apply-time half without a rebuild; not a measurement).
# Output: a table (configuration phase, tasks per node, remote tasks per node, median seconds per
# remote task, second run) and one JSON line per scenario in DIR/configure-STAMP.jsonl.
set -euo pipefail
shopt -s inherit_errexit
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=tests/env/guest-lib.sh
. "$HERE/../env/guest-lib.sh"
# shellcheck source=deploy/image/mirror.sh
. "$ROOT/deploy/image/mirror.sh"

NET=vti-conf BRIDGE=vti-conf0 PREFIX=10.204.9 CIDR=10.204.9.0/24
CMDLINE="$CMDLINE no_timer_check"
VCPUS=${VHPC_BENCH_VCPUS:-1} MEM=${VHPC_BENCH_MEMORY_MIB:-1024}
CACHE=${VHPC_IMAGE_CACHE:-/var/cache/vhpc-dev/images}
TIMEOUT=${VHPC_BENCH_TIMEOUT:-900}
NODES=(vti-c-m01 vti-c-w01 vti-c-w02 vti-c-w03)
ref= only= results_dir=/tmp/bench-results keep=0
while [ $# -gt 0 ]; do
  case $1 in
    --ref) ref=$2; shift ;;
    --only) only=$2; shift ;;
    --results) results_dir=$2; shift ;;
    --keep) keep=1 ;;
    *) die "unknown argument '$1' (--ref REF, --only baseline|role, --results DIR, --keep)" ;;
  esac
  shift
done
case $only in ""|baseline|role) ;; *) die "--only must be baseline or role" ;; esac
require_env
command -v ansible-playbook >/dev/null || die "ansible-playbook missing: apt-get install ansible"
if [ -z "$ref" ]; then
  # The last commit before the roles were split: its site.yml still installs and gathers facts.
  split=$(git -C "$ROOT" log --format=%H --diff-filter=A -- deploy/ansible/image.yml | tail -n1)
  [ -n "$split" ] || die "no commit adds deploy/ansible/image.yml: give --ref"
  ref=$split^
fi
git -C "$ROOT" rev-parse --verify -q "$ref^{commit}" >/dev/null || die "--ref '$ref' is not a commit"

mkdir -p "$results_dir"
stamp=$(date +%Y%m%d-%H%M%S)
raw=$results_dir/configure-$stamp.jsonl
work=$(mktemp -d /var/tmp/vti-conf.XXXXXX)
chmod 0755 "$work"
remove_guests() { for n in "${NODES[@]}"; do domain_remove "$n"; done; net_remove "$NET"; }
cleanup() {
  if [ "$keep" -eq 1 ] && [ -f "$work/kept" ]; then
    echo "kept the guests of the last scenario: $(cat "$work/kept"); inventory $work/inventory.yml; remove with: $0 --only role (or virsh destroy/undefine ${NODES[*]}, net $NET)" >&2
  else
    remove_guests
    rm -rf "$work"
  fi
}
trap cleanup EXIT
remove_guests

# The images: the role image from this checkout, the baseline's from the ref's own recipe.
image_for() {
  local label=$1 src log
  log=$work/build-$label.log
  if [ "$label" = role ] && [ -n "${VHPC_BENCH_ROLE_IMAGE:-}" ]; then
    readlink -f "$VHPC_BENCH_ROLE_IMAGE"
    return 0
  elif [ "$label" = role ]; then
    src=$ROOT
  else
    src=$work/baseline-src
    mkdir -p "$src"
    git -C "$ROOT" archive "$ref" deploy | tar -x -C "$src"
  fi
  local mirror
  mirror=$(vhpc_debian_mirror bookworm) || die "no Debian mirror for the $label image"
  VHPC_IMAGE_CACHE=$CACHE VHPC_IMAGE_MIRROR=$mirror "$src/deploy/image/build-image.sh" > "$log" 2>&1 \
    || { tail -n 20 "$log" >&2; die "building the $label image failed (log: $log)"; }
  sed -n 's/^recipe: [0-9a-f]* (\(.*\))$/\1/p' "$log"
}

ssh-keygen -q -t ed25519 -N '' -C vti-conf -f "$work/id_ed25519"
head -c 1024 /dev/urandom > "$work/munge.key"
password=$(head -c 4096 /dev/urandom | LC_ALL=C tr -dc 'A-Za-z0-9')
printf '%s' "${password:0:32}" > "$work/slurmdbd.password"
chmod 0600 "$work/munge.key" "$work/slurmdbd.password"
printf '[defaults]\n' > "$work/ansible.cfg"

bring_up() {
  local name=$1 mac=$2 dir=$work/$1 ip
  mkdir -p "$dir" && chmod 0755 "$dir"
  seed_create "$dir" "$name" "$work/id_ed25519.pub"
  domain_create "$name" "$dir" "$3" "$NET" "$mac" "$VCPUS" "$MEM"
  ip=$(wait_lease "$NET" "$mac" "$name" "$dir" "$TIMEOUT")
  wait_ssh "$work/id_ed25519" "$ip" "$name" "$dir" "$TIMEOUT"
  check_ready "$work/id_ed25519" "$ip" "$name" "$dir"
  echo "$ip" > "$dir/ip"
}

# run_playbook LABEL PLAYBOOK OUT: ansible-playbook as vhpcd's runner starts it.
run_playbook() {
  local label=$1 playbook=$2 out=$3
  local ssh_args="-F /dev/null -o ControlMaster=auto -o ControlPersist=30s -o UserKnownHostsFile=$work/known_hosts -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes -o BatchMode=yes -o ConnectTimeout=20 -o ServerAliveInterval=15 -o ServerAliveCountMax=4"
  ip netns exec "$NETNS" env ANSIBLE_CONFIG="$work/ansible.cfg" ANSIBLE_HOME="$work/ansible-home-$label" \
    ANSIBLE_LOCAL_TEMP="$work/ansible-tmp" ANSIBLE_PIPELINING=True ANSIBLE_FORKS=4 ANSIBLE_SSH_ARGS="$ssh_args" \
    ANSIBLE_HOST_KEY_CHECKING=True ANSIBLE_TIMEOUT=20 ANSIBLE_STDOUT_CALLBACK=vhpc_task_timer \
    ANSIBLE_CALLBACK_PLUGINS="$HERE/callback_plugins" ANSIBLE_CACHE_PLUGIN=jsonfile \
    ANSIBLE_CACHE_PLUGIN_CONNECTION="$work/facts-$label" ANSIBLE_CACHE_PLUGIN_TIMEOUT=0 ANSIBLE_GATHERING=implicit \
    ANSIBLE_RETRY_FILES_ENABLED=False ANSIBLE_NOCOLOR=True ANSIBLE_INVENTORY_ENABLED=yaml \
    ansible-playbook -i "$work/inventory.yml" -e "@$work/extra-vars.json" --forks 4 "$playbook" > "$out"
}

scenario() {
  local label=$1 image playbook t0 t_ready t_conf0 t_conf1 pids=() failed=0 i ips=()
  if [ "$label" = role ]; then
    playbook=$ROOT/deploy/ansible/site.yml
  else
    playbook=$work/baseline-src/deploy/ansible/site.yml
  fi
  log "scenario $label: building or finding the image"
  image=$(image_for "$label")
  [ -f "$image/root.qcow2" ] || die "no image for $label"
  [ -f "$playbook" ] || die "no playbook $playbook"
  net_create "$NET" "$BRIDGE" "$PREFIX"
  log "scenario $label: 1 + 3 guests from $image, $VCPUS vCPU / $MEM MiB, load $(cut -d' ' -f1-3 /proc/loadavg)"
  t0=$(now)
  for i in "${!NODES[@]}"; do
    bring_up "${NODES[$i]}" "$(printf '52:54:00:cc:09:%02x' $((i + 1)))" "$image" & pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || failed=1; done
  [ "$failed" -eq 0 ] || die "scenario $label: a guest did not become ready"
  t_ready=$(now)
  for n in "${NODES[@]}"; do ips+=("$(cat "$work/$n/ip")"); done
  : > "$work/known_hosts"
  for ip in "${ips[@]}"; do
    ip netns exec "$NETNS" ssh-keyscan -T 10 "$ip" 2>/dev/null >> "$work/known_hosts" || true
  done
  [ -s "$work/known_hosts" ] || die "no host keys from the guests"
  cat > "$work/inventory.yml" <<YAML
all:
  vars:
    ansible_user: vhpc
    ansible_ssh_private_key_file: $work/id_ed25519
    vhpc_cluster: vti-conf
    vhpc_os_family: Debian
    vhpc_network_cidr: $CIDR
  children:
    management:
      hosts:
        ${NODES[0]}: { ansible_host: ${ips[0]}, ansible_port: 22, vhpc_fqdn: ${NODES[0]}.vhpc.test, vhpc_role: management, vhpc_vcpus: $VCPUS, vhpc_memory_mib: $MEM }
    workers:
      hosts:
        ${NODES[1]}: { ansible_host: ${ips[1]}, ansible_port: 22, vhpc_fqdn: ${NODES[1]}.vhpc.test, vhpc_role: worker, vhpc_vcpus: $VCPUS, vhpc_memory_mib: $MEM }
        ${NODES[2]}: { ansible_host: ${ips[2]}, ansible_port: 22, vhpc_fqdn: ${NODES[2]}.vhpc.test, vhpc_role: worker, vhpc_vcpus: $VCPUS, vhpc_memory_mib: $MEM }
        ${NODES[3]}: { ansible_host: ${ips[3]}, ansible_port: 22, vhpc_fqdn: ${NODES[3]}.vhpc.test, vhpc_role: worker, vhpc_vcpus: $VCPUS, vhpc_memory_mib: $MEM }
YAML
  printf '{"vhpc_cluster": "vti-conf", "vhpc_run_id": "bench-%s", "munge_key_file": "%s", "slurmdbd_password_file": "%s"}\n' \
    "$label" "$work/munge.key" "$work/slurmdbd.password" > "$work/extra-vars.json"
  log "scenario $label: all 4 guests ready after $(elapsed "$t0" "$t_ready") s; configuring, load $(cut -d' ' -f1-3 /proc/loadavg)"
  local load_before load_after
  load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  t_conf0=$(now)
  run_playbook "$label" "$playbook" "$work/$label-1.jsonl" \
    || { grep -E '"status": "(failed|unreachable)"' "$work/$label-1.jsonl" | tail -n 3 >&2; die "scenario $label: the playbook failed"; }
  t_conf1=$(now)
  load_after=$(cut -d' ' -f1-3 /proc/loadavg)
  log "scenario $label: configured in $(elapsed "$t_conf0" "$t_conf1") s"
  local sinfo srun
  sinfo=$(guest_ssh "$work/id_ed25519" "${ips[0]}" "sinfo -h -N -o '%N %t'" </dev/null)
  srun=$(guest_ssh "$work/id_ed25519" "${ips[0]}" "srun -N3 hostname" </dev/null | sort | paste -sd, -)
  [ "$(grep -c ' idle$' <<<"$sinfo")" -eq 3 ] || die "scenario $label: not every worker idle: $sinfo"
  [ "$srun" = "${NODES[1]},${NODES[2]},${NODES[3]}" ] || die "scenario $label: srun -N3 hostname gave '$srun'"
  local t_second0 t_second1
  t_second0=$(now)
  run_playbook "$label-again" "$playbook" "$work/$label-2.jsonl" || die "scenario $label: the second run failed"
  t_second1=$(now)
  python3 - "$label" "$work/$label-1.jsonl" "$work/$label-2.jsonl" "$(elapsed "$t0" "$t_ready")" "$(elapsed "$t_conf0" "$t_conf1")" \
      "$(elapsed "$t_second0" "$t_second1")" "$load_before" "$load_after" "$VCPUS" "$MEM" "$image" >> "$raw" <<'PY'
import json, statistics, sys
label, first, second, ready, conf, again, load_before, load_after, vcpus, mem, image = sys.argv[1:]
local = {'ansible.builtin.set_fact', 'set_fact', 'ansible.builtin.include_vars', 'include_vars', 'ansible.builtin.include_role',
         'include_role', 'ansible.builtin.include_tasks', 'include_tasks', 'ansible.builtin.assert', 'assert',
         'ansible.builtin.debug', 'debug', 'meta', 'ansible.builtin.meta'}
def rows(path):
    return [json.loads(l) for l in open(path) if l.strip()]
def per_host(rs):
    hosts = {}
    for r in rs:
        if r.get('event') != 'result':
            continue
        h = hosts.setdefault(r['host'], {'tasks': 0, 'remote': 0, 'skipped': 0, 'changed': 0, 'remote_seconds': []})
        if r['status'] == 'skipped':
            h['skipped'] += 1
            continue
        h['tasks'] += 1
        if r['status'] == 'changed':
            h['changed'] += 1
        if r['action'] not in local:
            h['remote'] += 1
            h['remote_seconds'].append(r['seconds'])
    return hosts
h1, h2 = per_host(rows(first)), per_host(rows(second))
seconds = [s for h in h1.values() for s in h['remote_seconds']]
out = {
    'bench': 'configure', 'scenario': label, 'nodes': len(h1), 'vcpus': int(vcpus), 'memory_mib': int(mem), 'image': image,
    'all_ready_s': float(ready), 'configure_s': float(conf), 'second_run_s': float(again),
    'tasks_per_node': {k: v['tasks'] for k, v in sorted(h1.items())},
    'remote_tasks_per_node': {k: v['remote'] for k, v in sorted(h1.items())},
    'median_s_per_remote_task': round(statistics.median(seconds), 2) if seconds else None,
    'second_run_changed': {k: v['changed'] for k, v in sorted(h2.items())},
    'load_before': load_before, 'load_after': load_after,
}
print(json.dumps(out, sort_keys=True))
PY
  if [ "$keep" -eq 1 ]; then
    printf '%s\n' "${NODES[*]} (${ips[*]})" > "$work/kept"
  else
    remove_guests
  fi
}

if [ -z "$only" ] || [ "$only" = baseline ]; then scenario baseline; fi
if [ -z "$only" ] || [ "$only" = role ]; then
  [ "$keep" -eq 0 ] || rm -f "$work/kept"
  scenario role
fi

python3 - "$raw" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print(f"{'scenario':10} {'4 ready s':>9} {'configure s':>11} {'tasks/node (m, w)':>18} {'remote/node':>12} {'s/remote task':>13} {'2nd run s':>9} {'2nd changed':>11}  load")
for r in rows:
    t, rt = r['tasks_per_node'], r['remote_tasks_per_node']
    m = next(k for k in t if 'm0' in k); w = next(k for k in t if 'w0' in k)
    print(f"{r['scenario']:10} {r['all_ready_s']:9.1f} {r['configure_s']:11.1f} {str(t[m]) + ', ' + str(t[w]):>18} "
          f"{str(rt[m]) + ', ' + str(rt[w]):>12} {r['median_s_per_remote_task']!s:>13} {r['second_run_s']:9.1f} "
          f"{sum(r['second_run_changed'].values()):11d}  {r['load_before']} -> {r['load_after']}")
if len(rows) == 2:
    b, n = rows
    print(f"configuration phase: role {n['configure_s']:.1f} s vs baseline {b['configure_s']:.1f} s = {n['configure_s'] / b['configure_s']:.2f}x")
PY
echo "raw: $raw"
