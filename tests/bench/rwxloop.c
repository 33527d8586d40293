/* rwxloop.c -- benchmark: JIT-style code in a writable and executable page
 * (as HotSpot's and V8's code caches are): a loop of 8 blocks of 44 bytes,
 * each with a store and a load, written once and run 30M times.  What it
 * measures is what code on an RWX page costs over the same code on a page
 * the guest cannot write: `rwxloop rx` makes the page read+exec before
 * running it (the same work, the same output).  `rwxloop N` / `rwxloop rx N`
 * run N iterations instead. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

enum { BLOCKS = 8, BLOCK_BYTES = 44 };

/* One block (40 bytes of arithmetic, a store to data[i], a load of
 * data[(i+3)%8]) and its 4-byte end: test al,1; jnz to the next block. */
static unsigned char *emit_block(unsigned char *p, int i)
{
    const unsigned char body[] = {
        0x48, 0x01, 0xf8,                               /* add rax, rdi */
        0x48, 0x69, 0xd0, 0x67, 0x45, 0x23, 0x01,       /* imul rdx, rax, 0x1234567 */
        0x48, 0x31, 0xd0,                               /* xor rax, rdx */
        0x48, 0x89, 0x46, (unsigned char)(8 * i),       /* mov [rsi+8i], rax */
        0x48, 0x8b, 0x4e, (unsigned char)(8 * ((i + 3) % BLOCKS)), /* mov rcx, [rsi+..] */
        0x48, 0x01, 0xc8,                               /* add rax, rcx */
        0x48, 0xc1, 0xc8, 0x07,                         /* ror rax, 7 */
        0x48, 0x8d, 0x54, 0x48, 0x05,                   /* lea rdx, [rax+rcx*2+5] */
        0x48, 0x29, 0xd0,                               /* sub rax, rdx */
        0x48, 0x0f, 0xaf, 0xc1,                         /* imul rax, rcx */
    };
    memcpy(p, body, sizeof(body));
    p += sizeof(body);
    if (i < BLOCKS - 1) {
        const unsigned char end[] = { 0xa8, 0x01, 0x75, 0x00 };   /* test al,1; jnz .+2 */
        memcpy(p, end, sizeof(end));
        return p + sizeof(end);
    }
    return p;
}

int main(int argc, char **argv)
{
    int rx = argc > 1 && !strcmp(argv[1], "rx");
    long iters = argc > 1 + rx ? atol(argv[1 + rx]) : 30000000;
    unsigned char *code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    unsigned char *p = code;
    for (int i = 0; i < BLOCKS; i++)
        p = emit_block(p, i);
    const unsigned char tail[] = { 0x48, 0xff, 0xcf, 0x0f, 0x85 };   /* dec rdi; jnz rel32 */
    memcpy(p, tail, sizeof(tail));
    p += sizeof(tail);
    int rel = (int)(code - (p + 4));
    memcpy(p, &rel, 4);
    p += 4;
    *p++ = 0xc3;                                                        /* ret */
    if (rx && mprotect(code, 4096, PROT_READ | PROT_EXEC)) {
        perror("mprotect");
        return 1;
    }
    static unsigned long data[BLOCKS];
    unsigned long (*fn)(long, unsigned long *) = (unsigned long (*)(long, unsigned long *))(void *)code;
    unsigned long r = fn(iters, data), sum = 0;
    for (int i = 0; i < BLOCKS; i++)
        sum = sum * 31 + data[i];
    printf("rwxloop: %ld iterations of %d blocks of %d bytes: %016lx %016lx\n", iters, BLOCKS,
           BLOCK_BYTES, r, sum);
    return 0;
}
