/* pic.c -- test guest (kvm and tcg runners): the PIT's IRQ 0 through the
 * 8259 PICs in virtual-wire mode, as firmware and early Linux use them:
 * both PICs initialised (vectors 0x20 and 0x28, slave on IRQ 2), only IRQ 0
 * unmasked, the IOAPIC left masked, the local APIC's LINT0 in ExtINT mode.
 * The handler counts ticks and ends each with a non-specific EOI; the
 * guest reports 5 ticks at 100 Hz, and the in-service register (OCW3)
 * empty afterwards. */
#include "guest.h"

#ifdef GUEST_HOSTED
int guest_main(int ncpus)
{
    put_str("pic: the hosted accelerator has no PIT\n");
    return 0;
}
#else
#define LAPIC 0xfee00000ull
#define PIC_VECTOR 0x20

volatile uint32_t pic_ticks;

void pic_isr(void);
__asm__(".text\n"
        "pic_isr:\n"
        "  push %rax\n"
        "  lock incl pic_ticks(%rip)\n"
        "  mov $0x20, %al\n"
        "  out %al, $0x20\n"               /* non-specific EOI to the master */
        "  pop %rax\n"
        "  iretq\n");

static void pic_init(void)
{
    outb(0x20, 0x11); outb(0xa0, 0x11);     /* ICW1: edge, cascade, ICW4 */
    outb(0x21, PIC_VECTOR); outb(0xa1, PIC_VECTOR + 8);
    outb(0x21, 0x04); outb(0xa1, 0x02);     /* ICW3: slave on IRQ 2 */
    outb(0x21, 0x01); outb(0xa1, 0x01);     /* ICW4: 8086 mode, normal EOI */
    outb(0xa1, 0xff);
    outb(0x21, 0xfe);                       /* only IRQ 0 */
}

int guest_main(int ncpus)
{
    idt_gate(PIC_VECTOR, pic_isr, IDT_INTERRUPT_GATE);
    idt_load();
    mmio_write(LAPIC + 0xf0, 0x1ff, 4);     /* local APIC software-enabled */
    mmio_write(LAPIC + 0x350, 0x700, 4);    /* LINT0: ExtINT, unmasked */
    pic_init();
    pit_start_100hz();
    uint32_t ticks = wait_ticks(&pic_ticks, 5);
    outb(0x20, 0x0b);                       /* OCW3: the next read returns ISR */
    uint8_t isr = inb(0x20);
    put_str("pic: ticks "); put_dec(ticks);
    put_str(" isr "); put_hex(isr); serial_putc('\n');
    return 0;
}
#endif
