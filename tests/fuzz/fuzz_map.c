/* fuzz_map.c -- libFuzzer harness for the loader's mapping path: a
 * program that ld_program_open accepts is mapped by ld_map_segments
 * (loader/ld_map.c: the reservation at the program's own fixed address
 * for ET_EXEC, near a hint for ET_DYN, file pages mapped or copied, bss
 * pages, protections), its pages checked, then unmapped; and the initial
 * process stack (loader/ld_stack.c `ld_stack_fill`) is built from strings
 * of the input into an exactly-sized heap buffer and read back.
 *
 * The oracle: each segment that shares no page with another holds the
 * file's bytes (first 64 KiB) and zeros from the end of its file bytes
 * (writable) or from the next page (read-only: the kernel's padzero fails
 * there) to its end; the stack holds argc, the argv and envp pointers to
 * the same strings and an auxv ending in AT_NULL whose AT_PHDR and
 * AT_ENTRY are the ones given.  Spans over 64 MiB, and ET_EXEC programs
 * above 2 GiB, are not mapped (the harness's address space is shared with
 * the sanitizers' shadow; ld_map's overcommit refusal of huge bss is
 * check-reliab's).  A fixed address
 * already in use fails cleanly (MAP_FIXED_NOREPLACE), as in ferry.
 *
 * Input: the program file; its last 256 bytes (NUL-separated strings)
 * also give argv (first byte's count, at most 7) and envp. */
#define _GNU_SOURCE
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ld_internal.h"

#define FZ_MAX_SPAN (64ull << 20)
/* ET_EXEC programs only below 2 GiB: above starts the sanitizers' shadow
 * (x86-64's at 0x7fff8000), and under qemu-user a MAP_FIXED_NOREPLACE
 * there is not refused (the harness would map over its own shadow). */
#define FZ_EXEC_TOP 0x7fff0000ull
#define FZ_CHECK (64u << 10)

static int fz_memfd = -1;
static char fz_path[64];

static bool fz_shares_page(const struct ld_program *p, int i)
{
    const struct ld_segment *a = &p->seg[i];
    for (int j = 0; j < p->nseg; j++) {
        const struct ld_segment *b = &p->seg[j];
        if (j != i && LD_PAGE_DOWN(a->vaddr) < LD_PAGE_UP(b->vaddr + b->memsz) &&
            LD_PAGE_DOWN(b->vaddr) < LD_PAGE_UP(a->vaddr + a->memsz))
            return true;
    }
    return false;
}

static void fz_check_segment(const struct ld_segment *s, uint64_t bias, const uint8_t *file, size_t size)
{
    const uint8_t *m = (const uint8_t *)(uintptr_t)(s->vaddr + bias);
    uint64_t nfile = s->filesz < FZ_CHECK ? s->filesz : FZ_CHECK;
    if (!(s->prot & (PROT_READ | PROT_EXEC)))
        return;                         /* PROT_NONE (a segment without flags): no look */
    if (s->offset + nfile <= size && memcmp(m, file + s->offset, nfile))
        __builtin_trap();
    if (s->memsz <= s->filesz)
        return;
    uint64_t zero_from = s->prot & PROT_WRITE ? s->vaddr + s->filesz : LD_PAGE_UP(s->vaddr + s->filesz);
    uint64_t end = s->vaddr + s->memsz;
    if (end - s->vaddr > FZ_CHECK)
        end = s->vaddr + FZ_CHECK;
    for (uint64_t a = zero_from; a < end; a++)
        if (((const uint8_t *)(uintptr_t)(a + bias))[0])
            __builtin_trap();
}

static void fz_map(const uint8_t *data, size_t size)
{
    static struct ld_program p;
    static struct ld_image img;
    if (fz_memfd < 0) {
        fz_memfd = memfd_create("fuzz-map", 0);
        snprintf(fz_path, sizeof fz_path, "/proc/self/fd/%d", fz_memfd);
    }
    if (ftruncate(fz_memfd, 0) != 0 || pwrite(fz_memfd, data, size, 0) != (ssize_t)size)
        return;
    memset(&p, 0, sizeof p);
    if (ld_program_open(fz_path, &p) != 0)
        return;
    if (p.hi - p.lo <= FZ_MAX_SPAN && (p.elf.type != ET_EXEC || p.hi <= FZ_EXEC_TOP)) {
        memset(&img, 0, sizeof img);
        uint64_t bias = ld_map_segments(&p, 0x200000000ull, &img);
        if (bias != (uint64_t)-1) {
            for (int i = 0; i < p.nseg; i++)
                if (!fz_shares_page(&p, i))
                    fz_check_segment(&p.seg[i], bias, data, size);
            munmap((void *)(uintptr_t)(p.lo + bias), p.hi - p.lo);
        }
    }
    ld_elf_close(&p.elf);
}

/* Up to n strings from the NUL-separated bytes [*at, end). */
static int fz_strings(const uint8_t **at, const uint8_t *end, char **out, int n)
{
    int k = 0;
    while (k < n && *at < end) {
        const uint8_t *z = memchr(*at, 0, (size_t)(end - *at));
        size_t len = z ? (size_t)(z - *at) : (size_t)(end - *at);
        out[k] = strndup((const char *)*at, len);
        k++;
        *at += len + 1;
    }
    out[k] = NULL;
    return k;
}

static void fz_check_stack(const uint8_t *buf, size_t size, uint64_t sp, char **argv, int argc,
                           char **envp, int envc, const struct ld_auxv_info *ai)
{
    uint64_t base = (uint64_t)(uintptr_t)buf;
    if (sp < base || sp % 16 || sp + 8 * (argc + envc + 3) > base + size)
        __builtin_trap();
    const uint64_t *w = (const uint64_t *)(uintptr_t)sp;
    if (*w++ != (uint64_t)argc)
        __builtin_trap();
    for (int pass = 0; pass < 2; pass++) {
        char **want = pass ? envp : argv;
        for (int i = 0; i < (pass ? envc : argc); i++, w++)
            if (*w < base || *w >= base + size || strcmp((const char *)(uintptr_t)*w, want[i]))
                __builtin_trap();
        if (*w++ != 0)
            __builtin_trap();
    }
    bool phdr = false, entry = false;
    for (;; w += 2) {
        if ((uint64_t)(uintptr_t)(w + 2) > base + size)
            __builtin_trap();
        if (w[0] == AT_NULL)
            break;
        phdr |= w[0] == AT_PHDR && w[1] == ai->phdr;
        entry |= w[0] == AT_ENTRY && w[1] == ai->entry;
    }
    if (!phdr || !entry)
        __builtin_trap();
}

static void fz_stack(const uint8_t *data, size_t size)
{
    const uint8_t *at = size > 256 ? data + size - 256 : data, *end = data + size;
    char *argv[8], *envp[17];
    int argc = fz_strings(&at, end, argv, size ? data[0] % 8 : 0);
    int envc = fz_strings(&at, end, envp, 16);
    static const struct ld_params params = { 0x178bfbff, 2, "x86_64", false, 1760 };
    struct ld_auxv_info ai = { .phdr = 0x400040, .phent = 56, .phnum = 4, .entry = 0x401000,
                               .execfn = "/fuzz/program", .params = &params };
    /* exactly what ld_build_stack makes sure of (ld_stack_need) */
    size_t need = strlen(ai.execfn) + 512 + 8 * (size_t)(argc + envc);
    for (int i = 0; i < argc; i++)
        need += strlen(argv[i]) + 1;
    for (int i = 0; i < envc; i++)
        need += strlen(envp[i]) + 1;
    uint8_t *buf = malloc(need);
    uint64_t sp = ld_stack_fill(buf, need, argv, envp, &ai);
    fz_check_stack(buf, need, sp, argv, argc, envp, envc, &ai);
    free(buf);
    for (int i = 0; i < argc; i++)
        free(argv[i]);
    for (int i = 0; i < envc; i++)
        free(envp[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_map(data, size);
    fz_stack(data, size);
    return 0;
}
