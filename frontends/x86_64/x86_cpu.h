/* x86_cpu.h -- the guest x86-64 CPU state ("env" for translated code),
 * and the x86-64 frontend's public face: the one header of
 * frontends/x86_64/ that the rest of ferry (syscalls/, loader/, system/,
 * translator/main.c) includes.  Registers, EFLAGS, the x87 and SSE state,
 * the FXSAVE image of the FP state, and ferry's virtual CPU as CPUID
 * reports it.  (Every other header of the directory is private to the
 * frontend; fe_x86_64 itself is declared in frontends/frontend.h.)
 *
 * The state begins with struct tr_runtime (runtime.h) so the translator
 * finds the guest pc and spill slots at fixed offsets.  Arithmetic flags
 * are kept lazily (QEMU-style): cc_op says which operation last set them
 * and cc_dst/cc_src/cc_src2 hold its result and operands; x86_get_eflags()
 * materialises EFLAGS from them only when something reads it.
 */
#ifndef FERRY_X86_CPU_H
#define FERRY_X86_CPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime.h"

/* (tag is not x86_reg: capstone owns that name) */
enum x86_gpr {
    X86_RAX, X86_RCX, X86_RDX, X86_RBX, X86_RSP, X86_RBP, X86_RSI, X86_RDI,
    X86_R8, X86_R9, X86_R10, X86_R11, X86_R12, X86_R13, X86_R14, X86_R15,
};

/* EFLAGS bits */
#define X86_CF 0x0001u
#define X86_PF 0x0004u
#define X86_AF 0x0010u
#define X86_ZF 0x0040u
#define X86_SF 0x0080u
#define X86_TF 0x0100u
#define X86_IF 0x0200u
#define X86_DF 0x0400u
#define X86_OF 0x0800u
#define X86_RF 0x10000u
#define X86_AC 0x40000u
#define X86_ID 0x200000u

typedef union x86_xmm {
    uint8_t b[16];
    uint16_t w[8];
    uint32_t d[4];
    uint64_t q[2];
    int8_t sb[16];
    int16_t sw[8];
    int32_t sd[4];
    int64_t sq[2];
    float f[4];
    double fd[2];
} x86_xmm;

/* An x87 80-bit extended value as raw bits: 64-bit significand with
 * explicit integer bit, sign and 15-bit exponent. */
typedef struct { uint64_t m; uint16_t se; } f80;

/* The x87 register stack: st[] by physical register, ST(i) is
 * st[(top+i)&7].  A zeroed struct is the fninit state (all empty). */
struct x87 {
    f80 st[8];
    unsigned top;
    uint8_t valid;          /* tag bit per physical register: 1 = in use */
    uint16_t cc;            /* C0 C1 C2 C3 bits as in the status word */
    uint16_t exc;           /* sticky exception bits of the status word */
};

#define X87_FCW_RESET 0x037f
#define X87_NEXT_MEM 0x10000u     /* x86_cpu.x87_ptr.next: the insn has a memory operand */

struct x86_cpu {
    struct tr_runtime rt;
    uint64_t regs[16];
    uint64_t fs_base, gs_base;
    uint64_t cc_op, cc_dst, cc_src, cc_src2;   /* lazy arithmetic flags */
    uint64_t df;                               /* direction: 1 or -1 */
    uint64_t eflags_rest;                      /* AC, ID, ... as written by popf */
    uint32_t mxcsr;
    uint32_t mxcsr_held;                       /* flags set aside while one instruction's
                                                  own show alone (x86_sse_xm.c) */
    /* 16-byte aligned (and so every vector below): the AArch64 host's
     * ldr/str q take a scaled 12-bit offset only at multiples of 16. */
    _Alignas(16) x86_xmm xmm[16];
    x86_xmm xmm_tmp[2];                        /* memory operands of SSE insns */
    struct x87 x87;                            /* x87 stack, tags, status */
    uint16_t fcw;                              /* x87 control word (reset 0x037f) */
    _Alignas(16) x86_xmm ymm_hi[16];           /* bits 255:128 of YMM0-15 (AVX) */
    x86_xmm avx_tmp[6];                        /* VEX memory source (lo, hi), scratch */
    /* The x87's last instruction and operand pointers (FIP, FCS, FOP, FDP,
     * FDS) as fnstenv/fnsave/fxsave store them, and the next instruction's
     * opcode (| X87_NEXT_MEM) and operand address, stored by translated code
     * before each x87 helper, which commits them for a non-control
     * instruction once it has passed its #MF check (x86_x87_wait.c). */
    struct { uint64_t fip, fdp; uint16_t fop, fcs, fds; uint32_t next; uint64_t next_fdp; } x87_ptr;
    /* User mode: the selectors the program loaded into es, -, ss, ds, fs,
     * gs (the SDM's numbering; cs reads 0x33, 0x23 in compatibility mode).  Zero, the null
     * selector, at exec but ss, which starts as __USER_DS (0x2b); threads
     * and children inherit them. */
    uint16_t sel[6];
    /* arch_prctl(ARCH_SET_CPUID, 0) was called (with CPUID faulting,
     * x86_machine()->cpuid_fault): CPUID is #GP, SIGSEGV.  Per thread as
     * Linux's TIF_NOCPUID: threads and children inherit it, exec clears it. */
    uint8_t cpuid_faults;
    /* Set by translated code before a TR_EXIT_SYSCALL that is an i386
     * system call (X86_IA32_*): int $0x80, or syscall in compatibility
     * mode where the machine runs it (AMD); the run loop clears it.
     * The low nibble is the kind, the high one the instruction's length
     * (X86_IA32_CALL). */
    uint8_t ia32_call;
    /* The thread's last trap as Linux keeps it (thread.trap_nr,
     * error_code, cr2): every signal frame's trapno, err and cr2, an
     * asynchronous signal's too (sys_sigframe.c); threads and children
     * inherit them. */
    uint64_t trap_nr, trap_err, trap_cr2;
};
/* rt.fault.trapno of a fault that leaves the thread's last trap alone
 * (Linux's misaligned vsyscall: SIGSEGV forced with no trap recorded). */
#define X86_TRAP_KEEP 0x100u
#define X86_IA32_CALL(kind, len) ((kind) | (len) << 4)
#define X86_IA32_KIND(call) ((call) & 15)
#define X86_IA32_LEN(call) ((call) >> 4)
#define X86_IA32_INT80 1
#define X86_IA32_SYSCALL 2      /* arg 2 in ebp (ecx holds the return eip) */
#define X86_IA32_SYSENTER 3     /* esp in ebp, arg 6 at [ebp] (Intel) */

/* EFLAGS of a CPU state, the lazy flags evaluated (x86_eflags.c).  Set
 * replaces the lazy state and DF, AC, ID ... with the given flags (TF,
 * which ferry does not emulate, is dropped). */
uint64_t x86_get_eflags(const struct x86_cpu *cpu);
void x86_set_eflags(struct x86_cpu *cpu, uint64_t eflags);

/* The guest FP state as a 512-byte FXSAVE image (x87, MXCSR, XMM0-15), for
 * signal frames (x86_sse_state.c).  Restore returns -1, changing nothing,
 * if the image sets reserved MXCSR bits (fxrstor's #GP). */
#define X86_FXSAVE_SIZE 512
void x86_fpstate_save(struct x86_cpu *cpu, uint8_t *img);
int x86_fpstate_restore(struct x86_cpu *cpu, const uint8_t *img);
/* The state a signal handler starts with: fninit x87, MXCSR 0x1f80, XMM 0. */
void x86_fpstate_reset(struct x86_cpu *cpu);

/* Exact flags at faults (x86_fault_flags.c): the translation-mode bit
 * X86_TB_PRECISE, set by the syscall layer while the guest handles a
 * fault signal (SIGSEGV, SIGBUS, SIGFPE), on the calling vCPU. */
#define X86_TB_PRECISE 2u
void x86_precise_faults(struct x86_cpu *env, bool on);

/* Single-stepping (x86_single_step.c): TF in the flags and the
 * translation-mode bit X86_TB_STEP, set and cleared together here
 * (x86_set_eflags leaves TF as it is). */
#define X86_TB_STEP 4u
/* With X86_TB_STEP, the step blocks of an async signal's settle
 * (sys_async_point.c) and of ferry-system's before an interrupt
 * (system/accel_tcg_settle.c, the only step blocks system mode has): as
 * TF's, but a rep string runs to its end in one block instead of one
 * iteration per block (nothing traps between). */
#define X86_TB_SETTLE 32u
/* With both: ferry-system's step past an interrupt shadow (x86_step_past):
 * a rep string runs one iteration, as TF's (interrupts are taken between
 * iterations, the shadow covers the first). */
#define X86_TB_SHADOW 64u
void x86_set_tf(struct x86_cpu *cpu, bool on);
/* Alignment checking (x86_align_check.c): user mode runs with CR0.AM, so
 * while EFLAGS.AC is set a misaligned data access raises #AC.  The
 * translation-mode bit X86_TB_AC mirrors AC (user mode only): its blocks
 * test each access's alignment, others pay nothing.  x86_ac_sync sets
 * the mode from the flags (the run loop, after popf left its block, a
 * sigreturn or an iret). */
#define X86_TB_AC 128u
void x86_ac_sync(struct x86_cpu *cpu);
/* The mode from TF as the guest left it (popf sets TF in translated code):
 * the run loop calls it before running guest code. */
void x86_step_sync(struct x86_cpu *cpu);

/* Exact flags at an asynchronous signal (x86_translate.c; the run loop's
 * sys_async_point.c).  A direct exit whose successors overwrite the flags
 * before reading them stores none, so at such a successor's entry --
 * where requests are caught -- env may hold older flags.  Whether rt.pc
 * is such an entry (the successor scan calls the incoming flags dead):
 */
bool x86_async_flags_stale(struct x86_cpu *cpu);
/* ... and what the instruction at rt.pc does on the way to exact flags:
 * X86_STEP_WRITER writes every flag, X86_STEP_PASS is one the scan sees
 * through, X86_STEP_STOP one it stops at (no stepping past it). */
enum x86_step_kind { X86_STEP_STOP, X86_STEP_PASS, X86_STEP_WRITER };
enum x86_step_kind x86_async_step_kind(struct x86_cpu *cpu);

/* The run loops' stepping (x86_single_step.c), one instruction a step
 * block of the mode X86_TB_STEP | X86_TB_SETTLE, its trace trap
 * swallowed.  The loop's own answers: */
struct x86_step_hooks {
    /* what the instruction at rt.pc does on the way to exact flags */
    enum x86_step_kind (*kind)(struct x86_cpu *cpu);
    /* a request stopped the run before the step ran (it was at pc): run
     * it again (true), or give the stop back to the loop */
    bool (*again)(struct x86_cpu *cpu, uint64_t pc);
};
#define X86_SETTLE_MAX_STEPS 64
enum tr_stop;                           /* (translator.h) */
/* Steps until the first instruction that writes every flag has run (at
 * most X86_SETTLE_MAX_STEPS, none past an X86_STEP_STOP); true, with
 * *stop, when a step stopped otherwise (a fault to deliver first). */
bool x86_step_to_writer(struct x86_cpu *cpu, const struct x86_step_hooks *h, enum tr_stop *stop);
/* Runs the instruction at rt.pc alone, whatever it is (a rep string: one
 * iteration); true as above. */
bool x86_step_past(struct x86_cpu *cpu, const struct x86_step_hooks *h, enum tr_stop *stop);

/* For C helpers about to access guest memory at [addr, addr+len), as the
 * instruction (synced rt.pc) would read or write it: returns if all of it
 * is accessible, else raises the precise guest fault (x86_guard.c). */
void x86_guest_probe(struct x86_cpu *cpu, uint64_t addr, size_t len, bool write);
/* A save area written whole or not at all, probed for writing in the
 * machine's order (x86_guard.c): its first `head` bytes, then its last
 * byte; head 0: the last byte, then the first (fxsave's). */
void x86_guest_probe_area(struct x86_cpu *cpu, uint64_t addr, size_t len, size_t head);
/* A masked vector store's selected span [first, last]: on Intel probed at
 * its two ends, first then last, before the elements (x86_guard.c). */
void x86_masked_store_ends(struct x86_cpu *cpu, uint64_t first, uint64_t last);
/* The bytes of an m80 store written as one part before the rest: 8 on
 * Intel (then the last 2), 10 on AMD (x86_guard.c). */
size_t x86_m80_first_part(struct x86_cpu *cpu);
/* Runs fn(cpu, arg) under a guard: true when it finished, false when a
 * host fault (SIGSEGV/SIGBUS on guest memory) cut it short, with
 * rt.fault describing it (x86_guard.c). */
bool x86_guarded(struct x86_cpu *cpu, void (*fn)(struct x86_cpu *, void *), void *arg);

/* XSAVE of the state ferry implements, XCR0 = x87|SSE|AVX (x86_xsave.c):
 * the FXSAVE-format legacy region, the 64-byte header and YMM_Hi128 (the
 * upper halves, at 576), 832 bytes; an area without YMM_Hi128 (XSTATE_BV
 * bit 2 clear) needs only the first 576 (X86_XSAVE_MIN_SIZE).
 * x86_xsave_image does what XSAVE with RFBM = rfbm & XCR0 does to the area
 * (XSTATE_BV read from and written to its header); x86_xrstor_image what
 * XRSTOR does (standard or compacted form, as the header says), returning
 * -1, changing nothing, where XRSTOR raises #GP (a bad header, reserved
 * MXCSR bits); x86_xrstor_extent how many bytes of the area that reads,
 * from its first 576.  Alignment is the caller's. */
#define X86_XCR0 7ull
/* XCR0 as the imitated machine has it: X86_XCR0, less AVX where it
 * lacks AVX (x86_machine_has). */
uint64_t x86_xcr0(void);
/* The area's size under x86_xcr0: X86_XSAVE_SIZE, or X86_XSAVE_MIN_SIZE
 * without AVX. */
uint32_t x86_xsave_size(void);
#define X86_XSAVE_SIZE 832
#define X86_XSAVE_MIN_SIZE 576
#define X86_XSAVE_HEADER 512
#define X86_XSAVE_YMM 576
void x86_xsave_image(struct x86_cpu *cpu, uint8_t *area, uint64_t rfbm);
int x86_xrstor_image(struct x86_cpu *cpu, const uint8_t *area, uint64_t rfbm);
size_t x86_xrstor_extent(const uint8_t *area, uint64_t rfbm);

/* The process's LDT (x86_ldt.c): raw 8-byte descriptors as modify_ldt
 * installs them (set: the table grows to idx + 1 entries, Linux's
 * nr_entries; any thread may call it); get: 0 past the table's end. */
#define X86_LDT_ENTRIES 8192
void x86_ldt_set(uint32_t idx, uint64_t desc);
uint32_t x86_ldt_count(void);
uint64_t x86_ldt_get(uint32_t idx);
uint32_t x86_ldt_generation(void);

/* Segment registers in the SDM's numbering (x86_cpu.sel). */
enum { X86_SREG_ES, X86_SREG_CS, X86_SREG_SS, X86_SREG_DS, X86_SREG_FS, X86_SREG_GS };
/* Whether selector sel may be loaded into segment register seg at CPL 3
 * in 64-bit mode (x86_segment.c): 0, or the exception a load raises --
 * 13 (#GP), 11 (#NP), 12 (#SS) -- its error code sel & 0xfffc.  base:
 * the descriptor's base (what fs/gs take), 0 for the null selector. */
int x86_seg_check(int seg, uint16_t sel, uint64_t *base);
/* Whether sel names a compatibility-mode (L = 0) code segment CPL 3 may
 * run (x86_segment.c): a far transfer there is not emulated. */
bool x86_seg_compat_code(uint16_t sel);

/* Compatibility mode (x86_compat.c), with IA32 emulation
 * (x86_machine_ia32()): cs __USER32_CS (0x23), 32-bit code.  It is the
 * translation-mode bit X86_TB_CODE32, so that 32- and 64-bit translations
 * of one address never mix; far transfers, rt_sigreturn and signal
 * delivery switch it. */
#define X86_TB_CODE32 16u
#define X86_USER32_CS 0x23
#define X86_USER_CS 0x33
bool x86_compat_mode(const struct x86_cpu *cpu);
void x86_set_compat_mode(struct x86_cpu *cpu, bool on);
/* The cs the thread runs with: 0x23 in compatibility mode, else 0x33. */
uint16_t x86_user_cs(const struct x86_cpu *cpu);
/* Whether a far transfer to sel enters compatibility mode: __USER32_CS
 * (any RPL: the caller checks it) where the machine has IA32 emulation. */
bool x86_seg_user32(uint16_t sel);

/* CPUID of ferry's virtual CPU (with the -cpu model's mask): leaf, sub-leaf
 * -> eax, ebx, ecx, edx.  Also what the guest's /proc/cpuinfo says
 * (sys_cpuinfo.c). */
void x86_cpuid_query(uint32_t leaf, uint32_t sub, uint32_t out[4]);
/* CPUID leaf 1 EDX of ferry's virtual CPU, for the loader's AT_HWCAP
 * (implemented by the frontend's CPUID table). */
uint32_t x86_cpuid_hwcap(void);
/* AT_HWCAP2 as Linux sets it for this CPU (HWCAP2_FSGSBASE). */
uint32_t x86_cpuid_hwcap2(void);

/* -cpu MODEL (x86_cpu_model.c): QEMU's model names; CPUID then shows only
 * the model's features.  "max", "host", "ferry": everything (the default).
 * select: 0, or -1 for an unknown name; selected: NULL for max;
 * name(k): the k-th model, NULL past the last. */
int x86_cpu_model_select(const char *name);
const char *x86_cpu_model_selected(void);
const char *x86_cpu_model_name(size_t k);

/* The real x86-64 machine ferry's virtual CPU imitates where the
 * architecture or Linux leaves a choice (x86_machine.c): the vendor's
 * answers for undefined flags, alignment rules and x87 pointers, and the
 * host kernel's configuration as user code sees it.  Chosen once per
 * process: FERRY_X86_MACHINE ("amd" or "intel", then any of ",umip",
 * ",ia32", ",cpuid_fault", ",noavx_vnni"...), else read from /proc/cpuinfo (on an x86 host,
 * and under qemu-user on one, that is the machine's own), else Intel. */
struct x86_machine {
    bool intel;         /* Intel's choices (else AMD's, as measured on Zen 5) */
    bool umip;          /* UMIP on: Linux emulates sgdt/sidt/smsw/sldt/str */
    bool ia32;          /* IA32 emulation as configured (x86_machine_ia32: as it runs) */
    bool cpuid_fault;   /* ARCH_SET_CPUID can make CPUID fault */
    bool misalign_sse;  /* AMD's misaligned SSE mode: MXCSR.MM (bit 17) exists */
    bool zen5;          /* AMD family 1Ah: rcp/rsqrt as measured on it (run time only) */
    uint64_t lacks;     /* X86_FEAT_*: ferry's extensions this CPU does not have */
};
/* Extensions ferry implements that an x86-64 CPU it imitates may lack:
 * where the machine lacks one, CPUID hides it and its instructions are
 * #UD, as natively (x86_machine.c names each as /proc/cpuinfo does,
 * x86_cpuid.c hides its bit, x86_host_ext.c refuses its instructions).
 * Only SSE and SSE2 (and the base ISA) every x86-64 CPU has. */
#define X86_FEAT_AVX_VNNI    (1ull << 0)   /* x86_vnni.c: Ice Lake server has only AVX512_VNNI */
#define X86_FEAT_MOVDIRI     (1ull << 1)   /* x86_ext_decode.c */
#define X86_FEAT_MOVDIR64B   (1ull << 2)   /* x86_ext_decode.c, x86_line_store.c */
/* Skylake/Cascade Lake servers and Zen 2 lack some of these: */
#define X86_FEAT_GFNI        (1ull << 3)   /* x86_gfni.c */
#define X86_FEAT_VAES        (1ull << 4)   /* x86_crypto.c's VEX.256 AES rounds */
#define X86_FEAT_VPCLMULQDQ  (1ull << 5)   /* x86_crypto.c's VEX.256 vpclmulqdq */
#define X86_FEAT_SHA         (1ull << 6)   /* x86_crypto.c */
#define X86_FEAT_RDPID       (1ull << 7)   /* x86_rand.c */
/* x86-64-v3 and the rest (Atom, Pentium and Celeron parts lack AVX and
 * BMI; the first x86-64 CPUs everything after SSE3): */
#define X86_FEAT_AVX         (1ull << 8)   /* every VEX vector form; XCR0 without it is 3 */
#define X86_FEAT_AVX2        (1ull << 9)
#define X86_FEAT_FMA         (1ull << 10)
#define X86_FEAT_F16C        (1ull << 11)
#define X86_FEAT_BMI1        (1ull << 12)  /* tzcnt without it is bsf */
#define X86_FEAT_BMI2        (1ull << 13)
#define X86_FEAT_ABM         (1ull << 14)  /* lzcnt; without it lzcnt is bsr */
#define X86_FEAT_MOVBE       (1ull << 15)
#define X86_FEAT_ADX         (1ull << 16)
#define X86_FEAT_AES         (1ull << 17)
#define X86_FEAT_PCLMULQDQ   (1ull << 18)
#define X86_FEAT_RDRAND      (1ull << 19)
#define X86_FEAT_RDSEED      (1ull << 20)
#define X86_FEAT_XSAVE       (1ull << 21)  /* xsave, xrstor, xgetbv; leaf 0xD */
#define X86_FEAT_XSAVEOPT    (1ull << 22)
#define X86_FEAT_XSAVEC      (1ull << 23)
#define X86_FEAT_POPCNT      (1ull << 24)
#define X86_FEAT_SSE3        (1ull << 25)  /* /proc/cpuinfo's "pni"; fisttp too */
#define X86_FEAT_SSSE3       (1ull << 26)
#define X86_FEAT_SSE4_1      (1ull << 27)
#define X86_FEAT_SSE4_2      (1ull << 28)  /* crc32 too */
#define X86_FEAT_CX16        (1ull << 29)
#define X86_FEAT_FSGSBASE    (1ull << 30)  /* shown only where the kernel enables it */
#define X86_FEAT_CLFLUSHOPT  (1ull << 31)
#define X86_FEAT_CLWB        (1ull << 32)
#define X86_FEAT_RDTSCP      (1ull << 33)
#define X86_FEAT_LAHF_LM     (1ull << 34)  /* lahf/sahf in 64-bit mode */
const struct x86_machine *x86_machine(void);
/* The machine has the extension (an X86_FEAT_* bit). */
bool x86_machine_has(uint64_t feature);
/* The choice as FERRY_X86_MACHINE would spell it (keys, logs). */
const char *x86_machine_name(void);
/* IA32 emulation as the kernel runs it: the GDT holds the 32-bit user
 * segments and int $0x80 is the i386 system call.  x86_machine()->ia32
 * and, on the host's own word, a run of a tiny i386 program (first call
 * only).  Asked at run time, never at translation time, so the
 * persistent cache's key (x86_machine_name) needs no probe. */
bool x86_machine_ia32(void);
/* The CPU sees the LDT Linux keeps for the process (else every LDT
 * selector is absent: lar/lsl fail, loads #GP); FERRY_X86_MACHINE ",noldt". */
bool x86_machine_ldt(void);

#endif
