#!/usr/bin/env bash
# Removes what deploy/install.sh installed.
#
#   sudo deploy/uninstall.sh [--prefix /usr/local] [--purge]
#
# Removes the user vhpcd. Keeps /etc/vhpc (your settings and cluster files), /var/lib/vhpc (cluster
# SSH keys, munge keys, known_hosts) and the group vhpc unless --purge. Never touches libvirt:
# destroy clusters first (vhpc destroy NAME) if you want their domains, volumes and networks gone.
set -euo pipefail

prefix=/usr/local
purge=false
while [[ $# -gt 0 ]]; do
    case "$1" in
        --prefix) prefix="${2:?--prefix needs a directory}"; shift 2 ;;
        --purge) purge=true; shift ;;
        -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "uninstall.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done

if [[ $(id -u) -ne 0 ]]; then
    echo "uninstall.sh: run as root" >&2
    exit 1
fi

unit=/etc/systemd/system/vhpcd.service
if [[ -d /run/systemd/system ]]; then
    systemctl disable --now vhpcd.service 2>/dev/null || true
fi
rm -f "$unit"
rm -rf /etc/systemd/system/vhpcd.service.d
if [[ -d /run/systemd/system ]]; then
    systemctl daemon-reload
fi

# Only the symlink we made, not some other vhpc.
if [[ -L "$prefix/bin/vhpc" && "$(readlink "$prefix/bin/vhpc")" == "$prefix/lib/vhpc/vhpc" ]]; then
    rm -f "$prefix/bin/vhpc"
fi
rm -rf "$prefix/lib/vhpc" "$prefix/share/vhpc"
rm -rf /run/vhpc
# The next install makes a new vhpcd and gives it /var/lib/vhpc again.
if getent passwd vhpcd >/dev/null; then userdel vhpcd; fi
if getent group vhpcd >/dev/null; then groupdel vhpcd; fi

if $purge; then
    rm -rf /etc/vhpc /var/lib/vhpc
    if getent group vhpc >/dev/null; then groupdel vhpc; fi
    echo "vhpc removed, including user vhpcd, /etc/vhpc, /var/lib/vhpc and group vhpc"
else
    echo "vhpc removed (and user vhpcd); kept /etc/vhpc, /var/lib/vhpc and group vhpc (use --purge to remove them)"
fi
