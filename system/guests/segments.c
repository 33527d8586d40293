/* segments.c -- test guest for segments from the GDT (kvm and tcg
 * runners): far jumps, calls and returns, mov to segment registers, and
 * the gate DPL check of int $n.  Its own GDT holds 64-bit and 32-bit
 * (compatibility-mode) code, data with a base, a read-only data segment,
 * a not-present one and a DPL 3 one.  Cases, each printed as "seg NAME
 * ..." (run_tests.py holds the values of the Intel SDM, vol. 2 JMP, CALL,
 * RET, MOV, INT n and vol. 3 6.12/6.13; make check-system-kvm asks real
 * KVM too):
 * - ljmp through m16:64 to a 64-bit code segment, lcall/lret (CS pushed);
 * - ljmp into 32-bit compatibility-mode code, which pushes, calls and
 *   returns with 4-byte stack slots and far-jumps back to 64-bit code;
 * - mov to fs loads the descriptor's base (a read through %fs: sees it);
 * - #GP(selector) for a data segment as a far-jump target, a selector
 *   beyond the GDT limit, a read-only SS, a DPL 0 data segment into DS
 *   at CPL 3; #NP(selector) for a not-present data segment; #GP(0) for a
 *   null code selector; a null SS is allowed at CPL 0 in 64-bit mode;
 * - verw: ZF set for writable data, clear for read-only; verr: set for
 *   readable code;
 * - int $0x41 from CPL 3 through a DPL 0 gate is #GP(0x41 * 8 + 2), through
 *   a DPL 3 gate (int $0x42) it is delivered, int3 through a DPL 0 gate
 *   is #GP(3 * 8 + 2). */
#include "guest.h"

#ifdef GUEST_HOSTED
int guest_main(int ncpus)
{
    put_str("segments: the hosted accelerator runs no guest instructions\n");
    return 0;
}
#else
#define KCODE 0x10
#define KDATA 0x18
#define CODE32 0x20
#define FSDATA 0x28                     /* data, base = fs_target */
#define RODATA 0x30                     /* read-only data */
#define NPDATA 0x38                     /* not present */
#define UDATA 0x43                      /* 0x40 | RPL 3: DPL 3 data */
#define UCODE 0x4b                      /* 0x48 | RPL 3: DPL 3 64-bit code */
#define TSS_SEL 0x50

static uint64_t gdt[12] __attribute__((aligned(16))) = {
    0, 0,
    0x00af9a000000ffffull,              /* 0x10 64-bit code */
    0x00cf92000000ffffull,              /* 0x18 data */
    0x00cf9a000000ffffull,              /* 0x20 32-bit code */
    0,                                  /* 0x28 data with a base (set at run time) */
    0x00cf90000000ffffull,              /* 0x30 read-only data */
    0x00cf12000000ffffull,              /* 0x38 data, not present */
    0x00cff2000000ffffull,              /* 0x40 DPL 3 data */
    0x00affa000000ffffull,              /* 0x48 DPL 3 64-bit code */
};
static uint8_t tss[104] __attribute__((aligned(16)));
static uint8_t idt[256 * 16] __attribute__((aligned(16)));
uint8_t seg_kstack[4096] __attribute__((aligned(16)));
uint8_t seg_ustack[4096] __attribute__((aligned(16)));
uint64_t seg_vector = 99, seg_err, seg_rip, seg_resume, seg_krsp, seg_user;
uint64_t fs_target[2] = { 0x5eed5eed5eed5eedull, 0 };
uint32_t c32_result;
uint64_t lcall_cs, far_ptr[2];

__asm__(".text\n"
        "seg_gp:\n  push $13\n  jmp seg_common\n"
        "seg_np:\n  push $11\n  jmp seg_common\n"
        "seg_ss:\n  push $12\n  jmp seg_common\n"
        "seg_sw42:\n  push $0\n  push $0x42\n  jmp seg_common\n"
        "seg_common:\n"
        "  push %rax\n"
        "  mov 8(%rsp), %rax\n  mov %rax, seg_vector(%rip)\n"
        "  mov 16(%rsp), %rax\n  mov %rax, seg_err(%rip)\n"
        "  mov 24(%rsp), %rax\n  mov %rax, seg_rip(%rip)\n"
        "  cmpq $0, seg_user(%rip)\n  jne 1f\n"
        "  mov seg_resume(%rip), %rax\n  mov %rax, 24(%rsp)\n"
        "  pop %rax\n  add $16, %rsp\n  iretq\n"
        "1: mov seg_krsp(%rip), %rsp\n  movq $0, seg_user(%rip)\n  jmp *seg_resume(%rip)\n"
        /* 32-bit compatibility-mode code: push/call/ret with 4-byte slots */
        ".code32\n"
        "c32_entry:\n"
        "  mov %esp, %esi\n"
        "  push $0x1234\n"
        "  call c32_double\n"
        "  pop %eax\n"
        "  sub %esp, %esi\n"                 /* 0: balanced */
        "  shl $16, %eax\n  or %esi, %eax\n"
        "  mov %eax, c32_result\n"
        "  ljmp $0x10, $c64_back\n"
        "c32_double:\n"
        "  mov 4(%esp), %eax\n  add %eax, %eax\n  mov %eax, 4(%esp)\n"
        "  ret\n"
        ".code64\n"
        "c64_back:\n  jmp *seg_resume(%rip)\n"
        "far_callee:\n"
        "  mov 8(%rsp), %rax\n  mov %rax, lcall_cs(%rip)\n  lretq\n"
        "u_int41:\n  int $0x41\n  ud2\n"
        "u_int42:\n  int $0x42\n  ud2\n"
        "u_int3:\n  int3\n  ud2\n"
        "u_load_ds:\n  mov $0x18, %eax\n  mov %eax, %ds\n  ud2\n");
void seg_gp(void), seg_np(void), seg_ss(void), seg_sw42(void), c32_entry(void), c64_back(void),
    far_callee(void), u_int41(void), u_int42(void), u_int3(void), u_load_ds(void);

static void idt_set(int vector, void (*fn)(void), unsigned dpl)
{
    uint64_t a = (uint64_t)fn;
    uint8_t *g = idt + 16 * vector;
    g_memset(g, 0, 16);
    g[0] = a; g[1] = a >> 8; g[2] = KCODE;
    g[5] = 0x8e | dpl << 5;                 /* present, interrupt gate */
    g[6] = a >> 16; g[7] = a >> 24;
    for (int i = 0; i < 4; i++) g[8 + i] = a >> (32 + 8 * i);
}

static void setup(void)
{
    uint64_t b = (uint64_t)fs_target, t = (uint64_t)tss;
    gdt[5] = 0x00cf92000000ffffull | (b & 0xffffff) << 16 | (b >> 24 & 0xff) << 56;
    *(uint64_t *)(tss + 4) = (uint64_t)(seg_kstack + sizeof seg_kstack);   /* RSP0 */
    gdt[10] = 103 | (t & 0xffffff) << 16 | 0x89ull << 40 | (t >> 24 & 0xff) << 56;
    gdt[11] = t >> 32;
    struct { uint16_t limit; uint64_t base; } __attribute__((packed))
        g = { sizeof gdt - 1, (uint64_t)gdt }, i = { sizeof idt - 1, (uint64_t)idt };
    __asm__ volatile("lgdt %0\n ltr %w1" :: "m"(g), "r"(TSS_SEL));
    idt_set(3, seg_gp, 0);                  /* never reached: int3 from CPL 3 is #GP */
    idt_set(11, seg_np, 0);
    idt_set(12, seg_ss, 0);
    idt_set(13, seg_gp, 0);
    idt_set(0x41, seg_gp, 0);
    idt_set(0x42, seg_sw42, 3);
    __asm__ volatile("lidt %0" :: "m"(i));
    volatile uint64_t *pml4 = (uint64_t *)0x9000, *pdpt = (uint64_t *)0xa000, *pd = (uint64_t *)0xb000;
    pml4[0] |= 4;
    pdpt[0] |= 4;
    pd[0] |= 4;                             /* 0-2 MiB: this guest, user-accessible */
    uint64_t cr3;
    __asm__ volatile("mov %%cr3, %0\n mov %0, %%cr3" : "=r"(cr3) :: "memory");
}

static void report(const char *name, uint64_t at)
{
    put_str("seg "); put_str(name);
    put_str(" vector "); put_dec(seg_vector);
    put_str(" err "); put_hex(seg_err);
    put_str(" rip "); put_str(seg_rip == at ? "ok" : "bad");
    serial_putc('\n');
    seg_vector = seg_err = seg_rip = 99;
}

#define CASE(setup, insn, clobbers...) FAULT_CASE(seg_resume, setup, insn, ##clobbers)

static void far_transfers(void)
{
    uint64_t at, v;
    __asm__ volatile("lea 1f(%%rip), %%rax\n mov %%rax, far_ptr(%%rip)\n"
                     "movq $0x10, far_ptr+8(%%rip)\n rex.w ljmp *far_ptr(%%rip)\n1:" ::: "rax", "memory");
    put_str("seg ljmp-m16-64 ok\n");
    far_ptr[0] = (uint64_t)far_callee;
    __asm__ volatile("rex.w lcall *far_ptr(%%rip)" ::: "memory", "rax");
    put_str("seg lcall-lret cs "); put_hex(lcall_cs); serial_putc('\n');
    CASE("", "ljmp *c32_ptr(%%rip)\n c32_ptr: .long c32_entry\n .word 0x20");
    put_str("seg compat-mode result "); put_hex(c32_result); serial_putc('\n');
    __asm__ volatile("mov %1, %%fs\n mov %%fs:0, %0" : "=r"(v) : "r"(FSDATA));
    put_str("seg fs-base "); put_str(v == fs_target[0] ? "ok" : "bad"); serial_putc('\n');
    __asm__ volatile("mov %0, %%fs" :: "r"(0));
    far_ptr[1] = KDATA;
    CASE("lea far_ptr(%%rip), %%rcx", "rex.w ljmp *(%%rcx)");
    report("ljmp-data-segment", at);
}

static void loads(void)
{
    uint64_t at;
    far_ptr[1] = 0;
    CASE("lea far_ptr(%%rip), %%rcx", "rex.w ljmp *(%%rcx)");
    report("ljmp-null", at);
    CASE("mov $0x80, %%eax", "mov %%eax, %%ds");
    report("ds-beyond-limit", at);
    CASE("mov $0x38, %%eax", "mov %%eax, %%es");
    report("es-not-present", at);
    CASE("mov $0x30, %%eax", "mov %%eax, %%ss");
    report("ss-read-only", at);
    CASE("mov %%ss, %%edx\n xor %%eax, %%eax\n mov %%eax, %%ss\n", "mov %%edx, %%ss");
    put_str("seg ss-null-cpl0 "); put_str(seg_vector == 99 ? "ok" : "fault"); serial_putc('\n');
    uint8_t w_data, w_ro, r_code;
    __asm__ volatile("verw %w3\n setz %0\n verw %w4\n setz %1\n verr %w5\n setz %2"
                     : "=&r"(w_data), "=&r"(w_ro), "=&r"(r_code) : "r"(KDATA), "r"(RODATA), "r"(KCODE));
    put_str("seg verw-data "); put_dec(w_data); put_str(" verw-read-only "); put_dec(w_ro);
    put_str(" verr-code "); put_dec(r_code); serial_putc('\n');
}

/* iretq to fn at CPL 3; a handler brings the flow back here. */
static void enter_user(void (*fn)(void))
{
    seg_user = 1;
    __asm__ volatile("lea 1f(%%rip), %%rax\n mov %%rax, seg_resume(%%rip)\n"
                     "mov %%rsp, seg_krsp(%%rip)\n"
                     "push %[ss]\n push %[usp]\n push $2\n push %[cs]\n push %[fn]\n iretq\n1:\n"
                     :: [ss]"i"(UDATA), [cs]"i"(UCODE), [usp]"r"(seg_ustack + sizeof seg_ustack),
                        [fn]"r"(fn)
                     : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory");
}

int guest_main(int ncpus)
{
    setup();
    far_transfers();
    loads();
    enter_user(u_int41);
    report("int-0x41-dpl0-from-cpl3", (uint64_t)u_int41);
    enter_user(u_int42);
    report("int-0x42-dpl3-from-cpl3", (uint64_t)u_int42 + 2);
    enter_user(u_int3);
    report("int3-dpl0-from-cpl3", (uint64_t)u_int3);
    enter_user(u_load_ds);
    report("ds-dpl0-from-cpl3", (uint64_t)u_load_ds + 5);
    put_str("seg done\n");
    return 0;
}
#endif
