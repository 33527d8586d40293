/* test_loader.c -- the ELF loader against the kernel: a native static
 * program printing its argv/envp/auxv is the oracle for the initial stack
 * ld_load_program() builds; malformed programs (tests/elf/elf_cases.h)
 * must be refused with the right line and status. */
#include <criterion/criterion.h>
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../elf/elf_cases.h"
#include "loader.h"

static const char auxv_printer[] =
    "#include <stdio.h>\n#include <elf.h>\n"
    "int main(int argc, char **argv, char **envp) {\n"
    "  printf(\"argc %d\\n\", argc);\n"
    "  for (int i = 0; i < argc; i++) printf(\"argv %s\\n\", argv[i]);\n"
    "  char **e = envp; while (*e) printf(\"envp %s\\n\", *e++);\n"
    "  Elf64_auxv_t *a = (Elf64_auxv_t *)(e + 1), *phdr = 0, *entry = 0;\n"
    "  for (; a->a_type != AT_NULL; a++) {\n"
    "    if (a->a_type == AT_PHDR) phdr = a; if (a->a_type == AT_ENTRY) entry = a;\n"
    "    if (a->a_type == 51 || a->a_type == 27 || a->a_type == 28) continue;\n"
    "    if (a->a_type == AT_PLATFORM || a->a_type == AT_EXECFN)\n"
    "      printf(\"aux %lu %s\\n\", a->a_type, (char *)a->a_un.a_val);\n"
    "    else if (a->a_type == AT_RANDOM || a->a_type == AT_HWCAP || a->a_type == AT_HWCAP2 ||\n"
    "             a->a_type == AT_SYSINFO_EHDR)\n"
    "      printf(\"aux %lu\\n\", a->a_type);\n"
    "    else if (a->a_type != AT_PHDR && a->a_type != AT_ENTRY)\n"
    "      printf(\"aux %lu %lu\\n\", a->a_type, a->a_un.a_val);\n"
    "  }\n"
    "  printf(\"entry-phdr %ld\\n\", (long)(entry->a_un.a_val - phdr->a_un.a_val));\n"
    "  return 0;\n}\n";

static char workdir[] = "/tmp/ferry-ld-XXXXXX";

static void make_workdir(void)
{
    cr_assert(mkdtemp(workdir));
}

static void cleanup_workdir(void)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", workdir);
    cr_expect(system(cmd) == 0);
}

/* Compiles src into WORKDIR/name with the given gcc flags. */
static const char *build(const char *name, const char *src, const char *flags)
{
    static char bin[512];
    char c[512], cmd[2048];
    snprintf(c, sizeof c, "%s/%s.c", workdir, name);
    snprintf(bin, sizeof bin, "%s/%s", workdir, name);
    FILE *f = fopen(c, "w");
    cr_assert(f);
    fputs(src, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "gcc %s -O1 -o %s %s", flags, bin, c);
    cr_assert(system(cmd) == 0, "cannot build %s", name);
    return bin;
}

static char *const test_argv[] = { "prog-name", "a b", "", "x", NULL };
static char *const test_envp[] = { "A=1", "B=two", "EMPTY=", NULL };
/* AT_HWCAP is not compared with the kernel's; AT_PLATFORM is. */
static const struct ld_params test_params = { .hwcap = 0x178bfbff, .platform = "x86_64",
                                               .minsigstksz = 1760 };

/* Runs path natively with test_argv/test_envp; returns its stdout. */
static char *run_native(const char *path)
{
    int fd[2];
    static char out[16384];
    cr_assert(pipe(fd) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd[1], 1);
        execve(path, test_argv, test_envp);
        _exit(127);
    }
    close(fd[1]);
    size_t n = 0;
    ssize_t r;
    while ((r = read(fd[0], out + n, sizeof out - 1 - n)) > 0)
        n += (size_t)r;
    out[n] = 0;
    close(fd[0]);
    waitpid(pid, NULL, 0);
    return out;
}

/* The same report as auxv_printer, from the stack ferry built. */
static char *describe_stack(uint64_t sp)
{
    static char out[16384];
    size_t n = 0;
    uint64_t *w = (uint64_t *)(uintptr_t)sp, phdr = 0, entry = 0;
    uint64_t argc = *w++;
    n += (size_t)snprintf(out + n, sizeof out - n, "argc %d\n", (int)argc);
    for (uint64_t i = 0; i < argc; i++)
        n += (size_t)snprintf(out + n, sizeof out - n, "argv %s\n", (char *)(uintptr_t)*w++);
    cr_assert(*w++ == 0);
    while (*w)
        n += (size_t)snprintf(out + n, sizeof out - n, "envp %s\n", (char *)(uintptr_t)*w++);
    for (w++; w[0] != AT_NULL; w += 2) {
        if (w[0] == 51)     /* AT_MINSIGSTKSZ: the host's XSAVE size; the printer skips it */
            continue;
        phdr = w[0] == AT_PHDR ? w[1] : phdr;
        entry = w[0] == AT_ENTRY ? w[1] : entry;
        if (w[0] == AT_PLATFORM || w[0] == AT_EXECFN)
            n += (size_t)snprintf(out + n, sizeof out - n, "aux %lu %s\n", (unsigned long)w[0],
                                  (char *)(uintptr_t)w[1]);
        else if (w[0] == AT_RANDOM || w[0] == AT_HWCAP || w[0] == AT_HWCAP2 || w[0] == AT_SYSINFO_EHDR)
            n += (size_t)snprintf(out + n, sizeof out - n, "aux %lu\n", (unsigned long)w[0]);
        else if (w[0] != AT_PHDR && w[0] != AT_ENTRY)
            n += (size_t)snprintf(out + n, sizeof out - n, "aux %lu %lu\n", (unsigned long)w[0],
                                  (unsigned long)w[1]);
    }
    snprintf(out + n, sizeof out - n, "entry-phdr %ld\n", (long)(entry - phdr));
    return out;
}

static uint64_t auxv_value(uint64_t sp, uint64_t key)
{
    uint64_t *w = (uint64_t *)(uintptr_t)sp;
    w += w[0] + 2;
    while (*w++)
        ;
    for (; w[0] != AT_NULL; w += 2)
        if (w[0] == key)
            return w[1];
    return 0;
}

/* Strings sit above the tables, argv then envp then AT_EXECFN, and the
 * stack ends 8 bytes after it, page-aligned, as on Linux. */
static void check_layout(uint64_t sp, const char *path)
{
    cr_assert_eq(sp % 16, 0);
    const uint64_t *w = (const uint64_t *)(uintptr_t)sp;
    uint64_t argc = w[0], prev = sp;
    for (uint64_t i = 0; i < argc; i++) {
        cr_assert_gt(w[1 + i], prev);
        prev = w[1 + i];
    }
    uint64_t execfn = auxv_value(sp, AT_EXECFN);
    cr_assert_str_eq((char *)(uintptr_t)execfn, path);
    cr_assert_eq((execfn + strlen(path) + 1 + 8) % 4096, 0);
    uint64_t random = auxv_value(sp, AT_RANDOM);
    cr_assert(random > sp && random < execfn);
}

static void check_program(const char *flags)
{
    char err[512];
    struct ld_image img;
    make_workdir();
    const char *bin = build("auxv", auxv_printer, flags);
    char *native = strdup(run_native(bin));
    int st = ld_load_program(bin, test_argv, test_envp, &test_params, &img, err, sizeof err);
    cr_assert_eq(st, 0, "%s", err);
    cr_assert_str_eq(describe_stack(img.stack_pointer), native);
    check_layout(img.stack_pointer, bin);
    cr_assert_eq(img.entry, auxv_value(img.stack_pointer, AT_ENTRY));
    cr_assert_eq(img.phdr, auxv_value(img.stack_pointer, AT_PHDR));
    cr_assert_eq(img.brk_start % 4096, 0);
    free(native);
    cleanup_workdir();
}

Test(loader, static_exec_stack_matches_kernel) { check_program("-static"); }
Test(loader, static_pie_stack_matches_kernel) { check_program("-static-pie -fPIE"); }

Test(loader, static_exec_segments_mapped_with_contents)
{
    char err[512];
    struct ld_image img;
    make_workdir();
    const char *bin = build("auxv", auxv_printer, "-static");
    cr_assert_eq(ld_load_program(bin, test_argv, test_envp, &test_params, &img, err, sizeof err), 0, "%s", err);
    cr_assert_eq(img.load_bias, 0);
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)(uintptr_t)(img.phdr - 64);
    cr_assert(memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0, "ELF header mapped below the phdrs");
    cr_assert_eq(eh->e_entry, img.entry);
    cleanup_workdir();
}

static void check_refusal(const char *path, int want_status, const char *pattern)
{
    char err[512], prefix[600];
    struct ld_image img;
    int st = ld_load_program(path, test_argv, test_envp, &test_params, &img, err, sizeof err);
    snprintf(prefix, sizeof prefix, "ferry: %s: ", path);
    cr_assert_eq(st, want_status, "%s: status %d, message %s", path, st, err);
    cr_assert(strncmp(err, prefix, strlen(prefix)) == 0, "%s", err);
    cr_assert(!strchr(err, '\n'), "one line: %s", err);
    cr_assert(elf_reason_matches(pattern, err + strlen(prefix)), "%s !~ %s", err, pattern);
}

static uint8_t *slurp(const char *path, size_t *size)
{
    struct stat st;
    int fd = open(path, O_RDONLY);
    cr_assert(fd >= 0 && fstat(fd, &st) == 0);
    uint8_t *buf = malloc((size_t)st.st_size);
    cr_assert_eq(read(fd, buf, (size_t)st.st_size), st.st_size);
    close(fd);
    *size = (size_t)st.st_size;
    return buf;
}

Test(loader, malformed_programs_are_refused)
{
    size_t size;
    char path[600];
    make_workdir();
    uint8_t *good = slurp(build("hello", "int main(void) { return 0; }\n", "-static"), &size);
    elf_case_dir = workdir;
    for (size_t i = 0; i < ELF_N_CASES; i++) {
        struct elf_bytes b = elf_case_apply(&elf_cases[i], good, size);
        snprintf(path, sizeof path, "%s/%s.elf", workdir, elf_cases[i].name);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
        cr_assert_eq(write(fd, b.data, b.size), (ssize_t)b.size);
        close(fd);
        free(b.data);
        check_refusal(path, elf_cases[i].status, elf_cases[i].reason);
    }
    free(good);
    cleanup_workdir();
}

/* A dynamic program starts in its interpreter, which is mapped apart
 * from it (the program itself near ELF_ET_DYN_BASE when it is a PIE). */
Test(loader, dynamic_program_starts_in_its_interpreter)
{
    make_workdir();
    const char *bin = build("dyn", "int main(void) { return 0; }\n", "-pie -fPIE");
    char err[512] = "";
    struct ld_image img;
    cr_assert_eq(ld_load_program(bin, test_argv, test_envp, &test_params, &img, err, sizeof err), 0, "%s", err);
    cr_assert(img.load_bias >= 0x555555554000ull && img.load_bias < 0x560000000000ull,
              "PIE main at ELF_ET_DYN_BASE: 0x%lx", (unsigned long)img.load_bias);
    cr_assert(img.entry < img.load_bias || img.entry > img.brk_start,
              "entry 0x%lx is the interpreter's", (unsigned long)img.entry);
    cleanup_workdir();
}

Test(loader, missing_file_and_directory)
{
    check_refusal("/nonexistent/ferry-test", 127, "No such file or directory");
    check_refusal("/tmp", 126, "Is a directory");
}

Test(loader, shebang_parsing)
{
    char interp[64], arg[64];
    const char s1[] = "#!/bin/sh -e\necho";
    cr_assert_eq(ld_shebang_parse(s1, sizeof s1 - 1, interp, 64, arg, 64), 1);
    cr_assert_str_eq(interp, "/bin/sh");
    cr_assert_str_eq(arg, "-e");
    const char s2[] = "#!  /usr/bin/env   python3  \n";
    cr_assert_eq(ld_shebang_parse(s2, sizeof s2 - 1, interp, 64, arg, 64), 1);
    cr_assert_str_eq(interp, "/usr/bin/env");
    cr_assert_str_eq(arg, "python3");
    cr_assert_eq(ld_shebang_parse("\177ELF", 4, interp, 64, arg, 64), 0);
    cr_assert_eq(ld_shebang_parse("#!\n", 3, interp, 64, arg, 64), -1);
}

/* While the translation cache is on, shared objects go to a slot derived
 * from their file (ld_place.c): the same address every time it is free,
 * another slot while it is taken, never over a mapping. */
#define PLACE_LO 0x7c0000000000ull
#define PLACE_HI 0x7e0000000000ull
static bool placed(const void *p) { return (uintptr_t)p >= PLACE_LO && (uintptr_t)p < PLACE_HI; }

Test(loader, shared_objects_placed_by_file)
{
    make_workdir();
    const char *bin = build("so", "int main(void) { return 0; }\n", "-pie -fPIE");
    struct stat st;
    int fd = open(bin, O_RDONLY), text = open("/etc/passwd", O_RDONLY), dev = open("/dev/zero", O_RDONLY);
    cr_assert(fd >= 0 && text >= 0 && dev >= 0);
    cr_assert(ld_place_is_shared_object(fd, &st), "a PIE is ET_DYN");
    struct stat other;
    cr_assert(!ld_place_is_shared_object(text, &other) && !ld_place_is_shared_object(dev, &other) &&
              !ld_place_is_shared_object(-1, &other));
    void *a = ld_place_map(&st, 8192, PROT_READ, MAP_PRIVATE, fd, 0);
    void *b = ld_place_map(&st, 8192, PROT_READ, MAP_PRIVATE, fd, 0);
    cr_assert(placed(a) && placed(b) && a != b, "%p then %p (probed past)", a, b);
    cr_assert_eq(memcmp(a, "\177ELF", 4), 0);
    munmap(a, 8192);
    munmap(b, 8192);
    void *again = ld_place_map(&st, 8192, PROT_READ, MAP_PRIVATE, fd, 0);
    cr_assert_eq(again, a, "the same slot again: %p, %p", again, a);
    munmap(again, 8192);

    struct ld_params params = test_params;
    params.place_shared = true;
    char err[512] = "";
    struct ld_image img;
    cr_assert_eq(ld_load_program(bin, test_argv, test_envp, &params, &img, err, sizeof err), 0, "%s", err);
    cr_assert(placed((void *)(uintptr_t)img.interp_base), "ld.so at its slot: 0x%lx", (unsigned long)img.interp_base);
    close(fd);
    close(text);
    close(dev);
    cleanup_workdir();
}
