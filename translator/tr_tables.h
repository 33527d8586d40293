/* tr_tables.h -- zeroed memory for the translator's long-lived tables
 * (tr_tables.c). */
#ifndef FERRY_TR_TABLES_H
#define FERRY_TR_TABLES_H

#include <stddef.h>

/* size bytes of zeros, never freed, 64-byte aligned; NULL when out of
 * memory. */
void *tr_table_alloc(size_t size);

#endif
