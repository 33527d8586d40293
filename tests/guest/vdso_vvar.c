/* vdso_vvar.c -- the vDSO's special mappings as /proc/self/maps shows
 * them and as the kernel treats them: the [vdso] line and the data pages
 * next to it (Linux 6.18: [vvar] and [vvar_vclock] below [vdso]; older
 * kernels name only [vvar]; the test takes whatever lines it finds and
 * prints their names, permissions, sizes and which sits right above which,
 * never addresses).
 * Then, part by part: mprotect (to writable, executable, none, of one page
 * only), munmap and MAP_FIXED of one page (a split), madvise, mremap
 * (growing, shrinking, one page, DONTUNMAP, past its end, whole and
 * back), what a fork child sees; ARCH_MAP_VDSO_64 and _32 while any
 * subset of the parts survives (each in a fork child), and after all are
 * gone: the size returned, the new lines, and the new image's ELF class,
 * machine, type and its dynamic symbols with their versions (the 32-bit
 * image; the 64-bit one's set differs between kernels and ferry).  What
 * the data pages hold is not compared (Linux's: the time, pages the
 * hypervisor gives no clock SIGBUS; a user-mode emulator's vDSO needs
 * none), only that the first page of [vvar] can be read.  glibc's
 * pointers into the vDSO go stale once it moves, so only raw system calls
 * run after that. */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAP_VDSO_32 0x2002
#define MAP_VDSO_64 0x2003
#define MAX_PARTS 8

static char line[512];

/* Raw write, nothing of glibc's that might call the vDSO. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    __builtin_va_list ap;
    __builtin_va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    __builtin_va_end(ap);
    syscall(SYS_write, 1, line, (size_t)n);
}

struct part {
    uint64_t start, end;
    char perms[8], name[32];
};

/* The maps lines named [vdso] or [vvar...], in order. */
static int parts(struct part p[MAX_PARTS])
{
    static char buf[1 << 16];
    int fd = (int)syscall(SYS_open, "/proc/self/maps", 0);
    long n = 0, r;
    while ((r = syscall(SYS_read, fd, buf + n, sizeof buf - 1 - n)) > 0)
        n += r;
    syscall(SYS_close, fd);
    buf[n] = 0;
    int count = 0;
    for (char *l = buf, *nl; *l && (nl = strchr(l, '\n')) && count < MAX_PARTS; l = nl + 1) {
        *nl = 0;
        char *nm = strrchr(l, '[');
        if (nm && (!strcmp(nm, "[vdso]") || !strncmp(nm, "[vvar", 5))) {
            unsigned long long s, e;
            sscanf(l, "%llx-%llx %7s", &s, &e, p[count].perms);
            p[count].start = s, p[count].end = e;
            snprintf(p[count].name, sizeof p[count].name, "%s", nm);
            count++;
        }
    }
    return count;
}

static int by_name(const void *x, const void *y)
{
    return strcmp(((const struct part *)x)->name, ((const struct part *)y)->name);
}

/* The lines by name (their order in the maps depends on where moves
 * went), each with the part right below it, if adjacent. */
static void show(const char *what)
{
    struct part p[MAX_PARTS];
    int n = parts(p);
    qsort(p, (size_t)n, sizeof *p, by_name);
    say("%s:", what);
    for (int i = 0; i < n; i++) {
        say(" %s %s %llu KB", p[i].name, p[i].perms, (unsigned long long)(p[i].end - p[i].start) >> 10);
        for (int j = 0; j < n; j++)
            if (p[j].end == p[i].start)
                say(" (above %s)", p[j].name);
    }
    say("%s\n", n ? "" : " none");
}

static const char *res(long r)
{
    static char buf[32];
    if (r == -1)
        return strerrorname_np(errno);
    snprintf(buf, sizeof buf, "%s", r == 0 ? "0" : "ok");
    return buf;
}

/* What a raw call gave, by name. */
#define TRY(what, call) say("  %s: %s\n", what, res((long)(call)))

/* A free, page-aligned spot of 4 * size bytes (a mremap target room). */
static uint64_t room(uint64_t size)
{
    void *p = mmap(NULL, 4 * size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return (uint64_t)(uintptr_t)p + size;
}

/* Whether the page at a reads: write(2) from it into a pipe. */
static const char *readable(uint64_t a)
{
    int fd[2];
    pipe(fd);
    long r = syscall(SYS_write, fd[1], a, 16);
    close(fd[0]);
    close(fd[1]);
    return r == 16 ? "yes" : strerrorname_np(errno);
}

static void protect_tests(const struct part *p)
{
    uint64_t a = p->start, len = p->end - p->start;
    int orig = (p->perms[0] == 'r' ? PROT_READ : 0) | (p->perms[2] == 'x' ? PROT_EXEC : 0);
    say("%s:\n", p->name);
    TRY("mprotect rw", syscall(SYS_mprotect, a, len, PROT_READ | PROT_WRITE));
    TRY("mprotect rx", syscall(SYS_mprotect, a, len, PROT_READ | PROT_EXEC));
    TRY("mprotect none", syscall(SYS_mprotect, a, len, PROT_NONE));
    TRY("mprotect back", syscall(SYS_mprotect, a, len, orig));
    TRY("mprotect one page to none", syscall(SYS_mprotect, a, 4096, PROT_NONE));
    TRY("mprotect one page as it is", syscall(SYS_mprotect, a, 4096, orig));
    TRY("munmap one page", syscall(SYS_munmap, a, 4096));
    TRY("munmap its last page", syscall(SYS_munmap, p->end - 4096, 4096));
    TRY("MAP_FIXED over one page", syscall(SYS_mmap, a, 4096, PROT_READ,
                                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
    static const int advice[] = { MADV_DONTNEED, MADV_FREE, MADV_COLD, MADV_PAGEOUT,
                                  MADV_WILLNEED, MADV_DOFORK, MADV_DONTDUMP,
                                  MADV_REMOVE };
    say("  madvise:");
    for (unsigned i = 0; i < sizeof advice / sizeof *advice; i++)
        say(" %d=%s", advice[i], res(syscall(SYS_madvise, a, len, advice[i])));
    say("\n");
}

/* The part named name now (*next: the one right above it, if adjacent). */
static int find(const char *name, struct part *p, struct part *next)
{
    struct part all[MAX_PARTS];
    int n = parts(all);
    next->start = next->end = 0;
    for (int i = 0; i < n; i++)
        if (!strcmp(all[i].name, name)) {
            *p = all[i];
            if (i + 1 < n && all[i + 1].start == all[i].end)
                *next = all[i + 1];
            return 1;
        }
    return 0;
}

static void mremap_tests(const char *name)
{
    struct part p, next;
    if (!find(name, &p, &next))
        return;
    uint64_t a = p.start, len = p.end - p.start, to = room(len + 65536);
    int fixed = MREMAP_MAYMOVE | MREMAP_FIXED;
    long r;
    say("%s:\n", p.name);
    TRY("mremap bigger", syscall(SYS_mremap, a, len, len + 4096, fixed, to));
    TRY("mremap smaller", syscall(SYS_mremap, a, len, len - 4096, fixed, to));
    TRY("mremap smaller in place", syscall(SYS_mremap, a, len, len - 4096, 0, 0));
    TRY("mremap one page", syscall(SYS_mremap, a, 4096, 4096, fixed, to));
    TRY("mremap dontunmap", syscall(SYS_mremap, a, len, len, fixed | MREMAP_DONTUNMAP, to));
    r = syscall(SYS_mremap, a, len + 4096, len + 4096, MREMAP_MAYMOVE, 0);
    say("  mremap past its end, same size: %s\n", r == (long)a ? "in place" : res(r));
    if (next.start) {                   /* with the one above: in a child */
        uint64_t both = next.end - a;
        pid_t pid = fork();
        if (pid == 0) {
            long r = syscall(SYS_mremap, a, both, both, fixed, to);
            say("  mremap with the next one: %s\n", r == (long)to ? "moved" : res(r));
            show("  after it");
            r = syscall(SYS_mremap, a, both, both + 4096, fixed, to);
            say("  mremap with the next one, bigger: %s\n", res(r));
            syscall(SYS_exit, 0);
        }
        waitpid(pid, NULL, 0);
    }
    r = syscall(SYS_mremap, a, len, len, fixed, to);
    say("  mremap whole: %s\n", r == (long)to ? "moved" : res(r));
    show("  after the move");
    pid_t pid = fork();
    if (pid == 0) {
        show("  its fork child");
        syscall(SYS_exit, 0);
    }
    waitpid(pid, NULL, 0);
    r = syscall(SYS_mremap, to, len, len, fixed, a);
    say("  mremap back: %s\n", r == (long)a ? "moved" : res(r));
    show("  after it");
}

/* The 32-bit image's dynamic symbols, sorted: name@version type. */
static int cmp_str(const void *x, const void *y) { return strcmp(*(char *const *)x, *(char *const *)y); }

static const char *verdef_name(const Elf32_Verdef *vd, uint64_t load, const char *str, int idx)
{
    for (; vd; vd = vd->vd_next ? (const Elf32_Verdef *)((const char *)vd + vd->vd_next) : NULL)
        if (vd->vd_ndx == idx)
            return str + ((const Elf32_Verdaux *)((const char *)vd + vd->vd_aux))->vda_name;
    (void)load;
    return "?";
}

static void symbols32(uint64_t base)
{
    const Elf32_Ehdr *eh = (const Elf32_Ehdr *)base;
    const Elf32_Phdr *ph = (const Elf32_Phdr *)(base + eh->e_phoff);
    const Elf32_Dyn *dyn = NULL;
    for (int i = 0; i < eh->e_phnum; i++)
        if (ph[i].p_type == PT_DYNAMIC)
            dyn = (const Elf32_Dyn *)(base + ph[i].p_offset);
    const uint32_t *hash = NULL;
    const Elf32_Sym *sym = NULL;
    const char *str = NULL;
    const uint16_t *versym = NULL;
    const Elf32_Verdef *verdef = NULL;
    for (; dyn && dyn->d_tag != DT_NULL; dyn++) {
        uint64_t at = base + dyn->d_un.d_ptr;   /* the image is linked at 0 */
        if (dyn->d_tag == DT_HASH) hash = (const uint32_t *)at;
        if (dyn->d_tag == DT_SYMTAB) sym = (const Elf32_Sym *)at;
        if (dyn->d_tag == DT_STRTAB) str = (const char *)at;
        if (dyn->d_tag == DT_VERSYM) versym = (const uint16_t *)at;
        if (dyn->d_tag == DT_VERDEF) verdef = (const Elf32_Verdef *)at;
    }
    if (!hash || !sym || !str) {
        say("  no symbol table\n");
        return;
    }
    static char text[64][96];
    char *names[64];
    int n = 0;
    for (uint32_t i = 1; i < hash[1] && n < 64; i++) {
        const char *ver = versym ? verdef_name(verdef, base, str, versym[i] & 0x7fff) : "";
        snprintf(text[n], sizeof text[n], "%s@%s %s %s", str + sym[i].st_name, ver,
                 ELF32_ST_TYPE(sym[i].st_info) == STT_FUNC ? "func" : "other",
                 sym[i].st_shndx == SHN_ABS ? "abs" : sym[i].st_shndx ? "defined" : "undefined");
        names[n] = text[n];
        n++;
    }
    qsort(names, (size_t)n, sizeof *names, cmp_str);
    for (int i = 0; i < n; i++)
        say("  symbol %s\n", names[i]);
}

/* The image at base: ELF class, machine, type, entry inside it. */
static void describe(uint64_t base, uint64_t size, int syms)
{
    const unsigned char *e = (const unsigned char *)base;
    if (memcmp(e, ELFMAG, SELFMAG)) {
        say("  not ELF\n");
        return;
    }
    const Elf32_Ehdr *h32 = (const Elf32_Ehdr *)base;   /* the fields up to e_entry */
    uint64_t entry = e[EI_CLASS] == ELFCLASS32 ? h32->e_entry : ((const Elf64_Ehdr *)base)->e_entry;
    say("  ELF class %d, data %d, type %d, machine %d, entry in it: %s\n", e[EI_CLASS],
        e[EI_DATA], h32->e_type, h32->e_machine, entry && entry < size ? "yes" : "no");
    if (syms && e[EI_CLASS] == ELFCLASS32)
        symbols32(base);
}

/* In a fork child: unmaps the parts not in `keep` (bits by index), then
 * asks for both vDSOs. */
static void survivors(int keep, int n)
{
    pid_t pid = fork();
    if (pid) {
        waitpid(pid, NULL, 0);
        return;
    }
    struct part p[MAX_PARTS];
    parts(p);
    for (int i = 0; i < n; i++)
        if (!(keep & 1 << i) && syscall(SYS_munmap, p[i].start, p[i].end - p[i].start))
            say("munmap of %s: %s\n", p[i].name, strerrorname_np(errno));
    char what[64];
    snprintf(what, sizeof what, "keeping %#x", keep);
    show(what);
    say("  MAP_VDSO_64: %s", res(syscall(SYS_arch_prctl, MAP_VDSO_64, 0)));
    say(", MAP_VDSO_32: %s\n", res(syscall(SYS_arch_prctl, MAP_VDSO_32, 0)));
    syscall(SYS_exit, 0);
}

/* In a fork child: MADV_DONTFORK on the parts in `which`, then what a
 * fork grandchild has (Linux copies no VM_DONTCOPY mapping). */
static void dontfork(int which, int n)
{
    pid_t pid = fork();
    if (pid) {
        waitpid(pid, NULL, 0);
        return;
    }
    struct part p[MAX_PARTS];
    parts(p);
    say("MADV_DONTFORK on %#x:", which);
    for (int i = 0; i < n; i++)
        if (which & 1 << i)
            say(" %s", res(syscall(SYS_madvise, p[i].start, p[i].end - p[i].start, MADV_DONTFORK)));
    say("\n");
    if (fork() == 0) {
        show("  its fork child");
        say("  MAP_VDSO_64 there: %s\n", res(syscall(SYS_arch_prctl, MAP_VDSO_64, 0)));
        syscall(SYS_exit, 0);
    }
    wait(NULL);
    syscall(SYS_exit, 0);
}

/* In a fork child: unmaps every part, maps the vDSO op gives. */
static void fresh(const char *name, long op, int n)
{
    pid_t pid = fork();
    if (pid) {
        waitpid(pid, NULL, 0);
        return;
    }
    struct part p[MAX_PARTS];
    parts(p);
    for (int i = 0; i < n; i++)
        syscall(SYS_munmap, p[i].start, p[i].end - p[i].start);
    long r = syscall(SYS_arch_prctl, op, 0);
    int m = parts(p);
    uint64_t vdso = 0, size = 0;
    for (int i = 0; i < m; i++)
        if (!strcmp(p[i].name, "[vdso]"))
            vdso = p[i].start, size = p[i].end - p[i].start;
    say("%s after unmapping all: %s\n", name, r > 0 && (uint64_t)r == size ? "the [vdso] size" : res(r));
    show("  lines");
    if (vdso)
        describe(vdso, size, op == MAP_VDSO_32);
    say("  %s again: %s\n", name, res(syscall(SYS_arch_prctl, op, 0)));
    syscall(SYS_exit, 0);
}

int main(void)
{
    struct part p[MAX_PARTS];
    int n = parts(p);
    show("start");
    if (!n)
        return 1;
    for (int i = 0; i < n; i++)
        if (!strcmp(p[i].name, "[vvar]"))
            say("[vvar]'s first page readable: %s\n", readable(p[i].start));
    for (int i = 0; i < n; i++)
        protect_tests(&p[i]);
    show("after them");
    for (int i = 0; i < n; i++)
        mremap_tests(p[i].name);
    show("after the moves");
    n = parts(p);
    for (int keep = 1; keep < (1 << n) - 1; keep++)
        survivors(keep, n);
    dontfork((1 << n) - 1, n);
    for (int i = 0; i < n; i++)
        dontfork(1 << i, n);
    fresh("MAP_VDSO_64", MAP_VDSO_64, n);
    fresh("MAP_VDSO_32", MAP_VDSO_32, n);
    say("exit\n");
    return 0;
}
