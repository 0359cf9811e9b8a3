# Shell helpers to boot Debian guests from the vhpc image in the sandboxed libvirtd the plain way
# (virsh + genisoimage + qemu-img): the baseline that vhpcd's in-process engine is compared with.
# Sourced by tests/env/boot-check.sh, tests/env/tiny-check.sh and tests/bench/*.sh (after
# deploy/lib/common.sh, which it sources itself). Needs tests/env/up.sh first.
# shellcheck shell=bash
# shellcheck source=deploy/lib/common.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/deploy/lib/common.sh"

VIRSH=(virsh -q -c qemu:///system)
CMDLINE=$GUEST_CMDLINE

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

require_env() {
  require_root
  "${VIRSH[@]}" version >/dev/null 2>&1 || die "libvirtd does not answer on qemu:///system: run tests/env/up.sh"
  ip netns list | awk '{print $1}' | grep -qx "$NETNS" || die "network namespace $NETNS missing: run tests/env/up.sh"
  command -v genisoimage >/dev/null || die "genisoimage missing: apt-get install genisoimage"
}

# net_create NAME BRIDGE PREFIX (e.g. 10.204.1): a NAT network with DHCP .10-.200.
net_create() {
  local name=$1 bridge=$2 prefix=$3 xml
  net_remove "$name"
  xml=$(mktemp)
  cat > "$xml" <<XML
<network>
  <name>$name</name>
  <forward mode='nat'/>
  <bridge name='$bridge' stp='off' delay='0'/>
  <ip address='$prefix.1' netmask='255.255.255.0'>
    <dhcp><range start='$prefix.10' end='$prefix.200'/></dhcp>
  </ip>
</network>
XML
  "${VIRSH[@]}" net-define "$xml" >/dev/null
  rm -f "$xml"
  "${VIRSH[@]}" net-start "$name" >/dev/null
}

net_remove() {
  "${VIRSH[@]}" net-destroy "$1" >/dev/null 2>&1 || true
  "${VIRSH[@]}" net-undefine "$1" >/dev/null 2>&1 || true
}

# seed_create DIR HOSTNAME PUBKEYFILE -> DIR/seed.iso (NoCloud, volume id cidata, Joliet).
seed_create() {
  local dir=$1 host=$2 pub=$3
  mkdir -p "$dir/seed"
  cat > "$dir/seed/meta-data" <<META
instance-id: $host-$(date +%s%N)
local-hostname: $host
META
  cat > "$dir/seed/user-data" <<USER
#cloud-config
users:
  - name: vhpc
    sudo: ALL=(ALL) NOPASSWD:ALL
    shell: /bin/bash
    lock_passwd: true
    ssh_authorized_keys:
      - $(cat "$pub")
USER
  genisoimage -quiet -output "$dir/seed.iso" -volid cidata -joliet -rock \
    "$dir/seed/user-data" "$dir/seed/meta-data"
}

# domain_create NAME DIR IMAGEDIR NETWORK MAC [VCPUS] [MEMORY_MIB]: overlay + define + start.
domain_create() {
  local name=$1 dir=$2 image=$3 net=$4 mac=$5 vcpus=${6:-1} mem=${7:-1024}
  domain_remove "$name"
  qemu-img create -q -f qcow2 -F qcow2 -b "$image/root.qcow2" "$dir/root.qcow2"
  cat > "$dir/domain.xml" <<XML
<domain type='qemu'>
  <name>$name</name>
  <memory unit='MiB'>$mem</memory>
  <vcpu>$vcpus</vcpu>
  <cpu mode='maximum'/>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
    <kernel>$image/vmlinuz</kernel>
    <initrd>$image/initrd.img</initrd>
    <cmdline>$CMDLINE</cmdline>
  </os>
  <features><acpi/></features>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='$dir/root.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <disk type='file' device='cdrom'>
      <driver name='qemu' type='raw'/>
      <source file='$dir/seed.iso'/>
      <target dev='sda' bus='sata'/>
      <readonly/>
    </disk>
    <interface type='network'>
      <source network='$net'/>
      <mac address='$mac'/>
      <model type='virtio'/>
    </interface>
    <serial type='pty'>
      <log file='$dir/serial.log' append='off'/>
      <target port='0'/>
    </serial>
    <console type='pty'><target type='serial' port='0'/></console>
    <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>
  </devices>
</domain>
XML
  "${VIRSH[@]}" define "$dir/domain.xml" >/dev/null
  "${VIRSH[@]}" start "$name" >/dev/null
}

# domain_remove NAME: stop and undefine, and remove libvirt's own log of the domain (libvirt keeps
# /var/log/libvirt/qemu/NAME.log after undefine; repeated runs would pile them up).
domain_remove() {
  "${VIRSH[@]}" destroy "$1" >/dev/null 2>&1 || true
  "${VIRSH[@]}" undefine "$1" >/dev/null 2>&1 || true
  rm -f "/var/log/libvirt/qemu/$1.log"
}

domain_running() { [ "$("${VIRSH[@]}" domstate "$1" 2>/dev/null)" = running ]; }

# wait_lease NET MAC DOMAIN DIR TIMEOUT -> prints the IP (newest lease for the MAC).
wait_lease() {
  local net=$1 mac=$2 dom=$3 dir=$4 timeout=$5 deadline ip
  deadline=$(( $(date +%s) + timeout ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    ip=$("${VIRSH[@]}" net-dhcp-leases "$net" --mac "$mac" 2>/dev/null \
      | awk '$5 ~ /^[0-9]/ { print $1" "$2" "$5 }' | sort | tail -n1 | awk '{print $3}' | cut -d/ -f1)
    if [ -n "$ip" ]; then echo "$ip"; return 0; fi
    domain_running "$dom" || { serial_tail "$dir"; die "domain $dom is not running (state: $("${VIRSH[@]}" domstate "$dom" 2>&1))"; }
    sleep 0.5
  done
  serial_tail "$dir"
  die "no DHCP lease for $dom ($mac) on $net within ${timeout}s"
}

serial_tail() { echo "--- serial log tail ($1/serial.log) ---" >&2; tail -n 30 "$1/serial.log" >&2 2>/dev/null || true; }

# guest_ssh KEY IP CMD...: SSH from inside the namespace (the only place guests are reachable).
guest_ssh() {
  local key=$1 ip=$2; shift 2
  ip netns exec "$NETNS" ssh -q -i "$key" -o BatchMode=yes -o StrictHostKeyChecking=no \
    -o UserKnownHostsFile=/dev/null -o ConnectTimeout=5 -o LogLevel=ERROR "vhpc@$ip" "$@"
}

# wait_ssh KEY IP DOMAIN DIR TIMEOUT: until a command runs over SSH.
wait_ssh() {
  local key=$1 ip=$2 dom=$3 dir=$4 timeout=$5 deadline
  deadline=$(( $(date +%s) + timeout ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    guest_ssh "$key" "$ip" true </dev/null 2>/dev/null && return 0
    domain_running "$dom" || { serial_tail "$dir"; die "domain $dom is not running"; }
    sleep 1
  done
  serial_tail "$dir"
  die "no SSH to $dom ($ip) within ${timeout}s"
}

# check_ready KEY IP HOSTNAME DIR [TIMEOUT]: cloud-init finished with our seed and the hostname is
# ours. `cloud-init status --wait` is retried when the SSH session itself fails (empty output).
check_ready() {
  local key=$1 ip=$2 host=$3 dir=$4 timeout=${5:-900} status name deadline
  deadline=$(( $(date +%s) + timeout ))
  while :; do
    status=$(guest_ssh "$key" "$ip" cloud-init status --wait </dev/null 2>/dev/null | tail -n1) || true
    case $status in
      "status: done") break ;;
      "status: error"|"status: disabled")
        guest_ssh "$key" "$ip" 'cloud-init status --long; sudo grep -E "WARNING|ERROR|Traceback" /var/log/cloud-init.log | tail -n 20' </dev/null >&2 || true
        die "cloud-init on $host: '$status' (expected 'status: done')" ;;
    esac
    [ "$(date +%s)" -lt "$deadline" ] || { serial_tail "$dir"; die "cloud-init on $host not done within ${timeout}s (last: '$status')"; }
    domain_running "$host" || { serial_tail "$dir"; die "domain $host is not running"; }
    sleep 2
  done
  name=$(guest_ssh "$key" "$ip" hostname </dev/null)
  [ "$name" = "$host" ] || die "hostname of $ip is '$name', expected '$host'"
}
