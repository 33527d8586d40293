/* ymm_load_fault.c -- a 32-byte load that faults leaves its register as
 * it was: ferry splits a ymm load into two 16-byte halves, and a fault on
 * the high half must not find the low half already written (session 30:
 * AArch64 loads both halves with one `ldp q, q`, the x86-64 host stores
 * the low half after the high half's load).  Around a page that is
 * mapped between two that are not, vmovdqu/vmovupd/vlddqu ymm1 (and
 * vpor ymm1, ymm2, mem, and movdqu xmm1 for comparison; two movdqu of
 * consecutive 16 bytes: two insns, the first's xmm1 loaded when the second
 * faults, so never one ldp) at addresses whose
 * low half, high half or both cross into an unmapped page; the SIGSEGV
 * handler records the frame's xmm1 and ymm1 upper half (XSAVE layout),
 * si_addr relative to the mapped page, and the faulting insn's offset
 * from the asm's start.  The native run is the oracle. */
//@cflags: -mavx2
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

static sigjmp_buf back;
static unsigned char frame_xmm1[16], frame_ymm1_hi[16];
static uintptr_t fault_addr, fault_rip;
static int have_ymm;

static void on_segv(int sig, siginfo_t *info, void *ctx)
{
    ucontext_t *uc = ctx;
    unsigned char *fp = (unsigned char *)uc->uc_mcontext.fpregs;
    uint64_t bv;
    memcpy(frame_xmm1, fp + 160 + 16, 16);
    memcpy(&bv, fp + 512, 8);
    have_ymm = (int)(bv >> 2 & 1);
    if (have_ymm)
        memcpy(frame_ymm1_hi, fp + 576 + 16, 16);
    else
        memset(frame_ymm1_hi, 0, 16);
    fault_addr = (uintptr_t)info->si_addr;
    fault_rip = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
    siglongjmp(back, 1);
}

static const unsigned char before[32] = {
    0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x10,
    0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x20,
};

/* ymm1 = before, then the load (each insn its own asm: the fault's rip
 * is printed relative to the label at its start). */
#define LOAD(name, insn)                                                              \
    static void name(const unsigned char *p, unsigned char *out)                      \
    {                                                                                 \
        __asm__ volatile("vmovdqu (%0), %%ymm1\n\t"                                   \
                         "vmovdqu (%0), %%ymm2\n\t"                                   \
                         ".globl " #name "_at\n" #name "_at:\n\t" insn "\n\t"         \
                         "vmovdqu %%ymm1, (%2)\n\t"                                   \
                         "vzeroupper"                                                 \
                         : : "r"(before), "r"(p), "r"(out) : "xmm1", "xmm2", "memory"); \
    }

LOAD(ld_vmovdqu, "vmovdqu (%1), %%ymm1")
LOAD(ld_vmovupd, "vmovupd (%1), %%ymm1")
LOAD(ld_vlddqu, "vlddqu (%1), %%ymm1")
LOAD(ld_vpor, "vpor (%1), %%ymm2, %%ymm1")
LOAD(ld_movdqu, "movdqu (%1), %%xmm1")
LOAD(ld_movdqu2, "movdqu (%1), %%xmm1\n\tmovdqu 16(%1), %%xmm2")

struct kind { const char *name; void (*fn)(const unsigned char *, unsigned char *); const char *at; };
extern const char ld_vmovdqu_at[], ld_vmovupd_at[], ld_vlddqu_at[], ld_vpor_at[], ld_movdqu_at[],
                  ld_movdqu2_at[];

static void hex(const char *what, const unsigned char *b, int n)
{
    printf(" %s ", what);
    for (int k = 0; k < n; k++)
        printf("%02x", b[k]);
}

int main(void)
{
    static const struct kind kinds[] = {
        { "vmovdqu", ld_vmovdqu, ld_vmovdqu_at }, { "vmovupd", ld_vmovupd, ld_vmovupd_at },
        { "vlddqu", ld_vlddqu, ld_vlddqu_at }, { "vpor", ld_vpor, ld_vpor_at },
        { "movdqu", ld_movdqu, ld_movdqu_at },
        { "movdqu; movdqu +16", ld_movdqu2, ld_movdqu2_at },
    };
    long pg = sysconf(_SC_PAGESIZE);
    unsigned char *map = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                              -1, 0);
    if (map == MAP_FAILED)
        return 1;
    unsigned char *page = map + pg;
    for (long k = 0; k < pg; k++)
        page[k] = (unsigned char)(k * 7 + 3);
    mprotect(map, pg, PROT_NONE);
    mprotect(page + pg, pg, PROT_NONE);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    /* Offsets from the mapped page's start: below it (the low half or all
     * of it faults first), then near its end (the high half, both, or
     * only the low half's tail cross). */
    static const long offs[] = { -16, -8, -4, 0 };
    static const long end_offs[] = { 16, 8, 24, 4, 28, 32 };
    for (unsigned k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        for (unsigned o = 0; o < 10; o++) {
            long off = o < 4 ? offs[o] : pg - end_offs[o - 4];
            unsigned char out[32];
            memset(out, 0, sizeof out);
            printf("%s at %+ld:", kinds[k].name, o < 4 ? off : off - pg);
            if (sigsetjmp(back, 1)) {
                printf(" SIGSEGV addr %+ld rip %+ld", (long)(fault_addr - (uintptr_t)page),
                       (long)(fault_rip - (uintptr_t)kinds[k].at));
                hex("xmm1", frame_xmm1, 16);
                if (have_ymm)
                    hex("ymm1.hi", frame_ymm1_hi, 16);
                printf("\n");
                continue;
            }
            kinds[k].fn(page + off, out);
            hex("ymm1", out, 32);
            printf("\n");
        }
    return 0;
}
