def body(tokens, halves, c):
    out=[]
    w=['zmm30','zmm31','zmm28','zmm29'][:halves]
    for h in range(halves): out.append(f"vmovdqa64 {c*64*halves+h*64}(%rsi), %{w[h]}")
    for t in range(tokens):
        b=f'zmm{20+t%8}'
        out.append(f"vpbroadcastd {t*4}(%rdx), %{b}")
        for h in range(halves):
            out.append(f"vpdpbusd %{b}, %{w[h]}, %zmm{t*halves+h}")
    return out
cfgs={'s6x2':(6,2),'s8x2':(8,2),'s5x4':(5,4),'s4x4':(4,4)}
src=['#include <cstdio>','#include <chrono>','#include <cstdint>','#include <cstdlib>','static uint8_t* W;alignas(64) static uint8_t A[4096];']
for name,(t,h) in cfgs.items():
    b=[]
    for c in range(8): b+=body(t,h,c)
    asm='\\n\\t'.join(b)
    step=8*64*h
    src.append(f'static void {name}(long iters, long bytes){{ __asm__ volatile("xor %%r8,%%r8\\n1:\\n\\tlea (%%rsi,%%r8),%%rax\\n\\t{asm}\\n\\tadd ${step},%%r8\\n\\tcmp %%rcx,%%r8\\n\\tjb 2f\\n\\txor %%r8,%%r8\\n2:\\n\\tdec %%rdi\\n\\tjnz 1b" : "+D"(iters) : "S"(W), "d"(A), "c"(bytes) : "memory","rax","r8", ' + ','.join(f'"xmm{i}"' for i in range(32)) + '); }')
src.append('int main(int argc,char**argv){ long kb=atol(argv[1]); W=(uint8_t*)aligned_alloc(64,kb*1024+4096); for(long i=0;i<kb*1024;++i)W[i]=i*7; const long it=5000000; double t;')
for name,(t,h) in cfgs.items():
    src.append(f' for(int r=0;r<2;++r){{ auto t0=std::chrono::steady_clock::now(); {name}(it, kb*1024); t=std::chrono::duration<double>(std::chrono::steady_clock::now()-t0).count(); printf("%-8s %6.1f GMAC/s\\n","{name}", it*8.0*{t*h}*64/t/1e9);}}')
src.append('}')
open('mix2.cpp','w').write('\n'.join(src).replace('(%rsi','(%%rsi').replace('%rdx','%%rdx').replace('%zmm','%%zmm').replace('(%rax','(%%rax').replace('(%%rsi,%%r8)','(%%rsi,%%r8)'))
