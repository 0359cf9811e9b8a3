# Where this host gets Debian from: the mirror (and security mirror) of its own apt sources, so a
# local mirror or proxy the host uses is used by the image builds too. Sourced by build-image.sh and
# by any other script that bootstraps a Debian tree (e.g. a systemd-nspawn rootfs):
#   . deploy/image/mirror.sh
#   mirror=$(vhpc_debian_mirror bookworm)              # VHPC_IMAGE_MIRROR overrides
#   security=$(vhpc_debian_security_mirror bookworm)   # VHPC_IMAGE_SECURITY_MIRROR overrides; may be empty
#   vhpc_debian_sources bookworm                       # the "deb URI SUITE main" lines for mmdebstrap
# Both read `apt-get indextargets` (the main component's Packages index of a "deb" source whose suite
# or codename is SUITE), i.e. what `apt-get update` on this host would fetch. No mirror host is
# written here on purpose. A host without such a source gets an error that says what to set.
# shellcheck shell=bash

# _vhpc_apt_repo SUITE: the first Repo-URI (no trailing slash) serving SUITE's main Packages index.
_vhpc_apt_repo() {
  local suite=$1
  command -v apt-get >/dev/null || return 1
  # One line per index target: suite as written in the sources, codename from its Release file
  # (empty before the first apt-get update), repository URI.
  apt-get indextargets --format '$(RELEASE) $(CODENAME) $(REPO_URI)' \
      'Identifier: Packages' 'Component: main' 'Target-Of: deb' 2>/dev/null \
    | awk -v s="$suite" '($1 == s || $2 == s) && $3 !~ /^cdrom:/ { sub(/\/+$/, "", $3); print $3; exit }'
}

# vhpc_debian_mirror SUITE: the Debian archive to bootstrap SUITE from.
vhpc_debian_mirror() {
  local suite=${1:?vhpc_debian_mirror needs a suite}
  local uri
  if [ -n "${VHPC_IMAGE_MIRROR:-}" ]; then
    printf '%s\n' "${VHPC_IMAGE_MIRROR%/}"
    return 0
  fi
  uri=$(_vhpc_apt_repo "$suite") || uri=
  if [ -z "$uri" ]; then
    echo "mirror.sh: this host's apt sources have no '$suite main' source (apt-get indextargets lists none):" \
      "add one to /etc/apt/sources.list.d and run apt-get update, or set VHPC_IMAGE_MIRROR to a Debian mirror URI" >&2
    return 1
  fi
  printf '%s\n' "$uri"
}

# vhpc_debian_security_mirror SUITE: the security archive for SUITE-security, or nothing when the
# host has none (the image is then built without security updates, and a warning says so).
vhpc_debian_security_mirror() {
  local suite=${1:?vhpc_debian_security_mirror needs a suite}
  local uri
  if [ -n "${VHPC_IMAGE_SECURITY_MIRROR+set}" ]; then
    [ -n "$VHPC_IMAGE_SECURITY_MIRROR" ] && printf '%s\n' "${VHPC_IMAGE_SECURITY_MIRROR%/}"
    return 0
  fi
  uri=$(_vhpc_apt_repo "$suite-security") || uri=
  if [ -z "$uri" ]; then
    echo "mirror.sh: warning: no '$suite-security main' source on this host: no security updates in the image" \
      "(set VHPC_IMAGE_SECURITY_MIRROR to add them, or to '' to silence this)" >&2
    return 0
  fi
  printf '%s\n' "$uri"
}

# vhpc_debian_sources SUITE: one "deb URI SUITE main" line per archive, for mmdebstrap or sources.list.
vhpc_debian_sources() {
  local suite=${1:?vhpc_debian_sources needs a suite}
  local mirror security
  mirror=$(vhpc_debian_mirror "$suite") || return 1
  security=$(vhpc_debian_security_mirror "$suite") || return 1
  printf 'deb %s %s main\n' "$mirror" "$suite"
  [ -z "$security" ] || printf 'deb %s %s-security main\n' "$security" "$suite"
}
