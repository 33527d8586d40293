/* vcache.h -- the vector env-slot cache's bookkeeping, shared by both
 * backends (vcache.c): which of a range of host SIMD registers holds an
 * exact copy of which 16-byte env slot.  The backend linking it defines
 * the range (vcache_first..vcache_last, at most VCACHE_MAX registers) and
 * emits all the code; this file only remembers.
 *
 * begin/end bracket every IR op; keep: glue emitted from `before` left the
 * cache registers and the vector slots alone; clobber: it also wrote env
 * bytes [off, off + n); reset: anything else. */
#ifndef FERRY_VCACHE_H
#define FERRY_VCACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "backend.h"

enum { VCACHE_MAX = 16 };
/* The host's cache registers, defined by its backend. */
extern const int vcache_first, vcache_last;

void vcache_reset(void);
void vcache_begin(const struct be_code *c);
void vcache_end(const struct be_code *c, bool kept);
void vcache_keep(const struct be_code *c, const uint8_t *before);
void vcache_clobber(const struct be_code *c, const uint8_t *before, int32_t off, unsigned n);
void vcache_forget(int32_t off, unsigned n);
int vcache_find(int32_t off);
int vcache_pick(int avoid0, int avoid1);
void vcache_take(int r);
void vcache_set(int r, int32_t off);
int32_t vcache_slot(int r);
uint32_t vcache_take_picked(void);
void vcache_start_with(const struct be_code *c, int r, int32_t off);
void vcache_watch(int r, int32_t off);
bool vcache_watch_hit(void);
/* Whether op i's code, as both backends emit it, keeps the cache. */
bool vcache_keeps_op(const struct be_code *c, const struct ir_insn *i);

#endif
