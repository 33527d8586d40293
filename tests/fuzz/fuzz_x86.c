/* fuzz_x86.c -- libFuzzer harness for the x86-64 frontend and the
 * translation pipeline: the input is a guest block (decoded by capstone
 * and ferry's decoder, turned into IR, validated, optimised, register-
 * allocated and emitted by the host backend into a small code cache,
 * never run).  Nothing may crash, hang or trip a sanitizer; an invalid IR
 * aborts (check_ir).  The first byte picks the instruction budget and
 * whether the page is writable (which adds the self-modifying-code guards,
 * smc.c); the rest is the code, at a fixed guest pc in the middle of three
 * pages filled with int3 (which ends any block that runs off the input). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "frontend.h"
#include "translator.h"

#define FZ_BASE 0x10000000u
#define FZ_SIZE 0x3000u
#define FZ_PC (FZ_BASE + 0x1000u)
#define FZ_MAX_CODE 0x1000u

static struct tr_engine *engine;
static uint8_t *guest;

static void init(void)
{
    guest = mmap((void *)(uintptr_t)FZ_BASE, FZ_SIZE, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (guest != (uint8_t *)(uintptr_t)FZ_BASE)
        abort();
    struct tr_engine_config cfg = {
        .guest = &fe_x86_64, .mem = tr_mem_host(), .code_cache_size = 1u << 20, .check_ir = true,
    };
    engine = tr_engine_new(&cfg);
    /* The guest's world is its three pages: every other address is
     * recorded as unmapped, so a jump target never makes the decoder probe
     * the harness's own memory (ASan's shadow is readable to the kernel
     * but faults under instrumented loads). */
    tr_map_changed(engine, TR_UNMAP, 0, FZ_BASE, 0);
    tr_map_changed(engine, TR_UNMAP, FZ_BASE + FZ_SIZE, UINT64_MAX - (FZ_BASE + FZ_SIZE), 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!engine)
        init();
    if (size < 2)
        return 0;
    int budget = 1 + (data[0] & 63);
    int prot = TR_PROT_READ | TR_PROT_EXEC | (data[0] & 64 ? TR_PROT_WRITE : 0);
    size_t n = size - 1 < FZ_MAX_CODE ? size - 1 : FZ_MAX_CODE;
    memset(guest, 0xcc, FZ_SIZE);
    memcpy(guest + (FZ_PC - FZ_BASE), data + 1, n);
    tr_map_changed(engine, TR_MAP, FZ_BASE, FZ_SIZE, prot);
    tr_translate_alone(engine, FZ_PC, budget);
    return 0;
}
