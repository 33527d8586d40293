/* x87_pointers.c -- the x87's last-instruction pointers: FIP, FCS, FOP,
 * FDP, FDS as fnstenv (32- and 16-bit layouts), fnsave and fxsave store
 * them after each kind of instruction.  Non-control instructions (also
 * fxch, fnop, register forms) set FIP/FOP/FCS; only those with a memory
 * operand set FDP; control ones (fnstsw, fnclex, fldcw, fwait, emms) keep
 * them; fninit clears them; fldenv/frstor/fxrstor load them; fxsave
 * stores them only while an unmasked exception is pending (ES), as this
 * AMD does (32-bit layout with FCS/FDS, or 64-bit with REX.W; Intel
 * stores them always, FCS/FDS as 0, and updates FOP and FDP only for an
 * instruction raising an unmasked exception); xsave and
 * xsave64 (RFBM = x87) as fxsave/fxsave64, xrstor/xrstor64 load them in
 * the same two layouts.  Pointers
 * are printed relative to the instruction's label and the operand, so the
 * PIE builds print the same. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

static uint8_t env[28], env16[14], fx[512] __attribute__((aligned(16)));
static uint8_t fx64[512] __attribute__((aligned(16)));
/* xsave/xsave64 with RFBM = x87: the same legacy region as fxsave/fxsave64 */
static uint8_t xs[576] __attribute__((aligned(64))), xs64[576] __attribute__((aligned(64)));
static uint8_t xr[576] __attribute__((aligned(64)));
static uint8_t save[108];
static double mem = 2.5;
static uint16_t cw_ze = 0x037b;             /* ZE unmasked */

/* A 64-bit pointer v relative to base: "at+X" (prefix p) when their upper
 * halves agree; "p32+X" when v holds only base's low half (a 32-bit image
 * loaded it: fnsave/frstor, fxsave/fxrstor, which Intel's fxsave64 then
 * stores; address-independent in the PIE builds too); "0" for 0. */
static const char *rel64(char *buf, const char *p, uint64_t v, uint64_t base)
{
    if (!v)
        return "0";
    if (v >> 32 == base >> 32 || !base)
        snprintf(buf, 48, "%s+%llx", p, (unsigned long long)(v - base));
    else if (v >> 32 == 0)
        snprintf(buf, 48, "%s32+%x", p, (uint32_t)(v - base));
    else
        snprintf(buf, 48, "%s?+%llx", p, (unsigned long long)(v - base));
    return buf;
}

static void dump(const char *name, const char *at, int absolute)
{
    char b1[48], b2[48];
    uint32_t e[7], f[6];
    uint16_t s[7];
    uint64_t fip64, fdp64;
    memcpy(e, env, sizeof e);
    memcpy(s, env16, sizeof s);
    memcpy(f, fx, sizeof f);
    memcpy(&fip64, fx64 + 8, 8);
    memcpy(&fdp64, fx64 + 16, 8);
    if (absolute)
        at = NULL, fip64 = fdp64 = 0;
    uint32_t lab = (uint32_t)(uintptr_t)at, m = absolute ? 0 : (uint32_t)(uintptr_t)&mem;
    printf("%s: fip %s%x fcs %04x fop %03x fdp %s%x fds %08x\n", name,
           e[3] ? "at+" : "", e[3] ? e[3] - lab : 0, e[4] & 0xffff, e[4] >> 16,
           e[5] ? "mem+" : "", e[5] ? e[5] - m : 0, e[6]);
    printf("  16-bit: ip %s%x cs %04x dp %s%x ds %04x\n", s[3] ? "at+" : "",
           s[3] ? (uint16_t)(s[3] - (uint16_t)lab) : 0, s[4], s[5] ? "mem+" : "",
           s[5] ? (uint16_t)(s[5] - (uint16_t)m) : 0, s[6]);
    printf("  fxsave: fop %04x fip %s%x fcs %04x fdp %s%x fds %08x\n", f[1] >> 16,
           f[2] ? "at+" : "", f[2] ? f[2] - lab : 0, f[3], f[4] ? "mem+" : "",
           f[4] ? f[4] - m : 0, f[5]);
    printf("  fxsave64: fop %04x fip %s fdp %s\n", *(uint16_t *)(fx64 + 6),
           rel64(b1, "at", fip64, (uintptr_t)at), rel64(b2, "mem", fdp64, (uintptr_t)&mem));
    memcpy(f, xs, sizeof f);
    memcpy(&fip64, xs64 + 8, 8);
    memcpy(&fdp64, xs64 + 16, 8);
    if (absolute)
        fip64 = fdp64 = 0;
    printf("  xsave: fop %04x fip %s%x fcs %04x fdp %s%x fds %08x\n", f[1] >> 16,
           f[2] ? "at+" : "", f[2] ? f[2] - lab : 0, f[3], f[4] ? "mem+" : "",
           f[4] ? f[4] - m : 0, f[5]);
    printf("  xsave64: fop %04x fip %s fdp %s\n", *(uint16_t *)(xs64 + 6),
           rel64(b1, "at", fip64, (uintptr_t)at), rel64(b2, "mem", fdp64, (uintptr_t)&mem));
}

/* fninit, TEXT (label NAME_at on the instruction of interest), then the
 * images, by instructions that do not wait: fxsave, fnstenv in both
 * layouts. */
/* Context switches of this thread so far.  Linux saves the x87 state of
 * a thread it switches out with XSAVE, which on this AMD keeps the
 * pointers only while ES is set, so a switch inside a case zeroes them
 * natively (seen at load); a case is run again until none came. */
static long switches(void)
{
    struct rusage ru;
    getrusage(RUSAGE_THREAD, &ru);
    return ru.ru_nvcsw + ru.ru_nivcsw;
}

#define CASE(NAME, TEXT) CASEA(NAME, 0, TEXT)
#define CASEA(NAME, ABS, TEXT)                                                 \
    do {                                                                      \
        extern char NAME##_at[];                                              \
        for (int try_ = 0; try_ < 1000; try_++) {                             \
            long before_ = switches();                                        \
        __asm__ volatile("fninit\n\t" TEXT "\n\t"                             \
                         "fxsave %[f]\n\tfxsave64 %[f64]\n\t"                  \
                         "mov $1, %%eax\n\txor %%edx, %%edx\n\t"               \
                         "xsave %[x]\n\txsave64 %[x64]\n\t"                    \
                         "data16 fnstenv %[e16]\n\tfnstenv %[e]\n\tfninit"     \
                         : [e] "=m"(env), [e16] "=m"(env16), [f] "=m"(fx),    \
                           [f64] "=m"(fx64), [x] "+m"(xs), [x64] "+m"(xs64)   \
                         : [m] "m"(mem), [z] "m"(cw_ze), [s] "m"(save),       \
                           [r] "m"(xr)                                        \
                         : "rax", "rdx", "memory");                           \
            if (switches() == before_)                                        \
                break;                                                        \
        }                                                                     \
        dump(#NAME, NAME##_at, ABS);                                          \
    } while (0)
#define AT(NAME) ".globl " #NAME "_at\n" #NAME "_at: "

int main(void)
{
    CASE(fadd_mem, "fld1\n\t" AT(fadd_mem) "faddl %[m]");
    CASE(fadd_reg, "fldl %[m]\n\tfld1\n\t" AT(fadd_reg) "fadd %%st(1), %%st");
    CASE(fld1_after_fninit, AT(fld1_after_fninit) "fld1");
    CASE(fstp_mem, "fld1\n\t" AT(fstp_mem) "fstpl %[m]");
    CASE(fxch, "fldl %[m]\n\tfld1\n\t" AT(fxch) "fxch");
    CASE(fnop, "fldl %[m]\n\t" AT(fnop) "fnop");
    CASE(control_after, "fldl %[m]\n\t" AT(control_after) "fld1\n\tfnstsw %%ax\n\tfnclex\n\t"
         "sub $8, %%rsp\n\tfnstcw (%%rsp)\n\tfldcw (%%rsp)\n\tadd $8, %%rsp\n\tfwait\n\temms");
    CASE(fninit_clears, "fldl %[m]\n\t" AT(fninit_clears) "fninit");
    CASE(fnsave_frstor, "fldl %[m]\n\t" AT(fnsave_frstor) "fld1\n\tfnsave %[s]\n\tfrstor %[s]");
    CASEA(fldenv_loads, 1, AT(fldenv_loads) "fld1\n\tsub $32, %%rsp\n\tfnstenv (%%rsp)\n\t"
         "movl $0x11223344, 12(%%rsp)\n\tmovl $0x5552201, 16(%%rsp)\n\t"
         "movl $0x66778899, 20(%%rsp)\n\tfldenv (%%rsp)\n\tadd $32, %%rsp");
    CASE(fxrstor_loads_zeros, "fldl %[m]\n\t" AT(fxrstor_loads_zeros) "fld1\n\tfxsave %[f]\n\t"
         "fxrstor %[f]");
    /* xrstor/xrstor64 (RFBM = x87) of an area with pointers written in the
     * 32- and the 64-bit layout */
    CASEA(xrstor_loads, 1, AT(xrstor_loads) "fld1\n\tmov $1, %%eax\n\txor %%edx, %%edx\n\t"
         "xsave %[r]\n\tmovl $0x11223344, 8+%[r]\n\tmovl $0x5552, 12+%[r]\n\t"
         "movl $0x66778899, 16+%[r]\n\tmovl $0x1234, 20+%[r]\n\tmovw $0x0123, 6+%[r]\n\t"
         "xrstor %[r]");
    CASEA(xrstor64_loads, 1, AT(xrstor64_loads) "fld1\n\tmov $1, %%eax\n\txor %%edx, %%edx\n\t"
         "xsave64 %[r]\n\tmovl $0x11223344, 8+%[r]\n\tmovl $0x5552, 12+%[r]\n\t"
         "movl $0x66778899, 16+%[r]\n\tmovl $0x1234, 20+%[r]\n\tmovw $0x0123, 6+%[r]\n\t"
         "xrstor64 %[r]");
    CASE(es_pending_xsave, "fldcw %[z]\n\tfldl %[m]\n\tfldz\n\t" AT(es_pending_xsave) "fdivrl %[m]");
    CASE(es_pending_reg, "fldcw %[z]\n\tfldl %[m]\n\tfldz\n\t" AT(es_pending_reg) "fdivrp");
    CASE(es_pending_fdiv_mem, "fldcw %[z]\n\tfldz\n\t" AT(es_pending_fdiv_mem) "fdivrl %[m]\n\t"
         "fnstsw %%ax");
    return 0;
}
