# shellcheck shell=bash
# Installs the Debian packages listed in scripts/packages.txt. Sourced by scripts/demo,
# scripts/test and .ci/run; expects to be sourced from the repository root.

PACKAGES_FILE="scripts/packages.txt"

# Prints the packages of the given purposes (run, build, test) that are not installed yet.
missing_packages() {
  local name purpose command
  while read -r name purpose command _; do
    [[ -z "$name" || "$name" == \#* ]] && continue
    [[ " $* " == *" $purpose "* ]] || continue
    if [[ -n "$command" ]] && command -v "$command" >/dev/null 2>&1; then
      continue
    fi
    if [[ "$(dpkg-query -W -f='${Status}' "$name" 2>/dev/null)" == "install ok installed" ]]; then
      continue
    fi
    echo "$name"
  done <"$PACKAGES_FILE"
}

# Installs the missing packages of the given purposes with apt-get (needs root). Runs
# apt-get update first unless APT_UPDATED=1 says the caller just did.
ensure_packages() {
  local missing
  missing="$(missing_packages "$@" | tr '\n' ' ')"
  missing="${missing% }"
  [[ -z "$missing" ]] && return 0
  if [[ "$(id -u)" != 0 ]]; then
    echo "$(basename "$0"): missing Debian packages: $missing" >&2
    echo "$(basename "$0"): run as root (sudo) to install them, or install them yourself" >&2
    return 4
  fi
  echo "installing: $missing"
  export DEBIAN_FRONTEND=noninteractive
  if [[ "${APT_UPDATED:-0}" != 1 ]]; then
    apt-get update -qq
  fi
  # Test servers (rpcbind, nfs-ganesha) must not start on the host when installed: the suites run
  # their own copies inside private network namespaces. A policy-rc.d that refuses every start
  # does that; one the machine already has is left alone.
  local policy=/usr/sbin/policy-rc.d own_policy=0
  if [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && own_policy=1
  fi
  local status=0
  # shellcheck disable=SC2086  # a list of package names
  apt-get install -y -qq --no-install-recommends $missing >/dev/null || status=$?
  if ((own_policy)); then
    rm -f "$policy"
  fi
  return "$status"
}
