/* test_tcache_file.c -- the persistent translation cache's file format
 * (translator/tcache_file.c): records round-trip through a file image and
 * are found by pc through its index; a truncated image or another key is
 * refused whole, and with any byte flipped a lookup either finds the
 * record exactly as written or nothing (every record carries its own
 * hash); records that do not add up are refused. */
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

static uint64_t pc_of(int k)
{
    return 0x401000 + 16 * (uint64_t)k + ((uint64_t)(k & 1) << 32);  /* low halves collide */
}

/* An image of n records with code bytes k + pc. */
static uint8_t *image_of(int n, size_t *len)
{
    struct tcf_buf b = { 0 };
    uint8_t code[40], fault[3] = { 1, 2, 3 };
    struct tcf_dep dep = { 0x401, 0xabcdef };
    struct be_reloc rel = { .offset = 4, .kind = BE_RELOC_HOST, .form = 1, .target = 0x1234 };
    for (int k = 0; k < n; k++) {
        struct tcf_record h = rec(pc_of(k & ~1), 33 + (uint32_t)k, 1);
        h.guest_pc = pc_of(k);
        for (size_t i = 0; i < sizeof code; i++)
            code[i] = (uint8_t)(i + (size_t)k);
        struct tcf_view v = { &h, &dep, &rel, code, fault };
        tcf_append(&b, &v);
    }
    uint8_t *img = tcf_image(key, &b, len);
    free(b.p);
    return img;
}

/* Record k of image_of exactly as written. */
static bool is_record(const struct tcf_view *v, int k)
{
    return v->h->guest_pc == pc_of(k) && v->h->code_size == 33 + (uint32_t)k &&
           v->code[0] == k && v->code[32] == 32 + k && v->relocs[0].target == 0x1234 &&
           v->deps[0].hash == 0xabcdef && v->fault[2] == 3;
}

/* How many of image_of(n)'s records are found right (-1: the image is
 * refused whole; a wrong record found fails the test). */
static int found(const uint8_t *img, size_t len, const char *k, int n)
{
    struct tcf_layout l;
    struct tcf_view v;
    uint64_t slot;
    int right = 0;
    if (!tcf_layout(img, len, len, k, &l))
        return -1;
    for (int i = 0; i < n; i++)
        if (tcf_find(img, &l, pc_of(i), 0, true, &v, &slot)) {
            cr_assert(is_record(&v, i), "record %d found wrong", i);
            right++;
        }
    return right;
}

Test(tcache_file, round_trip)
{
    size_t len, pos = 0;
    uint8_t *img = image_of(5, &len);
    struct tcf_layout l;
    struct tcf_view v;
    uint64_t slot;
    cr_assert(tcf_layout(img, len, len, key, &l));
    cr_assert_eq(l.n_records, 5);
    cr_assert_eq(found(img, len, key, 5), 5);
    cr_assert_not(tcf_find(img, &l, pc_of(5), 0, true, &v, &slot));
    for (int k = 0; k < 5; k++) {
        cr_assert(tcf_next(img + l.body_off, l.body_len, &pos, &v));
        cr_assert(is_record(&v, k));
    }
    cr_assert_not(tcf_next(img + l.body_off, l.body_len, &pos, &v));
    free(img);
}

Test(tcache_file, damaged_images_are_refused)
{
    size_t len;
    uint8_t *img = image_of(3, &len);
    struct tcf_layout l;
    cr_assert(tcf_layout(img, len, len, key, &l));
    cr_assert_eq(found(img, len, "program=/bin/y\nhost=test\n", 3), -1);
    for (size_t cut = 0; cut < len; cut++)
        cr_assert_eq(found(img, cut, key, 3), -1, "truncated to %zu", cut);
    for (size_t at = 0; at < len; at++) {
        img[at] ^= 0x40;
        int n = found(img, len, key, 3);        /* (asserts every record found is right) */
        if (at < l.body_off)
            cr_assert_eq(n, -1, "header byte %zu flipped", at);
        else if (at < l.index_off)
            cr_assert_lt(n, 3, "body byte %zu flipped", at);
        img[at] ^= 0x40;
    }
    free(img);
}

/* A second record of a pc is not written. */
Test(tcache_file, first_record_of_a_pc_wins)
{
    struct tcf_buf b = { 0 };
    uint8_t code[40] = { 7 }, fault[3] = { 0 };
    struct tcf_dep dep = { 1, 2 };
    struct tcf_record h = rec(0x1000, 40, 0);
    struct tcf_view v = { &h, &dep, NULL, code, fault };
    tcf_append(&b, &v);
    code[0] = 8;
    tcf_append(&b, &v);
    size_t len;
    uint64_t slot;
    uint8_t *img = tcf_image(key, &b, &len);
    struct tcf_layout l;
    cr_assert(tcf_layout(img, len, len, key, &l));
    cr_assert_eq(l.n_records, 1);
    cr_assert(tcf_find(img, &l, 0x1000, 0, true, &v, &slot));
    cr_assert_eq(v.code[0], 7);
    free(img);
    free(b.p);
}

/* A pc's records of two modes: the index leads a lookup of either mode
 * straight to that mode's record, never first to the other's (format 9:
 * the mode is in the slot's key; before, a lookup of the second mode read
 * the first mode's record, far back in the file, and a warm cc1 -O2 read
 * 40 MB more of its 52 MB file for that). */
Test(tcache_file, index_leads_to_the_mode_asked)
{
    struct tcf_buf b = { 0 };
    uint8_t code[40] = { 0 }, fault[3] = { 0 };
    struct tcf_dep dep = { 1, 2 };
    const uint32_t modes[2] = { 0, 5u | 3u << 12 };
    for (int k = 0; k < 2; k++) {
        struct tcf_record h = rec(0x401000, 40, 0);
        h.mode = modes[k];
        code[0] = (uint8_t)k;
        struct tcf_view v = { &h, &dep, NULL, code, fault };
        tcf_append(&b, &v);
    }
    size_t len;
    uint8_t *img = tcf_image(key, &b, &len);
    struct tcf_layout l;
    cr_assert(tcf_layout(img, len, len, key, &l));
    cr_assert_eq(l.n_records, 2);
    for (int k = 1; k >= 0; k--) {
        uint64_t probe = tcf_slot_of(0x401000, l.slots), slot;
        size_t at = tcf_probe((const struct tcf_slot *)(const void *)(img + l.index_off), l.slots,
                              0x401000, modes[k], &probe, &slot);
        struct tcf_view v;
        cr_assert_neq(at, SIZE_MAX);
        cr_assert(tcf_record_at(img + l.body_off, l.body_len, at, true, &v));
        cr_assert_eq(v.h->mode, modes[k], "mode %d's first candidate is mode %#x's record", k, v.h->mode);
        cr_assert_eq(v.code[0], k);
    }
    free(img);
    free(b.p);
}

/* Records that do not add up are not found, even in a well-formed image. */
static int with_record(struct tcf_record h, struct be_reloc rel)
{
    struct tcf_buf b = { 0 };
    uint8_t code[64] = { 0 }, fault[3] = { 0 };
    struct tcf_dep dep = { 1, 2 };
    struct be_reloc rels[BE_MAX_RELOCS + 1];
    struct tcf_layout l;
    struct tcf_view v;
    uint64_t slot;
    for (int k = 0; k <= BE_MAX_RELOCS; k++)
        rels[k] = rel;
    struct tcf_view in = { &h, &dep, rels, code, fault };
    tcf_append(&b, &in);
    size_t len;
    uint8_t *img = tcf_image(key, &b, &len);
    int n = tcf_layout(img, len, len, key, &l) && tcf_find(img, &l, h.guest_pc, 0, true, &v, &slot);
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
