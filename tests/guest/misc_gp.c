/* misc_gp.c -- general-purpose odds: xchg of a register with itself (87 c0
 * zero-extends at 32 bits, 90 does not), xlat with REX.W, the sign
 * extenders, sahf/lahf of every AH, cmpxchg that fails at 8-64 bits, xadd
 * of a register with itself, movsx/movzx 66 forms, bswap 16-bit (undefined:
 * Intel gives 0), arpl-slot movsxd 66/no REX.W forms, cmov that does not
 * move (still zero-extends at 32 bits), lea with 67 and 66.  (Session 43
 * probe: equal to native at once.) */
#include <stdint.h>
#include <stdio.h>

static unsigned char tab[256];
#define R(NAME, BODY) { unsigned long a = 0xfedcba9876543210ul, b = 0x1111111122222222ul, c = 0x8000000180008081ul, d = 0xa5a5a5a5a5a5a5a5ul, fl; \
    __asm__ volatile("push %%rbx\n\tmov %[b], %%rbx\n\tmov $0x8d5, %%esi\n\tpush %%rsi\n\tpopfq\n\t" BODY "\n\tpushfq\n\tpop %%rsi\n\tmov %%rbx, %[b]\n\tpop %%rbx" \
                     : "+a"(a), [b] "+m"(b), "+c"(c), "+d"(d), "=S"(fl) : "D"(tab) : "memory", "cc", "r8"); \
    printf("%-12s a %016lx b %016lx c %016lx d %016lx fl %03lx\n", NAME, a, b, c, d, fl & 0x8d5); }

int main(void)
{
    for (int i = 0; i < 256; i++) tab[i] = (unsigned char)(255 - i);
    R("xchg87", ".byte 0x87, 0xc0")
    R("xchg90", ".byte 0x90")
    R("xchg_r8", "mov $-1, %%r8\n\t.byte 0x41, 0x90\n\tmov %%r8, %%rdx")
    R("xchg16", ".byte 0x66, 0x87, 0xc0")
    R("xchg8", ".byte 0x86, 0xc4")
    R("xlat", "mov %%rdi, %%rbx\n\txlat\n\txor %%ebx, %%ebx")
    R("xlatw", "mov %%rdi, %%rbx\n\t.byte 0x48, 0xd7\n\txor %%ebx, %%ebx")
    R("cbw", "cbtw") R("cwde", "cwtl") R("cdqe", "cltq") R("cwd", "cwtd") R("cdq", "cltd") R("cqo", "cqto")
    R("cbw_neg", "mov $0x80, %%al\n\tcbtw") R("cwd_neg", "mov $0x8000, %%ax\n\tcwtd")
    R("cmpxchg_f", "cmpxchg %%rcx, %%rdx") R("cmpxchg_f32", "cmpxchg %%ecx, %%edx") R("cmpxchg_t32", "mov %%edx, %%eax\n\tcmpxchg %%ecx, %%edx")
    R("cmpxchg_f8", "cmpxchg %%cl, %%dl") R("cmpxchg_f16", "cmpxchg %%cx, %%dx")
    R("cmpxchg_same", "cmpxchg %%eax, %%eax") R("cmpxchg_samef", "cmpxchg %%ecx, %%ecx")
    R("xadd_same", "xadd %%rcx, %%rcx") R("xadd_same32", "xadd %%ecx, %%ecx")
    R("bswap16", ".byte 0x66, 0x0f, 0xc8") R("bswap32", "bswap %%eax") R("bswap64w", ".byte 0x66, 0x48, 0x0f, 0xc8")
    R("movsxd16", ".byte 0x66, 0x63, 0xc1") R("movsxd32", ".byte 0x63, 0xc1") R("movsxd64", ".byte 0x48, 0x63, 0xc1")
    R("cmov_no32", "cmp %%eax, %%eax\n\tcmovne %%ecx, %%eax") R("cmov_no16", "cmp %%eax, %%eax\n\tcmovne %%cx, %%ax")
    R("cmov_no64m", "cmp %%eax, %%eax\n\tcmovne (%%rdi), %%eax")
    R("lea67", ".byte 0x67, 0x48, 0x8d, 0x04, 0x11") R("lea66", ".byte 0x66, 0x8d, 0x04, 0x11") R("lea32", "lea (%%rcx,%%rdx), %%eax")
    R("lea66_67", ".byte 0x66, 0x67, 0x8d, 0x04, 0x11")
    R("movzx66", ".byte 0x66, 0x0f, 0xb6, 0xc1") R("movsx66w", ".byte 0x66, 0x48, 0x0f, 0xbe, 0xc1") R("movzxw_self", ".byte 0x0f, 0xb7, 0xc0")
    R("xchg_mem32", "push %%rcx\n\txchg %%eax, (%%rsp)\n\tpop %%rcx")
    R("btx_reg_big", "bts %%rcx, %%rdx") R("btx_reg16", "btc %%cx, %%dx")
    R("shld16_big", "mov $20, %%cl\n\tshld %%cl, %%dx, %%ax") R("shrd16_big", "mov $27, %%cl\n\tshrd %%cl, %%dx, %%ax")
    R("rcl8_9", "mov $9, %%cl\n\trcl %%cl, %%dl") R("rcr16_17", "mov $17, %%cl\n\trcr %%cl, %%dx") R("rcl16_31", "mov $31, %%cl\n\trcl %%cl, %%dx")
    for (int ah = 0; ah < 256; ah += 1) {
        unsigned long fl, out;
        __asm__ volatile("push %%rax\n\tpopfq\n\tmov %2, %%ah\n\tsahf\n\tlahf\n\tmov %%rax, %1\n\tpushfq\n\tpop %0" : "=r"(fl), "=r"(out) : "r"((unsigned char)ah), "a"(0x202ul) : "cc");
        if (ah % 16 == 0 || ah == 255) printf("sahf %02x fl %03lx ah %02lx\n", ah, fl & 0x8d5, (out >> 8) & 0xff);
    }
    return 0;
}
