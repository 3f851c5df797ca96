#!/usr/bin/python3
"""Builds the AVX2 int4 prefill variants measured in ../pairs.txt (thirty-fifth stop, Zen 4).

Run from this directory with the repository two levels up. Each variant is a copy of
runtime/src/kernels/qd8-qs4w-avx2-prefill.h with one part of the block loop removed, to find
what holds the kernel below its loop's roof; none computes the right answer, and none is kept.
  prefill_variant.h  weights read as if already transposed and unpacked (256 bytes a block)
  nosub.h            no vpsubd of the nibble offset
  nomul.h            no vmulps of the two scales (the row's scales used alone)
  nofloat.h          neither
and, for int16mb.cpp (the default int8's AVX-512 VNNI tiles, x86-int16-vnni-decode.h):
  nowiden.inc        its 4 x 4 tile reading 64 bytes a row and group where it widens 32 (no
                     vpmovsxbw), variant 2 of int16mb; variant 1 is a 2-row x 8-token tile
  pf0.inc            its 4 x 4 tile prefetching into L1 (prefetcht0), variant 3
  g++ -O2 -std=c++17 -I../../../../.. -I. -mavx512f -mavx512bw -mavx512vl -mavx512vnni \
      -mavx512dq -mfma -mf16c -mavx2 int16mb.cpp -o int16mb && ./int16mb 16384 2560 VARIANT 2
Then, for each (VARIANT_ROW_BYTES is k for prefill_variant.h, k/2 otherwise):
  g++ -O2 -std=c++17 -I../../../../.. -I. -mavx2 -mfma -mf16c -DHEADER='"nosub.h"' \
      -DVARIANT_ROW_BYTES='k/2' i4mb.cpp -o i4nosub && ./i4nosub 256 2560 32
"""
import pathlib

root = pathlib.Path(__file__).resolve().parents[5]
src = (root / 'runtime/src/kernels/qd8-qs4w-avx2-prefill.h').read_text()
sub = '  "vpsubd 256+" token "(%[a]), %%ymm" sum ", %%ymm" sum "\\n\\t"                   \\\n'
mul = ('  "vmulps 288+" token "(%[a]), %%" scales ", %%" temp "\\n\\t"                     \\\n'
       '  "vfmadd213ps " acc "(%[acc]), %%" temp ", %%ymm" sum "\\n\\t"                    \\')
mul_gone = '  "vfmadd213ps " acc "(%[acc]), %%" scales ", %%ymm" sum "\\n\\t"                    \\'
assert sub in src and mul in src
pathlib.Path('nosub.h').write_text(src.replace(sub, ''))
pathlib.Path('nomul.h').write_text(src.replace(mul, mul_gone))
pathlib.Path('nofloat.h').write_text(src.replace(mul, mul_gone).replace(sub, ''))

start = src.index('  "vmovdqu (%[w]), %%" p0')
end = src.index('  "vcvtph2ps (%[row_scales])')
loads = ''.join(
    f'  "vmovdqu {64 * c}(%[w]), %%" low "\\n\\t" "vmovdqu {64 * c + 32}(%[w]), %%" high "\\n\\t" \\\n'
    f'  TOKENS(GRF_Q4_{step}_##SET) \\\n'
    for c, step in enumerate(['START', 'ADD1', 'ADD2', 'ADD3']))
variant = src[:start] + loads + src[end:]
variant = variant.replace('"add $128, %[w]\\n\\t"', '"add $256, %[w]\\n\\t"')
variant = variant.replace('w + 128 * blocks;', 'w + 256 * blocks;')
pathlib.Path('prefill_variant.h').write_text(variant)

int16 = (root / 'runtime/src/kernels/x86-int16-vnni-decode.h').read_text()
fn = int16[int16.index('inline void int16_vnni_block_4x4('):int16.index('// Lane r = the sum of the 16 lanes')]
fn = fn.replace('int16_vnni_block_4x4', 'nowiden_block_4x4')
fn = fn.replace('"vpmovsxbw " load ", %%zmm20', '"vmovdqu64 " load ", %%zmm20').replace('GRF_W16_', 'NW_')
pathlib.Path('nowiden.inc').write_text(fn)
pf0 = int16[int16.index('inline void int16_vnni_block_4x4('):int16.index('// Lane r = the sum of the 16 lanes')]
pf0 = pf0.replace('int16_vnni_block_4x4', 'pf0_block_4x4').replace('GRF_W16_', 'P0_')
pf0 = pf0.replace('"prefetcht1 (%[ahead])', '"prefetcht0 (%[ahead])')
pf0 = pf0.replace('"prefetcht1 64(%[ahead])', '"prefetcht0 64(%[ahead])')
pathlib.Path('pf0.inc').write_text(pf0)
