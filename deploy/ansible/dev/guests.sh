#!/usr/bin/env bash
# Development harness for the playbooks (not product code, not CI): boots 1 management + N worker
# guests from the vhpc image in the shared sandboxed libvirtd with plain virsh + genisoimage, so
# site.yml can be run against real guests through the runner (run-site.cs).
#   sudo deploy/ansible/dev/guests.sh up [WORKERS]   -> $VTA_DIR/cluster.env (key, known_hosts, addresses)
#   sudo deploy/ansible/dev/guests.sh down           -> removes every vta- object it made
# Objects: network vta-net (10.205.1.0/24, bridge vta-br0), domains vta-mgmt, vta-w1.., files in $VTA_DIR.
set -euo pipefail

VIRSH=(virsh -q -c qemu:///system)
NETNS=${VHPC_NETNS:-vhpc-test}
VTA_DIR=${VTA_DIR:-/var/tmp/vta-cluster}
IMAGE_DIR=${VHPC_TEST_IMAGE_DIR:-/var/cache/vhpc/images/current}
NET=vta-net BRIDGE=vta-br0 PREFIX=10.205.1
CMDLINE='root=/dev/vda rw console=ttyS0 net.ifnames=0'
MGMT_VCPUS=${MGMT_VCPUS:-1} WORKER_VCPUS=${WORKER_VCPUS:-2} MEMORY_MIB=${MEMORY_MIB:-1024}

die() { echo "guests.sh: $*" >&2; exit 1; }
log() { echo "[$(date +%T)] $*" >&2; }

require() {
  [ "$(id -u)" -eq 0 ] || die "must run as root"
  "${VIRSH[@]}" version >/dev/null 2>&1 || die "libvirtd does not answer on qemu:///system: run tests/env/up.sh"
  ip netns list | awk '{print $1}' | grep -qx "$NETNS" || die "network namespace $NETNS missing: run tests/env/up.sh"
  command -v genisoimage >/dev/null || die "genisoimage missing: apt-get install genisoimage"
  [ -f "$IMAGE_DIR/root.qcow2" ] || die "no guest image in $IMAGE_DIR: run deploy/image/build-image.sh"
}

# name index -> hostname, MAC, address
node_mac() { printf '52:54:00:a5:01:%02x' "$1"; }
node_ip() { echo "$PREFIX.$((10 + $1))"; }

down() {
  for dom in $("${VIRSH[@]}" list --all --name | grep '^vta-' || true); do
    "${VIRSH[@]}" destroy "$dom" >/dev/null 2>&1 || true
    "${VIRSH[@]}" undefine "$dom" >/dev/null 2>&1 || true
  done
  "${VIRSH[@]}" net-destroy "$NET" >/dev/null 2>&1 || true
  "${VIRSH[@]}" net-undefine "$NET" >/dev/null 2>&1 || true
  rm -rf "$VTA_DIR"
}

up() {
  local workers=${1:-2} image names=() i name
  require
  down
  image=$(readlink -f "$IMAGE_DIR")
  mkdir -p "$VTA_DIR"; chmod 0755 "$VTA_DIR"
  ssh-keygen -q -t ed25519 -N '' -C vta -f "$VTA_DIR/id_ed25519"
  names=(mgmt); for i in $(seq 1 "$workers"); do names+=("w$i"); done

  {
    echo "<network><name>$NET</name><forward mode='nat'/><bridge name='$BRIDGE' stp='off' delay='0'/>"
    echo "<ip address='$PREFIX.1' netmask='255.255.255.0'><dhcp><range start='$PREFIX.100' end='$PREFIX.200'/>"
    for i in "${!names[@]}"; do echo "<host mac='$(node_mac "$i")' name='${names[$i]}' ip='$(node_ip "$i")'/>"; done
    echo "</dhcp></ip></network>"
  } > "$VTA_DIR/net.xml"
  "${VIRSH[@]}" net-define "$VTA_DIR/net.xml" >/dev/null
  "${VIRSH[@]}" net-start "$NET" >/dev/null

  for i in "${!names[@]}"; do
    name=${names[$i]}
    local dir=$VTA_DIR/$name vcpus=$WORKER_VCPUS
    [ "$i" -eq 0 ] && vcpus=$MGMT_VCPUS
    mkdir -p "$dir/seed"; chmod 0755 "$dir"
    printf 'instance-id: vta-%s-%s\nlocal-hostname: %s\n' "$name" "$(date +%s%N)" "$name" > "$dir/seed/meta-data"
    cat > "$dir/seed/user-data" <<USER
#cloud-config
users:
  - name: vhpc
    sudo: ALL=(ALL) NOPASSWD:ALL
    shell: /bin/bash
    lock_passwd: true
    ssh_authorized_keys:
      - $(cat "$VTA_DIR/id_ed25519.pub")
USER
    genisoimage -quiet -output "$dir/seed.iso" -volid cidata -joliet -rock "$dir/seed/user-data" "$dir/seed/meta-data"
    qemu-img create -q -f qcow2 -F qcow2 -b "$image/root.qcow2" "$dir/root.qcow2" 8G
    cat > "$dir/domain.xml" <<XML
<domain type='qemu'>
  <name>vta-$name</name>
  <memory unit='MiB'>$MEMORY_MIB</memory>
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
      <source network='$NET'/>
      <mac address='$(node_mac "$i")'/>
      <model type='virtio'/>
    </interface>
    <serial type='pty'><log file='$dir/serial.log' append='off'/><target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>
    <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>
  </devices>
</domain>
XML
    "${VIRSH[@]}" define "$dir/domain.xml" >/dev/null
    "${VIRSH[@]}" start "vta-$name" >/dev/null
    log "started vta-$name ($(node_ip "$i"))"
  done

  : > "$VTA_DIR/known_hosts"
  local t0; t0=$(date +%s)
  for i in "${!names[@]}"; do
    local addr; addr=$(node_ip "$i")
    until ip netns exec "$NETNS" ssh -q -i "$VTA_DIR/id_ed25519" -o BatchMode=yes -o StrictHostKeyChecking=no \
        -o UserKnownHostsFile=/dev/null -o ConnectTimeout=5 -o LogLevel=ERROR "vhpc@$addr" \
        'cloud-init status --wait >/dev/null; hostname' </dev/null >/dev/null 2>&1; do
      [ $(( $(date +%s) - t0 )) -lt 600 ] || die "no SSH to ${names[$i]} ($addr) in 600 s; see $VTA_DIR/${names[$i]}/serial.log"
      sleep 3
    done
    # Development shortcut: trust on first use inside the sandbox (vhpcd collects host keys itself).
    ip netns exec "$NETNS" ssh-keyscan -t ed25519 "$addr" >> "$VTA_DIR/known_hosts" 2>/dev/null
    log "${names[$i]} ready after $(( $(date +%s) - t0 )) s"
  done
  {
    echo "VTA_KEY=$VTA_DIR/id_ed25519"
    echo "VTA_KNOWN_HOSTS=$VTA_DIR/known_hosts"
    for i in "${!names[@]}"; do echo "VTA_NODE_$i='${names[$i]} $(node_ip "$i")'"; done
  } > "$VTA_DIR/cluster.env"
  log "cluster up: $VTA_DIR/cluster.env"
}

case "${1:-}" in
  up) shift; up "$@" ;;
  down) down ;;
  *) die "usage: $0 up [WORKERS] | down" ;;
esac
