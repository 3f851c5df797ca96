#!/usr/bin/env bash
# Checks libgriffin.so's dynamic interface (CTest: library.exports):
#   - every defined dynamic symbol is griffin_* (cmake/griffin.map keeps the rest local);
#   - every function griffin.h declares with GRIFFIN_API is exported (none missing);
#   - the SONAME is libgriffin.so.<major>.
#   check_exports.sh NM OBJDUMP LIBRARY HEADER EXPECTED_SONAME
# NM and OBJDUMP are the toolchain's (aarch64-linux-gnu-nm in cross builds).
set -euo pipefail
if [[ $# -ne 5 ]]; then
  echo "usage: $0 NM OBJDUMP LIBRARY HEADER EXPECTED_SONAME" >&2
  exit 2
fi
nm=$1 objdump=$2 library=$3 header=$4 expected_soname=$5
status=0

# `nm -D --defined-only` prints "ADDRESS TYPE NAME" (NAME@@VERSION for versioned symbols; our
# version script is anonymous, so there are none). No exceptions are needed: the version
# script's `local: *` also hides what the toolchain links in (_init, _fini and the like), and
# libstdc++, libgcc and the dependencies are shared libraries, so none of their symbols is
# defined here.
exported=$("$nm" -D --defined-only "$library" | awk '{ print $NF }' | sort -u)
if [[ -z "$exported" ]]; then
  echo "FAIL: $library exports no symbols at all" >&2
  exit 1
fi
foreign=$(grep -v '^griffin_' <<<"$exported" || true)
if [[ -n "$foreign" ]]; then
  echo "FAIL: $library exports symbols outside the C API (griffin_*):" >&2
  sed 's/^/  /' <<<"$foreign" >&2
  status=1
fi

# The API as griffin.h declares it: the name before the "(" of each GRIFFIN_API declaration
# (preprocessor lines left out: they define GRIFFIN_API itself).
declared=$(grep -v '^[[:space:]]*#' "$header" | tr '\n' ' ' | grep -oE 'GRIFFIN_API[^;(]*\(' |
           grep -oE '[A-Za-z_][A-Za-z0-9_]*[[:space:]]*\($' | tr -d '( ' | sort -u)
if [[ -z "$declared" ]]; then
  echo "FAIL: found no GRIFFIN_API declarations in $header" >&2
  exit 1
fi
missing=$(comm -23 <(echo "$declared") <(echo "$exported"))
if [[ -n "$missing" ]]; then
  echo "FAIL: declared in griffin.h but not exported by $library:" >&2
  sed 's/^/  /' <<<"$missing" >&2
  status=1
fi

soname=$("$objdump" -p "$library" | awk '$1 == "SONAME" { print $2 }')
if [[ "$soname" != "$expected_soname" ]]; then
  echo "FAIL: SONAME is '$soname', expected '$expected_soname'" >&2
  status=1
fi

if [[ $status == 0 ]]; then
  echo "OK: $(wc -l <<<"$exported") exported symbols, all griffin_*, all $(wc -l <<<"$declared")" \
       "GRIFFIN_API functions among them; SONAME $soname"
fi
exit $status
