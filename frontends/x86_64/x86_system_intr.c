/* x86_system_intr.c -- exceptions and interrupts in long mode: delivery
 * through the IDT's 16-byte gates (interrupt and trap gates, IST stacks
 * from the TSS), and the guest-memory access the system helpers use. */
#include <string.h>

#include "x86_internal.h"
#include "x86_system.h"

static bool copy_virt(struct x86_sys_cpu *c, uint64_t va, void *buf, unsigned len, bool write)
{
    uint8_t *p = buf;
    while (len) {
        unsigned chunk = 4096 - (unsigned)(va & 4095);
        if (chunk > len)
            chunk = len;
        uint8_t *h = c->sys.hooks->virt_ptr(c, va, write);
        if (!h)
            return false;
        if (write)
            memcpy(h, p, chunk);
        else
            memcpy(p, h, chunk);
        va += chunk, p += chunk, len -= chunk;
    }
    return true;
}

bool x86_sys_read(struct x86_sys_cpu *c, uint64_t va, void *out, unsigned len)
{
    return copy_virt(c, va, out, len, false);
}

bool x86_sys_write(struct x86_sys_cpu *c, uint64_t va, const void *in, unsigned len)
{
    return copy_virt(c, va, (void *)in, len, true);
}

static uint64_t le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* A stack pointer from the 64-bit TSS that TR selects: RSP0 at 4, IST
 * slot n (1-7) at 0x24 + 8 * (n - 1). */
static bool tss_stack(struct x86_sys_cpu *c, unsigned off, uint64_t *rsp)
{
    uint8_t d[16];
    if (!c->sys.tr || !x86_sys_read(c, c->sys.gdt_base + (c->sys.tr & ~7ull), d, 16))
        return false;
    uint64_t tss = le(d + 2, 3) | (uint64_t)d[7] << 24 | le(d + 8, 4) << 32;
    uint8_t slot[8];
    if (!x86_sys_read(c, tss + off, slot, 8))
        return false;
    *rsp = le(slot, 8);
    return true;
}

bool x86_sys_descriptor(struct x86_sys_cpu *c, uint64_t sel, uint64_t *desc)
{
    uint8_t d[8];
    if ((sel & 4) || (sel & ~7ull) + 7 > c->sys.gdt_limit
        || !x86_sys_read(c, c->sys.gdt_base + (sel & 0xfff8), d, 8))
        return false;
    *desc = le(d, 8);
    return true;
}

/* Only long mode's IDT is known: an event in legacy protected mode (the
 * 32-bit entry before long mode is on) cannot be delivered. */
bool x86_sys_deliver(struct x86_sys_cpu *c, int vector, bool has_err, uint64_t err)
{
    uint8_t g[16];
    if (!(c->sys.efer & X86_EFER_LMA) || (uint64_t)vector * 16 + 15 > c->sys.idt_limit
        || !x86_sys_read(c, c->sys.idt_base + 16 * (uint64_t)vector, g, 16) || !(g[5] & 0x80))
        return false;
    uint64_t target = le(g, 2) | le(g + 6, 2) << 16 | le(g + 8, 4) << 32;
    uint64_t rsp = c->cpu.regs[X86_RSP];
    bool from_user = (c->sys.cs & 3) == 3;     /* to CPL 0: the TSS's stack */
    if ((g[4] & 7) && !tss_stack(c, 0x24 + 8 * ((g[4] & 7) - 1u), &rsp))
        return false;
    if (!(g[4] & 7) && from_user && !tss_stack(c, 4, &rsp))
        return false;
    rsp &= ~15ull;
    uint64_t frame[6], *f = frame;
    if (has_err)
        *f++ = err;
    *f++ = c->cpu.rt.pc;
    *f++ = c->sys.cs;
    *f++ = x86_get_eflags(&c->cpu);
    *f++ = c->cpu.regs[X86_RSP];
    *f++ = c->sys.ss;
    unsigned bytes = (unsigned)((f - frame) * 8);
    if (!x86_sys_write(c, rsp - bytes, frame, bytes))
        return false;
    c->cpu.regs[X86_RSP] = rsp - bytes;
    c->sys.cs = le(g + 2, 2) & ~3ull;
    if (c->sys.code32)                          /* from compatibility mode */
        c->sys.mode_changed = 1;
    c->sys.code32 = 0;
    if (from_user)
        c->sys.ss = 0;
    if ((g[5] & 0xf) == 0xe)                    /* interrupt gate: IF off */
        c->cpu.eflags_rest &= ~X86_EFLAGS_IF;
    c->cpu.rt.pc = target;
    return true;
}

/* The gate's DPL (bits 45-46 of its first quadword) against CPL. */
bool x86_sys_deliver_event(struct x86_sys_cpu *c, const struct x86_sys_event *ev)
{
    uint8_t g[8];
    if (ev->soft && (c->sys.efer & X86_EFER_LMA) && (uint64_t)ev->vector * 16 + 15 <= c->sys.idt_limit
        && x86_sys_read(c, c->sys.idt_base + 16 * (uint64_t)ev->vector, g, 8)
        && ((g[5] >> 5) & 3) < (c->sys.cs & 3)) {
        c->cpu.rt.pc -= ev->soft;
        return x86_sys_deliver(c, X86_EXC_GP, true, (uint64_t)ev->vector * 8 + 2);
    }
    return x86_sys_deliver(c, ev->vector, ev->has_err != 0, ev->err);
}
