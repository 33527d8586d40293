/* dead_flag_loops.h -- what the tests of the flags an asynchronous event
 * finds at dead-flag entries share, user mode's (async_flags.c, SIGALRM;
 * async_cases.h) and ferry-system's (system/guests/irqflags.c, the local
 * APIC timer): the arithmetic flags' mask, the flags the CPU gives `cmp`
 * and `dec` (the CPU is the oracle), and two loops whose `cmp A; jmp`
 * reaches code that overwrites A's flags before reading them (`cmp B`),
 * through a jmp and through `dec; jnz` (every flag but CF over dead ones,
 * a jcc both ways), with the flags due at each of their instructions.
 * Freestanding (no libc): a header, not a test. */
#include <stdint.h>

#define ARITH 0x8d5ul              /* OF SF ZF AF PF CF */

/* The flags of `cmp b, a` (a - b). */
static inline unsigned long flags_cmp(unsigned long a, unsigned long b)
{
    unsigned long f;
    __asm__ volatile("cmp %2, %1\n\tpushfq\n\tpopq %0" : "=&r"(f) : "r"(a), "r"(b) : "cc");
    return f & ARITH;
}

/* The flags of `dec` giving r over carry cf. */
static inline unsigned long flags_dec(unsigned long r, unsigned long cf)
{
    unsigned long f, v = r + 1;
    __asm__ volatile("bt $0, %2\n\tdec %1\n\tpushfq\n\tpopq %0" : "=&r"(f), "+r"(v) : "r"(cf) : "cc");
    return f & ARITH;
}

/* j_loop and d_loop, as top-level asm text: A is cmp r9, r8 (r8 - r9),
 * B cmp r8, r9, D dec rdx over A's CF; each loop ends when the 32-bit
 * variable STOP is set. */
#define DEAD_FLAG_LOOPS(STOP)                                                   \
    ".globl j_loop, j_spin, j_b, j_end\n"                                       \
    "j_loop:\n"                                                                 \
    "  mov $1, %r8\n  mov $2, %r9\n"                                            \
    "j_spin:\n"                                                                 \
    "  cmp %r9, %r8\n"                                                          \
    "  jmp 1f\n"                                                                \
    "1:\n"                                                                      \
    "  mov " STOP "(%rip), %ecx\n"                                              \
    "j_b:\n"                                                                    \
    "  cmp %r8, %r9\n"                                                          \
    "  jrcxz j_spin\n"                                                          \
    "j_end:\n"                                                                  \
    "  ret\n"                                                                   \
    ".globl d_loop, d_spin, d_dec, d_b, d_end\n"                                \
    "d_loop:\n"                                                                 \
    "  mov $1, %r8\n  mov $2, %r9\n  movabs $0x10000000000, %rdx\n"             \
    "d_spin:\n"                                                                 \
    "  cmp %r9, %r8\n"                                                          \
    "  jmp 1f\n"                                                                \
    "1:\n"                                                                      \
    "d_dec:\n"                                                                  \
    "  dec %rdx\n"                                                              \
    "  jnz 2f\n"                                                                \
    "  nop\n"                                                                   \
    "2:\n"                                                                      \
    "  mov " STOP "(%rip), %ecx\n"                                              \
    "d_b:\n"                                                                    \
    "  cmp %r8, %r9\n"                                                          \
    "  jrcxz d_spin\n"                                                          \
    "d_end:\n"                                                                  \
    "  ret\n"

extern char j_spin[], j_b[], j_end[];
extern char d_spin[], d_dec[], d_b[], d_end[];
void j_loop(void), d_loop(void);

static inline int dead_flag_in(uintptr_t ip, const char *lo, const char *hi)
{
    return ip > (uintptr_t)lo && ip <= (uintptr_t)hi;
}

/* The flags due at ip in the loops (A's between `cmp A` and `cmp B`
 * inclusive, dec's behind it, B's after `cmp B` and at the loop's top),
 * from the registers there; 0 when ip is outside them. */
static inline int dead_flag_loops_want(uintptr_t ip, unsigned long r8, unsigned long r9,
                                       unsigned long rdx, unsigned long *want)
{
    unsigned long a = flags_cmp(r8, r9);
    if (dead_flag_in(ip, j_spin, j_b) || dead_flag_in(ip, d_spin, d_dec))
        *want = a;
    else if (dead_flag_in(ip, d_dec, d_b))
        *want = flags_dec(rdx, a & 1);
    else if (dead_flag_in(ip, j_b, j_end) || dead_flag_in(ip, d_b, d_end) ||
             ip == (uintptr_t)j_spin || ip == (uintptr_t)d_spin)
        *want = flags_cmp(r9, r8);
    else
        return 0;
    return 1;
}
