/* tcache_file.c -- reading and writing the persistent translation cache's
 * files (format in tcache_file.h): pure buffer code, no files, no engine,
 * so the unit test covers every check. */
#include <stdlib.h>
#include <string.h>

#include "tcache_file.h"

static const char tcf_magic[8] = { 'F', 'E', 'R', 'R', 'Y', 'T', 'C', '2' };

static bool zero(const uint8_t *p, size_t n)
{
    while (n--)
        if (*p++)
            return false;
    return true;
}

size_t tcf_prefix_len(const char *key)
{
    return (sizeof(struct tcf_header) + strlen(key) + 7) & ~(size_t)7;
}

static uint64_t header_hash(struct tcf_header h, const char *key, size_t klen)
{
    h.hash = 0;
    return tcf_hash(&h, sizeof h) ^ tcf_hash(key, klen) * 0xff51afd7ed558ccdull;
}

void tcf_prefix(uint8_t *buf, const char *key, uint64_t n_records, uint64_t body_len,
                uint64_t slots)
{
    size_t klen = strlen(key);
    struct tcf_header h = { .version = TCF_VERSION, .key_len = (uint32_t)klen,
                            .n_records = n_records, .body_len = body_len, .index_slots = slots };
    memcpy(h.magic, tcf_magic, 8);
    h.hash = header_hash(h, key, klen);
    memset(buf, 0, tcf_prefix_len(key));
    memcpy(buf, &h, sizeof h);
    memcpy(buf + sizeof h, key, klen);
}

bool tcf_layout(const uint8_t *prefix, size_t prefix_len, uint64_t file_len, const char *key,
                struct tcf_layout *out)
{
    struct tcf_header h;
    size_t klen = strlen(key), off = tcf_prefix_len(key);
    if (prefix_len < off)
        return false;
    memcpy(&h, prefix, sizeof h);
    if (memcmp(h.magic, tcf_magic, 8) || h.version != TCF_VERSION || h.key_len != klen ||
        memcmp(prefix + sizeof h, key, klen) || !zero(prefix + sizeof h + klen, off - sizeof h - klen) ||
        h.hash != header_hash(h, key, klen) || (h.body_len & 7) || h.index_slots == 0 ||
        (h.index_slots & (h.index_slots - 1)) || h.index_slots > (1ull << 32) ||
        h.body_len > file_len || file_len - h.body_len < off ||
        h.index_slots * sizeof(struct tcf_slot) != file_len - off - h.body_len)
        return false;
    *out = (struct tcf_layout){ .body_off = off, .body_len = h.body_len,
                                .index_off = off + h.body_len, .n_records = h.n_records,
                                .slots = h.index_slots };
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

static uint64_t record_hash(const struct tcf_record *r, size_t total_len)
{
    return tcf_hash((const uint8_t *)r + sizeof r->hash, total_len - sizeof r->hash);
}

bool tcf_record_at(const uint8_t *body, size_t body_len, size_t at, bool check_hash,
                   struct tcf_view *out)
{
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
    return relocs_ok(out->relocs, r->n_relocs, r->code_size) &&
           (!check_hash || record_hash(r, r->total_len) == r->hash);
}

bool tcf_record_hash_ok(const struct tcf_view *v)
{
    return record_hash(v->h, v->h->total_len) == v->h->hash;
}

bool tcf_next(const uint8_t *body, size_t body_len, size_t *pos, struct tcf_view *out)
{
    if (!tcf_record_at(body, body_len, *pos, false, out))
        return false;
    *pos += out->h->total_len;
    return true;
}

uint64_t tcf_slot_of(uint64_t pc, uint64_t slots)
{
    return ((pc * 0x9e3779b97f4a7c15ull) >> 20) & (slots - 1);
}

/* (the multiplier is odd: distinct modes give distinct keys for one pc) */
uint32_t tcf_slot_key(uint64_t pc, uint32_t mode)
{
    return (uint32_t)pc ^ mode * 0x9e3779b1u;
}

size_t tcf_probe(const struct tcf_slot *index, uint64_t slots, uint64_t pc, uint32_t mode, uint64_t *probe,
                 uint64_t *slot)
{
    uint32_t key = tcf_slot_key(pc, mode);
    /* (a damaged index may have no empty slot: stop after a full round) */
    for (uint64_t s = *probe; s < tcf_slot_of(pc, slots) + slots; s++) {
        const struct tcf_slot *e = &index[s & (slots - 1)];
        if (!e->at)
            break;
        if (e->key == key) {
            *probe = s + 1;
            *slot = s & (slots - 1);
            return ((size_t)e->at - 1) * 8;
        }
    }
    *probe = UINT64_MAX;
    return SIZE_MAX;
}

bool tcf_find(const uint8_t *file, const struct tcf_layout *l, uint64_t pc, uint32_t mode, bool check_hash,
              struct tcf_view *out, uint64_t *slot)
{
    const struct tcf_slot *index = (const struct tcf_slot *)(const void *)(file + l->index_off);
    const uint8_t *body = file + l->body_off;
    uint64_t probe = tcf_slot_of(pc, l->slots);
    size_t at;
    while ((at = tcf_probe(index, l->slots, pc, mode, &probe, slot)) != SIZE_MAX)
        if (tcf_record_at(body, l->body_len, at, false, out) && out->h->guest_pc == pc &&
            out->h->mode == mode)
            return !check_hash || record_hash(out->h, out->h->total_len) == out->h->hash;
    return false;
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

/* memcpy that takes an empty part's NULL pointer (no relocations, no
 * fault table): memcpy's arguments must never be NULL, even for 0 bytes. */
static uint8_t *put_part(uint8_t *p, const void *src, size_t len)
{
    if (len) memcpy(p, src, len);
    return p + len;
}

void tcf_append(struct tcf_buf *b, const struct tcf_view *v)
{
    struct tcf_record h = *v->h;
    h.total_len = (uint32_t)record_len(&h);
    uint8_t *start = reserve(b, h.total_len), *p = start;
    if (!p)
        return;
    memset(p + h.total_len - 8, 0, 8);  /* the padding */
    p += sizeof h;
    p = put_part(p, v->deps, h.n_deps * sizeof(struct tcf_dep));
    p = put_part(p, v->relocs, h.n_relocs * sizeof(struct be_reloc));
    p = put_part(p, v->code, h.code_size);
    put_part(p, v->fault, h.fault_size);
    memcpy(start, &h, sizeof h);
    h.hash = record_hash((const struct tcf_record *)(const void *)start, h.total_len);
    memcpy(start, &h, sizeof h);
    b->n++;
}

bool tcf_index_init(struct tcf_index *ix, uint64_t max)
{
    ix->slots = 16;
    while (ix->slots < max + max / 3 + 1)   /* at most 3/4 full */
        ix->slots *= 2;
    ix->s = calloc(ix->slots, sizeof *ix->s);
    return ix->s != NULL;
}

bool tcf_index_add(struct tcf_index *ix, uint64_t pc, uint32_t mode, size_t at)
{
    uint64_t s = tcf_slot_of(pc, ix->slots);
    for (; ix->s[s].at; s = (s + 1) & (ix->slots - 1))
        if (ix->s[s].pc == pc && ix->s[s].mode == mode)
            return false;
    ix->s[s].pc = pc;
    ix->s[s].mode = mode;
    ix->s[s].at = (uint32_t)(at / 8 + 1);
    return true;
}

const struct tcf_slot *tcf_index_finish(struct tcf_index *ix, size_t *len)
{
    struct tcf_slot *out = (struct tcf_slot *)(void *)ix->s;
    for (uint64_t k = 0; k < ix->slots; k++) {     /* in place: out[k] ends before s[k] */
        struct tcf_slot e = { tcf_slot_key(ix->s[k].pc, ix->s[k].mode), ix->s[k].at };
        out[k] = e;
    }
    *len = ix->slots * sizeof *out;
    return out;
}

uint8_t *tcf_image(const char *key, const struct tcf_buf *body, size_t *len)
{
    struct tcf_index ix;
    struct tcf_buf out = { 0 };
    struct tcf_view v;
    size_t pos = 0, off = tcf_prefix_len(key), ilen;
    if (!tcf_index_init(&ix, body->n))
        return NULL;
    while (tcf_next(body->p, body->len, &pos, &v))
        if (tcf_index_add(&ix, v.h->guest_pc, v.h->mode, out.len))
            tcf_append(&out, &v);
    const struct tcf_slot *index = tcf_index_finish(&ix, &ilen);
    uint8_t *p = out.failed ? NULL : malloc(off + out.len + ilen);
    if (p) {
        tcf_prefix(p, key, out.n, out.len, ix.slots);
        if (out.len)
            memcpy(p + off, out.p, out.len);
        memcpy(p + off + out.len, index, ilen);
        *len = off + out.len + ilen;
    }
    free(ix.s);
    free(out.p);
    return p;
}
