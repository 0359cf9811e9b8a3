#!/usr/bin/env bash
# Prove the tiny guest (deploy/image/build-tiny.sh) works in the sandboxed libvirtd: boot it on a
# NAT network (vti-tiny, 10.204.3.0/24), wait for its DHCP lease and its "ready" line on the serial
# console, then press the ACPI power button (virsh shutdown) and wait for it to power off.
# Removes everything it created. Output ends with: tiny-check ok: lease_s=N shutdown_s=N
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/env/guest-lib.sh
. "$HERE/guest-lib.sh"

NET=vti-tiny BRIDGE=vti-tiny0 PREFIX=10.204.3 DOM=vti-tiny-n1 MAC=52:54:00:cc:03:01
require_env
tiny=${VHPC_TEST_TINY_DIR:-/var/cache/vhpc/images/tiny-current}
[ -f "$tiny/vmlinuz" ] && [ -f "$tiny/initrd.img" ] || die "no tiny guest in $tiny: run deploy/image/build-tiny.sh"
tiny=$(readlink -f "$tiny")
work=$(mktemp -d /var/tmp/vti-tiny.XXXXXX)
chmod 0755 "$work"
cleanup() { domain_remove "$DOM"; net_remove "$NET"; if [ -n "${KEEP_LOGS:-}" ]; then echo "kept $work" >&2; else rm -rf "$work"; fi; }
trap cleanup EXIT

net_create "$NET" "$BRIDGE" "$PREFIX"
cat > "$work/domain.xml" <<XML
<domain type='qemu'>
  <name>$DOM</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <cpu mode='maximum'/>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
    <kernel>$tiny/vmlinuz</kernel>
    <initrd>$tiny/initrd.img</initrd>
    <cmdline>console=ttyS0 hostname=$DOM</cmdline>
  </os>
  <features><acpi/></features>
  <on_poweroff>destroy</on_poweroff>
  <devices>
    <interface type='network'><source network='$NET'/><mac address='$MAC'/><model type='virtio'/></interface>
    <serial type='pty'><log file='$work/serial.log' append='off'/><target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>
  </devices>
</domain>
XML
domain_remove "$DOM"
"${VIRSH[@]}" define "$work/domain.xml" >/dev/null
t0=$(now)
"${VIRSH[@]}" start "$DOM" >/dev/null
ip=$(wait_lease "$NET" "$MAC" "$DOM" "$work" 120)
t_lease=$(now)
log "lease $ip after $(elapsed "$t0" "$t_lease") s"
for _ in $(seq 60); do grep -q 'vhpc-tiny: ready' "$work/serial.log" && break; sleep 0.5; done
grep -q "vhpc-tiny: ready $ip/" "$work/serial.log" || { serial_tail "$work"; die "no 'vhpc-tiny: ready $ip/..' on the serial console"; }
t1=$(now)
"${VIRSH[@]}" shutdown "$DOM" >/dev/null
for _ in $(seq 120); do domain_running "$DOM" || break; sleep 0.5; done
domain_running "$DOM" && { serial_tail "$work"; die "$DOM did not power off after the ACPI power button"; }
t2=$(now)
echo "tiny-check ok: lease_s=$(elapsed "$t0" "$t_lease") shutdown_s=$(elapsed "$t1" "$t2")"
