/* tcache_file.h -- the on-disk format of the persistent translation cache
 * (docs/translation-cache.md): one file per (program, translator key),
 *
 *     header: magic "FERRYTC1", version, key length, record count, body
 *             length, body hash
 *     key:    the key string (checked byte for byte)
 *     body:   records, each 8-aligned: struct tcf_record, its dependency
 *             pages (page number, hash of the page's bytes), relocations
 *             (struct be_reloc, target relative to its kind's base), host
 *             code, fault map
 *
 * Everything is checked before use: a short, truncated or garbled file, a
 * record that does not add up, or a body whose hash differs is not used.
 * Private to the translator (and its unit test). */
#ifndef FERRY_TCACHE_FILE_H
#define FERRY_TCACHE_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend.h"

#define TCF_VERSION 1
#define TCF_MAX_DEPS 16
#define TCF_MAX_CODE (1u << 20)
#define TCF_MAX_FAULT (1u << 22)

struct tcf_header {
    char magic[8];
    uint32_t version, key_len;
    uint64_t n_records, body_len, body_hash;
};

struct tcf_record {
    uint64_t guest_pc;
    uint32_t guest_size, guest_insns;
    uint32_t code_size, n_relocs, n_deps, fault_size;
    uint32_t jump_site[2], stub[2];
    uint32_t total_len;                 /* this record's bytes, 8-aligned */
    uint32_t reserved;
};

struct tcf_dep {
    uint64_t page, hash;                /* guest page number, tcf_hash of its bytes */
};

/* A record inside a checked buffer. */
struct tcf_view {
    const struct tcf_record *h;
    const struct tcf_dep *deps;
    const struct be_reloc *relocs;
    const uint8_t *code, *fault;
};

/* A growing buffer of records (a process's new ones, a file being written). */
struct tcf_buf {
    uint8_t *p;
    size_t len, cap;
    uint64_t n;
    bool failed;                        /* out of memory: drop it */
    /* NULL: p is malloc'ed and grows by realloc; else grow(b, cap) makes
     * room for cap bytes (and sets b->p, b->cap) or fails. */
    bool (*grow)(struct tcf_buf *b, size_t cap);
    void *grow_ctx;
};

uint64_t tcf_hash(const void *p, size_t n);
/* The body of file[0, len) when its header, key and hash are right: sets
 * *body, *body_len, *n_records; false otherwise. */
bool tcf_open_body(const uint8_t *file, size_t len, const char *key,
                   const uint8_t **body, size_t *body_len, uint64_t *n_records);
/* The record at *pos in a body, checked (sizes, relocation offsets and
 * kinds, chain offsets); advances *pos.  False at the end or at a record
 * that does not add up (the rest of the body is then ignored). */
bool tcf_next(const uint8_t *body, size_t body_len, size_t *pos, struct tcf_view *out);
/* Appends a record (v.h's counts give the arrays' lengths). */
void tcf_append(struct tcf_buf *b, const struct tcf_view *v);
/* Room for `more` bytes without growing again (false: out of memory). */
bool tcf_reserve(struct tcf_buf *b, size_t more);
/* Header + key + body as one buffer (malloc'ed; NULL when out of memory),
 * and just the header + key (the file's first *len bytes; the body follows). */
uint8_t *tcf_image(const char *key, const struct tcf_buf *body, size_t *len);
uint8_t *tcf_prefix(const char *key, const struct tcf_buf *body, size_t *len);

#endif
