/* main.c -- ferry's program: its command line (cli_ferry.c), loading the
 * guest program, an engine for it, its first CPU state, and the user-mode
 * run loop (syscalls/sys_cpu_loop.c). */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend.h"
#include "cli_ferry.h"
#include "frontend.h"
#include "loader.h"
#include "options.h"
#include "syscalls.h"
#include "translator.h"
#include "x86_cpu.h"

/* Where ferry's data and bss end, short of the padding that fills their
 * 2 MiB window (backends/start_data.ld, linked into the program only):
 * backends/start_prefault.h populates no further when the segment stays
 * where the kernel mapped it.  Called before relocation and TLS: a
 * PC-relative address, nothing else. */
extern const uint8_t __ferry_data_end[] __attribute__((visibility("hidden")));
__attribute__((visibility("hidden"), optimize("no-stack-protector"), no_sanitize("undefined", "address")))
uintptr_t start_data_end(void);
uintptr_t start_data_end(void)
{
    return (uintptr_t)__ferry_data_end;
}

extern char **environ;

/* Debug builds (MODE=debug) validate every block's IR. */
#ifndef FERRY_DEBUG_BUILD
#define FERRY_DEBUG_BUILD 0
#endif

static struct x86_cpu *new_cpu(const struct ld_image *img)
{
    struct x86_cpu *cpu = tr_env_alloc(fe_x86_64.env_size);     /* zeroed */
    fe_x86_64.reset(cpu);
    cpu->regs[X86_RSP] = img->stack_pointer;
    cpu->rt.pc = img->entry;
    return cpu;
}


/* ferry's own path: /proc/self/exe, else how it was started -- argv[0]
 * when it holds a '/' (binfmt_misc passes the registered absolute path;
 * there AT_EXECFN is the guest program's), else the path the shell's
 * PATH search gave execve (AT_EXECFN). */
static char *self_path(const char *argv0)
{
    char *r = realpath("/proc/self/exe", NULL);
    if (r || strchr(argv0, '/'))
        return r ? r : realpath(argv0, NULL);
    return getauxval(AT_EXECFN) ? realpath((const char *)getauxval(AT_EXECFN), NULL) : NULL;
}

/* Guest execve re-executes ferry (syscalls/sys_exec.c) through an O_PATH
 * descriptor of its binary (inherited from the ferry before it, so a
 * process tree runs one binary even while the path is relinked): it
 * needs no /proc, still works after the guest chroots, and binfmt_misc's
 * F flag (ferry outside the chroot) is served through /proc/self/exe
 * while /proc is there at start.  The path
 * stays for exec wrappers (qemu-user) and as a fallback; with neither,
 * guest execve goes through the kernel (binfmt_misc brings ferry back). */
static void keep_self(int fd)
{
    struct stat st;
    if (fd < 0)
        fd = open("/proc/self/exe", O_PATH | O_CLOEXEC);
    if (fd < 0 && ferry_opts.self_exe)
        fd = open(ferry_opts.self_exe, O_PATH | O_CLOEXEC);
    if (fd < 0)
        return;
    ferry_opts.self_fd = fcntl(fd, F_DUPFD_CLOEXEC, FERRY_SELF_FD_MIN);
    /* A soft limit under 902, or no number free: it stays where it is
     * after an exec that lent the number (the one the ferry before held);
     * else only while loading leaves numbers enough (sys_start.c's
     * sys_exec_self_fd_adopt then moves it out of the guest's way, or
     * closes it: a ferry started short of numbers takes none of the
     * guest's). */
    if (ferry_opts.self_fd < 0 && (ferry_opts.self_lent || !sys_ferry_fd_short(3)) &&
        fcntl(fd, F_SETFD, FD_CLOEXEC) == 0)
        ferry_opts.self_fd = fd;
    else
        close(fd);
    if (ferry_opts.self_fd >= 0 && fstat(ferry_opts.self_fd, &st) == 0)
        ferry_opts.self_dev = st.st_dev, ferry_opts.self_ino = st.st_ino;
}

/* Returns true when the descriptor is left for keep_self after the
 * program is loaded: the ferry before lent its binary's number to its
 * exec (sys_exec.c, SYS_EXEC_SELF_LENT_ENV) and the guest took all
 * numbers but two, which loading needs.  A ferry started short of numbers
 * by anything else (inherited descriptors under a low limit) keeps
 * nothing of its own at a guest number. */
static bool find_self(const char *argv0)
{
    char *passed;
    int fd = sys_exec_passed_self(&passed);     /* a guest's execve: the same file */
    ferry_opts.self_lent = sys_exec_passed_lent();
    ferry_opts.self_exe = fd >= 0 ? passed : self_path(argv0);
    if (fd >= 0 && fcntl(fd, F_GETFD) == -1)
        fd = -1;
    if (fd < 0 && ferry_opts.self_lent && sys_ferry_fd_short(3))
        return true;
    keep_self(fd);
    return false;
}

/* binfmt_misc's O flag opened the program for ferry (AT_EXECFD), or the
 * ferry before a guest's execveat passed its descriptor: the
 * loader reads it through that descriptor (execute-only programs), moved
 * out of the guest's way and closed once the program is loaded, so the
 * guest's descriptors stay as native. */
static int take_exec_fd(const char *path)
{
    errno = 0;
    unsigned long fd = getauxval(AT_EXECFD);
    if (errno || fd > (unsigned long)INT32_MAX)
        fd = (unsigned long)sys_exec_passed_fd();      /* the guest's execveat */
    if (fd > (unsigned long)INT32_MAX)
        return -1;
    int moved = fcntl((int)fd, F_DUPFD_CLOEXEC, FERRY_SELF_FD_MIN);
    close((int)fd);
    ld_exec_fd_set(path, moved);
    return moved;
}

/* The engine's cfg.keep_fd: the code cache's memfd, ferry's own but
 * given up to a guest that needs its number.  After an exec that lent
 * the guest's last number it takes the number the ferry
 * before held, so the guest's space stays as full as it was. */
static bool keep_in_place;

static const int *keep_engine_fd(int fd)
{
    const int *slot = keep_in_place ? sys_ferry_fd_adopt_in_place(fd) : sys_ferry_fd_adopt(fd);
    sys_ferry_fd_droppable(slot);
    return slot;
}

/* The program (and interpreter) loaded by a thread with a descriptor
 * table of its own when the guest left fewer than the two numbers they
 * take (sys_fd_private.c): an exec after ferry gave its descriptors up to
 * a guest that filled its space (soft = hard RLIMIT_NOFILE), or lent it
 * the one it kept under an emulator. */
struct load_call {
    const char *path;
    char *const *argv;
    struct ld_image *img;
    char *err;
    size_t len;
    int st;
};

static void load_privately(void *p)
{
    struct load_call *c = p;
    c->st = sys_process_load(c->path, c->argv, environ, c->img, c->err, c->len);
    x86_machine();                      /* its /proc/cpuinfo, while numbers are there */
}

static int load(const char *path, char *const *argv, struct ld_image *img, char *err, size_t len, int exec_fd)
{
    struct load_call c = { path, argv, img, err, len, 1 };
    if (exec_fd < 0 && sys_ferry_fd_short(2) && sys_fd_private_run(load_privately, &c, -1))
        return c.st;
    return sys_process_load(path, argv, environ, img, err, len);
}

static void drop_exec_fd(int fd)
{
    if (fd >= 0)
        close(fd);
    ld_exec_fd_set(NULL, -1);
}

/* Test hook (tests/reliab/wx_store.c): FERRY_DEBUG_CODE_CACHE=FILE gets
 * the range where translated code runs, for a guest to aim stores at,
 * and on a second line a page of ferry's heap (tests/reliab/ferry_ptr.c:
 * syscalls given it must fail as for an unmapped address). */
static void tell_code_range(struct tr_engine *e)
{
    const char *path = getenv("FERRY_DEBUG_CODE_CACHE");
    FILE *f = path ? fopen(path, "w") : NULL;
    if (!f)
        return;
    const void *start, *end;
    tr_code_range(e, &start, &end);
    fprintf(f, "%lx %lx\n", (unsigned long)(uintptr_t)start, (unsigned long)(uintptr_t)end);
    static char *heap_page;
    if (!heap_page)
        heap_page = calloc(1, 8192);
    fprintf(f, "heap %lx\n", (unsigned long)(uintptr_t)heap_page);
    fclose(f);
}

/* x86's #GP for non-canonical data addresses on a host that needs tests
 * for it (engine config check_canonical): FERRY_CANONICAL_CHECK=1 (an
 * ordinary variable of the guest's environment: it reaches the ferry of
 * every execve'd program too).  Off by default until python3-like code
 * costs under 3 % (docs/status.md, "a64canon"). */
static bool canonical_check_wanted(void)
{
    const char *v = getenv("FERRY_CANONICAL_CHECK");
    return v && *v && strcmp(v, "0") != 0;
}

/* The crypto ops' C helpers even where the host has AES/carry-less
 * multiply instructions (be_soft_crypto, backend.h): FERRY_SOFT_CRYPTO=1,
 * an ordinary guest variable like FERRY_CANONICAL_CHECK, so the tests can
 * run both paths on one host. */
static bool soft_crypto_wanted(void)
{
    const char *v = getenv("FERRY_SOFT_CRYPTO");
    return v && *v && strcmp(v, "0") != 0;
}

/* All-or-nothing page-crossing scalar stores on hosts that may write part
 * of one (be_store_cross_check, backend.h): FERRY_STORE_CROSS_CHECK=1, an
 * ordinary guest variable like FERRY_CANONICAL_CHECK.  Off by default: it
 * costs +5-8 % AArch64 host instructions (docs/status.md, "a64cross"). */
static bool store_cross_wanted(void)
{
    const char *v = getenv("FERRY_STORE_CROSS_CHECK");
    return v && *v && strcmp(v, "0") != 0;
}

/* The program's own code: its PT_LOAD segments as mapped (the persistent
 * translation cache keeps translations of these pages only). */
static void program_range(const struct ld_image *img, uint64_t *lo, uint64_t *hi)
{
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(uintptr_t)img->phdr;
    *lo = UINT64_MAX;
    *hi = 0;
    for (uint64_t k = 0; ph && img->phent == sizeof *ph && k < img->phnum; k++) {
        if (ph[k].p_type != PT_LOAD)
            continue;
        uint64_t a = img->load_bias + ph[k].p_vaddr, b = a + ph[k].p_memsz;
        *lo = a < *lo ? a : *lo;
        *hi = b > *hi ? b : *hi;
    }
}

static void open_tcache(struct tr_engine *e, const struct ld_image *img)
{
    uint64_t lo, hi;
    if (!ferry_opts.tcache_dir || !img->exe_path)
        return;
    program_range(img, &lo, &hi);
    const char *cpu = x86_cpu_model_selected();
    char options[640];                  /* the machine name may be ~400 characters */
    snprintf(options, sizeof options, "%s machine=%s%s%s host-features=%x", cpu ? cpu : "host",
             x86_machine_name(), be_soft_crypto ? " soft-crypto" : "",
             be_store_cross_check ? " store-cross" : "", be_host_features());
    tr_tcache_open(e, ferry_opts.tcache_dir, img->exe_path, options, lo, hi);
}

int main(int argc, char **argv)
{
    struct cli_ferry_guest guest;
    argv = sys_exec_take_prefix(&argc, argv);
    bool self_later = find_self(argv[0]);
    cli_ferry_parse(argc, argv, ferry_opts.self_exe, &guest);

    struct ld_image img;
    char err[512];
    int exec_fd = take_exec_fd(guest.path);
    int st = load(guest.path, guest.argv, &img, err, sizeof(err), exec_fd);
    drop_exec_fd(exec_fd);
    if (st) {
        fprintf(stderr, "%s\n", err);
        return st;
    }
    keep_in_place = self_later;
    if (self_later) {
        keep_self(-1);
        sys_exec_self_fd_adopt();
    }
    /* (sys_process_load set sys_proc's break and exe_path: for a script,
     * the interpreter is /proc/self/exe) */
    be_soft_crypto = soft_crypto_wanted();
    be_store_cross_check = store_cross_wanted();
    struct tr_engine_config cfg = {
        .guest = &fe_x86_64, .mem = tr_mem_host(),
        .code_cache_size = ferry_opts.code_cache_size,
        .count_blocks = ferry_opts.stats && !ferry_opts.tcache_dir,     /* counters: not cacheable */
        .ras = ferry_opts.ras,
        .on_translate = ferry_opts.perfmap ? sys_perfmap_block : NULL,
        .check_ir = ferry_opts.check_ir || FERRY_DEBUG_BUILD,
        .keep_fd = keep_engine_fd,
        .replace_fd = sys_ferry_fd_replace,
        .env_guard = true,              /* every CPU from tr_env_alloc */
        .check_canonical = canonical_check_wanted(),
    };
    sys_engine = tr_engine_new(&cfg);
    tell_code_range(sys_engine);
    open_tcache(sys_engine, &img);
    sys_process_mapped(&img);
    struct x86_cpu *cpu = new_cpu(&img);
    tr_cpu_attach(sys_engine, cpu);
    sys_ferry_fd_started();             /* the guest's soft RLIMIT_NOFILE, before its first instruction */
    sys_cpu_loop(cpu);
}
