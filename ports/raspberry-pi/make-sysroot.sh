#!/usr/bin/env bash
# Builds a cross sysroot for griffin-rt from Debian's own packages of our dependencies for
# another architecture (arm64 by default, armhf with GRIFFIN_SYSROOT_ARCH=armhf).
#
#   ports/raspberry-pi/make-sysroot.sh [SYSROOT_DIR]
#
# SYSROOT_DIR defaults to build-aarch64/sysroot-arm64 (build-armhf/sysroot-armhf for armhf).
#
# The foreign -dev packages cannot be co-installed with the amd64 ones, so they are downloaded
# (`apt-get install --download-only`) and unpacked with `dpkg -x`. The download uses a private
# apt state directory (its own sources, package lists, status and archive cache) instead of
# `dpkg --add-architecture` + `apt-get update` on the system: the machine's apt and dpkg
# configuration are left untouched, nothing is installed, and root is not needed. apt's own
# resolver (against an empty "installed" status) picks the exact dependency closure, including
# libc6/libstdc++6, so the sysroot is also what `qemu-aarch64 -L SYSROOT` loads at run time.
#
# Idempotent and cached: the .debs and package lists live in GRIFFIN_DEB_CACHE (default
# ~/.cache/griffin-rt/debs-ARCH); a second run that finds the sysroot up to date only asks the
# cached lists (no network) and exits. GRIFFIN_SYSROOT_REFRESH=1 refreshes the package lists.
# Only Debian's archive is contacted (GRIFFIN_DEBIAN_MIRROR, GRIFFIN_DEBIAN_SECURITY_MIRROR).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)

arch=${GRIFFIN_SYSROOT_ARCH:-arm64}
case "$arch" in
  arm64) triplet=aarch64-linux-gnu; default_dir=$root/build-aarch64/sysroot-arm64 ;;
  armhf) triplet=arm-linux-gnueabihf; default_dir=$root/build-armhf/sysroot-armhf ;;
  *) echo "make-sysroot: unsupported GRIFFIN_SYSROOT_ARCH '$arch' (arm64 or armhf)" >&2; exit 2 ;;
esac
sysroot=${1:-${GRIFFIN_SYSROOT:-$default_dir}}
cache=${GRIFFIN_DEB_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/griffin-rt/debs-$arch}
codename=${GRIFFIN_DEBIAN_SUITE:-bookworm}
mirror=${GRIFFIN_DEBIAN_MIRROR:-http://deb.debian.org/debian}
security_mirror=${GRIFFIN_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
keyring=${GRIFFIN_DEBIAN_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}

# What the build links and the tests load (the same list as scripts/setup-deps.sh, for the
# target architecture), plus the C/C++ runtime that qemu-user loads from the sysroot.
# Header-only packages come along too: they are tiny, and taking them from the sysroot keeps
# every find_path/find_package inside it (no host paths in the cross build at all).
packages=(
  libxnnpack-dev libpthreadpool-dev libcpuinfo-dev
  libsentencepiece-dev libflatbuffers-dev
  nlohmann-json3-dev libcli11-dev libfp16-dev catch2
  libc6 libstdc++6 libgcc-s1
)

log() { echo "make-sysroot[$arch]: $*"; }

mkdir -p "$cache/etc/sources.list.d" "$cache/etc/preferences.d" "$cache/etc/apt.conf.d" \
         "$cache/state/lists/partial" "$cache/archives/partial" "$cache/cache"
touch "$cache/state/status"
cat >"$cache/etc/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: $codename $codename-updates
Components: main
Architectures: $arch
Signed-By: $keyring

Types: deb
URIs: $security_mirror
Suites: $codename-security
Components: main
Architectures: $arch
Signed-By: $keyring
EOF
: >"$cache/etc/sources.list"

apt_opts=(
  -o "APT::Architecture=$arch" -o "APT::Architectures::=$arch"
  -o "Dir::Etc::sourcelist=$cache/etc/sources.list"
  -o "Dir::Etc::sourceparts=$cache/etc/sources.list.d"
  -o "Dir::Etc::preferences=$cache/etc/preferences"
  -o "Dir::Etc::preferencesparts=$cache/etc/preferences.d"
  -o "Dir::State=$cache/state" -o "Dir::State::status=$cache/state/status"
  -o "Dir::Cache=$cache/cache" -o "Dir::Cache::archives=$cache/archives"
  -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="
  -o "APT::Install-Recommends=false" -o "APT::Install-Suggests=false"
  -o "APT::Get::List-Cleanup=false" -o "Debug::NoLocking=true"
  -o "APT::Sandbox::User=$(id -un)" -q
)
apt_get() { apt-get "${apt_opts[@]}" "$@"; }

update_lists() {
  log "fetching the $codename $arch package lists into $cache/state/lists"
  local try
  for try in 1 2 3; do
    apt_get update -qq && return 0
    sleep $((try * 5))   # e.g. "Mirror sync in progress?": try again
  done
  # Go on with what was fetched: the resolution below fails clearly if something is missing.
  log "warning: apt-get update failed 3 times"
}

if [[ "${GRIFFIN_SYSROOT_REFRESH:-0}" == 1 ]] || ! compgen -G "$cache/state/lists/*Packages*" >/dev/null; then
  update_lists
fi

# The exact closure, from apt's resolver against an empty status:
#   Inst NAME (VERSION ORIGIN [ARCH]) -> NAME_VERSION_ARCH.deb (an epoch's ':' is "%3a").
resolve() {
  apt_get install -s -y "${packages[@]}" |
    sed -n 's/^Inst \([^ :]*\)[^ ]* (\([^ ]*\) [^[]*\[\([a-z0-9]*\)\].*/\1_\2_\3.deb/p' |
    sed 's/:/%3a/g'
}
if ! closure=$(resolve) || [[ -z "$closure" ]]; then
  update_lists
  closure=$(resolve)
fi
mapfile -t wanted <<<"$closure"
if [[ ${#wanted[@]} -eq 0 ]]; then
  echo "make-sysroot: could not resolve ${packages[*]} for $arch" >&2; exit 1
fi
stamp=$(printf '%s\n' "$triplet" "${wanted[@]}" | sort)

if [[ -f "$sysroot/.griffin-sysroot" && "$(cat "$sysroot/.griffin-sysroot")" == "$stamp" ]]; then
  log "$sysroot is up to date (${#wanted[@]} packages)"
  exit 0
fi

missing=0
for file in "${wanted[@]}"; do [[ -f "$cache/archives/$file" ]] || missing=1; done
if [[ $missing == 1 ]]; then
  log "downloading ${#wanted[@]} packages into $cache/archives"
  if ! apt_get install -d -y -qq "${packages[@]}" >/dev/null; then
    # A security update may have replaced a version that the cached lists still name.
    if [[ -n "${GRIFFIN_SYSROOT_RETRIED:-}" ]]; then
      echo "make-sysroot: downloading the $arch packages failed" >&2; exit 1
    fi
    update_lists
    GRIFFIN_SYSROOT_RETRIED=1 exec "$0" "$@"
  fi
fi
# Drop superseded versions from the cache.
for deb in "$cache"/archives/*.deb; do
  keep=0
  for file in "${wanted[@]}"; do [[ "$(basename "$deb")" == "$file" ]] && keep=1 && break; done
  [[ $keep == 1 ]] || rm -f "$deb"
done

log "unpacking ${#wanted[@]} packages into $sysroot"
rm -rf "$sysroot.tmp"
mkdir -p "$sysroot.tmp"
for file in "${wanted[@]}"; do
  dpkg-deb -x "$cache/archives/$file" "$sysroot.tmp"
done
# Absolute symlinks (e.g. /lib/ld-linux-aarch64.so.1 -> /lib/aarch64-linux-gnu/...) would point
# at the build machine's files: make them relative, inside the sysroot.
while IFS= read -r -d '' link; do
  target=$(readlink "$link")
  if [[ "$target" == /* ]]; then
    ln -sfn "$(realpath -m -s --relative-to="$(dirname "$link")" "$sysroot.tmp$target")" "$link"
  fi
done < <(find "$sysroot.tmp" -type l -print0)
# Only what a cross build and qemu-user need.
rm -rf "$sysroot.tmp/usr/share/doc" "$sysroot.tmp/usr/share/man" "$sysroot.tmp/usr/share/lintian" \
       "$sysroot.tmp/usr/share/locale" "$sysroot.tmp/usr/share/info"
printf '%s\n' "$stamp" >"$sysroot.tmp/.griffin-sysroot"
rm -rf "$sysroot"
mv "$sysroot.tmp" "$sysroot"
log "done: $sysroot ($(du -sh "$sysroot" | cut -f1))"
