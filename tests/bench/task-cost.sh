#!/usr/bin/env bash
# What one Ansible task costs on a TCG guest, by kind of task and by connection strategy, in ONE run:
# boots one guest from the image (plain virsh, tests/env/guest-lib.sh; 1 vCPU / 1024 MiB like the
# end-to-end test's nodes), waits until it is SSH-ready, then runs the same micro playbook (K tasks of
# each kind, become: true, no facts) once per strategy, back to back:
#   linear   ansible-core's default strategy over OpenSSH with pipelining and ControlMaster, as
#            vhpcd's runner starts it (PlaybookCommandBuilder);
#   mitogen  Debian's ansible-mitogen (strategy mitogen_linear), otherwise the same settings.
# Kinds: command (true), raw (true: no Python on the node), stat, copy of unchanged content, copy of
# changed content, template (unchanged), systemd (a running unit, state=started), and the
# munge-key-sized binary copy.
# Prints a table of the median seconds per task by kind and strategy and the load average; raw JSON
# lines go to --results DIR (default /tmp/bench-results).
# Usage: sudo flock /run/vhpc-guests.lock tests/bench/task-cost.sh [--repeat K] [--results DIR]
# Needs tests/env/up.sh and an image (VHPC_TEST_IMAGE_DIR, default /var/cache/vhpc/images/current),
# ansible-core, ansible-mitogen. Takes ~5 minutes under TCG.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/env/guest-lib.sh
. "$HERE/../env/guest-lib.sh"

NET=vti-tcost BRIDGE=vti-tcost0 PREFIX=10.204.7 DOM=vti-tcost-n1 MAC=52:54:00:cc:07:01
CMDLINE="$CMDLINE no_timer_check"
repeat=8 results_dir=/tmp/bench-results
while [ $# -gt 0 ]; do
  case $1 in
    --repeat) repeat=$2; shift ;;
    --results) results_dir=$2; shift ;;
    *) die "unknown argument '$1' (--repeat K, --results DIR)" ;;
  esac
  shift
done
[[ $repeat =~ ^[1-9][0-9]?$ ]] || die "--repeat must be 1..99"
require_env
command -v ansible-playbook >/dev/null || die "ansible-playbook missing: apt-get install ansible-core"
[ -f "$(dirname "$(ansible-playbook --version | sed -n "s/^  ansible python module location = //p")")/ansible_mitogen/plugins/strategy/mitogen_linear.py" ] \
  || die "ansible-mitogen missing: apt-get install ansible-mitogen"
image=$(guest_image_dir)
mkdir -p "$results_dir"
stamp=$(date +%Y%m%d-%H%M%S)
raw=$results_dir/task-cost-$stamp.jsonl
work=$(mktemp -d /var/tmp/vti-tcost.XXXXXX)
chmod 0755 "$work"
cleanup() { domain_remove "$DOM"; net_remove "$NET"; rm -rf "$work"; }
trap cleanup EXIT

ssh-keygen -q -t ed25519 -N '' -C vti-tcost -f "$work/id_ed25519"
net_create "$NET" "$BRIDGE" "$PREFIX"
seed_create "$work" "$DOM" "$work/id_ed25519.pub"
domain_create "$DOM" "$work" "$image" "$NET" "$MAC" 1 1024
ip=$(wait_lease "$NET" "$MAC" "$DOM" "$work" 600)
wait_ssh "$work/id_ed25519" "$ip" "$DOM" "$work" 600
check_ready "$work/id_ed25519" "$ip" "$DOM" "$work"
log "guest $DOM ready at $ip (image $image)"
head -c 1024 /dev/urandom > "$work/munge.key"
printf "[defaults]\n" > "$work/ansible.cfg"

cat > "$work/inventory.yml" <<YAML
all:
  hosts:
    $DOM: { ansible_host: $ip, ansible_user: vhpc, ansible_ssh_private_key_file: $work/id_ed25519 }
YAML
{
  echo "- name: Task cost"
  echo "  hosts: all"
  echo "  become: true"
  echo "  gather_facts: false"
  echo "  tasks:"
  echo "    - { name: warm-up, ansible.builtin.command: 'true', changed_when: false }"
  for i in $(seq "$repeat"); do
    echo "    - { name: 'command $i', ansible.builtin.command: 'true', changed_when: false }"
  done
  for i in $(seq "$repeat"); do
    echo "    - { name: 'raw $i', ansible.builtin.raw: 'true', changed_when: false, vars: { ansible_ssh_use_tty: false } }"
  done
  for i in $(seq "$repeat"); do
    echo "    - { name: 'stat $i', ansible.builtin.stat: { path: /etc/hostname } }"
  done
  echo "    - { name: 'copy prepare', ansible.builtin.copy: { dest: /etc/vhpc-bench.conf, content: \"same\\n\", mode: '0644' } }"
  for i in $(seq "$repeat"); do
    echo "    - { name: 'copy unchanged $i', ansible.builtin.copy: { dest: /etc/vhpc-bench.conf, content: \"same\\n\", mode: '0644' } }"
  done
  for i in $(seq "$repeat"); do
    echo "    - { name: 'copy changed $i', ansible.builtin.copy: { dest: /etc/vhpc-bench.conf, content: \"value $i\\n\", mode: '0644' } }"
  done
  echo "    - { name: 'template prepare', ansible.builtin.template: { src: $work/bench.j2, dest: /etc/vhpc-bench.tmpl, mode: '0644' } }"
  for i in $(seq "$repeat"); do
    echo "    - { name: 'template unchanged $i', ansible.builtin.template: { src: $work/bench.j2, dest: /etc/vhpc-bench.tmpl, mode: '0644' } }"
  done
  for i in $(seq "$repeat"); do
    echo "    - { name: 'systemd $i', ansible.builtin.systemd: { name: ssh, state: started } }"
  done
  echo "    - { name: 'binary copy prepare', ansible.builtin.copy: { src: $work/munge.key, dest: /etc/vhpc-bench.key, mode: '0400' } }"
  for i in $(seq "$repeat"); do
    echo "    - { name: 'binary copy unchanged $i', ansible.builtin.copy: { src: $work/munge.key, dest: /etc/vhpc-bench.key, mode: '0400' } }"
  done
} > "$work/bench.yml"
printf '# {{ inventory_hostname }}\n{%% for i in range(50) %%}Line{{ i }}=value\n{%% endfor %%}\n' > "$work/bench.j2"

run() {
  local strategy=$1 out=$work/$1.jsonl
  local ssh_args="-F /dev/null -o ControlMaster=auto -o ControlPersist=30s -o UserKnownHostsFile=$work/known_hosts -o StrictHostKeyChecking=accept-new -o IdentitiesOnly=yes -o BatchMode=yes"
  local env=(ANSIBLE_CONFIG="$work/ansible.cfg" ANSIBLE_HOME="$work/ansible-home" ANSIBLE_PIPELINING=True
    ANSIBLE_SSH_ARGS="$ssh_args" ANSIBLE_STDOUT_CALLBACK=vhpc_task_timer ANSIBLE_CALLBACK_PLUGINS="$HERE/callback_plugins"
    ANSIBLE_HOST_KEY_CHECKING=False ANSIBLE_RETRY_FILES_ENABLED=False ANSIBLE_INVENTORY_ENABLED=yaml)
  [ "$strategy" = mitogen ] && env+=(ANSIBLE_STRATEGY=mitogen_linear)
  log "strategy $strategy: $(($(grep -c "name:" "$work/bench.yml") - 1)) tasks, load $(cut -d' ' -f1-3 /proc/loadavg)"
  ip netns exec "$NETNS" env "${env[@]}" ansible-playbook -i "$work/inventory.yml" "$work/bench.yml" > "$out" \
    || { tail -n 5 "$out" >&2; die "the $strategy run failed"; }
  sed "s/^{/{\"strategy\": \"$strategy\", \"load\": \"$(cut -d' ' -f1-3 /proc/loadavg)\", /" "$out" >> "$raw"
}
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
run linear
run mitogen
run linear
run mitogen
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

python3 - "$raw" "$load_start" "$load_end" <<'PY'
import json, re, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
kinds = {}
for r in rows:
    if r.get('event') != 'result' or r['status'] not in ('ok', 'changed'):
        continue
    kind = re.sub(r' \d+$', '', r['task'])
    if kind.endswith('prepare') or kind == 'warm-up':
        continue
    kinds.setdefault(kind, {}).setdefault(r['strategy'], []).append(r['seconds'])
totals = {}
for r in rows:
    if r.get('event') == 'stats':
        totals.setdefault(r['strategy'], []).append(r['seconds'])
print(f"{'task kind':24} {'linear s/task':>14} {'mitogen s/task':>15} {'ratio':>6}")
for kind, by in kinds.items():
    lin, mit = statistics.median(by.get('linear', [0])), statistics.median(by.get('mitogen', [0]))
    print(f"{kind:24} {lin:14.2f} {mit:15.2f} {mit / lin if lin else 0:6.2f}")
print("whole micro playbook (s): " + ", ".join(f"{s} {v}" for s, v in totals.items()))
print(f"load average at start {sys.argv[2]}, at end {sys.argv[3]}")
PY
echo "raw: $raw"
