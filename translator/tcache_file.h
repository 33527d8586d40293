/* tcache_file.h -- the on-disk format of the persistent translation cache
 * (docs/translation-cache.md): one file per (program, translator key),
 *
 *     header: magic "FERRYTC2", version, key length, record count, body
 *             length, index slots, a hash of the header and the key
 *     key:    the key string (checked byte for byte), zero-padded to 8
 *     body:   records, each 8-aligned: struct tcf_record (with the hash of
 *             its own bytes), its dependency pages (page number, hash of
 *             the page's bytes), relocations (struct be_reloc, target
 *             relative to its kind's base), host code, fault map
 *     index:  an open-addressing table, pc -> record (struct tcf_slot)
 *
 * A process checks only the header and the key at start-up, maps the
 * file and checks each record (sizes, offsets, its hash) when it first
 * uses it: a slot that leads nowhere sensible is a miss.  Private to the
 * translator (and its unit test). */
#ifndef FERRY_TCACHE_FILE_H
#define FERRY_TCACHE_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend.h"

#define TCF_VERSION 9
#define TCF_MAX_DEPS 16
#define TCF_MAX_CODE (1u << 20)
#define TCF_MAX_FAULT (1u << 22)

struct tcf_header {
    char magic[8];
    uint32_t version, key_len;
    uint64_t n_records, body_len;
    uint64_t index_slots;               /* a power of two; the index follows the body */
    uint64_t hash;                      /* of this header (hash 0) and the key */
};

struct tcf_record {
    uint64_t hash;                      /* tcf_hash of the record's bytes after this field */
    uint64_t guest_pc;
    uint32_t guest_size, guest_insns;
    uint32_t code_size, n_relocs, n_deps, fault_size;
    uint32_t jump_site[2], stub[2];
    uint32_t total_len;                 /* this record's bytes, 8-aligned */
    uint32_t mode;                      /* the block's translation mode (a record per pc and mode) */
    uint64_t exit_pc[2];                /* guest pc of chain slot 0, 1 (0: none, or
                                           the block may change the mode) */
    uint32_t exit_facts[2];             /* tr_block.exit_facts */
    uint32_t flags;                     /* TCF_DEAD_IN: tr_block.flags_dead_in; TCF_UNTESTED */
    uint32_t entry_off;                 /* tr_block.entry_off */
};
#define TCF_DEAD_IN 1u
#define TCF_UNTESTED 2u                 /* tr_block.untested */

struct tcf_dep {
    uint64_t page, hash;                /* guest page number, tcf_hash of its bytes */
};

/* An index slot: the pc's low 32 bits xor its translation mode's mix
 * (tcf_slot_key; the record says the rest) and where the record starts,
 * in 8-byte units from the body's start, plus 1 (0: an empty slot).
 * Since format 9 the key has the mode in it: a lookup of one mode no
 * longer reads the pc's records of other modes, which lie where their
 * first use put them (a warm cc1 -O2 read 40 MB of its 52 MB file again
 * for them, session 42). */
struct tcf_slot {
    uint32_t key, at;
};

/* Where the parts of a file are (tcf_layout). */
struct tcf_layout {
    size_t body_off, body_len, index_off;
    uint64_t n_records, slots;
};

/* A record inside a checked buffer. */
struct tcf_view {
    const struct tcf_record *h;
    const struct tcf_dep *deps;
    const struct be_reloc *relocs;
    const uint8_t *code, *fault;
};

/* A growing buffer of records (a process's new ones). */
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

/* An index being built: full pcs (to refuse a second record of a pc),
 * sized once for at most `max` records. */
struct tcf_index {
    struct { uint64_t pc; uint32_t at; uint32_t mode; } *s;
    uint64_t slots;
};

/* The checksum of n bytes (tc_hash.c: CRC-32C lanes, on the host's
 * instructions where it has them), and its lanes computed in C (for the
 * unit test's comparison). */
uint64_t tcf_hash(const void *p, size_t n);
void tcf_crc32c_lanes_c(uint32_t lane[4], const uint8_t *p, size_t n);

/* The header + key's length for a key, and a filled-in header + key
 * (buf of that length). */
size_t tcf_prefix_len(const char *key);
void tcf_prefix(uint8_t *buf, const char *key, uint64_t n_records, uint64_t body_len,
                uint64_t slots);
/* The layout of a file of file_len bytes whose first prefix_len bytes
 * are at `prefix`, when its header and key are right and the sizes add
 * up to file_len. */
bool tcf_layout(const uint8_t *prefix, size_t prefix_len, uint64_t file_len, const char *key,
                struct tcf_layout *out);

/* The record at body offset `at`, its sizes and offsets checked (and its
 * hash when check_hash). */
bool tcf_record_at(const uint8_t *body, size_t body_len, size_t at, bool check_hash,
                   struct tcf_view *out);
/* The hash of a record tcf_record_at already found well formed (without
 * check_hash): the same answer, without walking its header and relocations
 * a second time. */
bool tcf_record_hash_ok(const struct tcf_view *v);
/* The record at *pos, structure checked (not the hash); advances *pos.
 * False at the end or at a record that does not add up. */
bool tcf_next(const uint8_t *body, size_t body_len, size_t *pos, struct tcf_view *out);
/* The first slot to probe for pc in an index of `slots` (a power of two). */
uint64_t tcf_slot_of(uint64_t pc, uint64_t slots);
/* A slot's key for pc's record of that mode (mode 0: the pc's low 32 bits). */
uint32_t tcf_slot_key(uint64_t pc, uint32_t mode);
/* The body offset of pc's record of that mode per the index: *probe
 * starts at tcf_slot_of and is advanced past the slot returned, so a
 * caller whose candidate turns out another pc's or mode's (the same key)
 * asks again.  SIZE_MAX: none. */
size_t tcf_probe(const struct tcf_slot *index, uint64_t slots, uint64_t pc, uint32_t mode, uint64_t *probe,
                 uint64_t *slot);
/* pc's record of that translation mode in a mapped file (the index and body of layout l), hash
 * checked when check_hash; *slot is its index slot. */
bool tcf_find(const uint8_t *file, const struct tcf_layout *l, uint64_t pc, uint32_t mode, bool check_hash,
              struct tcf_view *out, uint64_t *slot);

/* Appends a record (v.h's counts give the arrays' lengths; the hash and
 * total_len are computed). */
void tcf_append(struct tcf_buf *b, const struct tcf_view *v);

/* Index building: room for max records (false: out of memory), adding a
 * record at body offset `at` (false: the pc is there already), and the
 * on-disk index (written over ix's own memory; *len bytes). */
bool tcf_index_init(struct tcf_index *ix, uint64_t max);
bool tcf_index_add(struct tcf_index *ix, uint64_t pc, uint32_t mode, size_t at);
const struct tcf_slot *tcf_index_finish(struct tcf_index *ix, size_t *len);

/* A whole file of a buffer's records (the first record of each pc),
 * malloc'ed; NULL when out of memory. */
uint8_t *tcf_image(const char *key, const struct tcf_buf *body, size_t *len);

#endif
