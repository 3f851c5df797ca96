#!/usr/bin/env bash
# Installs what the aarch64 cross build and its emulated test run need on a Debian bookworm
# x86-64 machine, and makes the arm64 sysroot:
#   - g++-aarch64-linux-gnu (the cross compiler, with the arm64 C and C++ runtime it links)
#   - qemu-user (qemu-aarch64, which runs the test binaries; no binfmt registration is needed:
#     every test runs as `qemu-aarch64 -L SYSROOT binary`)
#   - the project's own dependencies (scripts/setup-deps.sh: cmake, flatc, ... on the host)
#   - the sysroot of Debian's arm64 packages (make-sysroot.sh; SYSROOT_DIR as its argument)
# Idempotent: installs only what is missing, and the sysroot comes from a .deb cache.
#
#   ports/raspberry-pi/setup-cross.sh [SYSROOT_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."

GRIFFIN_EXTRA_PACKAGES="g++-aarch64-linux-gnu qemu-user ${GRIFFIN_EXTRA_PACKAGES:-}" \
  scripts/setup-deps.sh
ports/raspberry-pi/make-sysroot.sh "$@"
