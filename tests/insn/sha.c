/* sha.c -- difftest of the SHA extensions (sha1rnds4 with each function,
 * sha1nexte sha1msg1 sha1msg2 sha256rnds2 with its implicit XMM0,
 * sha256msg1 sha256msg2): register pairs of integer vectors, and a memory
 * source.  A CPU without SHA (Skylake and Cascade Lake servers) runs only
 * the refusals (ud_main), so its CPUID and #UD are still compared. */
#include "sse_vec.h"
#include "ud_case.h"

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

UD_TEST_MAIN(sha_ud, "cpuid sha",
             ud_cpuid_bit(7, 0, 1, 29),
             UD_CASE("sha1rnds4", "0x0f, 0x3a, 0xcc, 0xcb, 0x01");
             UD_CASE("sha1nexte", "0x0f, 0x38, 0xc8, 0xcb");
             UD_CASE("sha1msg1", "0x0f, 0x38, 0xc9, 0xcb");
             UD_CASE("sha1msg2", "0x0f, 0x38, 0xca, 0xcb");
             UD_CASE("sha256rnds2", "0x0f, 0x38, 0xcb, 0xcb");
             UD_CASE("sha256msg1", "0x0f, 0x38, 0xcc, 0xcb");
             UD_CASE("sha256msg2", "0x0f, 0x38, 0xcd, 0xcb");
             UD_CASE("sha1nexte_66", "0x66, 0x0f, 0x38, 0xc8, 0xcb");
             UD_CASE("sha256msg1_f3", "0xf3, 0x0f, 0x38, 0xcc, 0xcb");) /* CPUID.(7,0):EBX[29] */
