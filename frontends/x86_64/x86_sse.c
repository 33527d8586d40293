/* x86_sse.c -- table-driven translation of SSE/SSE2 instructions
 * (placeholder until the SSE translator lands: knows no instruction). */
#include "x86_translate.h"

bool x86_translate_sse(struct x86_dc *dc)
{
    (void)dc;
    return false;
}
