/* crypto.c -- difftest of AES-NI (aesenc aesenclast aesdec aesdeclast
 * aesimc aeskeygenassist) and PCLMULQDQ (all four qword selections, and
 * imm8 bits outside 0 and 4 set): register pairs of integer vectors, and a
 * memory source.  Also chained: ten AES rounds and a key schedule step
 * feed each result into the next instruction.  A CPU without AES-NI or
 * PCLMULQDQ runs only their refusals (ud_main).  The SHA extensions:
 * sha.c. */
#include "sse_vec.h"
#include "ud_case.h"

VB(aesenc, ivec)
VB(aesenclast, ivec)
VB(aesdec, ivec)
VB(aesdeclast, ivec)
VB(aesimc, ivec)
VMEM(aesenc_m, ivec, "aesenc %[s], %[d]")
VMEM(aesdeclast_m, ivec, "aesdeclast %[s], %[d]")
VMEM(aesimc_m, ivec, "aesimc %[s], %[d]")
VBIN(aeskeygenassist_1, ivec, "aeskeygenassist $1, %[s], %[d]")
VBIN(aeskeygenassist_36, ivec, "aeskeygenassist $0x36, %[s], %[d]")
VBIN(aeskeygenassist_ff, ivec, "aeskeygenassist $0xff, %[s], %[d]")
VMEM(aeskeygenassist_m, ivec, "aeskeygenassist $0x80, %[s], %[d]")
VBIN(pclmul_00, ivec, "pclmulqdq $0x00, %[s], %[d]")
VBIN(pclmul_01, ivec, "pclmulqdq $0x01, %[s], %[d]")
VBIN(pclmul_10, ivec, "pclmulqdq $0x10, %[s], %[d]")
VBIN(pclmul_11, ivec, "pclmulqdq $0x11, %[s], %[d]")
VBIN(pclmul_ee, ivec, "pclmulqdq $0xee, %[s], %[d]")
VMEM(pclmul_m, ivec, "pclmulqdq $0x10, %[s], %[d]")
/* Ten rounds of AES-128 encryption, then decryption, on one block. */
INSN_TEST(aes_chain)
{
    for (unsigned i = 0; i < NVEC; i++) {
        v2u st = ivec[i], k = ivec[(i + 1) % NVEC], t;
        __asm__ volatile("movdqa %[k], %[t]\n\t"
                         "aesenc %[t], %[st]\n\t" "aeskeygenassist $2, %[t], %[t]\n\t"
                         "aesenc %[t], %[st]\n\t" "aesenc %[k], %[st]\n\t"
                         "aesenc %[t], %[st]\n\t" "aesenc %[k], %[st]\n\t"
                         "aesenclast %[t], %[st]\n\t" "aesimc %[st], %[t]\n\t"
                         "aesdec %[t], %[st]\n\t" "aesdec %[k], %[st]\n\t"
                         "aesdeclast %[k], %[st]"
                         : [st] "+x"(st), [t] "=&x"(t) : [k] "x"(k));
        uint64_t in[] = { ivec[i][0], ivec[i][1], k[0], k[1] };
        uint64_t out[] = { st[0], st[1], t[0], t[1] };
        INSN_CASE("aes_chain", in, out);
    }
}

UD_TEST_MAIN(aes_ud, "cpuid aes pclmulqdq",
             ud_cpuid_bit(1, 0, 2, 25) & ud_cpuid_bit(1, 0, 2, 1),   /* AES, PCLMULQDQ */
             UD_CASE("aesenc", "0x66, 0x0f, 0x38, 0xdc, 0xcb");
             UD_CASE("aesdeclast", "0x66, 0x0f, 0x38, 0xdf, 0xcb");
             UD_CASE("aesimc", "0x66, 0x0f, 0x38, 0xdb, 0xcb");
             UD_CASE("aeskeygenassist", "0x66, 0x0f, 0x3a, 0xdf, 0xcb, 1");
             UD_CASE("pclmulqdq", "0x66, 0x0f, 0x3a, 0x44, 0xcb, 0x11");)
