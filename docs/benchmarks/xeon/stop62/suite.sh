#!/bin/bash
# Builds each experimental variant, then A/B (library kernel vs variant) in turns.
cd /tmp/mb
declare -A FLAGS=( [null]="" [asm]="-DGRF_EXP_ASM" [bcast]="-DGRF_EXP_BCAST" [tok8]="-DGRF_EXP_T8=8" [tok7]="-DGRF_EXP_T8=7" [g32]="-DGRF_EXP_GROUPS=32" [pft1]="-DGRF_EXP_PF=2" [tp]="-DGRF_EXP_TP" [nopf]="-DGRF_EXP_NOPF" )
for v in null asm bcast tok8 tok7 g32 pft1 tp nopf; do ./ab.sh $v ${FLAGS[$v]} > /dev/null 2>&1 || echo "build $v failed"; done
for v in null asm bcast tok8 tok7 g32 pft1 tp nopf; do
  for mode in t8 t g; do
    echo "$v L2 $(./mbab_$v 64 2560 64 1 10 1500 $mode | tail -1)"
  done
  echo "$v mem $(./mbab_$v 64 2560 7680 24 6 1 t8 | tail -1)"
  echo "$v mem $(./mbab_$v 64 2560 7680 24 6 1 t | tail -1)"
done
