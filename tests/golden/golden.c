/* golden.c -- the golden codegen driver: pins the host code ferry emits
 * for each guest instruction (make check-golden, tests/golden/README.md).
 *
 * Reads cases (cases.hex, made from cases.txt by assemble.sh: one guest
 * block per line, as hex bytes and the source text), translates each
 * through the real pipeline -- frontend, IR optimiser, register
 * allocator, this binary's backend -- without running it, and prints per
 * case the guest instructions, the optimised IR (-ir) and the host code,
 * with host addresses named (golden_norm.c) so that the output is the
 * same on every run and machine.  Each case sits alone at the same guest
 * pc, in pages otherwise filled with pushfq (which reads every flag): the
 * flags every case computes are live after it, the same for all cases. */
#include <capstone/capstone.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "backend.h"
#include "frontend.h"
#include "golden.h"
#include "options.h"
#include "translator.h"

#define GD_GUEST_BASE 0x10000000u       /* three pages; the case in the middle one */
#define GD_GUEST_SIZE 0x3000u
#define GD_PC (GD_GUEST_BASE + 0x1000u)
#define GD_FILL 0x9c                    /* pushfq */
#define GD_MAX_BYTES 0x800u

static csh guest_cs, host_cs;
static bool show_ir;

static _Noreturn void gd_fatal(const char *what, const char *detail)
{
    fprintf(stderr, "golden: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(1);
}

static void open_disassemblers(void)
{
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &guest_cs) != CS_ERR_OK ||
        cs_open((cs_arch)be_host.cs_arch, (cs_mode)be_host.cs_mode, &host_cs) != CS_ERR_OK)
        gd_fatal("capstone cannot open", NULL);
}

static struct tr_engine *new_engine(void)
{
    void *p = mmap((void *)(uintptr_t)GD_GUEST_BASE, GD_GUEST_SIZE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p != (void *)(uintptr_t)GD_GUEST_BASE)
        gd_fatal("cannot map the guest code page", strerror(errno));
    struct tr_engine_config cfg = {
        .guest = &fe_x86_64, .mem = tr_mem_host(), .code_cache_size = 1u << 20, .check_ir = true,
        .env_guard = true,
    };
    struct tr_engine *e = tr_engine_new(&cfg);
    /* Read-only code, as a program's text: no self-modifying-code guard. */
    tr_map_changed(e, TR_MAP, GD_GUEST_BASE, GD_GUEST_SIZE, TR_PROT_READ | TR_PROT_EXEC);
    return e;
}

/* ---- one case ---------------------------------------------------------- */

/* Prints the guest instructions; returns how many there are. */
static int print_guest(const uint8_t *code, size_t size)
{
    cs_insn *insn;
    size_t n = cs_disasm(guest_cs, code, size, GD_PC, 0, &insn);
    size_t done = 0;
    for (size_t k = 0; k < n; k++) {
        char hex[64] = "";
        for (int b = 0; b < insn[k].size && b < 15; b++)
            sprintf(hex + 3 * b, "%02x ", insn[k].bytes[b]);
        printf("  %-30s %s %s\n", hex, insn[k].mnemonic, insn[k].op_str);
        done += insn[k].size;
    }
    if (n)
        cs_free(insn, n);
    if (done < size)
        printf("  (%zu bytes capstone does not decode)\n", size - done);
    return (int)n + (done < size);
}

/* The IR the translation logged (-d ir), indented and normalised. */
static void print_ir(char *text)
{
    printf("ir:\n");
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        fputs("  ", stdout);
        gd_norm_print(stdout, line);
        fputc('\n', stdout);
    }
}

static uint32_t a64_word(const cs_insn *i)
{
    return (uint32_t)i->bytes[0] | (uint32_t)i->bytes[1] << 8 |
           (uint32_t)i->bytes[2] << 16 | (uint32_t)i->bytes[3] << 24;
}

/* A64 64-bit MOVN/MOVZ (first) or MOVK (!first): applied to *v. */
static bool a64_wide_move(uint32_t w, bool first, unsigned rd, uint64_t *v)
{
    unsigned opc = (w >> 29) & 3, shift = ((w >> 21) & 3) * 16;
    uint64_t imm = (uint64_t)((w >> 5) & 0xffff) << shift;
    if ((w >> 31) != 1 || ((w >> 23) & 0x3f) != 0x25 || (w & 31) != rd)
        return false;
    if (first && (opc == 0 || opc == 2))
        *v = opc == 0 ? ~imm : imm;
    else if (!first && opc == 3)
        *v = (*v & ~((uint64_t)0xffff << shift)) | imm;
    else
        return false;
    return true;
}

/* An A64 MOVZ/MOVN + MOVK run starting at insn[k] that builds a host
 * address: printed as one pseudo-instruction (its length depends on the
 * address).  Returns the number of instructions it covers, 0 if none. */
static size_t a64_address_run(const cs_insn *insn, size_t k, size_t n)
{
    unsigned rd = a64_word(&insn[k]) & 31;
    uint64_t v;
    if (be_host.cs_arch != CS_ARCH_ARM64 || !a64_wide_move(a64_word(&insn[k]), true, rd, &v))
        return 0;
    size_t end = k + 1;
    while (end < n && a64_wide_move(a64_word(&insn[end]), false, rd, &v))
        end++;
    char buf[256];
    const char *name = gd_norm_value(v, buf, sizeof(buf));
    if (!name)
        return 0;
    printf("  %04" PRIx64 "  %-8s x%u, =%s\n", insn[k].address - gd_ranges.block, "mov", rd, name);
    return end - k;
}

static void print_host(struct tr_host_code hc)
{
    gd_ranges = (struct gd_ranges){ (uintptr_t)hc.code, hc.size, (uintptr_t)hc.cache,
                                    (uintptr_t)hc.block };
    cs_insn *insn;
    size_t n = cs_disasm(host_cs, hc.code, hc.size, (uintptr_t)hc.code, 0, &insn);
    printf("host: %u bytes\n", hc.size);
    for (size_t k = 0; k < n;) {
        size_t run = a64_address_run(insn, k, n);
        if (run) {
            k += run;
            continue;
        }
        printf("  %04" PRIx64 "  %-8s ", insn[k].address - gd_ranges.block, insn[k].mnemonic);
        gd_norm_print(stdout, insn[k].op_str);
        fputc('\n', stdout);
        k++;
    }
    uint64_t done = n ? insn[n - 1].address + insn[n - 1].size - gd_ranges.block : 0;
    if (done < hc.size)
        printf("  (%" PRIu64 " bytes capstone does not decode)\n", hc.size - done);
    if (n)
        cs_free(insn, n);
}

static void run_case(struct tr_engine *e, const uint8_t *bytes, size_t size, const char *src)
{
    uint8_t *guest = (uint8_t *)(uintptr_t)GD_GUEST_BASE;
    memset(guest, GD_FILL, GD_GUEST_SIZE);
    memcpy(guest + (GD_PC - GD_GUEST_BASE), bytes, size);
    printf("=== %s\n", src);
    int n_insns = print_guest(bytes, size);
    char *ir = NULL;
    size_t ir_len = 0;
    ferry_log = open_memstream(&ir, &ir_len);
    struct tr_host_code hc = tr_translate_alone(e, GD_PC, n_insns > 0 ? n_insns : 1);
    fclose(ferry_log);
    ferry_log = stderr;
    if (show_ir)
        print_ir(ir);
    free(ir);
    print_host(hc);
    putchar('\n');
}

/* ---- the case file ----------------------------------------------------- */

static size_t parse_hex(const char *s, uint8_t *out, size_t max)
{
    size_t n = 0;
    for (; s[0] && s[1] && n < max; s += 2) {
        unsigned v;
        if (sscanf(s, "%2x", &v) != 1)
            gd_fatal("bad hex in the case file", s);
        out[n++] = (uint8_t)v;
    }
    if (*s)
        gd_fatal("case too long or odd hex", s);
    return n;
}

/* "# title" lines become section headers; "HEX<tab>source" lines are cases. */
static void run_line(struct tr_engine *e, char *line)
{
    line[strcspn(line, "\n")] = 0;
    if (line[0] == '#') {
        printf("##%s\n\n", line + 1);
        return;
    }
    char *tab = strchr(line, '\t');
    if (!tab)
        gd_fatal("case line without a tab", line);
    *tab = 0;
    uint8_t bytes[GD_MAX_BYTES];
    size_t n = parse_hex(line, bytes, sizeof(bytes));
    if (!n)
        gd_fatal("empty case", tab + 1);
    run_case(e, bytes, n, tab + 1);
}

int main(int argc, char **argv)
{
    int arg = 1;
    if (arg < argc && !strcmp(argv[arg], "-ir")) {
        show_ir = true;
        arg++;
    }
    if (arg + 1 != argc)
        gd_fatal("usage: golden [-ir] CASES.hex", NULL);
    FILE *f = fopen(argv[arg], "r");
    if (!f)
        gd_fatal(argv[arg], strerror(errno));
    gd_sym_load("/proc/self/exe");
    open_disassemblers();
    be_assume_host_features = true;   /* the same code on every CPU */
    struct tr_engine *e = new_engine();
    ferry_opts.log_mask = show_ir ? LOG_IR : 0;
    printf("# ferry golden codegen: %s host\n\n", be_host.name);
    char line[8192];
    while (fgets(line, sizeof(line), f))
        run_line(e, line);
    fclose(f);
    return 0;
}
