/* ring3.c -- test guest for privilege levels (kvm and tcg runners): its own
 * GDT (kernel and user segments, a 64-bit TSS), user pages in the VMM's
 * identity map, CS reloaded by lretq, then short user-mode (CPL 3)
 * functions entered by iretq:
 * syscall to LSTAR and sysretq back, and instructions that must fault at
 * CPL 3 -- cli and hlt (#GP(0)), a read of a supervisor page (#PF, error
 * code P|U = 5), a write to a read-only user page (#PF, P|W|U = 7).  The
 * fault handlers run on the TSS's RSP0 stack.  Printed per case:
 * "r3 NAME vector V err E cs C cr2 ok|bad rip ok|bad stack ok|bad";
 * run_tests.py holds the SDM's values (make check-system-kvm: real KVM). */
#include "guest.h"

#ifdef GUEST_HOSTED
int guest_main(int ncpus)
{
    put_str("ring3: the hosted accelerator runs no guest instructions\n");
    return 0;
}
#else
#define KCODE 0x10
#define UDATA 0x2b                      /* 0x28 | RPL 3 */
#define UCODE 0x33                      /* 0x30 | RPL 3 */
#define TSS_SEL 0x38

static uint64_t gdt[9] __attribute__((aligned(16))) = {
    0, 0,
    0x00af9a000000ffffull,              /* 0x10 kernel code, 64-bit */
    0x00cf92000000ffffull,              /* 0x18 kernel data */
    0x00cffa000000ffffull,              /* 0x20 user code, 32-bit (sysret's base) */
    0x00cff2000000ffffull,              /* 0x28 user data */
    0x00affa000000ffffull,              /* 0x30 user code, 64-bit */
};
static uint8_t tss[104] __attribute__((aligned(16)));
uint8_t r3_kstack[4096] __attribute__((aligned(16)));
uint8_t r3_ustack[4096] __attribute__((aligned(16)));
uint64_t r3_vector, r3_err, r3_rip, r3_cs, r3_cr2, r3_hrsp, r3_resume, r3_krsp;
uint64_t sc_count, sc_rcx1, sc_r11, sc_rcx2, sc_cs;

__asm__(".text\n"
        "r3_gp:\n  push $13\n  jmp r3_common\n"
        "r3_pf:\n  push $14\n  jmp r3_common\n"
        "r3_common:\n"
        "  push %rax\n"
        "  lea 16(%rsp), %rax\n  mov %rax, r3_hrsp(%rip)\n"
        "  mov 8(%rsp), %rax\n  mov %rax, r3_vector(%rip)\n"
        "  mov 16(%rsp), %rax\n  mov %rax, r3_err(%rip)\n"
        "  mov 24(%rsp), %rax\n  mov %rax, r3_rip(%rip)\n"
        "  mov 32(%rsp), %rax\n  mov %rax, r3_cs(%rip)\n"
        "  mov %cr2, %rax\n  mov %rax, r3_cr2(%rip)\n"
        "  mov r3_krsp(%rip), %rsp\n"     /* back to the kernel's flow at CPL 0 */
        "  jmp *r3_resume(%rip)\n"
        "r3_lstar:\n"                      /* the first syscall returns, the second ends the case */
        "  incq sc_count(%rip)\n"
        "  cmpq $1, sc_count(%rip)\n"
        "  jne 1f\n"
        "  mov %rcx, sc_rcx1(%rip)\n"
        "  mov %r11, sc_r11(%rip)\n"
        "  sysretq\n"
        "1:\n"
        "  mov %rcx, sc_rcx2(%rip)\n"
        "  mov %cs, %rax\n  mov %rax, sc_cs(%rip)\n"
        "  mov r3_krsp(%rip), %rsp\n"
        "  jmp *r3_resume(%rip)\n"
        /* user-mode code */
        "u_syscall:\n  syscall\nu_after1:\n  syscall\nu_after2:\n  ud2\n"
        "u_cli:\n  cli\n  ud2\n"
        "u_hlt:\n  hlt\n  ud2\n"
        "u_read_super:\n  mov 0x200000, %rax\n  ud2\n"
        "u_write_ro:\n  movb $1, 0x400000\n  ud2\n");
void r3_gp(void), r3_pf(void), r3_lstar(void);
void u_syscall(void), u_after1(void), u_after2(void), u_cli(void), u_hlt(void),
    u_read_super(void), u_write_ro(void);

static void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (uint64_t)hi << 32 | lo;
}

static void setup(void)
{
    uint64_t t = (uint64_t)tss;
    *(uint64_t *)(tss + 4) = (uint64_t)(r3_kstack + sizeof r3_kstack);     /* RSP0 */
    gdt[7] = 103 | (t & 0xffffff) << 16 | 0x89ull << 40 | (t >> 24 & 0xff) << 56;
    gdt[8] = t >> 32;
    struct { uint16_t limit; uint64_t base; } __attribute__((packed))
        g = { sizeof gdt - 1, (uint64_t)gdt };
    __asm__ volatile("lgdt %0\n ltr %w1" :: "m"(g), "r"(TSS_SEL));
    /* Reload CS from the new GDT with a far return, as kernels do. */
    __asm__ volatile("push %0\n lea 1f(%%rip), %%rax\n push %%rax\n lretq\n1:"
                     :: "i"(KCODE) : "rax", "memory");
    idt_gate(13, r3_gp, IDT_INTERRUPT_GATE);      /* in KCODE, now CS */
    idt_gate(14, r3_pf, IDT_INTERRUPT_GATE);
    idt_load();
    volatile uint64_t *pml4 = (uint64_t *)0x9000, *pdpt = (uint64_t *)0xa000, *pd = (uint64_t *)0xb000;
    pml4[0] |= 4;
    pdpt[0] |= 4;
    pd[0] |= 4;                             /* 0-2 MiB: this guest, user-accessible */
    pd[2] = (pd[2] | 4) & ~2ull;            /* 4-6 MiB: user, read-only */
    uint64_t cr3;
    __asm__ volatile("mov %%cr3, %0\n mov %0, %%cr3" : "=r"(cr3) :: "memory");
    wrmsr(0xc0000080, rdmsr(0xc0000080) | 1);                   /* EFER.SCE */
    wrmsr(0xc0000081, (uint64_t)0x20 << 48 | (uint64_t)KCODE << 32);   /* STAR */
    wrmsr(0xc0000082, (uint64_t)r3_lstar);                      /* LSTAR */
    wrmsr(0xc0000084, 0x200);                                   /* SFMASK: IF */
}

/* iretq to fn at CPL 3; comes back here when a handler ends the case. */
static void enter_user(void (*fn)(void))
{
    r3_vector = r3_err = r3_rip = r3_cs = r3_cr2 = 99;
    __asm__ volatile("lea 1f(%%rip), %%rax\n mov %%rax, r3_resume(%%rip)\n"
                     "mov %%rsp, r3_krsp(%%rip)\n"
                     "push %[ss]\n push %[usp]\n push $2\n push %[cs]\n push %[fn]\n iretq\n1:\n"
                     :: [ss]"i"(UDATA), [cs]"i"(UCODE), [usp]"r"(r3_ustack + sizeof r3_ustack),
                        [fn]"r"(fn)
                     : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory");
}

static void report(const char *name, void (*at)(void), uint64_t cr2)
{
    uint64_t frame = (uint64_t)(r3_kstack + sizeof r3_kstack) - 48;  /* SS RSP RFLAGS CS RIP err */
    put_str("r3 "); put_str(name);
    put_str(" vector "); put_dec(r3_vector);
    put_str(" err "); put_hex(r3_err);
    put_str(" cs "); put_hex(r3_cs);
    put_str(" cr2 "); put_str(!cr2 || r3_cr2 == cr2 ? "ok" : "bad");
    put_str(" rip "); put_str(r3_rip == (uint64_t)at ? "ok" : "bad");
    put_str(" stack "); put_str(r3_hrsp == frame ? "ok" : "bad");
    serial_putc('\n');
}

int guest_main(int ncpus)
{
    setup();
    enter_user(u_syscall);
    put_str("r3 syscall count "); put_dec(sc_count);
    put_str(" rcx "); put_str(sc_rcx1 == (uint64_t)u_after1 ? "ok" : "bad");
    put_str(" r11 "); put_hex(sc_r11);
    put_str(" after-sysret rcx "); put_str(sc_rcx2 == (uint64_t)u_after2 ? "ok" : "bad");
    put_str(" kernel cs "); put_hex(sc_cs);
    serial_putc('\n');
    enter_user(u_cli);
    report("cli", u_cli, 0);
    enter_user(u_hlt);
    report("hlt", u_hlt, 0);
    enter_user(u_read_super);
    report("read-supervisor-page", u_read_super, 0x200000);
    enter_user(u_write_ro);
    report("write-read-only-page", u_write_ro, 0x400000);
    put_str("r3 done\n");
    return 0;
}
#endif
