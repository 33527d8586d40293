/* x86_compat.c -- compatibility mode in a 64-bit process, as Linux with
 * IA32 emulation gives it: a far transfer to __USER32_CS (0x23) runs the
 * target as 32-bit code.  The mode is the translation-mode bit
 * X86_TB_CODE32 (blocks are looked up, chained and cached per mode), so
 * switching it is tr_set_mode's work; the decoder then reads 32-bit code
 * (x86_translate.c: code_bits from the block's mode). */
#include "x86_internal.h"

bool x86_compat_mode(const struct x86_cpu *cpu)
{
    return (cpu->rt.tb_mode & X86_TB_CODE32) != 0;
}

void x86_set_compat_mode(struct x86_cpu *cpu, bool on)
{
    uint32_t others = cpu->rt.tb_mode & ~X86_TB_CODE32;
    tr_set_mode(cpu, others | (on ? X86_TB_CODE32 : 0));
}

uint16_t x86_user_cs(const struct x86_cpu *cpu)
{
    return x86_compat_mode(cpu) ? X86_USER32_CS : X86_USER_CS;
}

bool x86_seg_user32(uint16_t sel)
{
    return x86_machine()->ia32 && (sel & 0xfffc) == (X86_USER32_CS & 0xfffc);
}
