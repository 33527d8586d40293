/* test_tcache_file.c -- the persistent translation cache's file format
 * (translator/tcache_file.c): records round-trip through a file image, and
 * every damaged image (truncated anywhere, any byte flipped, another key)
 * or record that does not add up is refused instead of used. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "tcache_file.h"

static const char key[] = "program=/bin/x\nhost=test\n";

static struct tcf_record rec(uint64_t pc, uint32_t code_size, uint32_t n_relocs)
{
    return (struct tcf_record){ .guest_pc = pc, .guest_size = 7, .guest_insns = 2,
                                .code_size = code_size, .n_relocs = n_relocs, .n_deps = 1,
                                .fault_size = 3, .jump_site = { 0, UINT32_MAX },
                                .stub = { 8, UINT32_MAX } };
}

/* An image of n records with code bytes k + pc. */
static uint8_t *image_of(int n, size_t *len)
{
    struct tcf_buf b = { 0 };
    uint8_t code[40], fault[3] = { 1, 2, 3 };
    struct tcf_dep dep = { 0x401, 0xabcdef };
    struct be_reloc rel = { .offset = 4, .kind = BE_RELOC_HOST, .form = 1, .target = 0x1234 };
    for (int k = 0; k < n; k++) {
        struct tcf_record h = rec(0x401000 + 16 * (uint64_t)k, 33 + (uint32_t)k, 1);
        for (size_t i = 0; i < sizeof code; i++)
            code[i] = (uint8_t)(i + (size_t)k);
        struct tcf_view v = { &h, &dep, &rel, code, fault };
        tcf_append(&b, &v);
    }
    uint8_t *img = tcf_image(key, &b, len);
    free(b.p);
    return img;
}

static size_t count(const uint8_t *img, size_t len, const char *k)
{
    const uint8_t *body;
    size_t body_len, pos = 0, n = 0;
    uint64_t records;
    struct tcf_view v;
    if (!tcf_open_body(img, len, k, &body, &body_len, &records))
        return SIZE_MAX;
    while (tcf_next(body, body_len, &pos, &v))
        n++;
    return n;
}

Test(tcache_file, round_trip)
{
    size_t len;
    uint8_t *img = image_of(5, &len);
    const uint8_t *body;
    size_t body_len, pos = 0;
    uint64_t records;
    struct tcf_view v;
    cr_assert(tcf_open_body(img, len, key, &body, &body_len, &records));
    cr_assert_eq(records, 5);
    for (int k = 0; k < 5; k++) {
        cr_assert(tcf_next(body, body_len, &pos, &v));
        cr_assert_eq(v.h->guest_pc, 0x401000 + 16 * (uint64_t)k);
        cr_assert_eq(v.h->code_size, 33 + (uint32_t)k);
        cr_assert_eq(v.code[0], k);
        cr_assert_eq(v.code[32], 32 + k);
        cr_assert_eq(v.relocs[0].target, 0x1234);
        cr_assert_eq(v.deps[0].hash, 0xabcdef);
        cr_assert_eq(v.fault[2], 3);
    }
    cr_assert_not(tcf_next(body, body_len, &pos, &v));
    free(img);
}

Test(tcache_file, damaged_images_are_refused)
{
    size_t len;
    uint8_t *img = image_of(3, &len);
    cr_assert_eq(count(img, len, key), 3);
    cr_assert_eq(count(img, len, "program=/bin/y\nhost=test\n"), SIZE_MAX);
    for (size_t cut = 0; cut < len; cut++)
        cr_assert_eq(count(img, cut, key), SIZE_MAX, "truncated to %zu", cut);
    for (size_t at = 0; at < len; at++) {
        img[at] ^= 0x40;
        cr_assert_eq(count(img, len, key), SIZE_MAX, "byte %zu flipped", at);
        img[at] ^= 0x40;
    }
    free(img);
}

/* Records that do not add up end the list, even in a well-formed image. */
static size_t with_record(struct tcf_record h, struct be_reloc rel)
{
    struct tcf_buf b = { 0 };
    uint8_t code[64] = { 0 }, fault[3] = { 0 };
    struct tcf_dep dep = { 1, 2 };
    struct be_reloc rels[BE_MAX_RELOCS + 1];
    for (int k = 0; k <= BE_MAX_RELOCS; k++)
        rels[k] = rel;
    struct tcf_view v = { &h, &dep, rels, code, fault };
    tcf_append(&b, &v);
    size_t len;
    uint8_t *img = tcf_image(key, &b, &len);
    size_t n = count(img, len, key);
    free(img);
    free(b.p);
    return n;
}

Test(tcache_file, bad_records_are_refused)
{
    struct be_reloc good = { .offset = 4, .kind = BE_RELOC_CODE, .form = 2 };
    struct be_reloc past = good, kind = good;
    past.offset = 40;
    kind.kind = 7;
    cr_assert_eq(with_record(rec(1, 40, 1), good), 1);
    cr_assert_eq(with_record(rec(1, 40, 1), past), 0);
    cr_assert_eq(with_record(rec(1, 40, 1), kind), 0);
    cr_assert_eq(with_record(rec(1, 0, 0), good), 0);
    struct tcf_record h = rec(1, 40, 0);
    h.jump_site[1] = 38;
    cr_assert_eq(with_record(h, good), 0);
    h = rec(1, 40, 0);
    h.n_deps = 0;
    cr_assert_eq(with_record(h, good), 0);
    h = rec(1, 40, BE_MAX_RELOCS + 1);
    cr_assert_eq(with_record(h, good), 0);
}

Test(tcache_file, hash_sees_every_byte)
{
    uint8_t page[4096] = { 0 };
    uint64_t h0 = tcf_hash(page, sizeof page);
    for (size_t at = 0; at < sizeof page; at += 97) {
        page[at] = 1;
        cr_assert_neq(tcf_hash(page, sizeof page), h0);
        page[at] = 0;
    }
    cr_assert_neq(tcf_hash(page, 4095), h0);
}
