/* exec_main.c -- driver of the AArch64 backend execution tests: owns the
 * executable buffer, the test's globals, the enter() trampoline (which
 * loads the pinned ones), the jump cache, and main(). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "exec_common.h"

#define CODE_BYTES (32u << 20)

struct xt_env xt_env;
struct ir_globals xt_globals;
/* Allocated, aligned to its size (a 256 KiB-aligned static would give the
 * binary a segment qemu-aarch64 maps wrongly). */
struct tr_jmp_entry *xt_jmp_cache;
uint64_t (*xt_enter)(void *env, const void *code);
int xt_failures, xt_checks;

static uint8_t *code_buf, *code_next;
static const uint8_t *epilogue;
static char fake_tb;

/* As translator/codecache.c does: entry k gets pc k^1, which maps to
 * entry k^1, so it never matches. */
void xt_clear_jmp_cache(void)
{
    for (unsigned k = 0, n = tr_jmp_size(); k < n; k++) {
        *tr_jmp_at(xt_jmp_cache, k) = (struct tr_jmp_entry){ .pc = k ^ 1u };
        *tr_jmp_dead(xt_jmp_cache, k) = k ^ 1u;     /* (32-byte entries: never matches) */
    }
}

struct tr_jmp_entry *xt_jmp_slot(uint64_t pc)
{
    return tr_jmp_at(xt_jmp_cache, tr_jmp_index(pc));
}

static void declare_globals(void)
{
    static char names[XT_N_GLOBALS][8];
    for (int g = 0; g < XT_N_GLOBALS; g++) {
        snprintf(names[g], sizeof names[g], "g%d", g);
        ir_global_declare(&xt_globals, names[g],
                          (int32_t)(offsetof(struct xt_env, gregs) + 8 * (size_t)g));
    }
}

void xt_init(void)
{
    declare_globals();
    size_t bytes = tr_jmp_table_len() * sizeof(struct tr_jmp_entry);
    xt_jmp_cache = aligned_alloc(bytes, bytes);
    if (!xt_jmp_cache) { perror("aligned_alloc"); exit(2); }
    xt_env.rt.jmp_cache = xt_jmp_cache;
    xt_clear_jmp_cache();
    code_buf = mmap(NULL, CODE_BYTES, PROT_READ | PROT_WRITE | PROT_EXEC,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code_buf == MAP_FAILED) { perror("mmap"); exit(2); }
    struct be_code c = { .start = code_buf, .ptr = code_buf,
                         .end = code_buf + 4096 - BE_MAX_INSN_BYTES };
    xt_enter = (uint64_t (*)(void *, const void *))be_emit_prologue(&c, &xt_globals);
    epilogue = c.epilogue;
    code_next = code_buf + 4096;
}

struct be_code xt_block(void)
{
    if (code_next + 65536 > code_buf + CODE_BYTES)
        code_next = code_buf + 4096;
    struct be_code c = { .start = code_next, .ptr = code_next,
                         .end = code_next + 65536 - BE_MAX_INSN_BYTES,
                         .epilogue = epilogue, .tb = (struct tr_block *)&fake_tb,
                         .jump_site = { UINT32_MAX, UINT32_MAX } };
    return c;
}

struct be_code xt_block_at(uint8_t *start)
{
    struct be_code c = xt_block();
    c.start = c.ptr = start;
    c.end = start + 65536 - BE_MAX_INSN_BYTES;
    return c;
}

/* Runs the block from its start; the next block goes after it. */
uint64_t xt_run(const struct be_code *c)
{
    code_next = (uint8_t *)(((uintptr_t)c->ptr + 63) & ~(uintptr_t)63);
    return xt_enter(&xt_env, c->start);
}

int main(void)
{
    xt_init();
    xt_test_ops();
    xt_test_mem();
    xt_test_offsets();
    xt_test_exits();
    xt_test_regalloc();
    xt_test_atomic();
    xt_test_vec();
    xt_test_pinned();
    xt_test_signext();
    xt_test_div();
    xt_test_fold_prev();
    xt_test_const_literal();
    xt_test_guard_entry();
    printf("a64 exec tests: %d checks, %d failures\n", xt_checks, xt_failures);
    return xt_failures != 0;
}
