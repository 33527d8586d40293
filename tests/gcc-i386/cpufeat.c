/* cpufeat.c -- prints the CPUID feature bits GCC's i386 check headers test. */
#include <cpuid.h>
#include <stdio.h>
static unsigned r1[4], r7[4], r71[4], re[4];
static int xcr0_avx(void) {
  unsigned a, d;
  if (!(r1[2] & bit_OSXSAVE)) return 0;
  __asm__("xgetbv" : "=a"(a), "=d"(d) : "c"(0));
  return (a & 6) == 6;
}
#define P(n, c) printf("%s %d\n", n, (c) ? 1 : 0)
int main(void) {
  __cpuid(1, r1[0], r1[1], r1[2], r1[3]);
  __cpuid_count(7, 0, r7[0], r7[1], r7[2], r7[3]);
  if (r7[0] >= 1) __cpuid_count(7, 1, r71[0], r71[1], r71[2], r71[3]);
  __cpuid(0x80000001, re[0], re[1], re[2], re[3]);
  P("mmx", r1[3] & bit_MMX); P("sse", r1[3] & bit_SSE); P("sse2", r1[3] & bit_SSE2);
  P("sse3", r1[2] & bit_SSE3); P("ssse3", r1[2] & bit_SSSE3); P("sse4_1", r1[2] & bit_SSE4_1);
  P("sse4_2", r1[2] & bit_SSE4_2); P("popcnt", r1[2] & bit_POPCNT); P("movbe", r1[2] & bit_MOVBE);
  P("aes", r1[2] & bit_AES); P("pclmul", r1[2] & bit_PCLMUL); P("fma", r1[2] & bit_FMA);
  P("f16c", r1[2] & bit_F16C); P("rdrnd", r1[2] & bit_RDRND); P("xsave", r1[2] & bit_XSAVE);
  P("avx", (r1[2] & bit_AVX) && xcr0_avx()); P("avx2", (r7[1] & bit_AVX2) && xcr0_avx());
  P("bmi", r7[1] & bit_BMI); P("bmi2", r7[1] & bit_BMI2); P("adx", r7[1] & bit_ADX);
  P("sha", r7[1] & bit_SHA); P("rdseed", r7[1] & bit_RDSEED); P("fsgsbase", r7[1] & bit_FSGSBASE);
  P("lzcnt", re[2] & bit_LZCNT); P("sse4a", re[2] & bit_SSE4a); P("fma4", re[2] & bit_FMA4);
  P("xop", re[2] & bit_XOP); P("3dnow", re[3] & bit_3DNOW); P("prfchw", re[2] & bit_PRFCHW);
  P("rtm", r7[1] & bit_RTM); P("avx512f", r7[1] & bit_AVX512F); P("avxvnni", (r71[0] & bit_AVXVNNI) && xcr0_avx());
  P("gfni", r7[2] & bit_GFNI); P("vaes", r7[2] & bit_VAES); P("vpclmulqdq", r7[2] & bit_VPCLMULQDQ);
  P("rdpid", r7[2] & bit_RDPID); P("movdiri", r7[2] & bit_MOVDIRI);
  P("movdir64b", r7[2] & bit_MOVDIR64B);
  return 0;
}
