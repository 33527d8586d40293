/* gen_bad_elf.c -- writes the malformed-ELF fixtures for check-elf.sh.
 *
 *   gen_bad_elf GOOD OUTDIR     OUTDIR/NAME.elf for every case, and
 *                               OUTDIR/cases.txt: "NAME STATUS REASON"
 *   gen_bad_elf --match PATTERN TEXT
 *                               exit 0 when TEXT matches the reason pattern
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "elf_cases.h"

static uint8_t *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f || fstat(fileno(f), &st) != 0)
        return NULL;
    uint8_t *buf = malloc((size_t)st.st_size);
    *size = fread(buf, 1, (size_t)st.st_size, f);
    fclose(f);
    return buf;
}

static int write_case(const char *dir, const struct elf_case *c, const uint8_t *good, size_t size,
                      FILE *list)
{
    char path[4096];
    struct elf_bytes b = elf_case_apply(c, good, size);
    snprintf(path, sizeof path, "%s/%s.elf", dir, c->name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(b.data, 1, b.size, f) != b.size || fclose(f) != 0)
        return perror(path), 1;
    free(b.data);
    fprintf(list, "%s %d %s\n", c->name, c->status, c->reason);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--match") == 0)
        return !elf_reason_matches(argv[2], argv[3]);
    size_t size;
    uint8_t *good = argc == 3 ? read_file(argv[1], &size) : NULL;
    if (!good) {
        fprintf(stderr, "usage: gen_bad_elf GOOD-STATIC-PROGRAM OUTDIR\n");
        return 2;
    }
    elf_case_dir = realpath(argv[2], NULL);     /* PT_INTERP paths are absolute */
    if (!elf_case_dir)
        return perror(argv[2]), 1;
    char list_path[4096];
    snprintf(list_path, sizeof list_path, "%s/cases.txt", argv[2]);
    FILE *list = fopen(list_path, "w");
    int bad = !list;
    for (size_t i = 0; list && i < ELF_N_CASES; i++)
        bad |= write_case(argv[2], &elf_cases[i], good, size, list);
    if (list)
        fclose(list);
    return bad;
}
