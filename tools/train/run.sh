#!/bin/sh
# Runs train.py (or any script given instead) with Debian's Python, preloading tcmalloc and putting
# OpenBLAS first on the library path when they are available. Without them PyTorch on Debian uses the
# reference BLAS and glibc malloc, and training is about 10x slower (see README.md).
#
#   tools/train/run.sh --work /tmp/kjv-train            # train.py with these arguments
#   PY=tools/train/evaluate.py tools/train/run.sh ...   # another script
#
# Libraries are looked for in $GRIFFIN_TRAIN_LIBDIR (a directory holding files extracted from the
# Debian packages libopenblas0-pthread and libtcmalloc-minimal4 with `dpkg-deb -x`, i.e. with
# usr/lib/x86_64-linux-gnu/ inside) and then in the system library directory.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
arch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
for root in ${GRIFFIN_TRAIN_LIBDIR:+"$GRIFFIN_TRAIN_LIBDIR"} /; do
  lib="$root/usr/lib/$arch"
  if [ -z "${tcmalloc:-}" ] && [ -e "$lib/libtcmalloc_minimal.so.4" ]; then
    tcmalloc="$lib/libtcmalloc_minimal.so.4"
  fi
  if [ -z "${openblas:-}" ] && [ -e "$lib/openblas-pthread/libblas.so.3" ]; then
    openblas="$lib/openblas-pthread"
  fi
done
if [ -n "${tcmalloc:-}" ]; then
  export LD_PRELOAD="$tcmalloc${LD_PRELOAD:+:$LD_PRELOAD}"
fi
if [ -n "${openblas:-}" ]; then
  export LD_LIBRARY_PATH="$openblas${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
exec /usr/bin/python3 "${PY:-$here/train.py}" "$@"
