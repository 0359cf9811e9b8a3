#!/usr/bin/env bash
# Prove the guest image boots in the sandboxed libvirtd: one guest on its own NAT network
# (vti-boot, 10.204.1.0/24), a genisoimage NoCloud seed, an overlay on the image, direct kernel
# boot under TCG. Waits for the DHCP lease and SSH (from inside the namespace), checks
# `cloud-init status --wait` says done and the hostname, prints the timings, and removes everything
# it created (also on failure). Usage: sudo tests/env/boot-check.sh   (after tests/env/up.sh and
# deploy/image/build-image.sh). Output ends with a line: lease_s=N ssh_s=N ready_s=N
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/env/guest-lib.sh
. "$HERE/guest-lib.sh"

NET=vti-boot BRIDGE=vti-boot0 PREFIX=10.204.1 DOM=vti-boot-n1 HOST=vti-boot-n1 MAC=52:54:00:cc:01:01
LEASE_TIMEOUT=${VHPC_LEASE_TIMEOUT:-300} SSH_TIMEOUT=${VHPC_SSH_TIMEOUT:-300}

require_env
image=$(guest_image_dir)
work=$(mktemp -d /var/tmp/vti-boot.XXXXXX)
chmod 0755 "$work"   # qemu runs as libvirt-qemu and must reach the overlay
cleanup() {
  domain_remove "$DOM"
  net_remove "$NET"
  if [ -n "${KEEP_LOGS:-}" ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

ssh-keygen -q -t ed25519 -N '' -C vti-boot -f "$work/id_ed25519"
net_create "$NET" "$BRIDGE" "$PREFIX"
seed_create "$work" "$HOST" "$work/id_ed25519.pub"

t0=$(now)
domain_create "$DOM" "$work" "$image" "$NET" "$MAC"
log "started $DOM from $image"
ip=$(wait_lease "$NET" "$MAC" "$DOM" "$work" "$LEASE_TIMEOUT")
t_lease=$(now)
log "lease $ip after $(elapsed "$t0" "$t_lease") s"
wait_ssh "$work/id_ed25519" "$ip" "$DOM" "$work" "$SSH_TIMEOUT"
t_ssh=$(now)
log "SSH after $(elapsed "$t0" "$t_ssh") s"
check_ready "$work/id_ed25519" "$ip" "$HOST" "$work"
t_ready=$(now)
log "cloud-init done, hostname $HOST, after $(elapsed "$t0" "$t_ready") s"
# The image's promises to the Ansible playbooks: Slurm/munge/NFS installed but not enabled, no
# image-wide munge key, the eth0 name, host keys generated at first boot.
facts=$(guest_ssh "$work/id_ed25519" "$ip" 'PATH=$PATH:/usr/sbin:/sbin; for u in slurmctld slurmd munge nfs-server; do echo "$u=$(systemctl is-enabled $u 2>/dev/null)"; done;
  for b in slurmctld slurmd munged exportfs mount.nfs python3 sudo; do command -v $b >/dev/null || echo "missing=$b"; done;
  sudo test -e /etc/munge/munge.key && echo munge-key=present; ip -o link show eth0 >/dev/null || echo missing=eth0' </dev/null)
echo "$facts" | sed 's/^/  image: /' >&2
bad=$(grep -E '=(enabled|present)$|^missing=' <<<"$facts" || true)
[ -z "$bad" ] || die "image check failed: $(tr '\n' ' ' <<<"$bad")"
echo "boot-check ok: lease_s=$(elapsed "$t0" "$t_lease") ssh_s=$(elapsed "$t0" "$t_ssh") ready_s=$(elapsed "$t0" "$t_ready")"
