/* ld_load.c -- ld_load_program(): check the program (and its interpreter,
 * if it is dynamically linked), map them, build the stack, and describe
 * the result (struct ld_image) for the caller to hand to the syscall
 * layer (program break, /proc/self/exe).  ld_check_program() is the same
 * check without mapping, for execve. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ld_internal.h"

/* Control bytes (from a file name, or a PT_INTERP path read from the
 * file) are written as \xNN: an error line stays one line and cannot
 * drive the terminal. */
static void ld_escape(char *dst, size_t len, const char *src)
{
    size_t o = 0;
    for (; *src && o + 5 < len; src++) {
        unsigned char c = (unsigned char)*src;
        if (c < 0x20 || c == 0x7f)
            o += (size_t)snprintf(dst + o, len - o, "\\x%02x", c);
        else
            dst[o++] = (char)c;
    }
    dst[o] = 0;
}

static int ld_report(const char *path, const struct ld_program *p, int status,
                     char *errbuf, size_t errlen)
{
    char raw[1024];
    snprintf(raw, sizeof raw, "ferry: %s: %s", path, p->elf.why);
    ld_escape(errbuf, errlen, raw);
    return status;
}

/* Opens the program and its interpreter; both are checked before
 * anything is mapped. */
static int ld_open_all(const char *path, struct ld_program *p, struct ld_program *interp)
{
    int st = ld_program_open(path, p);
    if (st == 0 && p->interp[0] && (st = ld_interp_open(p, interp)) != 0)
        ld_elf_close(&p->elf);
    return st;
}

int ld_check_program(const char *path, enum ld_interp_fault *fault, char *why, size_t len)
{
    static struct ld_program p, interp;     /* large (PT_INTERP names): not on the stack */
    int st = ld_program_open(path, &p);
    *fault = LD_INTERP_FINE;
    if (st == 0 && p.interp[0]) {
        ld_elf_close(&p.elf);   /* one number at a time: a guest may have left ferry one */
        st = ld_interp_open(&p, &interp);
        if (st)
            *fault = interp.elf.error == LD_ELF_UNREADABLE ? LD_INTERP_UNREADABLE : LD_INTERP_BAD;
        ld_elf_close(&interp.elf);
    }
    ld_elf_close(&p.elf);
    snprintf(why, len, "%s", st ? p.elf.why : "");
    return st;
}

/* Maps both: the image's addresses and the auxv's, or -1 with p's why
 * set.  The guest starts in the interpreter, if there is one. */
static int ld_map_all(struct ld_program *p, struct ld_program *interp,
                      struct ld_auxv_info *ai, struct ld_image *img)
{
    uint64_t bias = ld_map_segments(p, ld_dyn_base(), img);
    ld_elf_close(&p->elf);
    if (bias == (uint64_t)-1) {
        if (p->interp[0])
            ld_elf_close(&interp->elf);
        return -1;
    }
    ai->phdr = img->phdr = p->phdr_vaddr + bias;
    ai->phent = img->phent = p->elf.phentsize;
    ai->phnum = img->phnum = p->elf.phnum;
    ai->entry = img->entry = p->elf.entry + bias;
    img->load_bias = bias;
    img->brk_start = p->hi + bias;
    ld_program_bounds(p, &img->bounds);
    img->bounds.start_code += bias, img->bounds.end_code += bias;
    img->bounds.start_data += bias, img->bounds.end_data += bias;
    if (!p->interp[0])
        return 0;
    if ((ai->base = ld_interp_map(p, interp, img, ai->params->place_shared)) == (uint64_t)-1)
        return -1;
    img->interp_base = ai->base;
    img->entry = interp->elf.entry + ai->base;
    return 0;
}

void ld_note_mapping(struct ld_image *img, uint64_t start, uint64_t end, int prot)
{
    if (end > start && img->n_maps < LD_MAX_MAPPINGS)
        img->maps[img->n_maps++] = (struct ld_mapping){ start, end - start, prot };
}

/* /proc/self/exe: the file really run (for a script, its interpreter;
 * for a program read through a descriptor, that descriptor's file). */
static const char *ld_exe_path(const char *path)
{
    char fdpath[64];
    int fd = ld_exec_fd_of(path);
    if (fd >= 0)
        snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", fd);
    char *exe = realpath(fd >= 0 ? fdpath : path, NULL);
    return exe ? exe : strdup(path);
}

int ld_load_program(const char *path, char *const argv[], char *const envp[],
                    const struct ld_params *params, struct ld_image *img,
                    char *errbuf, size_t errlen)
{
    static struct ld_program p, interp;     /* large (PT_INTERP names): not on the stack */
    struct ld_auxv_info ai = { .execfn = path, .params = params };
    *img = (struct ld_image){ 0 };
    int st = ld_script_resolve(&path, &argv, p.elf.why, sizeof p.elf.why);
    if (st)
        return ld_report(ai.execfn, &p, st, errbuf, errlen);
    st = ld_open_all(path, &p, &interp);
    if (st)
        return ld_report(path, &p, st, errbuf, errlen);
    /* interp.elf.path is a sysroot buffer that later lookups reuse */
    img->interp = p.interp[0] ? strdup(interp.elf.path) : NULL;
    if (ld_map_all(&p, &interp, &ai, img) != 0)
        return ld_report(path, &p, 126, errbuf, errlen);
    ai.exec_stack = p.exec_stack;
    ai.vdso = ld_map_vdso(img, params->place_shared);
    img->stack_pointer = ld_build_stack(argv, envp, &ai, img, p.elf.why, sizeof p.elf.why);
    if (!img->stack_pointer)
        return ld_report(path, &p, 126, errbuf, errlen);
    img->exe_path = ld_exe_path(path);
    return 0;
}
