/* tcache_file.c -- reading and writing the persistent translation cache's
 * records (format in tcache_file.h): pure buffer code, no files, no
 * engine, so the unit test covers every check. */
#include <stdlib.h>
#include <string.h>

#include "tcache_file.h"

static const char tcf_magic[8] = { 'F', 'E', 'R', 'R', 'Y', 'T', 'C', '1' };

static uint64_t mix(uint64_t h, uint64_t w)
{
    h = (h ^ w) * 0x9e3779b97f4a7c15ull;
    return h ^ h >> 29;
}

/* 64-bit multiply-xorshift over 8-byte words, four independent lanes (the
 * multiplies overlap: a 60 MB file is hashed at every start-up); fast,
 * not cryptographic (the files are the user's own, 0600 in a 0700
 * directory). */
uint64_t tcf_hash(const void *p, size_t n)
{
    const uint8_t *s = p;
    uint64_t h = 0x6a09e667f3bcc909ull ^ n;
    uint64_t lane[4] = { h, h + 1, h + 2, h + 3 };
    for (; n >= 32; s += 32, n -= 32) {
        uint64_t w[4];
        memcpy(w, s, 32);
        for (int k = 0; k < 4; k++)
            lane[k] = mix(lane[k], w[k]);
    }
    for (int k = 0; k < 4; k++)
        h = mix(h, lane[k]);
    for (; n >= 8; s += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = mix(h, w);
    }
    uint64_t w = 0;
    memcpy(&w, s, n);
    h = (h ^ w ^ (uint64_t)n << 56) * 0xbf58476d1ce4e5b9ull;
    return h ^ h >> 31;
}

/* The header's hash covers the body and the record count. */
static uint64_t image_hash(const uint8_t *body, size_t len, uint64_t n_records)
{
    return tcf_hash(body, len) ^ n_records * 0xff51afd7ed558ccdull;
}

static bool zero(const uint8_t *p, size_t n)
{
    while (n--)
        if (*p++)
            return false;
    return true;
}

bool tcf_open_body(const uint8_t *file, size_t len, const char *key,
                   const uint8_t **body, size_t *body_len, uint64_t *n_records)
{
    struct tcf_header h;
    size_t klen = strlen(key);
    if (len < sizeof h)
        return false;
    memcpy(&h, file, sizeof h);
    size_t off = (sizeof h + klen + 7) & ~(size_t)7;
    if (memcmp(h.magic, tcf_magic, 8) || h.version != TCF_VERSION || h.key_len != klen ||
        len < off || memcmp(file + sizeof h, key, klen) || !zero(file + sizeof h + klen, off - sizeof h - klen) ||
        h.body_len != len - off || image_hash(file + off, len - off, h.n_records) != h.body_hash)
        return false;
    *body = file + off;
    *body_len = len - off;
    *n_records = h.n_records;
    return true;
}

static size_t record_len(const struct tcf_record *r)
{
    size_t n = sizeof *r + (size_t)r->n_deps * sizeof(struct tcf_dep) +
               (size_t)r->n_relocs * sizeof(struct be_reloc) + r->code_size + r->fault_size;
    return (n + 7) & ~(size_t)7;
}

static bool offsets_ok(const struct tcf_record *r)
{
    for (int k = 0; k < 2; k++) {
        if (r->jump_site[k] != UINT32_MAX && r->jump_site[k] + 4 > r->code_size)
            return false;
        if (r->stub[k] != UINT32_MAX && r->stub[k] >= r->code_size)
            return false;
    }
    return true;
}

static bool relocs_ok(const struct be_reloc *rel, uint32_t n, uint32_t code_size)
{
    for (uint32_t k = 0; k < n; k++)
        if (rel[k].kind > BE_RELOC_CODE || rel[k].offset >= code_size)
            return false;
    return true;
}

static bool header_ok(const struct tcf_record *r)
{
    return r->code_size > 0 && r->code_size <= TCF_MAX_CODE && r->n_relocs <= BE_MAX_RELOCS &&
           r->n_deps > 0 && r->n_deps <= TCF_MAX_DEPS && r->fault_size <= TCF_MAX_FAULT &&
           r->guest_size > 0 && offsets_ok(r);
}

bool tcf_next(const uint8_t *body, size_t body_len, size_t *pos, struct tcf_view *out)
{
    size_t at = *pos;
    if (at > body_len || body_len - at < sizeof(struct tcf_record) || (at & 7))
        return false;
    const struct tcf_record *r = (const struct tcf_record *)(const void *)(body + at);
    if (!header_ok(r) || r->total_len != record_len(r) || r->total_len > body_len - at)
        return false;
    const uint8_t *p = (const uint8_t *)(r + 1);
    out->h = r;
    out->deps = (const struct tcf_dep *)(const void *)p;
    p += (size_t)r->n_deps * sizeof(struct tcf_dep);
    out->relocs = (const struct be_reloc *)(const void *)p;
    p += (size_t)r->n_relocs * sizeof(struct be_reloc);
    out->code = p;
    out->fault = p + r->code_size;
    if (!relocs_ok(out->relocs, r->n_relocs, r->code_size))
        return false;
    *pos = at + r->total_len;
    return true;
}

static uint8_t *reserve(struct tcf_buf *b, size_t n)
{
    if (b->failed)
        return NULL;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 1u << 16;
        while (cap < b->len + n)
            cap *= 2;
        uint8_t *p = b->grow ? NULL : realloc(b->p, cap);
        if (b->grow ? !b->grow(b, cap) : !p) {
            b->failed = true;
            return NULL;
        }
        if (!b->grow) {
            b->p = p;
            b->cap = cap;
        }
    }
    uint8_t *at = b->p + b->len;
    b->len += n;
    return at;
}

void tcf_append(struct tcf_buf *b, const struct tcf_view *v)
{
    struct tcf_record h = *v->h;
    h.total_len = (uint32_t)record_len(&h);
    uint8_t *p = reserve(b, h.total_len);
    if (!p)
        return;
    memset(p + h.total_len - 8, 0, 8);  /* the padding */
    memcpy(p, &h, sizeof h);
    p += sizeof h;
    memcpy(p, v->deps, h.n_deps * sizeof(struct tcf_dep));
    p += h.n_deps * sizeof(struct tcf_dep);
    memcpy(p, v->relocs, h.n_relocs * sizeof(struct be_reloc));
    p += h.n_relocs * sizeof(struct be_reloc);
    memcpy(p, v->code, h.code_size);
    memcpy(p + h.code_size, v->fault, h.fault_size);
    b->n++;
}

bool tcf_reserve(struct tcf_buf *b, size_t more)
{
    size_t len = b->len;
    if (!reserve(b, more))
        return false;
    b->len = len;
    return true;
}

uint8_t *tcf_prefix(const char *key, const struct tcf_buf *body, size_t *len)
{
    size_t klen = strlen(key);
    size_t off = (sizeof(struct tcf_header) + klen + 7) & ~(size_t)7;
    uint8_t *p = calloc(1, off);
    if (!p)
        return NULL;
    struct tcf_header h = { .version = TCF_VERSION, .key_len = (uint32_t)klen,
                            .n_records = body->n, .body_len = body->len,
                            .body_hash = image_hash(body->p, body->len, body->n) };
    memcpy(h.magic, tcf_magic, 8);
    memcpy(p, &h, sizeof h);
    memcpy(p + sizeof h, key, klen);
    *len = off;
    return p;
}

uint8_t *tcf_image(const char *key, const struct tcf_buf *body, size_t *len)
{
    size_t off;
    uint8_t *prefix = tcf_prefix(key, body, &off);
    uint8_t *p = prefix ? realloc(prefix, off + body->len) : NULL;
    if (!p) {
        free(prefix);
        return NULL;
    }
    if (body->len)
        memcpy(p + off, body->p, body->len);
    *len = off + body->len;
    return p;
}
