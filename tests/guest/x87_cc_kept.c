/* x87_cc_kept.c -- which x87 instructions clear C1 and which keep C0-C3
 * (session 42 probe): fprem of 7 by 1 sets C3 C1 C0 (its quotient bits),
 * then each of 45 instructions runs and the status word is printed.
 * Measured on Intel: the loads (fld st(i), fild, fld m32/m64/m80, fbld),
 * fst/fstp to a register, fxch, ffree and fxtract clear C1 and keep C0 C2
 * C3; fucomi and fcomip keep all four.  Ferry kept C1 in the first group
 * and cleared all four in fcomi's before session 42. */
#include <stdio.h>
#include <stdint.h>
#define T(INSN) do { uint16_t sw; long long m = 3; int seven = 7; double d = 2.5; float f = 1.5f; short s = 7; (void)m; (void)d; (void)f; (void)s; (void)seven; \
  __asm__ volatile("fninit\n\tfld1\n\tfld1\n\tfildl %5\n\tfprem\n\t" INSN "\n\tfnstsw %0\n\tfninit" : "=m"(sw) : "m"(m), "m"(d), "m"(f), "m"(s), "m"(seven)); \
  printf("%-22s C3210 %d%d%d%d sw %04x\n", INSN, (sw >> 14) & 1, (sw >> 10) & 1, (sw >> 9) & 1, (sw >> 8) & 1, sw); } while (0)
int main(void) {
  T("nop");
  T("fstp %%st(1)"); T("fst %%st(1)"); T("fstp %%st(0)"); T("fld1"); T("fldz"); T("fldpi"); T("fld %%st(1)");
  T("fildll %1"); T("fildl %1"); T("filds %4"); T("fldl %2"); T("flds %3"); T("fldt -32(%%rsp)");
  T("fxch"); T("fabs"); T("fchs"); T("ffree %%st(2)"); T("fincstp"); T("fdecstp"); T("fxam"); T("ftst"); T("fcom"); T("fucomi %%st(1)"); T("fcomip %%st(1)");
  T("fstpl -32(%%rsp)"); T("fstpt -32(%%rsp)"); T("fistpll -32(%%rsp)"); T("fisttpll -32(%%rsp)"); T("fbstp -32(%%rsp)"); T("fbld %1");
  T("fnclex"); T("fdecstp\n\tfstp %%st(0)"); T("fld %%st(7)"); T("fnop"); T("fst %%st(0)"); T("fxch %%st(3)"); T("fstl -32(%%rsp)"); T("fsts -32(%%rsp)"); T("fistl -32(%%rsp)"); T("fxch %%st(5)"); T("fld1\n\tfld1\n\tfld1\n\tfld1\n\tfld1\n\tfld1"); T("fldcw -2(%%rsp)"); T("fwait"); T("fcmovb %%st(1), %%st"); T("fadd %%st(1), %%st"); T("fsqrt"); T("frndint"); T("fxtract");
  return 0; }
