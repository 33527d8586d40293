/* code_bytes.h -- machine code written into a buffer, for the guests that
 * make their own code (jit_remap, chain_call_unchain): bytes, a rel32 or
 * imm32, and g(x) = x * k + c, the function both call. */
#ifndef CODE_BYTES_H
#define CODE_BYTES_H

#include <stdint.h>
#include <string.h>

static void put(uint8_t **p, const void *bytes, size_t n)
{
    memcpy(*p, bytes, n);
    *p += n;
}

static void put32(uint8_t **p, uint32_t v) { put(p, &v, 4); }

/* g(x) = x * k + c at *p: imul rax,rdi,k; add rax,c; ret. */
static void put_linear(uint8_t **p, int32_t k, int32_t c)
{
    put(p, "\x48\x69\xc7", 3);                          /* imul rax,rdi,k */
    put32(p, (uint32_t)k);
    put(p, "\x48\x05", 2);                              /* add rax,c */
    put32(p, (uint32_t)c);
    put(p, "\xc3", 1);
}

#endif
