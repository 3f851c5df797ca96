#!/usr/bin/env python3
"""Writes int16-tile-wide.h for int16-tile-microbench.cpp: the library's int16_vnni_block_4x4
(runtime/src/kernels/x86-int16-vnni-decode.h) reading weights already widened to int16 (64 bytes
a group and row, vmovdqu64) instead of widening int8 ones (vpmovsxbw). A speed probe, stop 65.
  make-int16-tile-wide.py REPO > int16-tile-wide.h"""
import sys

src = open(sys.argv[1] + "/runtime/src/kernels/x86-int16-vnni-decode.h").read()
body = src[src.index("inline void int16_vnni_block_4x4("):src.index("// Lane r = the sum")]
body = (body.replace("int16_vnni_block_4x4", "wide_block_4x4")
        .replace('"vpmovsxbw " load', '"vmovdqu64 " load')
        .replace('"add $32, %[w]\\n\\t"\n      "add $32, %[w3]\\n\\t"',
                 '"add $64, %[w]\\n\\t"\n      "add $64, %[w3]\\n\\t"')
        .replace("w + 32 * groups;", "w + 64 * groups;")
        .replace("GRF_W16_", "GRFV_"))
assert body.count("vmovdqu64 \" load") == 1 and "add $64, %[w3]" in body
print('#pragma once\n#include "runtime/src/kernels/x86-int16-vnni-decode.h"\n'
      "namespace griffin {\nnamespace {\n" + body + "}  // namespace\n}  // namespace griffin")
