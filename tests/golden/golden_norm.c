/* golden_norm.c -- stable text for the golden files: every hex number in
 * a line of disassembly or IR that is a host address (this block's code,
 * the code cache's entry/epilogue, the block's record, a function or
 * object of the binary) becomes a name, so the output does not depend on
 * ASLR, on the build's layout, or on the machine. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "golden.h"

struct gd_ranges gd_ranges;

static const char *offset_name(const char *base, uint64_t off, char *buf, size_t len)
{
    snprintf(buf, len, off ? "%s+0x%llx" : "%s", base, (unsigned long long)off);
    return buf;
}

const char *gd_norm_value(uint64_t v, char *buf, size_t len)
{
    const struct gd_ranges *r = &gd_ranges;
    if (v - r->block < r->block_size)
        return offset_name("blk", v - r->block, buf, len);
    if (v - r->tb < 256)                    /* struct tr_block and its fields */
        return offset_name("tb", v - r->tb, buf, len);
    if (v >= r->cache && v < r->block)      /* entry trampoline, epilogue, shared stubs */
        return offset_name("cache", v - r->cache, buf, len);
    const char *sym = gd_sym_name(v, buf, len);
    if (sym)
        return sym;
    /* A pc-relative target near the block that names nothing: a literal
     * pool's data decoded as adr/ldr.  Relative to the block it is the
     * same on every build; the absolute value moves with the layout. */
    if (v - r->block < (1u << 20))
        return offset_name("blk", v - r->block, buf, len);
    if (r->block - v <= (1u << 20)) {
        snprintf(buf, len, "blk-0x%llx", (unsigned long long)(r->block - v));
        return buf;
    }
    return NULL;
}

/* A hex number at s ("0x..."), not negative: its end, value in *v. */
static const char *hex_at(const char *s, const char *line, uint64_t *v)
{
    if (s[0] != '0' || s[1] != 'x' || !isxdigit((unsigned char)s[2]))
        return NULL;
    if (s > line && (isalnum((unsigned char)s[-1]) || s[-1] == '-' || s[-1] == '_'))
        return NULL;
    char *end;
    *v = strtoull(s, &end, 16);
    return end;
}

void gd_norm_print(FILE *out, const char *s)
{
    const char *line = s;
    while (*s) {
        uint64_t v;
        char buf[256];
        const char *end = hex_at(s, line, &v);
        const char *name = end ? gd_norm_value(v, buf, sizeof(buf)) : NULL;
        if (name) {
            fputs(name, out);
            s = end;
        } else {
            fputc(*s++, out);
        }
    }
}
