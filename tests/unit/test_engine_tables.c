/* test_engine_tables.c -- where a new engine's tables lie
 * (translator/tr_tables.c, translator/engine.c, translator/translate.c):
 * until its first translation an engine and its first vCPU's jump cache
 * share the translator's tables' first 2 MiB region (one huge page to
 * clear), because the translation scratch (struct tr_xlate_work, 730 KB
 * with the register allocator's state) is made at the first translation,
 * not with the engine: a warm process that restores every block from the
 * persistent cache never needs it.  The first translation makes it. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "frontend.h"
#include "tr_internal.h"

#define REGION_SHIFT 21                 /* tr_tables.c's TABLES_SIZE, 2 MiB */

static bool same_region(const void *a, const void *b)
{
    return (uintptr_t)a >> REGION_SHIFT == (uintptr_t)b >> REGION_SHIFT;
}

/* Criterion runs each test in a process of its own: its tables are fresh. */
Test(engine_tables, jump_cache_beside_engine_until_first_translation)
{
    struct tr_engine_config cfg = { .guest = &fe_x86_64, .mem = tr_mem_host(),
                                    .code_cache_size = 1u << 20 };
    struct tr_engine *e = tr_engine_new(&cfg);
    cr_assert_null(e->xl->work, "no translation scratch before a translation");
    struct tr_jmp_entry *jc = tr_jmp_cache_alloc();
    cr_assert(same_region(e, jc), "engine %p and jump cache %p in one 2 MiB region", (void *)e,
              (void *)jc);
    cr_assert(same_region(e, (uint8_t *)jc + (1 + TR_JMP_DEAD_TABLES) * TR_JMP_SIZE_MAX * sizeof(struct tr_jmp_entry) - 1),
              "the jump cache ends in the engine's region");

    /* nop; nop; ret -- translated from host memory (mem_host) */
    uint8_t *code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    cr_assert_neq(code, MAP_FAILED);
    memcpy(code, "\x90\x90\xc3", 3);
    mprotect(code, 4096, PROT_READ | PROT_EXEC);
    struct tr_host_code hc = tr_translate_alone(e, (uint64_t)(uintptr_t)code, 3);
    cr_assert_gt(hc.size, 0);
    cr_assert_not_null(e->xl->work, "the first translation made its scratch");
    cr_assert_not_null(e->xl->work->ra);
    tr_jmp_cache_free(jc);
}
