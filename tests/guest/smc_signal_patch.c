/* smc_signal_patch.c -- self-modifying code with signals (session 42
 * probe): a SIGILL handler rewrites the ud2 that faulted into a mov and
 * returns to run it (three rounds, the code copied back each time); a loop
 * whose incb rip-relative increments its own mov immediate; code rewritten
 * through a second (shared memfd) mapping of the same page; a jump into
 * the middle of an instruction and back to its start. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <ucontext.h>

static uint8_t *code;
static int fixes;
static void h(int s, siginfo_t *si, void *c)
{
    ucontext_t *u = c;
    uint8_t *p = (uint8_t *)u->uc_mcontext.gregs[REG_RIP];
    /* ud2 (0f 0b) + 3 nops -> mov $fixes, %eax (b8 imm32) */
    p[0] = 0xb8; p[1] = (uint8_t)(0x40 + fixes); p[2] = 0; p[3] = 0; p[4] = 0;
    fixes++;
}
typedef int (*fn)(void);
int main(void)
{
    struct sigaction sa = { 0 }; sa.sa_sigaction = h; sa.sa_flags = SA_SIGINFO; sigaction(SIGILL, &sa, 0);
    code = mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    /* xor eax,eax; ud2; nop nop nop; add $1, eax; ret */
    const uint8_t prog[] = { 0x31, 0xc0, 0x0f, 0x0b, 0x90, 0x90, 0x90, 0x83, 0xc0, 0x01, 0xc3 };
    for (int round = 0; round < 3; round++) {
        memcpy(code, prog, sizeof prog);
        int r = ((fn)code)();
        printf("round %d: %#x fixes %d\n", round, r, fixes);
    }
    /* a loop that patches its own immediate each iteration */
    const uint8_t loop[] = {
        0x31, 0xc9,                         /* xor ecx, ecx */
        0xb8, 0x00, 0x00, 0x00, 0x00,       /* 2: mov $imm, eax */
        0x01, 0xc1,                         /* add eax, ecx */
        0xfe, 0x05, 0xf3, 0xff, 0xff, 0xff, /* incb -13(%rip) -> imm byte at offset 3 */
        0x3d, 0x10, 0x00, 0x00, 0x00,       /* cmp $16, eax */
        0x75, 0xeb,                         /* jne 2 */
        0x89, 0xc8, 0xc3                    /* mov ecx, eax; ret */
    };
    memcpy(code, loop, sizeof loop);
    /* fix the rip-relative displacement: the incb is at 9, 6 bytes long -> next 15; target 3: disp = 3 - 15 = -12 */
    code[11] = (uint8_t)-12;
    /* jne at 20, 2 bytes -> next 22; target 2: disp -20 */
    code[21] = (uint8_t)-20;
    printf("selfinc loop: %d\n", ((fn)code)());
    /* memfd double mapping */
    int fd = memfd_create("x", 0); ftruncate(fd, 4096);
    uint8_t *w = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    uint8_t *x = mmap(0, 4096, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
    for (int i = 0; i < 4; i++) {
        const uint8_t ret_i[] = { 0xb8, (uint8_t)(i * 11), 0, 0, 0, 0xc3 };
        memcpy(w, ret_i, sizeof ret_i);
        printf("dual %d: %d\n", i, ((fn)x)());
    }
    /* jump into the middle of an instruction: mov $0x90c3c031, eax -> at +1: xor eax,eax ; ret */
    const uint8_t mid[] = { 0xb8, 0x31, 0xc0, 0xc3, 0x90, 0xc3 };
    memcpy(code, mid, sizeof mid);
    printf("whole %#x\n", ((fn)code)() == 0x90c3c031 ? 1 : 0);
    printf("middle %#x\n", ((fn)(code + 1))());
    printf("whole again %d\n", ((fn)code)() == (int)0x90c3c031);
    return 0;
}
