/* crypto.c -- difftest of AES-NI (aesenc aesenclast aesdec aesdeclast
 * aesimc aeskeygenassist), PCLMULQDQ (all four qword selections, and imm8
 * bits outside 0 and 4 set) and the SHA extensions (sha1rnds4 with each
 * function, sha1nexte sha1msg1 sha1msg2 sha256rnds2 with its implicit
 * XMM0, sha256msg1 sha256msg2): register pairs of integer vectors, and a
 * memory source.  Also chained: ten AES rounds and a key schedule step
 * feed each result into the next instruction. */
#include "sse_vec.h"

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
VBIN(sha1rnds4_0, ivec, "sha1rnds4 $0, %[s], %[d]")
VBIN(sha1rnds4_1, ivec, "sha1rnds4 $1, %[s], %[d]")
VBIN(sha1rnds4_2, ivec, "sha1rnds4 $2, %[s], %[d]")
VBIN(sha1rnds4_3, ivec, "sha1rnds4 $3, %[s], %[d]")
VBIN(sha1rnds4_fe, ivec, "sha1rnds4 $0xfe, %[s], %[d]")
VMEM(sha1rnds4_m, ivec, "sha1rnds4 $1, %[s], %[d]")
VB(sha1nexte, ivec)
VB(sha1msg1, ivec)
VB(sha1msg2, ivec)
VMEM(sha1msg2_m, ivec, "sha1msg2 %[s], %[d]")
VXMM0(sha256rnds2, ivec, "sha256rnds2 %[s], %[d]")
VB(sha256msg1, ivec)
VB(sha256msg2, ivec)
VMEM(sha256msg1_m, ivec, "sha256msg1 %[s], %[d]")

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

int main(void) { return insn_main(); }
