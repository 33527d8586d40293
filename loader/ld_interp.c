/* ld_interp.c -- the program interpreter (PT_INTERP, e.g. glibc's
 * /lib64/ld-linux-x86-64.so.2) of a dynamically linked program: found
 * under the sysroot (-L) first, checked like any program, mapped where the
 * host likes (Linux's mmap-chosen base) or, while the translation cache is
 * on, at its file's slot (ld_place.c); the guest starts at its entry with
 * AT_BASE = its load bias. */
#include <stdio.h>
#include <string.h>

#include "ld_internal.h"

/* The interpreter's rejection, told about the main program. */
static int ld_interp_reject(struct ld_program *main, const struct ld_program *in, int status)
{
    const char *what = status == 127 ? "cannot find interpreter" : "bad interpreter";
    char why[sizeof main->elf.why];
    snprintf(why, sizeof why, "%s %.300s (%.180s)", what, main->interp, in->elf.why);
    memcpy(main->elf.why, why, sizeof why);
    return status;
}

int ld_interp_open(struct ld_program *main, struct ld_program *interp)
{
    const char *path = ld_sysroot_path(main->interp, 1);
    int st = ld_program_open(path, interp);
    if (st)
        return ld_interp_reject(main, interp, st);
    if (interp->interp[0]) {
        snprintf(interp->elf.why, sizeof interp->elf.why, "it names an interpreter itself");
        ld_elf_close(&interp->elf);
        return ld_interp_reject(main, interp, 126);
    }
    return 0;
}

uint64_t ld_interp_map(struct ld_program *main, struct ld_program *interp, struct ld_image *img,
                       bool place_by_file)
{
    interp->place_by_file = place_by_file;
    uint64_t bias = ld_map_segments(interp, 0, img);
    ld_elf_close(&interp->elf);
    if (bias == (uint64_t)-1)
        ld_interp_reject(main, interp, 126);
    return bias;
}
