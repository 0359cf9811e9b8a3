#!/usr/bin/env bash
# Installs vhpcd (the daemon) and vhpc (the CLI) on this host from a source checkout.
#
#   sudo deploy/install.sh [--prefix /usr/local] [--self-contained] [--no-start]
#
# What it puts where:
#   PREFIX/lib/vhpc/vhpcd                   the daemon, compiled to one native executable (Native AOT:
#                                           needs gcc and libc6-dev to build, installed with apt-get
#                                           when missing; no .NET runtime to run)
#   PREFIX/lib/vhpc/{vhpc,...}              the CLI (framework-dependent: needs the .NET 10 runtime, or
#                                           --self-contained)
#   PREFIX/bin/vhpc -> ../lib/vhpc/vhpc     the CLI on PATH
#   PREFIX/share/vhpc/ansible/              the Slurm playbooks (deploy/ansible)
#   PREFIX/share/vhpc/examples/             example cluster file and settings
#   PREFIX/share/vhpc/netns.conf            drop-in for guests inside a network namespace
#   /etc/vhpc/vhpcd.json                    daemon settings (only if absent: never overwritten)
#   /etc/vhpc/clusters.d/                   one cluster per *.yaml file
#   /etc/systemd/system/vhpcd.service       the unit (Type=notify)
#   group "vhpc"                            members may use /run/vhpc/vhpcd.sock
#   user "vhpcd"                            runs vhpcd (no capabilities): member of libvirt and vhpc,
#                                           owner of /var/lib/vhpc (and, under systemd, /run/vhpc)
set -euo pipefail

prefix=/usr/local
self_contained=false
start=true
configuration=Release

usage() {
    sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'
    exit "${1:-0}"
}

while [[ $# -gt 0 ]]; do
    case "$1" in
        --prefix) prefix="${2:?--prefix needs a directory}"; shift 2 ;;
        --self-contained) self_contained=true; shift ;;
        --no-start) start=false; shift ;;
        -h|--help) usage 0 ;;
        *) echo "install.sh: unknown argument '$1'" >&2; usage 2 >&2 ;;
    esac
done

if [[ $(id -u) -ne 0 ]]; then
    echo "install.sh: run as root (it installs a system service)" >&2
    exit 1
fi

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
libdir="$prefix/lib/vhpc"
sharedir="$prefix/share/vhpc"
unit=/etc/systemd/system/vhpcd.service

command -v dotnet >/dev/null || { echo "install.sh: dotnet (SDK 10) is needed to build; install dotnet-sdk-10.0" >&2; exit 1; }

case "$(uname -m)" in
    x86_64) rid=linux-x64 ;;
    aarch64) rid=linux-arm64 ;;
    *) echo "install.sh: no .NET runtime identifier for this machine ($(uname -m)); vhpcd is built for x86_64 and aarch64" >&2; exit 1 ;;
esac

build="$(mktemp -d /tmp/vhpc-install.XXXXXX)"
trap 'rm -rf "$build"' EXIT

# Native AOT compiles vhpcd with the .NET SDK's ILCompiler and links it with the system's C toolchain
# (gcc, or clang if installed, and objcopy from binutils) against glibc's development files.
# Check by linking a tiny C program; install what is missing from the host's own apt sources.
toolchain_links() {
    command -v objcopy >/dev/null && command -v gcc >/dev/null \
        && printf 'int main(void) { return 0; }\n' | gcc -x c - -o "$build/cc-check" 2>/dev/null
}
if ! toolchain_links; then
    echo "==> installing the C toolchain Native AOT links with (gcc, libc6-dev)"
    if command -v apt-get >/dev/null; then
        # A fresh machine may not have its package lists yet: update once if the first try fails.
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends gcc libc6-dev \
            || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends gcc libc6-dev; } || true
    fi
    toolchain_links || { echo "install.sh: cannot link a C program: install gcc and libc6-dev (glibc's headers), then run install.sh again" >&2; exit 1; }
fi

cli=(-c "$configuration" --nologo -p:UseAppHost=true)
if $self_contained; then
    cli+=(-r "$rid" --self-contained true)
fi

echo "==> building vhpcd (Native AOT, $rid) and vhpc ($configuration)"
dotnet publish "$repo/src/Vhpc.Daemon/Vhpc.Daemon.csproj" -c "$configuration" --nologo -r "$rid" -p:PublishAot=true -o "$build/out"
dotnet publish "$repo/src/Vhpc.Cli/Vhpc.Cli.csproj" "${cli[@]}" -o "$build/out"

echo "==> installing programs into $libdir"
# Replace the whole directory so no stale assembly from an older version stays behind.
rm -rf "$libdir.new"
install -d -m 0755 "$libdir.new"
cp -a "$build/out/." "$libdir.new/"
# Debug symbols stay out (vhpcd.dbg is twice the program; stack traces do not need it).
rm -f "$libdir.new"/*.pdb "$libdir.new"/*.dbg
chmod -R u=rwX,go=rX "$libdir.new"
rm -rf "$libdir.old"
if [[ -d "$libdir" ]]; then mv "$libdir" "$libdir.old"; fi
mv "$libdir.new" "$libdir"
rm -rf "$libdir.old"
install -d -m 0755 "$prefix/bin"
ln -sfn "$libdir/vhpc" "$prefix/bin/vhpc"

echo "==> installing playbooks and examples into $sharedir"
install -d -m 0755 "$sharedir" "$sharedir/examples"
if [[ -d "$repo/deploy/ansible" ]]; then
    rm -rf "$sharedir/ansible"
    cp -a "$repo/deploy/ansible" "$sharedir/ansible"
    chmod -R u=rwX,go=rX "$sharedir/ansible"
else
    echo "    (no deploy/ansible in this checkout: playbooks not installed)"
fi
install -m 0644 "$repo/deploy/etc/vhpcd.json" "$sharedir/examples/vhpcd.json"
install -m 0644 "$repo/deploy/etc/clusters.d/example.yaml" "$sharedir/examples/cluster.yaml"
install -m 0644 "$repo/deploy/etc/netns.conf" "$sharedir/netns.conf"
if [[ -f "$repo/README.md" ]]; then install -m 0644 "$repo/README.md" "$sharedir/README.md"; fi

echo "==> group vhpc (may use the control socket) and user vhpcd (runs vhpcd)"
getent group vhpc >/dev/null || groupadd --system vhpc
if ! getent passwd vhpcd >/dev/null; then
    useradd --system --user-group --home-dir /var/lib/vhpc --no-create-home --shell /usr/sbin/nologin \
        --comment "vhpcd, virtual HPC clusters" vhpcd
fi
# vhpc: to give the control socket to that group. libvirt: Debian's polkit rule lets its members
# manage qemu:///system through libvirtd's socket (no root, no capability).
usermod -aG vhpc vhpcd
if getent group libvirt >/dev/null; then
    usermod -aG libvirt vhpcd
else
    echo "    group libvirt does not exist (install libvirt-daemon-system first): vhpcd cannot use qemu:///system until"
    echo "    it is a member (usermod -aG libvirt vhpcd). For a remote libvirt host (qemu+ssh://), its key is in ~vhpcd/.ssh."
fi
# libvirt-qemu: libvirt binds the elastic clusters' power channel sockets (in vhpcd's 0700
# /run/vhpc/channels) as libvirt-qemu:libvirt-qemu mode 0775; vhpcd connects to them through the group.
if getent group libvirt-qemu >/dev/null; then
    usermod -aG libvirt-qemu vhpcd
fi

echo "==> configuration in /etc/vhpc"
install -d -m 0755 /etc/vhpc /etc/vhpc/clusters.d
if [[ ! -e /etc/vhpc/vhpcd.json ]]; then
    install -m 0644 "$repo/deploy/etc/vhpcd.json" /etc/vhpc/vhpcd.json
else
    echo "    /etc/vhpc/vhpcd.json exists: kept (the new default is $sharedir/examples/vhpcd.json)"
fi
# State of an earlier install that ran as root becomes vhpcd's (systemd's StateDirectory= does the same).
install -d -m 0750 -o vhpcd -g vhpcd /var/lib/vhpc
chown -R vhpcd:vhpcd /var/lib/vhpc

echo "==> systemd unit $unit"
sed "s#/usr/local/lib/vhpc/#$libdir/#g; s#/usr/local/share/vhpc#$sharedir#g" "$repo/vhpcd.service" > "$unit.new"
chmod 0644 "$unit.new"
mv "$unit.new" "$unit"

if [[ -d /run/systemd/system ]]; then
    systemctl daemon-reload
    if $start; then
        systemctl enable --now vhpcd.service
        systemctl --no-pager --lines=5 status vhpcd.service || true
    else
        systemctl enable vhpcd.service
    fi
else
    echo "    systemd is not running here: start vhpcd by hand ($libdir/vhpcd) or boot with systemd"
fi

cat <<DONE
==> installed.
    Add users to the socket group:   usermod -aG vhpc USER   (then log in again)
    Put a cluster file in place:     cp $sharedir/examples/cluster.yaml /etc/vhpc/clusters.d/NAME.yaml
                                     vhpc validate -f /etc/vhpc/clusters.d/NAME.yaml
                                     systemctl reload vhpcd && vhpc plan NAME && vhpc apply NAME
    vhpcd runs as user vhpcd: base images and SSH public key files named in cluster files must be
    readable by it (not under /home or /root).
    Logs:                            journalctl -u vhpcd -f
DONE
