/* compat_mode.c -- compatibility mode inside a 64-bit process, as Linux
 * with IA32 emulation runs it: far transfers to __USER32_CS (0x23) by
 * lretq, ljmp m16:32, lcall m16:32 and iretq, back to __USER_CS (0x33) by
 * ljmp m16:32, lret, lcall, iret and ljmp ptr16:32; 32-bit code there
 * (arithmetic and flags, inc/dec's 0x40 forms -- f3 41 90 too, `rep inc
 * ecx; nop` here, pause in 64-bit mode --, push/pop widths, segment
 * pushes, call/ret); what registers hold back in 64-bit mode; int $0x80
 * (the i386 system call ABI) from both modes; syscall and ud2 in
 * compatibility mode; a fault there, whose 64-bit handler sees cs 0x23
 * and returns into compatibility mode through rt_sigreturn.
 *
 * The code is one position-independent blob (below) copied to a MAP_32BIT
 * page: 32-bit code needs addresses under 4 GiB.  It finds its data
 * through ebx (the page's base) and prints nothing that depends on where
 * it is.  Where the kernel has no IA32 emulation the first transfer is
 * #GP: the program says so and stops, natively as under ferry. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdbool.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <ucontext.h>
#include <unistd.h>

/* The data page (page + 0x1000) and the stack (the third page). */
#define D_SAVE_RSP 0x1000
#define D_FAR_IN 0x1008         /* m16:32 of the target */
#define D_FAR_BACK 0x1010       /* m16:32 of back64 */
#define D_TARGET 0x1018         /* the target, 8 bytes (lretq, iretq) */
#define D_METHOD 0x1020         /* how to enter */
#define D_XMETHOD 0x1024        /* how to leave */
#define D_IN 0x1030             /* 4 x u32 */
#define D_OUT 0x1040            /* 32 x u32 */
#define D_REGS_IN 0x1100        /* 16 x u64 (rbx and rsp not loaded) */
#define D_REGS_OUT 0x1180       /* 16 x u64 and rflags */
#define D_MSG 0x1300
#define STACK_TOP 0x3000
#define S(x) #x
#define XS(x) S(x)

__asm__(
    ".pushsection .text\n"
    ".globl blob_start, blob_end\n"
    "blob_start:\n"
    ".code64\n"
    /* enter(target, method): rdi, esi */
    "enter64:\n"
    "  push %rbp; push %rbx; push %r12; push %r13; push %r14; push %r15\n"
    "  lea blob_start(%rip), %rbx\n"
    "  mov %rsp, " XS(D_SAVE_RSP) "(%rbx)\n"
    "  mov %rdi, " XS(D_TARGET) "(%rbx)\n"
    "  mov %edi, " XS(D_FAR_IN) "(%rbx)\n"
    "  movw $0x23, " XS(D_FAR_IN) "+4(%rbx)\n"
    "  mov %esi, " XS(D_METHOD) "(%rbx)\n"
    "  lea " XS(STACK_TOP) "(%rbx), %rsp\n"
    /* an iretq frame; lretq takes its first two slots */
    "  pushq $0x2b; lea " XS(STACK_TOP) "(%rbx), %rax; push %rax; pushfq; pushq $0x23; push %rdi\n"
    /* a 64-bit process starts with null ds and es: 32-bit code needs them */
    "  mov $0x2b, %eax; mov %eax, %ds; mov %eax, %es\n"
    "  call load_regs\n"
    "  cmpl $0, " XS(D_METHOD) "(%rbx); je 1f\n"
    "  cmpl $1, " XS(D_METHOD) "(%rbx); je 2f\n"
    "  cmpl $2, " XS(D_METHOD) "(%rbx); je 3f\n"
    "  iretq\n"
    "1: lretq\n"
    "2: ljmpl *" XS(D_FAR_IN) "(%rbx)\n"
    "3: lcalll *" XS(D_FAR_IN) "(%rbx)\n"
    "load_regs:\n"
    "  mov " XS(D_REGS_IN) "+0(%rbx), %rax\n"
    "  mov " XS(D_REGS_IN) "+8(%rbx), %rcx\n"
    "  mov " XS(D_REGS_IN) "+16(%rbx), %rdx\n"
    "  mov " XS(D_REGS_IN) "+40(%rbx), %rbp\n"
    "  mov " XS(D_REGS_IN) "+48(%rbx), %rsi\n"
    "  mov " XS(D_REGS_IN) "+56(%rbx), %rdi\n"
    "  mov " XS(D_REGS_IN) "+64(%rbx), %r8\n"
    "  mov " XS(D_REGS_IN) "+72(%rbx), %r9\n"
    "  mov " XS(D_REGS_IN) "+80(%rbx), %r10\n"
    "  mov " XS(D_REGS_IN) "+88(%rbx), %r11\n"
    "  mov " XS(D_REGS_IN) "+96(%rbx), %r12\n"
    "  mov " XS(D_REGS_IN) "+104(%rbx), %r13\n"
    "  mov " XS(D_REGS_IN) "+112(%rbx), %r14\n"
    "  mov " XS(D_REGS_IN) "+120(%rbx), %r15\n"
    "  ret\n"
    /* back in 64-bit mode: every register to D_REGS_OUT, then home */
    "back64:\n"
    "  mov %rax, blob_start+" XS(D_REGS_OUT) "+0(%rip)\n"
    "  mov %rcx, blob_start+" XS(D_REGS_OUT) "+8(%rip)\n"
    "  mov %rdx, blob_start+" XS(D_REGS_OUT) "+16(%rip)\n"
    "  mov %rbx, blob_start+" XS(D_REGS_OUT) "+24(%rip)\n"
    "  mov %rsp, blob_start+" XS(D_REGS_OUT) "+32(%rip)\n"
    "  mov %rbp, blob_start+" XS(D_REGS_OUT) "+40(%rip)\n"
    "  mov %rsi, blob_start+" XS(D_REGS_OUT) "+48(%rip)\n"
    "  mov %rdi, blob_start+" XS(D_REGS_OUT) "+56(%rip)\n"
    "  mov %r8, blob_start+" XS(D_REGS_OUT) "+64(%rip)\n"
    "  mov %r9, blob_start+" XS(D_REGS_OUT) "+72(%rip)\n"
    "  mov %r10, blob_start+" XS(D_REGS_OUT) "+80(%rip)\n"
    "  mov %r11, blob_start+" XS(D_REGS_OUT) "+88(%rip)\n"
    "  mov %r12, blob_start+" XS(D_REGS_OUT) "+96(%rip)\n"
    "  mov %r13, blob_start+" XS(D_REGS_OUT) "+104(%rip)\n"
    "  mov %r14, blob_start+" XS(D_REGS_OUT) "+112(%rip)\n"
    "  mov %r15, blob_start+" XS(D_REGS_OUT) "+120(%rip)\n"
    "  mov %cs, %eax; mov %eax, blob_start+" XS(D_REGS_OUT) "+136(%rip)\n"
    "  mov %ds, %eax; mov %eax, blob_start+" XS(D_REGS_OUT) "+140(%rip)\n"
    "  xor %eax, %eax; mov %eax, %ds; mov %eax, %es\n"
    "  mov blob_start+" XS(D_SAVE_RSP) "(%rip), %rsp\n"
    "  pop %r15; pop %r14; pop %r13; pop %r12; pop %rbx; pop %rbp\n"
    "  cld\n"
    "  ret\n"
    ".code32\n"
    /* leave compatibility mode as D_XMETHOD says; registers untouched */
    "exit32:\n"
    "  cmpl $0, " XS(D_XMETHOD) "(%ebx); je 1f\n"
    "  cmpl $1, " XS(D_XMETHOD) "(%ebx); je 2f\n"
    "  cmpl $2, " XS(D_XMETHOD) "(%ebx); je 3f\n"
    "  cmpl $3, " XS(D_XMETHOD) "(%ebx); je 4f\n"
    ".globl ptr_back\n"
    "  .byte 0xea\n"
    "ptr_back: .long 0\n"
    "  .word 0x33\n"
    "1: ljmpl *" XS(D_FAR_BACK) "(%ebx)\n"
    "2: pushl $0x33; pushl " XS(D_FAR_BACK) "(%ebx); lret\n"
    "3: lcalll *" XS(D_FAR_BACK) "(%ebx)\n"
    "4: pushl $0x2b; pushl %esp; pushfl; pushl $0x33; pushl " XS(D_FAR_BACK) "(%ebx); iret\n"
    /* stubs: each ends in exit32 */
    ".globl s_nop, s_arith, s_stack, s_int80, s_fault, s_fault_resume, s_ud2, s_ud2_resume\n"
    ".globl s_syscall, s_syscall_resume, s_regs, s_nullds, s_nullds_resume, s_sys2, s_dual, s_pusha, s_nullrep\n"
    "s_nop: jmp exit32\n"
    "s_regs:\n"             /* 32-bit writes to each register but ebx, esp */
    "  add $1, %eax; add $1, %ecx; add $1, %edx; add $1, %ebp; add $1, %esi; add $1, %edi\n"
    "  jmp exit32\n"
    "s_arith:\n"
    "  mov " XS(D_IN) "(%ebx), %eax; mov " XS(D_IN) "+4(%ebx), %ecx\n"
    "  add %ecx, %eax; pushfl; popl " XS(D_OUT) "+4(%ebx); mov %eax, " XS(D_OUT) "(%ebx)\n"
    "  mov " XS(D_IN) "(%ebx), %eax; sub %ecx, %eax; pushfl; popl " XS(D_OUT) "+12(%ebx); mov %eax, " XS(D_OUT) "+8(%ebx)\n"
    "  mov " XS(D_IN) "(%ebx), %eax; imul %ecx, %eax; pushfl; popl " XS(D_OUT) "+20(%ebx); mov %eax, " XS(D_OUT) "+16(%ebx)\n"
    "  mov " XS(D_IN) "(%ebx), %eax; mul %ecx; mov %eax, " XS(D_OUT) "+24(%ebx); mov %edx, " XS(D_OUT) "+28(%ebx)\n"
    "  mov " XS(D_IN) "(%ebx), %eax; inc %eax; pushfl; popl " XS(D_OUT) "+36(%ebx); mov %eax, " XS(D_OUT) "+32(%ebx)\n"
    "  mov " XS(D_IN) "+4(%ebx), %ecx; .byte 0xf3, 0x41, 0x90; dec %ecx; dec %ecx; pushfl; popl " XS(D_OUT) "+44(%ebx); mov %ecx, " XS(D_OUT) "+40(%ebx)\n"
    "  mov " XS(D_IN) "(%ebx), %edx; inc %edx; dec %edx; dec %edx; mov %edx, " XS(D_OUT) "+48(%ebx)\n"
    "  mov " XS(D_IN) "(%ebx), %eax; add %ah, %al; adc $0x7f, %ah; pushfl; popl " XS(D_OUT) "+56(%ebx); mov %eax, " XS(D_OUT) "+52(%ebx)\n"
    "  movsbl " XS(D_IN) "(%ebx), %eax; mov %eax, " XS(D_OUT) "+60(%ebx)\n"
    "  mov " XS(D_IN) "+4(%ebx), %ecx; mov " XS(D_IN) "(%ebx), %eax; sar %cl, %eax; mov %eax, " XS(D_OUT) "+64(%ebx)\n"
    "  lea 0x10(%eax,%ecx,4), %edx; mov %edx, " XS(D_OUT) "+68(%ebx)\n"
    "  mov " XS(D_IN) "(%ebx), %eax; cltd; idivl " XS(D_IN) "+8(%ebx); mov %eax, " XS(D_OUT) "+72(%ebx); mov %edx, " XS(D_OUT) "+76(%ebx)\n"
    "  lea " XS(D_IN) "(%ebx), %esi; lea " XS(D_OUT) "+80(%ebx), %edi; movsl\n"
    "  jmp exit32\n"
    "s_stack:\n"
    "  mov %esp, %esi\n"
    "  push %eax; mov %esi, %ecx; sub %esp, %ecx; mov %ecx, " XS(D_OUT) "(%ebx)\n"
    "  pushw $7; mov %esi, %ecx; sub %esp, %ecx; mov %ecx, " XS(D_OUT) "+4(%ebx)\n"
    "  mov %esi, %esp\n"
    "  push $-2; popl " XS(D_OUT) "+8(%ebx)\n"
    "  push %ds; pop %eax; mov %eax, " XS(D_OUT) "+12(%ebx)\n"
    "  push %ss; pop %es; mov %es, %eax; mov %eax, " XS(D_OUT) "+16(%ebx)\n"
    "  mov %cs, %eax; mov %eax, " XS(D_OUT) "+20(%ebx)\n"
    "  pushl " XS(D_IN) "(%ebx); popl " XS(D_OUT) "+24(%ebx)\n"
    "  call 1f\n"
    "1: pop %eax; sub %ebx, %eax; mov %eax, " XS(D_OUT) "+28(%ebx)\n"
    "  call 2f; jmp 3f\n"
    "2: mov %esi, %ecx; sub %esp, %ecx; mov %ecx, " XS(D_OUT) "+32(%ebx); ret\n"
    "3: mov %esi, %ecx; sub %esp, %ecx; mov %ecx, " XS(D_OUT) "+36(%ebx)\n"
    "  enter $8, $0; mov %esi, %ecx; sub %esp, %ecx; mov %ecx, " XS(D_OUT) "+40(%ebx); leave\n"
    "  pushfl; popl %eax; and $0x8d5, %eax; mov %eax, " XS(D_OUT) "+44(%ebx)\n"
    "  jmp exit32\n"
    "s_pusha:\n"
    "  mov %esp, %esi; pushal\n"
    "  mov %esi, %ecx; sub %esp, %ecx; mov %ecx, " XS(D_OUT) "(%ebx)\n"
    "  mov 12(%esp), %ecx; sub %esi, %ecx; mov %ecx, " XS(D_OUT) "+4(%ebx)\n"
    "  mov 16(%esp), %ecx; sub %ebx, %ecx; mov %ecx, " XS(D_OUT) "+8(%ebx)\n"
    "  mov 28(%esp), %ecx; mov %ecx, " XS(D_OUT) "+12(%ebx)\n"
    "  mov 0(%esp), %ecx; mov %ecx, " XS(D_OUT) "+16(%ebx)\n"
    "  movl $0x5555, 28(%esp); movl $0x77, 12(%esp); popal\n"
    "  mov %eax, " XS(D_OUT) "+20(%ebx); mov %esp, %ecx; sub %esi, %ecx; mov %ecx, " XS(D_OUT) "+24(%ebx)\n"
    "  sub %ebx, %esi; jmp exit32\n"
    "s_int80:\n"                /* write, getpid, an unknown number, a bad pointer */
    "  push %ebx\n"
    "  mov $4, %eax; lea " XS(D_MSG) "(%ebx), %ecx; mov $1, %ebx; mov $18, %edx; int $0x80\n"
    "  pop %ebx; mov %eax, " XS(D_OUT) "(%ebx)\n"
    "  mov $20, %eax; int $0x80; mov %eax, " XS(D_OUT) "+4(%ebx)\n"
    "  mov $999, %eax; int $0x80; mov %eax, " XS(D_OUT) "+8(%ebx)\n"
    "  push %ebx\n"
    "  mov $4, %eax; mov $16, %ecx; mov $1, %ebx; mov $4, %edx; int $0x80\n"
    "  pop %ebx; mov %eax, " XS(D_OUT) "+12(%ebx)\n"
    "  mov $224, %eax; int $0x80; mov %eax, " XS(D_OUT) "+16(%ebx)\n"
    "  jmp exit32\n"
    "s_sys2:\n"            /* mmap2 munmap clock_gettime gettimeofday time uname _llseek */
    "  push %ebx; push %ebp; mov %ebx, %ebp\n"
    "  mov $192, %eax; xor %ebx, %ebx; mov $4096, %ecx; mov $3, %edx; mov $0x22, %esi; mov $-1, %edi\n"
    "  push %ebp; xor %ebp, %ebp; int $0x80; pop %ebp; mov %eax, " XS(D_OUT) "(%ebp)\n"
    "  cmp $-4096, %eax; jae 1f; movl $0x1234, (%eax)\n"
    "  mov %eax, %ebx; mov $91, %eax; mov $4096, %ecx; int $0x80; mov %eax, " XS(D_OUT) "+4(%ebp)\n"
    "1: mov $265, %eax; xor %ebx, %ebx; lea " XS(D_OUT) "+8(%ebp), %ecx; int $0x80; mov %eax, " XS(D_OUT) "+16(%ebp)\n"
    "  mov $78, %eax; lea " XS(D_OUT) "+20(%ebp), %ebx; xor %ecx, %ecx; int $0x80; mov %eax, " XS(D_OUT) "+28(%ebp)\n"
    "  mov $13, %eax; lea " XS(D_OUT) "+32(%ebp), %ebx; int $0x80; mov %eax, " XS(D_OUT) "+36(%ebp)\n"
    "  mov $122, %eax; lea 0x1400(%ebp), %ebx; int $0x80; mov %eax, " XS(D_OUT) "+40(%ebp)\n"
    "  mov $140, %eax; mov $1000, %ebx; xor %ecx, %ecx; xor %edx, %edx; lea " XS(D_OUT) "+48(%ebp), %esi; xor %edi, %edi\n"
    "  int $0x80; mov %eax, " XS(D_OUT) "+44(%ebp)\n"
    "  mov $266, %eax; mov $1, %ebx; lea " XS(D_OUT) "+56(%ebp), %ecx; int $0x80; mov %eax, " XS(D_OUT) "+64(%ebp)\n"
    "  mov $265, %eax; xor %ebx, %ebx; mov $16, %ecx; int $0x80; mov %eax, " XS(D_OUT) "+68(%ebp)\n"
    /* stat64("/"), fstatat64(AT_FDCWD, "/", 0), fstat64(-1): struct stat64 at 0x1600, 0x1700 */
    "  mov $195, %eax; lea " XS(D_MSG) "+32(%ebp), %ebx; lea 0x1600(%ebp), %ecx; int $0x80; mov %eax, " XS(D_OUT) "+72(%ebp)\n"
    "  mov $300, %eax; mov $-100, %ebx; lea " XS(D_MSG) "+32(%ebp), %ecx; lea 0x1700(%ebp), %edx; xor %esi, %esi\n"
    "  int $0x80; mov %eax, " XS(D_OUT) "+76(%ebp)\n"
    "  mov $197, %eax; mov $-1, %ebx; lea 0x1600(%ebp), %ecx; int $0x80; mov %eax, " XS(D_OUT) "+80(%ebp)\n"
    /* writev(1, iov at 0x1800, 2); writev(1, 16, 1); writev(1, {16, 4}, 1) */
    "  lea " XS(D_MSG) "+64(%ebp), %eax; mov %eax, 0x1800(%ebp); movl $7, 0x1804(%ebp)\n"
    "  lea " XS(D_MSG) "+80(%ebp), %eax; mov %eax, 0x1808(%ebp); movl $9, 0x180c(%ebp)\n"
    "  movl $16, 0x1810(%ebp); movl $4, 0x1814(%ebp)\n"
    "  mov $146, %eax; mov $1, %ebx; lea 0x1800(%ebp), %ecx; mov $2, %edx; int $0x80; mov %eax, " XS(D_OUT) "+84(%ebp)\n"
    "  mov $146, %eax; mov $1, %ebx; mov $16, %ecx; mov $1, %edx; int $0x80; mov %eax, " XS(D_OUT) "+88(%ebp)\n"
    "  mov $146, %eax; mov $1, %ebx; lea 0x1810(%ebp), %ecx; mov $1, %edx; int $0x80; mov %eax, " XS(D_OUT) "+92(%ebp)\n"
    "  pop %ebp; pop %ebx; jmp exit32\n"
    /* the same bytes in both modes: 64-bit inc rax, or 32-bit dec eax;
     * inc eax; then ret in 64-bit mode, exit32 in compatibility mode */
    "s_dual:\n"
    "  .byte 0x48, 0xff, 0xc0\n"
    "  mov %cs, %ecx; cmp $0x33, %cx; je 1f\n"
    "  jmp exit32\n"
    "1: ret\n"
    "s_fault:\n"
    "  movl $1, " XS(D_OUT) "(%ebx); mov $0x55, %eax\n"
    "  mov 16, %eax\n"
    "s_fault_resume:\n"
    "  mov %eax, " XS(D_OUT) "+4(%ebx); mov %cs, %eax; mov %eax, " XS(D_OUT) "+8(%ebx)\n"
    "  jmp exit32\n"
    "s_nullds:\n"            /* an access through a null ds: #GP(0); rep with ecx 0: none */
    "  push $0; pop %es; lea " XS(D_OUT) "+8(%ebx), %edi; xor %ecx, %ecx; rep stosb\n"
    "  push $0x2b; pop %es; push $0; pop %ds; xor %ecx, %ecx; lea " XS(D_OUT) "+8(%ebx), %esi\n"
    "  lea " XS(D_OUT) "+12(%ebx), %edi; rep movsb\n"
    "  mov (%ebx), %eax\n"
    "s_nullrep:\n"           /* rep stos through a null es with ecx 1: #GP(0) */
    "  push $0; pop %es; lea " XS(D_OUT) "+8(%ebx), %edi; mov $1, %ecx; rep stosb\n"
    "s_nullds_resume:\n"
    "  push $0x2b; pop %es\n"
    "  push $0x2b; pop %ds; movl $3, " XS(D_OUT) "(%ebx); jmp exit32\n"
    "s_ud2:\n"
    "  ud2\n"
    "s_ud2_resume:\n"
    "  movl $2, " XS(D_OUT) "(%ebx); jmp exit32\n"
    "s_syscall:\n"          /* #UD on Intel; AMD runs it (getpid) */
    "  mov $20, %eax\n"
    "  syscall\n"
    "s_syscall_resume:\n"
    "  mov %eax, " XS(D_OUT) "(%ebx); jmp exit32\n"
    ".code64\n"
    ".globl back64_sym, enter64_sym\n"
    "back64_sym = back64\n"
    "enter64_sym = enter64\n"
    "blob_end:\n"
    ".popsection\n");

extern const char blob_start[], blob_end[], back64_sym[], enter64_sym[], ptr_back[];
extern const char s_nop[], s_arith[], s_stack[], s_int80[], s_fault[], s_fault_resume[];
extern const char s_ud2[], s_ud2_resume[], s_syscall[], s_syscall_resume[], s_regs[];
extern const char s_nullds[], s_nullds_resume[], s_sys2[], s_dual[], s_pusha[], s_nullrep[];

static uint8_t *page;
static void (*enter)(uint64_t target, int method);

#define OFF(sym) ((uint32_t)((sym) - blob_start))
#define D32(off) (*(volatile uint32_t *)(page + (off)))
#define D64(off) (*(volatile uint64_t *)(page + (off)))

static const char *const in_names[] = { "lretq", "ljmp m16:32", "lcall m16:32", "iretq" };
static const char *const out_names[] = { "ljmp m16:32", "lret", "lcall m16:32", "iret",
                                         "ljmp ptr16:32" };

/* ---- faults: a jump out (probes) or a resume (faults in compat code) ---- */

static sigjmp_buf jb;
static volatile int probing, resume_off;
static volatile long f_sig, f_code, f_trap, f_err, f_cs, f_ss, f_ip, f_addr, f_hcs;

static void on_fault(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    uint16_t hcs;
    __asm__ volatile("mov %%cs, %0" : "=r"(hcs));
    f_sig = sig, f_code = si->si_code, f_hcs = hcs;
    f_trap = uc->uc_mcontext.gregs[REG_TRAPNO];
    f_err = uc->uc_mcontext.gregs[REG_ERR];
    f_cs = uc->uc_mcontext.gregs[REG_CSGSFS] & 0xffff;
    f_ss = (uc->uc_mcontext.gregs[REG_CSGSFS] >> 48) & 0xffff;
    f_ip = uc->uc_mcontext.gregs[REG_RIP] - (long)page;
    f_addr = (long)si->si_addr;
    if (probing)
        siglongjmp(jb, 1);
    uc->uc_mcontext.gregs[REG_RIP] = (long)page + resume_off;
}

static void fault_line(const char *what)
{
    printf("%s: sig %ld code %ld trap %ld err %#lx\n", what, f_sig, f_code, f_trap, f_err);
}

/* One trip: enter by method in, leave by method out; 0 if it came back. */
static int trip_as(const char *target, int in, int out, int probe)
{
    D32(D_XMETHOD) = (uint32_t)out;
    fflush(stdout);
    probing = probe;
    if (sigsetjmp(jb, 1)) {
        probing = 0;
        return -1;
    }
    enter((uint64_t)(uintptr_t)(page + (target - blob_start)), in);
    probing = 0;
    return 0;
}

static int trip(const char *target, int in, int out) { return trip_as(target, in, out, 1); }
/* A fault inside is handled: the handler resumes at resume_off. */
static int trip_resumed(const char *target) { return trip_as(target, 0, 0, 0); }

static void set_regs_in(void)
{
    for (int i = 0; i < 16; i++)
        D64(D_REGS_IN + 8 * i) = 0x1111111111111111ull * (uint64_t)(i + 1) ^ 0x80000001u;
}

static void print_regs_out(void)
{
    static const char *const names[16] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi",
        "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };
    for (int i = 0; i < 16; i++) {
        uint64_t v = D64(D_REGS_OUT + 8 * i), want = D64(D_REGS_IN + 8 * i);
        if (i == 3 || i == 4)       /* rbx: the page; rsp: its stack */
            printf(" %s=+%#lx", names[i], (unsigned long)(v - (uint64_t)(uintptr_t)page));
        else if (v == want)
            printf(" %s=same", names[i]);
        else
            printf(" %s=%#lx", names[i], (unsigned long)v);
    }
    printf(" cs=%#x ds=%#x\n", D32(D_REGS_OUT + 136), D32(D_REGS_OUT + 140));
}

/* ---- the sections ---- */

static void transfers(void)
{
    for (int in = 0; in < 4; in++)
        for (int out = 0; out < 5; out++) {
            set_regs_in();
            if (trip(s_nop, in, out)) {
                printf("%s in, %s out: ", in_names[in], out_names[out]);
                fault_line("fault");
                continue;
            }
            printf("%s in, %s out:", in_names[in], out_names[out]);
            print_regs_out();
        }
    set_regs_in();
    if (trip(s_regs, 0, 0) == 0) {
        printf("32-bit writes:");
        print_regs_out();
    }
}

/* One address translated for both modes: each run takes its own. */
static void dual(void)
{
    for (int round = 0; round < 3; round++) {
        uint64_t r = 0x100000005ull;
        __asm__ volatile("call *%1" : "+a"(r) : "r"(page + OFF(s_dual)) : "rcx", "memory", "cc");
        set_regs_in();
        if (trip(s_dual, round % 2, round)) {
            fault_line("dual");
            return;
        }
        printf("same bytes: 64-bit rax %#lx, compat rax %#lx\n", (unsigned long)r,
               (unsigned long)D64(D_REGS_OUT));
    }
}

static void arith(void)
{
    static const uint32_t cases[][3] = {
        { 0x7fffffff, 1, 3 }, { 0x80000000, 0xffffffff, 7 }, { 0x12345678, 0x9abcdef0, -5 },
        { 0, 0, 1 }, { 0xffffff80, 31, 0x10001 }, { 0x00ff7f01, 0x21, -1 },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        D32(D_IN) = cases[k][0], D32(D_IN + 4) = cases[k][1], D32(D_IN + 8) = cases[k][2];
        D32(D_IN + 12) = 0;
        if (cases[k][0] == 0x80000000 && cases[k][2] == (uint32_t)-1)
            continue;
        if (trip(s_arith, 0, 0)) {
            fault_line("arith");
            continue;
        }
        printf("arith %#x %#x %#x:", cases[k][0], cases[k][1], cases[k][2]);
        for (int i = 0; i < 21; i++) {
            uint32_t v = D32(D_OUT + 4 * i);
            bool flags = i == 1 || i == 3 || i == 5 || i == 9 || i == 11 || i == 14;
            printf(" %#x", flags ? v & 0x8d5 : v);
        }
        printf("\n");
    }
}

static void stack(void)
{
    D32(D_IN) = 0xdeadbeef;
    if (trip(s_stack, 0, 0)) {
        fault_line("stack");
        return;
    }
    printf("stack:");
    for (int i = 0; i < 12; i++)
        printf(" %#x", D32(D_OUT + 4 * i));
    printf(" (call's eip at +%#x)\n", OFF(s_stack));
    set_regs_in();
    if (trip(s_pusha, 0, 0)) {
        fault_line("pusha");
        return;
    }
    printf("pusha/popa:");
    for (int i = 0; i < 7; i++)
        printf(" %#x", D32(D_OUT + 4 * i));
    printf("; then");
    print_regs_out();
}

static void int80_compat(void)
{
    memcpy(page + D_MSG, "int 0x80 (compat)\n", 18);
    memcpy(page + D_MSG + 32, "/", 2);
    memcpy(page + D_MSG + 64, "writev ", 7);
    memcpy(page + D_MSG + 80, "(compat)\n", 9);
    if (trip(s_int80, 0, 0)) {
        fault_line("int80 compat");
        return;
    }
    printf("int80 compat: write %d getpid %s nr999 %d bad-pointer %d gettid %s\n",
           (int)D32(D_OUT), D32(D_OUT + 4) == (uint32_t)getpid() ? "ok" : "wrong",
           (int)D32(D_OUT + 8), (int)D32(D_OUT + 12),
           D32(D_OUT + 16) == (uint32_t)gettid() ? "ok" : "wrong");
}

/* More i386 calls whose structures differ from x86-64's: what is the
 * same on every run. */
static void int80_more(void)
{
    if (trip(s_sys2, 0, 0)) {
        fault_line("int80 more");
        return;
    }
    uint32_t m = D32(D_OUT);
    time_t now = time(NULL);
    long ts = (int32_t)D32(D_OUT + 8), tv = (int32_t)D32(D_OUT + 20), t = (int32_t)D32(D_OUT + 36);
    printf("mmap2 %s munmap %d\n", m && m < 0xfffff000u ? "below 4G" : "failed", (int)D32(D_OUT + 4));
    printf("clock_gettime %d %s nsec %s; gettimeofday %d %s usec %s; time %s %s\n",
           (int)D32(D_OUT + 16), labs(ts - now) < 5 ? "now" : "wrong",
           D32(D_OUT + 12) < 1000000000u ? "ok" : "wrong",
           (int)D32(D_OUT + 28), labs(tv - now) < 5 ? "now" : "wrong",
           D32(D_OUT + 24) < 1000000u ? "ok" : "wrong",
           labs(t - now) < 5 ? "now" : "wrong", t == (int32_t)D32(D_OUT + 32) ? "stored" : "not stored");
    printf("uname %d: %s %s\n", (int)D32(D_OUT + 40), (char *)page + 0x1400,
           (char *)page + 0x1400 + 4 * 65);
    printf("_llseek bad fd %d; clock_getres %d nsec %u; clock_gettime bad pointer %d\n",
           (int)D32(D_OUT + 44), (int)D32(D_OUT + 64), D32(D_OUT + 60), (int)D32(D_OUT + 68));
    struct stat st;
    stat("/", &st);
    for (int k = 0; k < 2; k++) {
        const uint8_t *b = page + 0x1600 + 0x100 * k;
        uint32_t mode, ino32, mtime;
        uint64_t ino;
        int64_t size;
        memcpy(&mode, b + 16, 4), memcpy(&ino32, b + 12, 4), memcpy(&size, b + 44, 8);
        memcpy(&mtime, b + 72, 4), memcpy(&ino, b + 88, 8);
        printf("%s / %d: mode %s ino %s size %s mtime %s\n", k ? "fstatat64" : "stat64",
               (int)D32(D_OUT + 72 + 4 * k), mode == st.st_mode ? "ok" : "wrong",
               ino == st.st_ino && ino32 == (uint32_t)st.st_ino ? "ok" : "wrong",
               size == st.st_size ? "ok" : "wrong", mtime == (uint32_t)st.st_mtime ? "ok" : "wrong");
    }
    printf("fstat64 bad fd %d\n", (int)D32(D_OUT + 80));
    printf("writev %d, bad vector %d, bad buffer %d\n", (int)D32(D_OUT + 84),
           (int)D32(D_OUT + 88), (int)D32(D_OUT + 92));
}

/* int $0x80 from 64-bit code: the i386 ABI still (32-bit arguments). */
static long int80_64(long nr, long b, long c, long d, long *r8_11_same)
{
    long r;
    register long r8 __asm__("r8") = 0x8888888888888888;
    register long r9 __asm__("r9") = 0x9999999999999999;
    register long r10 __asm__("r10") = 0x1010101010101010;
    register long r11 __asm__("r11") = 0x1111111111111111;
    __asm__ volatile("int $0x80"
                     : "=a"(r), "+r"(r8), "+r"(r9), "+r"(r10), "+r"(r11)
                     : "a"(nr), "b"(b), "c"(c), "d"(d)
                     : "memory");
    *r8_11_same = r8 == 0x8888888888888888 && r9 == 0x9999999999999999 &&
                  r10 == 0x1010101010101010 && r11 == 0x1111111111111111;
    return r;
}

static void int80_from64(void)
{
    long same;
    memcpy(page + D_MSG, "int 0x80 (64-bit)\n", 18);
    fflush(stdout);
    probing = 1;
    if (sigsetjmp(jb, 1)) {
        probing = 0;
        fault_line("int80 from 64-bit");
        return;
    }
    long w = int80_64(4, 0xffffffff00000001, (long)(uintptr_t)(page + D_MSG), 18, &same);
    probing = 0;
    printf("int80 64: write %ld r8-r11 %s\n", w, same ? "kept" : "changed");
    long pid = int80_64(20, 0, 0, 0, &same);
    printf("int80 64: getpid %s\n", pid == getpid() ? "ok" : "wrong");
    printf("int80 64: nr999 %#lx\n", (unsigned long)int80_64(999, 0, 0, 0, &same));
    printf("int80 64: bad pointer %ld\n", int80_64(4, 1, 16, 4, &same));
    printf("int80 64: 64-bit pointer %ld\n", int80_64(4, 1, (long)(uintptr_t)&same, 4, &same));
}

static void faults(void)
{
    resume_off = (int)OFF(s_fault_resume);
    if (trip_resumed(s_fault) == 0)
        printf("fault: sig %ld code %ld trap %ld err %#lx addr %#lx at +%#lx (stub +%#x) "
               "cs %#lx ss %#lx handler cs %#lx; then eax %#x cs %#x\n",
               f_sig, f_code, f_trap, f_err, f_addr, f_ip, OFF(s_fault), f_cs, f_ss, f_hcs,
               D32(D_OUT + 4), D32(D_OUT + 8));
    resume_off = (int)OFF(s_ud2_resume);
    if (trip_resumed(s_ud2) == 0)
        printf("ud2: sig %ld code %ld trap %ld at +%#lx (stub +%#x) cs %#lx; then %u\n",
               f_sig, f_code, f_trap, f_ip, OFF(s_ud2), f_cs, D32(D_OUT));
    resume_off = (int)OFF(s_nullds_resume);
    if (trip_resumed(s_nullds) == 0)
        printf("null ds: sig %ld code %ld trap %ld err %#lx addr %#lx at +%#lx (stub +%#x) "
               "cs %#lx; then %u\n", f_sig, f_code, f_trap, f_err, f_addr, f_ip, OFF(s_nullds),
               f_cs, D32(D_OUT));
    if (trip_resumed(s_nullrep) == 0)
        printf("null es, rep stosb: sig %ld code %ld trap %ld err %#lx at +%#lx (stub +%#x) "
               "cs %#lx; then %u\n", f_sig, f_code, f_trap, f_err, f_ip, OFF(s_nullrep), f_cs,
               D32(D_OUT));
    f_sig = 0;
    resume_off = (int)OFF(s_syscall_resume);
    if (trip_resumed(s_syscall) == 0) {
        if (f_sig)
            printf("syscall in compat: sig %ld code %ld trap %ld at +%#lx (stub +%#x)\n",
                   f_sig, f_code, f_trap, f_ip, OFF(s_syscall));
        else
            printf("syscall in compat: getpid %s\n", D32(D_OUT) == (uint32_t)getpid() ? "ok" : "wrong");
    }
}

int main(void)
{
    static char altstack[65536];
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack };
    sigaltstack(&ss, NULL);
    struct sigaction sa = { .sa_sigaction = on_fault, .sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER };
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    page = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    if (page == MAP_FAILED) {
        printf("no MAP_32BIT page\n");
        return 1;
    }
    memcpy(page, blob_start, (size_t)(blob_end - blob_start));
    uint32_t back = (uint32_t)(uintptr_t)(page + OFF(back64_sym));
    D32(D_FAR_BACK) = back;
    D32(D_FAR_BACK + 4) = 0x33;
    memcpy(page + OFF(ptr_back), &back, 4);
    enter = (void (*)(uint64_t, int))(page + OFF(enter64_sym));
    set_regs_in();
    if (trip(s_nop, 0, 0)) {
        fault_line("no compatibility mode (lretq to 0x23)");
        if (getenv("CM_DEBUG")) printf("ip +%#lx cs %#lx\n", f_ip, f_cs);
        return 0;
    }
    transfers();
    dual();
    arith();
    stack();
    int80_compat();
    int80_more();
    int80_from64();
    faults();
    printf("done\n");
    return 0;
}
