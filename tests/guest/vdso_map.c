/* vdso_map.c -- arch_prctl(ARCH_MAP_VDSO_64 / _32 / _X32, addr), as
 * CRIU's restore uses it: while any part of the vDSO is mapped it is
 * EEXIST (Linux 6.18: [vdso], [vvar] and [vvar_vclock]; unmapping [vdso]
 * alone leaves the data pages, and the answer stays EEXIST); once the
 * process unmapped all of it, the 64-bit one maps a vDSO again near addr
 * (the data pages come first, so the test asks only whether [vdso]
 * starts within 64 KB above addr rounded down to its page, and whether
 * that page is mapped, not where), a second call is EEXIST, the call
 * returns the vDSO's size (Linux's prctl_map_vdso: image->size; the test
 * asks whether it is the [vdso] line's) and the new vDSO's time() answers
 * as the system call.  The 32-bit one (IA32 emulation) maps its ELF32 i386
 * image (class and machine printed; its code runs only in compatibility
 * mode: vdso_vvar.c compares its symbols); x32 is EINVAL (no x32 ABI
 * here).  glibc's pointers into the old vDSO are stale after the unmap,
 * so only raw system calls run. */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAP_VDSO_X32 0x2001
#define MAP_VDSO_32 0x2002
#define MAP_VDSO_64 0x2003

static char line[256];

/* Raw write: nothing of glibc's that might call the vDSO. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    __builtin_va_list ap;
    __builtin_va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    __builtin_va_end(ap);
    syscall(SYS_write, 1, line, (size_t)n);
}

struct range { uint64_t start, end; };

/* The lines of /proc/self/maps named [vdso], [vvar] or [vvar_vclock]
 * (up to 8); *vdso: the [vdso] one (0 when none). */
static int vdso_parts(struct range part[8], struct range *vdso)
{
    static char buf[65536];
    int fd = (int)syscall(SYS_open, "/proc/self/maps", 0);
    long n = 0, r;
    while ((r = syscall(SYS_read, fd, buf + n, sizeof buf - 1 - n)) > 0)
        n += r;
    syscall(SYS_close, fd);
    buf[n] = 0;
    int count = 0;
    vdso->start = vdso->end = 0;
    for (char *l = buf; *l && count < 8;) {
        char *nl = strchr(l, '\n');
        if (!nl)
            break;
        *nl = 0;
        if (strstr(l, "[vdso]") || strstr(l, "[vvar]") || strstr(l, "[vvar_vclock]")) {
            unsigned long long s, e;
            sscanf(l, "%llx-%llx", &s, &e);
            part[count].start = s, part[count].end = e;
            if (strstr(l, "[vdso]"))
                *vdso = part[count];
            count++;
        }
        l = nl + 1;
    }
    return count;
}

static const char *result(long r)
{
    static char buf[64];
    if (r < 0)
        return strerror(errno);
    snprintf(buf, sizeof buf, "%ld", r);
    return buf;
}

/* The vDSO's own symbol `name` (its .hash and .dynsym, as the dynamic
 * section says), or NULL. */
static void *vdso_sym(uint64_t base, const char *name)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(base + eh->e_phoff);
    const Elf64_Dyn *dyn = NULL;
    uint64_t load = 0;
    for (int i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == PT_LOAD && !load)
            load = base + ph[i].p_offset - ph[i].p_vaddr;
        if (ph[i].p_type == PT_DYNAMIC)
            dyn = (const Elf64_Dyn *)(base + ph[i].p_offset);
    }
    const uint32_t *hash = NULL;
    const Elf64_Sym *sym = NULL;
    const char *str = NULL;
    for (; dyn && dyn->d_tag != DT_NULL; dyn++) {
        if (dyn->d_tag == DT_HASH) hash = (const uint32_t *)(load + dyn->d_un.d_ptr);
        if (dyn->d_tag == DT_SYMTAB) sym = (const Elf64_Sym *)(load + dyn->d_un.d_ptr);
        if (dyn->d_tag == DT_STRTAB) str = (const char *)(load + dyn->d_un.d_ptr);
    }
    if (!hash || !sym || !str)
        return NULL;
    for (uint32_t i = 0; i < hash[1]; i++)
        if (sym[i].st_shndx != SHN_UNDEF && !strcmp(str + sym[i].st_name, name))
            return (void *)(load + sym[i].st_value);
    return NULL;
}

/* What the vDSO at base is: ELF, and (64-bit) whether its time() agrees
 * with the system call's within a second. */
static void describe(const char *what, uint64_t base)
{
    const unsigned char *e = (const unsigned char *)base;
    int elf = !memcmp(e, ELFMAG, SELFMAG);
    say("%s: starts with ELF %s", what, elf ? "yes" : "no");
    if (elf)
        say(", class %d, machine %d", e[EI_CLASS], ((const Elf32_Ehdr *)base)->e_machine);
    say("\n");
    if (!elf || e[EI_CLASS] != ELFCLASS64)
        return;
    long (*vtime)(long *) = (long (*)(long *))vdso_sym(base, "__vdso_time");
    if (!vtime) {
        say("%s: no __vdso_time\n", what);
        return;
    }
    long a = syscall(SYS_time, NULL), v = vtime(NULL), b = syscall(SYS_time, NULL);
    say("%s: __vdso_time agrees: %s\n", what, v >= a && v <= b ? "yes" : "no");
}

/* Unmaps every part of the vDSO; prints how many there were. */
static void unmap_all(void)
{
    struct range part[8], vdso;
    int n = vdso_parts(part, &vdso);
    int bad = 0;
    for (int i = 0; i < n; i++)
        bad |= syscall(SYS_munmap, part[i].start, part[i].end - part[i].start) != 0;
    say("unmapped the vDSO: %s\n", bad ? "failed" : "ok");
}

/* One map call at hint; then where [vdso] is and what it holds. */
static void map_at(const char *name, long op, uint64_t hint)
{
    struct range part[8], vdso;
    long r = syscall(SYS_arch_prctl, op, hint);
    int n = vdso_parts(part, &vdso);
    if (r > 0)                          /* Linux: the vDSO's size */
        say("%s: the [vdso] size %s", name, (uint64_t)r == vdso.end - vdso.start ? "yes" : "no");
    else
        say("%s: %s", name, result(r));
    say(", [vdso] %s", vdso.start ? "mapped" : "none");
    uint64_t page = hint & ~4095ull;    /* the hint rounded down */
    if (vdso.start && hint)
        say(", within 64 KB above the hint: %s, its page mapped: %s",
            vdso.start >= page && vdso.start - page < 65536 ? "yes" : "no",
            syscall(SYS_mincore, page, 4096, line) == 0 ? "yes" : "no");
    say("\n");
    if (r > 0 && vdso.start)
        describe(name, vdso.start);
    (void)n;
}

/* A hint: a free spot (mapped and unmapped again), page-aligned. */
static uint64_t free_spot(void)
{
    void *p = mmap(NULL, 1 << 20, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(p, 1 << 20);
    return (uint64_t)(uintptr_t)p + 65536;
}

int main(void)
{
    struct range part[8], vdso;
    if (!getauxval(AT_SYSINFO_EHDR) || !vdso_parts(part, &vdso) || !vdso.start) {
        say("no vDSO\n");
        return 1;
    }
    describe("start", vdso.start);
    map_at("MAP_VDSO_64 while mapped", MAP_VDSO_64, free_spot());
    say("unmapped [vdso] alone: %s\n",
        syscall(SYS_munmap, vdso.start, vdso.end - vdso.start) ? strerror(errno) : "ok");
    map_at("MAP_VDSO_64 with the data pages left", MAP_VDSO_64, free_spot());
    map_at("MAP_VDSO_32 with the data pages left", MAP_VDSO_32, free_spot());
    unmap_all();
    map_at("MAP_VDSO_X32", MAP_VDSO_X32, free_spot());
    map_at("MAP_VDSO_64", MAP_VDSO_64, free_spot());
    map_at("MAP_VDSO_64 again", MAP_VDSO_64, free_spot());
    map_at("MAP_VDSO_32 while mapped", MAP_VDSO_32, free_spot());

    pid_t pid = fork();                 /* the child sees the new one */
    if (pid == 0) {
        vdso_parts(part, &vdso);
        describe("fork child", vdso.start);
        syscall(SYS_exit, 0);
    }
    int st;
    waitpid(pid, &st, 0);

    unmap_all();
    map_at("MAP_VDSO_32", MAP_VDSO_32, free_spot());
    map_at("MAP_VDSO_64 after the 32-bit one", MAP_VDSO_64, free_spot());
    unmap_all();
    uint64_t busy = (uint64_t)(uintptr_t)mmap(NULL, 1 << 20, PROT_READ,
                                              MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    map_at("MAP_VDSO_64 at a busy hint", MAP_VDSO_64, busy);
    unmap_all();
    map_at("MAP_VDSO_64 at 0", MAP_VDSO_64, 0);
    unmap_all();
    map_at("MAP_VDSO_64 at a misaligned hint", MAP_VDSO_64, free_spot() + 123);
    syscall(SYS_exit_group, 0);
}
