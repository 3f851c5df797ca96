#!/usr/bin/env bash
# Cross-builds griffin-rt for aarch64 and runs the whole test suite under qemu-user, once per
# emulated CPU: a Raspberry Pi 4 class core (Cortex-A72: NEON, no dot product, no fp16
# arithmetic) and a Raspberry Pi 5 / phone class core (Cortex-A76: NEON, dot product, fp16).
#
#   ports/raspberry-pi/run-tests.sh              # setup, sysroot, configure, build, test
#   ports/raspberry-pi/run-tests.sh --no-build   # test what build-aarch64/ already holds
#
# Runs setup-cross.sh first (installs g++-aarch64-linux-gnu and qemu-user when missing, makes
# the sysroot from its .deb cache; both quick when already done). scripts/test.sh (and so CI)
# runs this after the x86 suite. Environment:
#   AARCH64_BUILD_DIR  build directory (default build-aarch64)
#   GRIFFIN_ARM64_SYSROOT  sysroot (default <build dir>/sysroot-arm64, made by make-sysroot.sh)
#   GRIFFIN_QEMU_CPUS  the CPU models to run, with the kernels each must select
#                      (default "cortex-a72=neon cortex-a76=neondot")
#   GRIFFIN_QEMU_SUITE full (default) or quick: quick, which CI runs, leaves out the CLI tool
#                      tests, the allocation and resident-memory tests and the sessions-on-
#                      threads tests (see below)
#   GRIFFIN_REQUIRE_DISPATCH_TESTS=0  do not fail when griffin-tests has no "[dispatch]" tests
#                      (by default a binary without them fails the run)
#   AARCH64_CMAKE_ARGS extra configure arguments
#   JOBS               parallel build jobs and tests (default: nproc)
#   GRIFFIN_SKIP_AARCH64=1  skip all of this (a quick x86-only scripts/test.sh; CI never sets it)
# On an aarch64 host (a Raspberry Pi) it does nothing: scripts/test.sh's run was native there.
#
# Every test runs as `qemu-aarch64 -L SYSROOT test-binary` (CMAKE_CROSSCOMPILING_EMULATOR from
# aarch64-toolchain.cmake); qemu-aarch64 takes the CPU model from QEMU_CPU. Each run also sets
# GRIFFIN_EXPECT_KERNELS to the kernel family that CPU must select ("neon" on the A72,
# "neondot" on the A76): the "[dispatch]" tests assert it, so a silent fall-back to scalar code
# (or to plain NEON on a dot-product core) fails the run. Exits non-zero on any failure.
set -euo pipefail
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
cd "$(dirname "$0")/../.."
root=$(pwd)

if [[ "${GRIFFIN_SKIP_AARCH64:-0}" == 1 ]]; then
  echo "run-tests: GRIFFIN_SKIP_AARCH64=1: the aarch64 suite was NOT run"
  exit 0
fi

if [[ "$(uname -m)" == aarch64 ]]; then
  # On a Raspberry Pi (or any arm64 machine) the suite scripts/test.sh just ran natively is
  # already the aarch64 suite, on the real CPU.
  echo "run-tests: native aarch64 host: the suite ran natively, no emulated run needed"
  exit 0
fi

build=1
for arg in "$@"; do
  case "$arg" in
    --no-build) build=0 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$self" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "run-tests: unknown argument '$arg'" >&2; exit 2 ;;
  esac
done

build_dir=${AARCH64_BUILD_DIR:-build-aarch64}
mkdir -p "$build_dir"
build_dir=$(cd "$build_dir" && pwd)
sysroot=${GRIFFIN_ARM64_SYSROOT:-$build_dir/sysroot-arm64}
jobs=${JOBS:-$(nproc)}
read -r -a cpus <<<"${GRIFFIN_QEMU_CPUS:-cortex-a72=neon cortex-a76=neondot}"
suite=${GRIFFIN_QEMU_SUITE:-full}
if [[ "$suite" != full && "$suite" != quick ]]; then
  echo "run-tests: GRIFFIN_QEMU_SUITE must be full or quick, not '$suite'" >&2
  exit 2
fi

now() { date +%s; }
started=$(now)
if [[ $build == 1 ]]; then
  t0=$(now)
  ports/raspberry-pi/setup-cross.sh "$sysroot"
  echo "run-tests: cross setup took $(( $(now) - t0 )) s"
  read -r -a extra_args <<<"${AARCH64_CMAKE_ARGS:-}"
  t0=$(now)
  cmake -S . -B "$build_dir" \
    -DCMAKE_TOOLCHAIN_FILE="$root/ports/raspberry-pi/aarch64-toolchain.cmake" \
    -DGRIFFIN_ARM64_SYSROOT="$sysroot" \
    -DCMAKE_BUILD_TYPE=Release -DGRIFFIN_WERROR=ON -DGRIFFIN_BUILD_TESTS=ON \
    "${extra_args[@]}" >/dev/null
  cmake --build "$build_dir" -j "$jobs"
  echo "run-tests: aarch64 build took $(( $(now) - t0 )) s"
fi

for tool in qemu-aarch64 ctest; do
  if ! command -v "$tool" >/dev/null; then
    echo "run-tests: $tool not found: run ports/raspberry-pi/setup-cross.sh" >&2
    exit 1
  fi
done
tests_bin=$build_dir/bin/griffin-tests
if [[ ! -x "$tests_bin" ]]; then
  echo "run-tests: $tests_bin is missing: build first (without --no-build)" >&2
  exit 1
fi
emulator=(qemu-aarch64 -L "$sysroot")

summary=()
total_passed=0
total_failed=0
status=0
for entry in "${cpus[@]}"; do
  cpu=${entry%%=*}
  expect=${entry#*=}
  [[ "$expect" == "$entry" ]] && expect=""
  echo
  echo "=== aarch64 tests on QEMU_CPU=$cpu (GRIFFIN_EXPECT_KERNELS=$expect) ==="
  export QEMU_CPU=$cpu GRIFFIN_EXPECT_KERNELS=$expect
  t0=$(now)
  cpu_status=0

  # The dispatch assertions first and visibly: which kernels this CPU selected.
  # (Catch2 v2 exits with the number of tests it listed.)
  dispatch_tests=$("${emulator[@]}" "$tests_bin" --list-test-names-only "[dispatch]" 2>/dev/null || true)
  if [[ -n "${dispatch_tests//[[:space:]]/}" ]]; then
    if ! "${emulator[@]}" "$tests_bin" "[dispatch]" --warn NoTests; then
      echo "run-tests: dispatch assertions FAILED on $cpu (expected $expect)"
      cpu_status=1
    fi
  elif [[ "${GRIFFIN_REQUIRE_DISPATCH_TESTS:-1}" == 1 ]]; then
    echo "run-tests: FAILED: no [dispatch] tests in $tests_bin: kernel selection on $cpu is not asserted"
    cpu_status=1
  else
    echo "run-tests: warning: no [dispatch] tests: kernel selection on $cpu is not asserted"
  fi

  log=$build_dir/Testing/ctest-$cpu.log
  mkdir -p "$(dirname "$log")"
  # Left out under emulation, and said so: the quantized-quality test scores a 15,347-token book
  # four times (over 10 minutes in QEMU, 22 s natively). What it measures is numerics the x86
  # run already checks; the ARM kernels are held to the scalar definitions by the [kernels] and
  # whole-model SIMD-vs-scalar tests, which do run here.
  # The long runs (label "long": 100,000 tokens, 1,000 snapshot cycles) stay out for the same
  # reason; they are about the runtime's bookkeeping, not the ISA, and run natively on x86.
  excluded='^Quantized bundled model'
  # GRIFFIN_QEMU_SUITE=quick (what CI runs) also leaves out what is not about the ISA and is
  # slowest under QEMU, all of which ran natively on x86 just before:
  #   - the command-line tool tests (cli.*: process plumbing and argument parsing; every tool
  #     start costs seconds under QEMU);
  #   - the allocation-counting and resident-memory tests (label no-asan: thousands of decode
  #     steps each, over 5 minutes apiece under QEMU, 4 s natively);
  #   - the two tests of several sessions on threads (3-4 minutes each under QEMU: emulated
  #     threads contend for two host cores; QEMU runs guest memory accesses with the host's
  #     ordering, so they would not exercise ARM's weaker memory model anyway).
  # Every kernel, dispatch, whole-model, snapshot, batch, generate and C API test still runs.
  labels_excluded=long
  if [[ "$suite" == quick ]]; then
    excluded="$excluded|^cli\\.|^Sessions on several threads|^Two sessions prefill"
    labels_excluded="long|no-asan"
  fi
  echo "run-tests: $suite suite; not run under emulation (too slow): tests matching /$excluded/ and labels /$labels_excluded/"
  if ! ctest --test-dir "$build_dir" --output-on-failure -j "$jobs" -E "$excluded" -LE "$labels_excluded" 2>&1 | tee "$log"; then
    cpu_status=1
  fi
  # "100% tests passed, 0 tests failed out of 97"
  line=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1 || true)
  if [[ -z "$line" ]]; then
    passed=0; failed=1; cpu_status=1
  else
    failed=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
    count=$(sed -E 's/.* failed out of ([0-9]+).*/\1/' <<<"$line")
    passed=$((count - failed))
  fi
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
  [[ $cpu_status == 0 ]] || status=1
  summary+=("$(printf '%-11s %4d passed, %d failed, %4d s%s' "$cpu" "$passed" "$failed" \
               "$(( $(now) - t0 ))" "$([[ $cpu_status == 0 ]] && echo "" || echo "  FAILED")")")
done
unset QEMU_CPU GRIFFIN_EXPECT_KERNELS

echo
echo "=== aarch64 under qemu-user ($(( $(now) - started )) s in all) ==="
printf '  %s\n' "${summary[@]}"
echo "aarch64: $total_passed passed, $total_failed failed"
exit $status
