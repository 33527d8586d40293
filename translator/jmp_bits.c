/* jmp_bits.c -- the jump cache's size and entry stride (translator.h): the
 * backend's choice, since its inline probe has the index's width and the
 * entry's size built in (be_host.jmp_bits; TR_JMP_BITS when it leaves that
 * 0; be_host.jmp_dead_in_entry: 32-byte entries).  Alone in its
 * file so that backend tests linking their own tr_lookup_code do not pull
 * in the code cache. */
#include "tr_internal.h"

unsigned tr_jmp_bits(void)
{
    return be_host.jmp_bits ? (unsigned)be_host.jmp_bits : TR_JMP_BITS;
}

unsigned tr_jmp_stride(void)
{
    return be_host.lazy_exit_stores && be_host.jmp_dead_in_entry ? 2 : 1;
}
