/* runtime.h -- what translated code, the engine's run loop and helpers
 * share: the per-vCPU runtime block every guest CPU state begins with.
 *
 * Every guest CPU-state structure (the frontend's "env") begins with
 * struct tr_runtime, so translated code reaches the guest pc, the spill
 * slots and the exit information at fixed offsets from the env register,
 * whatever the guest.
 */
#ifndef FERRY_RUNTIME_H
#define FERRY_RUNTIME_H

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

#define TR_SPILL_SLOTS 59             /* + div[5] below: 64 words */

/* Why translated code returned to the engine's run loop (internal to the
 * engine and the backends; tr_run() reports a struct tr_stop reason). */
enum tr_exit {
    TR_EXIT_CHAIN0 = 0,     /* goto_tb/brcond slot 0, not chained yet */
    TR_EXIT_CHAIN1 = 1,     /* slot 1 */
    TR_EXIT_INDIRECT,       /* env->rt.pc holds the next guest pc */
    TR_EXIT_SYSCALL,        /* guest syscall; rt.pc is the next insn */
    TR_EXIT_SIGILL,         /* untranslatable insn at rt.pc */
    TR_EXIT_SIGTRAP,        /* int3: rt.pc after it */
    TR_EXIT_SIGSEGV,        /* hlt / privileged insn at rt.pc */
    TR_EXIT_SIGFPE,         /* divide error at rt.pc (raised by helpers) */
    TR_EXIT_STALE,          /* the code at rt.pc changed since it was
                               translated: drop its page's blocks (helpers) */
    TR_EXIT_REQUEST,        /* rt.exit_request was set: rt.pc is the block's */
    TR_EXIT_HOST_FAULT,     /* host fault on a guest access (rt.fault says what) */
    TR_EXIT_FETCH_FAULT,    /* the code at rt.pc cannot be fetched (unmapped, no
                               PROT_EXEC): a page fault on instruction fetch */
    TR_EXIT_STACK_MODE,     /* a block's entry test of the stack pointer
                               (ir_stack_align.c): rt.pc is the block's; run
                               it in (or out of) TR_MODE_STACK_CHECKED */
    TR_EXIT_ALIGN_CHECK,    /* x86 #AC at rt.pc (a misaligned access with
                               EFLAGS.AC set): SIGBUS, BUS_ADRALN, trap 17 */
};

struct tr_block;
struct tr_jmp_entry;
struct tr_engine;
struct tr_guest_mem;

#define TR_RAS_BITS 5
#define TR_RAS_SIZE (1u << TR_RAS_BITS)

struct tr_runtime {
    uint64_t pc;                        /* guest pc when not in a block */
    struct tr_block *exit_tb;           /* block that left via a chain slot */
    /* Nonzero: leave translated code at the next block entry.  Set by other
     * threads (exclusive sections) and by host signal handlers. */
    uint32_t exit_request;
    uint16_t in_code;                   /* this thread runs translated code */
    uint16_t guard_armed;               /* its guard page is (being made) unreadable */
    struct tr_jmp_entry *jmp_cache;     /* this vCPU's jump cache (exit_request.c) */
    struct tr_runtime *next_thread;     /* the engine's registry of vCPUs */
    /* Its host thread, for exit requests that must reach a register
     * (exit_kick.c).  (Where the in-env return-address ring's top was:
     * both hosts keep that stack on the host stack now.) */
    int32_t host_tid;
    /* The translation mode (frontend-defined bits of CPU state that change
     * how code is translated, e.g. x86 MXCSR with an exception unmasked):
     * blocks are looked up and translated for it, and a block chains only
     * to blocks of its own mode.  Changed through tr_set_mode(). */
    uint32_t tb_mode;
    /* The vCPU's own jump cache, which jmp_cache leaves for the
     * never-matching table while a request is pending (exit_request.c). */
    struct tr_jmp_entry *jmp_own;
    /* Where an in-env return-address ring was (no backend reads one any
     * more): unused, kept so that the fields below keep their env offsets. */
    uint8_t layout_pad[TR_RAS_SIZE * 16 - sizeof(void *)];
    /* x86-64 hosts keep the return-address stack on the host stack
     * instead (x64_exits.c): where it starts and how deep it may grow. */
    uint64_t ras_base, ras_limit;
    uint64_t spill[TR_SPILL_SLOTS];     /* register-allocator spill area */
    /* The operands of an IR divu/divs that left its inline code, and
     * ir_div_slow's #DE answer in div[0] (ir_div.c); div[3..4]:
     * registers a backend keeps there meanwhile (x64_div.c: rcx, rax).
     * With spill[], the 64 words the spill area alone once had: the
     * fields after them stay where they were. */
    uint64_t div[5];
    sigjmp_buf *unwind;                 /* helpers raise via tr_raise() */
    struct tr_engine *engine;           /* set by tr_cpu_attach() */
    const struct tr_guest_mem *mem;     /* the engine's guest memory (helpers) */
    uint64_t entered_gen;               /* cache generation of the block entered */
    /* A guest fault (tr_run() returned TR_STOP_FAULT): the signal a Linux
     * process would get, its si_addr and si_code (0: the usual one for sig),
     * and the x86 trap number and error code Linux puts in the signal
     * context (REG_TRAPNO, REG_ERR; page faults: P W U I/D bits).  err may
     * be stored by translated code before a TR_EXIT_SIGSEGV (int $n); the
     * consumer clears it. */
    struct { int sig; uint64_t addr; int code; uint64_t trapno, err; } fault;
    /* Set by a C helper while it touches guest memory: a host fault there
     * fills `fault` (as for translated code, err without the W bit) and
     * longjmps here, so the helper can make the guest fault precise. */
    sigjmp_buf *helper_guard;
};
#define TR_OFFSET_DIV ((int32_t)offsetof(struct tr_runtime, div))
/* helper_guard values that are no jump buffer.  TR_HELPER_RETRY: a
 * helper's unguarded fast path touches guest memory (no sigsetjmp: rep
 * movs/stos of a few bytes, x86_helpers.c), having changed no guest
 * register and only memory its careful path writes again with the same
 * bytes; a host fault there (fault.c) leaves translated code, runs the
 * instruction at rt.pc again and leaves TR_HELPER_RETRIED, which tells
 * the helper to take its careful path. */
#define TR_HELPER_RETRY ((sigjmp_buf *)1)
#define TR_HELPER_RETRIED ((sigjmp_buf *)2)
#define TR_OFFSET_RAS ((int32_t)offsetof(struct tr_runtime, ras))
#define TR_OFFSET_RAS_BASE ((int32_t)offsetof(struct tr_runtime, ras_base))
#define TR_OFFSET_RAS_LIMIT ((int32_t)offsetof(struct tr_runtime, ras_limit))

#define TR_OFFSET_PC       ((int32_t)offsetof(struct tr_runtime, pc))
#define TR_OFFSET_TB_MODE  ((int32_t)offsetof(struct tr_runtime, tb_mode))
#define TR_OFFSET_EXIT_TB  ((int32_t)offsetof(struct tr_runtime, exit_tb))
#define TR_OFFSET_EXIT_REQUEST ((int32_t)offsetof(struct tr_runtime, exit_request))
#define TR_OFFSET_JMP_CACHE ((int32_t)offsetof(struct tr_runtime, jmp_cache))
/* Envs from tr_env_alloc() have a guard page at env + TR_ENV_GUARD_OFFSET
 * (page-aligned; whatever the page size up to 64 KB), readable unless an
 * exit is requested: a block may test for a request with one load from it
 * (exit_request.c). */
#define TR_ENV_GUARD_OFFSET 8192
/* Where in the guard page the test loads: not at a multiple of 0x400.
 * A load that shares its low address bits with a recent store waits for
 * it (4K aliasing); at the page's start (and at +0x400, +0xc00) the x86-64
 * host's warm busybox sh loop took 0.29 s of CPU, sqlite3 0.30 s, strings
 * 0.19 s; at +0xe00 (like +0x200, +0x7c0) 0.17, 0.17 and 0.14 s, as
 * without the guard load (session 32, paired runs). */
#define TR_ENV_GUARD_PROBE (TR_ENV_GUARD_OFFSET + 0xe00)
#define TR_OFFSET_SPILL(i) ((int32_t)(offsetof(struct tr_runtime, spill) + 8 * (i)))

/* Leave translated code from inside a helper: sets rt.pc = pc and returns
 * exit code `code` to the run loop. Helpers that call this are
 * declared IR_HELPER_RW_GLOBALS | IR_HELPER_NORETURN. */
_Noreturn void tr_raise(struct tr_runtime *rt, enum tr_exit code, uint64_t pc);
/* rt->fault as a TR_EXIT_SIGILL/SIGTRAP/SIGSEGV/SIGFPE exit at rt->pc
 * fills it (dispatch.c), for a fault the run loop finds after the exit
 * (an i386 gate the kernel keeps closed, sys_ia32.c). */
void tr_exit_fault(struct tr_runtime *rt, enum tr_exit code);

#endif
