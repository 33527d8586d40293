/* exc.c -- test guest for exceptions in long mode (kvm and tcg runners):
 * each case makes one instruction fault or trap, the IDT handler records
 * vector, error code, CR2 and the RIP the CPU pushed, and returns to the
 * case's resume point.  Printed per case: "exc NAME vector V err E cr2 C
 * rip R" with C and R as "ok"/"bad" against the address the case expects
 * (run_tests.py holds the architectural vectors and error codes, Intel
 * SDM vol. 3 ch. 6; under make check-system-kvm real KVM answers too).
 * Cases: #DE (div by zero), #BP (int3: a trap, RIP after it), #UD (ud2),
 * #GP(0) (non-canonical address), int $0x40, #PF not present (read,
 * write, the memory operand of an add), #PF protection (write to a
 * read-only page with CR0.WP), #PF on fetch from an NX page and from a
 * not-present page, an interrupt gate vs trap gate (IF), and the
 * arithmetic flags pushed for a #PF right after a cmp, #PF with RSVD
 * (read, write, fetch: a reserved bit in a 2 MiB PDE) and #DF from a #GP
 * whose IDT gate is not present. */
#include "guest.h"

#ifdef GUEST_HOSTED
int guest_main(int ncpus)
{
    put_str("exc: the hosted accelerator runs no guest instructions\n");
    return 0;
}
#else
uint64_t exc_vector, exc_err, exc_rip, exc_cr2, exc_resume, exc_rflags;

#define STUB(name, vec) \
    "exc_" #name ":\n  push $0\n  push $" #vec "\n  jmp exc_common\n"
#define STUB_ERR(name, vec) \
    "exc_" #name ":\n  push $" #vec "\n  jmp exc_common\n"
__asm__(".text\n"
        STUB(de, 0) STUB(bp, 3) STUB(ud, 6) STUB_ERR(gp, 13) STUB_ERR(pf, 14) STUB(sw, 0x40) STUB_ERR(df, 8)
        "exc_common:\n"
        "  push %rax\n"
        "  mov 8(%rsp), %rax\n  mov %rax, exc_vector(%rip)\n"
        "  mov 16(%rsp), %rax\n  mov %rax, exc_err(%rip)\n"
        "  mov 24(%rsp), %rax\n  mov %rax, exc_rip(%rip)\n"
        "  mov 40(%rsp), %rax\n  mov %rax, exc_rflags(%rip)\n"
        "  mov %cr2, %rax\n  mov %rax, exc_cr2(%rip)\n"
        "  mov exc_resume(%rip), %rax\n  mov %rax, 24(%rsp)\n"
        "  pop %rax\n"
        "  add $16, %rsp\n"
        "  iretq\n");
void exc_de(void), exc_bp(void), exc_ud(void), exc_gp(void), exc_pf(void), exc_sw(void), exc_df(void);

static void report(const char *name, uint64_t want_rip, uint64_t want_cr2)
{
    put_str("exc "); put_str(name);
    put_str(" vector "); put_dec(exc_vector);
    put_str(" err "); put_hex(exc_err);
    put_str(" cr2 "); put_str(want_cr2 == ~0ull || exc_cr2 == want_cr2 ? "ok" : "bad");
    put_str(" rip "); put_str(exc_rip == want_rip ? "ok" : "bad");
    put_str(" if "); put_dec(exc_rflags >> 9 & 1);
    serial_putc('\n');
    exc_vector = exc_err = exc_rip = 99;
}

#define CASE(setup, insn, clobbers...) FAULT_CASE(exc_resume, setup, insn, ##clobbers)

#define PD ((volatile uint64_t *)0xb000)    /* the VMM's 2 MiB identity map */
#define PAGE_RO 16                          /* 32 MiB: unused by the guest */
#define PAGE_NX 17

static void flush(uint64_t va) { __asm__ volatile("invlpg (%0)" :: "r"(va) : "memory"); }

static void paging_cases(void)
{
    uint64_t at;
    CASE("mov $0x300000000, %%rcx", "mov (%%rcx), %%rax");
    report("pf-read-not-present", at, 0x300000000ull);
    CASE("mov $0x300000010, %%rcx", "movl $1, (%%rcx)");
    report("pf-write-not-present", at, 0x300000010ull);
    CASE("mov $0x300000020, %%rcx\n mov $1, %%edx", "add (%%rcx), %%rdx\n mov %%rdx, %%rax");
    report("pf-read-add-operand", at, 0x300000020ull);
    PD[PAGE_RO] &= ~2ull;
    flush(PAGE_RO << 21);
    CASE("mov $0x2000008, %%rcx", "movb $1, (%%rcx)");
    report("pf-write-read-only", at, 0x2000008ull);
    PD[PAGE_RO] |= 2;
    flush(PAGE_RO << 21);
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0xc0000080));
    __asm__ volatile("wrmsr" :: "a"(lo | 0x800), "d"(hi), "c"(0xc0000080));    /* EFER.NXE */
    *(volatile uint8_t *)(PAGE_NX << 21) = 0xc3;
    PD[PAGE_NX] |= 1ull << 63;
    flush(PAGE_NX << 21);
    CASE("mov $0x2200000, %%rcx", "jmp *%%rcx");
    report("pf-fetch-nx", 0x2200000ull, 0x2200000ull);
    CASE("mov $0x300000000, %%rcx", "jmp *%%rcx");
    report("pf-fetch-not-present", 0x300000000ull, 0x300000000ull);
    PD[PAGE_NX] &= ~(1ull << 63);
    flush(PAGE_NX << 21);
    /* Bit 13 of a 2 MiB page's PDE is reserved (SDM vol. 3, 4.5): every
     * access faults with P and RSVD (8) set, W for a write, I for a fetch
     * (EFER.NXE is on).  Page PAGE_RO starts with a ret for the fetch. */
    *(volatile uint8_t *)(PAGE_RO << 21) = 0xc3;
    PD[PAGE_RO] |= 1ull << 13;
    flush(PAGE_RO << 21);
    CASE("mov $0x2000010, %%rcx", "mov (%%rcx), %%rax");
    report("pf-rsvd-read", at, 0x2000010ull);
    CASE("mov $0x2000018, %%rcx", "movl $1, (%%rcx)");
    report("pf-rsvd-write", at, 0x2000018ull);
    CASE("mov $0x2000000, %%rcx", "jmp *%%rcx");
    report("pf-rsvd-fetch", 0x2000000ull, 0x2000000ull);
    PD[PAGE_RO] &= ~(1ull << 13);
    flush(PAGE_RO << 21);
    /* The flags of the instruction before a faulting access are the ones
     * pushed: cmp 2, 1 leaves CF, SF set and ZF clear (read right after
     * the access, so they are live where it faults). */
    __asm__ volatile("lea 1f(%%rip), %%rax\n mov %%rax, exc_resume(%%rip)\n"
                     "lea 2f(%%rip), %%rbx\n mov $0x300000000, %%rcx\n"
                     "mov $1, %%edx\n cmp $2, %%edx\n"
                     "2: mov (%%rcx), %%rax\n"
                     "1: pushf\n pop %%rdx\n"
                     : "=b"(at) : : "rax", "rcx", "rdx", "memory");
    report("pf-after-cmp", at, 0x300000000ull);
    put_str("exc pf-after-cmp rflags cf "); put_dec(exc_rflags & 1);
    put_str(" zf "); put_dec(exc_rflags >> 6 & 1);
    put_str(" sf "); put_dec(exc_rflags >> 7 & 1);
    serial_putc('\n');
    /* ... also where they are dead (the code after the access overwrites
     * them before reading any): the CPU pushes them all the same.  What
     * it pushes, the same cmp tells (OF SF ZF AF PF CF). */
    uint64_t want;
    __asm__ volatile("lea 1f(%%rip), %%rax\n mov %%rax, exc_resume(%%rip)\n"
                     "lea 2f(%%rip), %%rbx\n mov $0x300000000, %%rcx\n"
                     "mov $1, %%edx\n cmp $2, %%edx\n"
                     "2: mov (%%rcx), %%rax\n"
                     "1: test %%edx, %%edx\n"
                     : "=b"(at) : : "rax", "rcx", "rdx", "memory", "cc");
    __asm__ volatile("mov $1, %%edx\n cmp $2, %%edx\n pushf\n pop %0" : "=r"(want) : : "rdx", "cc");
    report("pf-dead-flags", at, 0x300000000ull);
    put_str("exc pf-dead-flags rflags ");
    put_str((exc_rflags & 0x8d5) == (want & 0x8d5) ? "as the CPU's" : "wrong");
    serial_putc('\n');
}

/* #GP whose gate is not present: its delivery raises #NP, contributory on
 * contributory, so the CPU delivers #DF with error code 0 (SDM vol. 3,
 * 6.15 table 6-5 and "Interrupt 8").  #DF is an abort: the RIP it pushes
 * is undefined, so only the vector and error code are checked. */
static void double_fault_case(void)
{
    uint64_t at;
    struct { uint16_t limit; uint64_t base; } __attribute__((packed)) idtr;
    __asm__ volatile("sidt %0" : "=m"(idtr));
    volatile uint8_t *gp_gate = (volatile uint8_t *)idtr.base + 16 * 13;
    gp_gate[5] &= 0x7f;
    CASE("mov $0x8000000000000000, %%rcx", "mov (%%rcx), %%rax");
    report("df-gp-gate-not-present", exc_rip, ~0ull);
    gp_gate[5] |= 0x80;
}

int guest_main(int ncpus)
{
    uint64_t at;
    idt_gate(0, exc_de, IDT_INTERRUPT_GATE);
    idt_gate(3, exc_bp, IDT_TRAP_GATE);
    idt_gate(6, exc_ud, IDT_INTERRUPT_GATE);
    idt_gate(13, exc_gp, IDT_INTERRUPT_GATE);
    idt_gate(14, exc_pf, IDT_INTERRUPT_GATE);
    idt_gate(0x40, exc_sw, IDT_TRAP_GATE);
    idt_gate(8, exc_df, IDT_INTERRUPT_GATE);
    idt_load();
    CASE("xor %%ecx, %%ecx\n mov $1, %%eax\n xor %%edx, %%edx", "div %%ecx");
    report("de", at, ~0ull);
    CASE("", "int3");
    report("bp", at + 1, ~0ull);
    CASE("", "ud2");
    report("ud", at, ~0ull);
    CASE("mov $0x8000000000000000, %%rcx", "mov (%%rcx), %%rax");
    report("gp-non-canonical", at, ~0ull);
    CASE("sti", "int $0x40");
    report("int-0x40-trap-gate", at + 2, ~0ull);
    __asm__ volatile("cli");
    double_fault_case();
    paging_cases();
    put_str("exc done\n");
    return 0;
}
#endif
