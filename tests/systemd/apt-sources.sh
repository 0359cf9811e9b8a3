# Sourced, not run: vhpc_apt_sources SUITE prints the "deb URI SUITE[-updates|-security] main" lines to
# build a Debian SUITE root from, taken from this host's own apt configuration (apt-get indextargets:
# its mirror or proxy, never a hard-coded host). VHPC_IMAGE_MIRROR, when set, replaces the mirror of
# SUITE and SUITE-updates (security stays as configured). Prints nothing when apt knows no such suite
# (run apt-get update first).
vhpc_apt_sources() {
  local suite=$1
  apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 2>/dev/null | sort -u |
    awk -v suite="$suite" -v mirror="${VHPC_IMAGE_MIRROR:-}" '
      $2 == suite || $2 == suite "-updates" || $2 == suite "-security" {
        uri = $1
        if (mirror != "" && $2 != suite "-security") uri = mirror
        line = "deb " uri " " $2 " main"
        if (!seen[line]++) print line
      }'
}
