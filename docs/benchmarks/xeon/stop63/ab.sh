#!/bin/bash
# ab.sh NAME FLAGS... : mbab_NAME runs the library's kernel (A) and the kernel built with FLAGS (B)
# in turns. Expects, in /tmp/mb, repacked-ab-microbench.cpp as mb3.cpp and the patched header
# (eight-tokens-experiment.patch applied to a copy of runtime/src/kernels/qd8-vnni-rows.h at b50acd6) under
# /tmp/mb/tree/runtime/src/kernels/.
set -e
cd /tmp/mb
F="-I/tmp/mb/tree -O3 -std=c++17 -mavx512f -mavx512vl -mavx512bw -mavx512vnni -mavx2 -mfma -mf16c -I/work/main -I/work/main/build/generated -I/work/main/build -DNDEBUG"
name=$1; shift
R="-Dgrf_qd8_qs8w_gemm_ukernel__avx512vnni=B_qs8 -Dgrf_qd8_qs4w_gemm_ukernel__avx512vnni=B_qs4 -Dgrf_qd8_qs8w_repack__avx512vnni=B_rp8 -Dgrf_qd8_qs4w_repack__avx512vnni=B_rp4"
g++ $F $R "$@" -c /work/main/runtime/src/kernels/qd8-qs8w-gemm/qd8-qs8w-gemm-avx512vnni.cc -o b8_$name.o
g++ $F $R "$@" -c /work/main/runtime/src/kernels/qd8-qs4w-gemm/qd8-qs4w-gemm-avx512vnni.cc -o b4_$name.o
g++ $F mb3.cpp b8_$name.o b4_$name.o /work/main/build/lib/libgriffin.a -lpthread -o mbab_$name
