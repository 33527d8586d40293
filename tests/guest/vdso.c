/* vdso.c -- the vDSO Linux gives every x86-64 process, as programs use it:
 *  - AT_SYSINFO_EHDR points at an ELF shared object that the [vdso] line
 *    of /proc/self/maps covers (r-x);
 *  - its symbols found as Go's runtime finds them (DT_HASH, DT_SYMTAB,
 *    DT_STRTAB, DT_VERSYM and DT_VERDEF, version LINUX_2.6) and called:
 *    clock_gettime, gettimeofday, time, getcpu, clock_getres, also with a
 *    bad clock id (the raw -EINVAL), checked against the system calls;
 *  - glibc's clock_gettime (which goes through it), and glibc's view of
 *    it (dl_iterate_phdr: linux-vdso.so.1 with an eh_frame header; dlopen
 *    with RTLD_NOLOAD, dlsym, dlvsym, dladdr);
 *  - an unwinder walking out of it: backtrace() in a SIGPROF handler that
 *    interrupted a call into the vDSO finds the vDSO frame, then its caller;
 *  - all of it again after execve.
 * Values that change between runs are printed as checks, not values.
 * (The static builds link dlopen: ld warns about it, natively harmless.) */
//@cflags: -Wl,--no-warnings
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <limits.h>
#include <execinfo.h>
#include <link.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

static uintptr_t vdso_base, vdso_end;

/* ---- finding symbols as Go's runtime does ---- */

struct vdso_info {
    uintptr_t load_offset;
    const Elf64_Sym *symtab;
    const char *strtab;
    const Elf32_Word *hash;     /* nbucket, nchain, buckets, chains */
    const Elf64_Half *versym;
    const Elf64_Verdef *verdef;
};

static int vdso_parse(struct vdso_info *vi, uintptr_t base)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(base + eh->e_phoff);
    const Elf64_Dyn *dyn = NULL;
    int loads = 0;
    memset(vi, 0, sizeof *vi);
    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
        eh->e_type != ET_DYN || eh->e_machine != EM_X86_64)
        return -1;
    for (int i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == PT_LOAD && !loads++)
            vi->load_offset = base + ph[i].p_offset - ph[i].p_vaddr;
        if (ph[i].p_type == PT_DYNAMIC)
            dyn = (const Elf64_Dyn *)(base + ph[i].p_offset);
    }
    if (!loads || !dyn)
        return -2;
    for (; dyn->d_tag != DT_NULL; dyn++) {
        uintptr_t p = vi->load_offset + dyn->d_un.d_ptr;
        switch (dyn->d_tag) {
        case DT_STRTAB: vi->strtab = (const char *)p; break;
        case DT_SYMTAB: vi->symtab = (const Elf64_Sym *)p; break;
        case DT_HASH: vi->hash = (const Elf32_Word *)p; break;
        case DT_VERSYM: vi->versym = (const Elf64_Half *)p; break;
        case DT_VERDEF: vi->verdef = (const Elf64_Verdef *)p; break;
        }
    }
    return vi->strtab && vi->symtab && vi->hash ? 0 : -3;
}

/* The version index of `name` in the verdef chain, -1 if none. */
static int vdso_version(const struct vdso_info *vi, const char *name)
{
    const Elf64_Verdef *d = vi->verdef;
    while (d) {
        const Elf64_Verdaux *aux = (const Elf64_Verdaux *)((const char *)d + d->vd_aux);
        if (!(d->vd_flags & VER_FLG_BASE) && !strcmp(vi->strtab + aux->vda_name, name))
            return d->vd_ndx & 0x7fff;
        d = d->vd_next ? (const Elf64_Verdef *)((const char *)d + d->vd_next) : NULL;
    }
    return -1;
}

/* The System V ELF hash of DT_HASH. */
static uint32_t elf_hash_name(const char *name)
{
    uint32_t h = 0, g;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        h = (h << 4) + *p;
        g = h & 0xf0000000u;
        if (g)
            h ^= g >> 24;
        h &= ~g;
    }
    return h;
}

static void *vdso_sym(const struct vdso_info *vi, const char *name, int ver)
{
    Elf32_Word nbucket = vi->hash[0];
    const Elf32_Word *bucket = vi->hash + 2, *chain = bucket + nbucket;
    for (Elf32_Word i = bucket[elf_hash_name(name) % nbucket]; i; i = chain[i]) {
        const Elf64_Sym *s = vi->symtab + i;
        int type = ELF64_ST_TYPE(s->st_info), bind = ELF64_ST_BIND(s->st_info);
        if (type != STT_FUNC || (bind != STB_GLOBAL && bind != STB_WEAK) || !s->st_shndx)
            continue;
        if (strcmp(vi->strtab + s->st_name, name))
            continue;
        if (vi->versym && ver >= 0 && (vi->versym[i] & 0x7fff) != ver)
            continue;
        return (void *)(vi->load_offset + s->st_value);
    }
    return NULL;
}

/* ---- the mapping ---- */

static void maps_line(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    int found = 0;
    while (f && fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        char perms[8];
        if (!strstr(line, "[vdso]") || sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3)
            continue;
        found++;
        printf("[vdso] line: %s, holds the ELF header %d\n", perms, lo <= vdso_base && vdso_base < hi);
        if (lo == vdso_base)
            vdso_end = hi;
    }
    if (f)
        fclose(f);
    printf("[vdso] lines: %d\n", found);
}

/* ---- calls ---- */

typedef long (*clock_fn)(clockid_t, struct timespec *);
typedef long (*tod_fn)(struct timeval *, void *);
typedef long (*time_fn)(long *);
typedef long (*cpu_fn)(unsigned *, unsigned *, void *);

static double ts_sec(const struct timespec *t) { return (double)t->tv_sec + t->tv_nsec * 1e-9; }

static volatile clock_fn spin_fn;

static void calls(const struct vdso_info *vi, int ver)
{
    clock_fn cg = (clock_fn)vdso_sym(vi, "__vdso_clock_gettime", ver);
    clock_fn cr = (clock_fn)vdso_sym(vi, "__vdso_clock_getres", ver);
    tod_fn tod = (tod_fn)vdso_sym(vi, "__vdso_gettimeofday", ver);
    time_fn tm = (time_fn)vdso_sym(vi, "__vdso_time", ver);
    cpu_fn gc = (cpu_fn)vdso_sym(vi, "__vdso_getcpu", ver);
    static const char *const names[] = { "clock_gettime", "__vdso_clock_gettime",
        "gettimeofday", "__vdso_gettimeofday", "time", "__vdso_time", "getcpu",
        "__vdso_getcpu", "clock_getres", "__vdso_clock_getres" };
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
        void *p = vdso_sym(vi, names[i], ver);
        printf("symbol %s@LINUX_2.6: %s\n", names[i],
               !p ? "absent" : (uintptr_t)p >= vdso_base && (uintptr_t)p < vdso_end ? "in the vDSO" : "elsewhere");
    }
    printf("unversioned lookup of __vdso_time: %d, of LINUX_2.5: %d\n",
           vdso_sym(vi, "__vdso_time", -1) == (void *)tm, vdso_version(vi, "LINUX_2.5"));
    if (!cg || !cr || !tod || !tm || !gc)
        return;
    spin_fn = cg;
    static const clockid_t ids[] = { CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME,
                                     CLOCK_MONOTONIC_RAW, CLOCK_REALTIME_COARSE,
                                     CLOCK_MONOTONIC_COARSE, CLOCK_PROCESS_CPUTIME_ID };
    for (unsigned i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        struct timespec a, b, c, res;
        long r1 = cg(ids[i], &a);
        syscall(SYS_clock_gettime, ids[i], &b);
        long r2 = cg(ids[i], &c);
        long r3 = cr(ids[i], &res);
        printf("clock %d: %ld %ld ordered %d close %d, res %ld: %lld.%09ld\n", (int)ids[i], r1, r2,
               ts_sec(&a) <= ts_sec(&b) + 0.02 && ts_sec(&b) <= ts_sec(&c) + 0.02,
               ts_sec(&c) - ts_sec(&a) < 1.0, r3, (long long)res.tv_sec,
               ids[i] == CLOCK_REALTIME_COARSE || ids[i] == CLOCK_MONOTONIC_COARSE ? 0 : res.tv_nsec);
    }
    struct timespec ts;
    printf("bad clock id: %ld, getres: %ld; -1: %ld, INT_MIN: %ld, INT_MAX: %ld\n",
           cg(12345, &ts), cr(12345, &ts), cg(-1, &ts), cg(INT_MIN, &ts), cg(INT_MAX, &ts));
    struct timezone tz_sys = { -1, -1 }, tz_vdso = { -2, -2 };
    syscall(SYS_gettimeofday, NULL, &tz_sys);
    long rtz = tod(NULL, &tz_vdso);
    printf("timezone: %ld, same as the system call's %d; null tv and tz: %ld\n",
           rtz, tz_sys.tz_minuteswest == tz_vdso.tz_minuteswest &&
           tz_sys.tz_dsttime == tz_vdso.tz_dsttime, tod(NULL, NULL));
    struct timeval tv;
    long t0 = tm(NULL), tt = 0;
    long r = tod(&tv, NULL);
    long t1 = tm(&tt);
    /* time() reads the coarse clock: up to a tick behind gettimeofday */
    printf("gettimeofday %ld: within a second of time() %d, usec ok %d; time(&t) stored %d\n", r,
           t0 <= tv.tv_sec + 1 && tv.tv_sec <= t1 + 1, tv.tv_usec >= 0 && tv.tv_usec < 1000000, tt == t1);
    unsigned cpu = ~0u, node = ~0u;
    r = gc(&cpu, &node, NULL);
    printf("getcpu %ld: cpu in range %d, node %u; null arguments: %ld\n", r,
           cpu < (unsigned)sysconf(_SC_NPROCESSORS_CONF), node, gc(NULL, NULL, NULL));
    struct timespec g;
    r = clock_gettime(CLOCK_MONOTONIC, &g);
    cg(CLOCK_MONOTONIC, &ts);
    printf("glibc clock_gettime %d, close to the vDSO's %d; glibc time() close %d\n", (int)r,
           ts_sec(&ts) - ts_sec(&g) < 1.0 && ts_sec(&ts) >= ts_sec(&g), time(NULL) - tm(NULL) <= 1);
}

/* ---- glibc's view ---- */

static int on_object(struct dl_phdr_info *info, size_t size, void *data)
{
    if (info->dlpi_addr != vdso_base && !(info->dlpi_name && strstr(info->dlpi_name, "vdso")))
        return 0;
    int eh = 0;
    for (int i = 0; i < info->dlpi_phnum; i++)
        eh |= info->dlpi_phdr[i].p_type == PT_GNU_EH_FRAME;
    printf("dl_iterate_phdr: %s at the vDSO %d, eh_frame header %d\n", info->dlpi_name,
           info->dlpi_addr == vdso_base, eh);
    ++*(int *)data;
    return 0;
}

/* dlopen's handle on the vDSO (no handle in a static program, natively
 * too), dlsym and dlvsym through it. */
static void dl_lookup(const struct vdso_info *vi, int ver)
{
    void *h = dlopen("linux-vdso.so.1", RTLD_LAZY | RTLD_LOCAL | RTLD_NOLOAD);
    printf("dlopen(linux-vdso.so.1, RTLD_NOLOAD): %s\n", h ? "handle" : "NULL");
    if (!h)
        return;
    void *a = dlsym(h, "__vdso_clock_gettime");
    void *b = dlvsym(h, "__vdso_getcpu", "LINUX_2.6");
    void *c = dlvsym(h, "__vdso_getcpu", "LINUX_2.5");
    printf("dlsym __vdso_clock_gettime: same %d; dlvsym __vdso_getcpu@LINUX_2.6 same %d, @LINUX_2.5 %s\n",
           a == vdso_sym(vi, "__vdso_clock_gettime", ver), b == vdso_sym(vi, "__vdso_getcpu", ver),
           c ? "found" : "NULL");
    Dl_info info;
    if (a && dladdr(a, &info))
        printf("dladdr: %s, base at the vDSO %d\n", info.dli_fname,
               (uintptr_t)info.dli_fbase == vdso_base);
}

/* ---- unwinding out of it ---- */

static volatile int hits, walked, caller_found, tries;
static void *volatile spin_entry;

static void on_prof(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    uintptr_t pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
    tries++;
    if (pc < vdso_base || pc >= vdso_end || hits)
        return;
    hits++;
    void *frames[32];
    int n = backtrace(frames, 32);
    /* Linux's functions may call each other inside the vDSO: the caller
     * is the first frame after the vDSO's */
    for (int i = 0; i < n; i++) {
        uintptr_t f = (uintptr_t)frames[i];
        bool in_vdso = f >= vdso_base && f < vdso_end;
        if (in_vdso) {
            walked = 1;
            continue;
        }
        if (walked) {
            caller_found = f > (uintptr_t)spin_entry && f < (uintptr_t)spin_entry + 512;
            break;
        }
    }
}

static __attribute__((noinline)) void spin(void)
{
    struct timespec ts;
    for (long i = 0; i < 20000000 && !hits; i++)
        spin_fn(CLOCK_MONOTONIC, &ts);
}

static void unwind(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_prof;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigaction(SIGPROF, &sa, NULL);
    struct itimerval it = { { 0, 2000 }, { 0, 2000 } };
    spin_entry = (void *)spin;
    setitimer(ITIMER_PROF, &it, NULL);
    spin();
    memset(&it, 0, sizeof it);
    setitimer(ITIMER_PROF, &it, NULL);
    printf("signal in the vDSO %d: backtrace() found its frame %d, then its caller %d\n",
           hits, walked, caller_found);
}

int main(int argc, char **argv)
{
    vdso_base = getauxval(AT_SYSINFO_EHDR);
    printf("%s: AT_SYSINFO_EHDR %s\n", argc > 1 ? "after execve" : "first", vdso_base ? "set" : "0");
    if (!vdso_base)
        return 0;
    maps_line();
    struct vdso_info vi;
    int r = vdso_parse(&vi, vdso_base);
    int ver = r ? -1 : vdso_version(&vi, "LINUX_2.6");
    printf("ELF: %d, DT_VERSYM %d, DT_VERDEF %d, LINUX_2.6 defined %d\n", r, vi.versym != NULL,
           vi.verdef != NULL, ver > 0);
    if (r)
        return 0;
    calls(&vi, ver);
    dl_lookup(&vi, ver);
    int objects = 0;
    dl_iterate_phdr(on_object, &objects);
    printf("objects naming the vDSO: %d\n", objects);
    if (argc > 1)
        return 0;
    unwind();
    fflush(stdout);
    execl("/proc/self/exe", argv[0], "again", (char *)NULL);
    perror("execl");
    return 1;
}
