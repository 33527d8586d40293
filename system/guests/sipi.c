/* sipi.c -- test guest for INIT and start-up IPIs and real mode (kvm and
 * tcg runners, --cpus 2).  vCPU 0 copies a trampoline to 0x70000 and sends
 * vCPU 1 (idle in hlt) INIT, INIT de-assert and two SIPIs with vector
 * 0x70, as Linux's smpboot does.  vCPU 1 starts there in real mode and
 * walks the way Linux's AP trampoline does: a real-mode far jmp, segment
 * loads (ds, ss, es with another base), a 16-bit call and ret, push and
 * pop, pushfl/popl, lgdtl, CR0.PE, a far jmp to 32-bit code, PAE, CR3,
 * EFER.LME, CR0.PG, a far jmp to 64-bit code and a C function.  It leaves
 * a value in a slot at each step; vCPU 0 checks them.
 * Prints "sipi NAME ok|bad". */
#include <stdbool.h>

#include "guest.h"

#ifdef GUEST_HOSTED
int guest_main(int ncpus)
{
    put_str("sipi: the hosted accelerator runs no guest instructions\n");
    return 0;
}
#else
#define TRAMP 0x70000ull                    /* SIPI vector 0x70 */
#define SLOT16(off) (*(volatile uint16_t *)(TRAMP + (off)))
#define SLOT32(off) (*(volatile uint32_t *)(TRAMP + (off)))
#define SLOT64(off) (*(volatile uint64_t *)(TRAMP + (off)))
#define LAPIC 0xfee00000ull

/* Slots (offsets from TRAMP): 0xf00 after the call returned, 0xf04 what
 * pop got, 0xf08 SP after them, 0xf0c EFLAGS, 0xf10 in the called
 * function, 0xf14 in 32-bit code; 0xf40 CR3, 0xf48 RSP, 0xf50 the 64-bit
 * function (set by vCPU 0).  es:0x10 with es = 0x7100 is 0x71010. */
__asm__(
    "    .section .rodata.sipi, \"a\"\n"
    "    .equ TRAMP, 0x70000\n"
    "    .globl sipi_tramp, sipi_tramp_end\n"
    "sipi_tramp:\n"
    "    .code16\n"
    "    cli\n"
    "    ljmpw $0x7000, $(1f - sipi_tramp)\n"
    "1:  mov %cs, %ax\n"
    "    mov %ax, %ds\n"
    "    mov %ax, %ss\n"
    "    mov $0xe00, %sp\n"
    "    call 2f\n"
    "    movw $0x1616, 0xf00\n"
    "    pushw $0x5aa5\n"
    "    pop %bx\n"
    "    mov %bx, 0xf04\n"
    "    mov $0x7100, %ax\n"
    "    mov %ax, %es\n"
    "    movw $0xe5e5, %es:0x10\n"
    "    mov %sp, 0xf08\n"
    "    pushfl\n"
    "    popl %eax\n"
    "    movl %eax, 0xf0c\n"
    "    lgdtl gdtr - sipi_tramp\n"
    "    movl %cr0, %eax\n"
    "    orl $1, %eax\n"
    "    movl %eax, %cr0\n"
    "    ljmpl $0x08, $(TRAMP + pm32 - sipi_tramp)\n"
    "2:  movw $0x5151, 0xf10\n"
    "    ret\n"
    "    .balign 8\n"
    "gdt:\n"
    "    .quad 0\n"
    "    .quad 0x00cf9a000000ffff\n"        /* 0x08: 32-bit code */
    "    .quad 0x00cf92000000ffff\n"        /* 0x10: data */
    "    .quad 0x00af9a000000ffff\n"        /* 0x18: 64-bit code */
    "gdtr:\n"
    "    .word 4 * 8 - 1\n"
    "    .long TRAMP + gdt - sipi_tramp\n"
    "    .code32\n"
    "pm32:\n"
    "    mov $0x10, %ax\n"
    "    mov %ax, %ds\n"
    "    mov %ax, %es\n"
    "    mov %ax, %ss\n"
    "    movl $0x32323232, TRAMP + 0xf14\n"
    "    movl $0x20, %eax\n"                /* CR4.PAE */
    "    movl %eax, %cr4\n"
    "    movl TRAMP + 0xf40, %eax\n"
    "    movl %eax, %cr3\n"
    "    movl $0xc0000080, %ecx\n"          /* EFER.LME */
    "    rdmsr\n"
    "    orl $0x100, %eax\n"
    "    wrmsr\n"
    "    movl %cr0, %eax\n"
    "    orl $0x80000000, %eax\n"
    "    movl %eax, %cr0\n"
    "    ljmpl $0x18, $(TRAMP + lm64 - sipi_tramp)\n"
    "    .code64\n"
    "lm64:\n"
    "    movq TRAMP + 0xf48, %rsp\n"
    "    movq TRAMP + 0xf50, %rax\n"
    "    jmp *%rax\n"
    "sipi_tramp_end:\n"
    "    .text\n");

extern const uint8_t sipi_tramp[], sipi_tramp_end[];

static volatile uint64_t ap_cs, ap_efer, ap_done;
static uint8_t ap_stack[4096] __attribute__((aligned(16)));

static void __attribute__((used, noreturn)) ap_long_mode(void)
{
    uint64_t cs;
    uint32_t lo, hi;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0xc0000080));
    ap_cs = cs;
    ap_efer = (uint64_t)hi << 32 | lo;
    ap_done = 1;
    halt_forever();
}

static void say(const char *name, bool ok)
{
    put_str("sipi "); put_str(name); put_str(ok ? " ok\n" : " bad\n");
}

static void send_ipi(uint32_t dest, uint32_t lo)
{
    mmio_write(LAPIC + 0x310, dest << 24, 4);
    mmio_write(LAPIC + 0x300, lo, 4);
    for (int i = 0; i < 1000 && (mmio_read(LAPIC + 0x300, 4) & (1u << 12)); i++)
        cpu_relax();                        /* delivery status: idle */
}

int guest_main(int ncpus)
{
    if (ncpus < 2) {
        put_str("sipi: needs --cpus 2\n");
        return 1;
    }
    g_memcpy((void *)TRAMP, sipi_tramp, (size_t)(sipi_tramp_end - sipi_tramp));
    for (int off = 0xf00; off < 0xf40; off += 4)
        SLOT32(off) = 0;
    *(volatile uint16_t *)0x71010 = 0;
    uint64_t cr3;
    __asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
    SLOT64(0xf40) = cr3;
    SLOT64(0xf48) = (uint64_t)(ap_stack + sizeof ap_stack);
    SLOT64(0xf50) = (uint64_t)ap_long_mode;
    barrier();
    send_ipi(1, 0x4500);                    /* INIT, level assert */
    send_ipi(1, 0x8500);                    /* INIT, level de-assert */
    send_ipi(1, 0x4600 | (TRAMP >> 12));    /* SIPI, twice as the MP spec says */
    send_ipi(1, 0x4600 | (TRAMP >> 12));
    for (uint64_t start = rdtsc(); !ap_done && rdtsc() - start < 30000000000ull;)
        cpu_relax();
    say("real-mode-call-ret", SLOT16(0xf10) == 0x5151 && SLOT16(0xf00) == 0x1616);
    say("real-mode-push-pop", SLOT16(0xf04) == 0x5aa5 && SLOT16(0xf08) == 0xe00);
    say("real-mode-es-base", *(volatile uint16_t *)0x71010 == 0xe5e5);
    say("real-mode-pushfl", (SLOT32(0xf0c) & 0x202) == 0x2);
    say("protected-mode", SLOT32(0xf14) == 0x32323232);
    say("long-mode", ap_done && ap_cs == 0x18 && (ap_efer & 0x500) == 0x500);
    put_str("sipi done\n");
    return 0;
}
#endif
