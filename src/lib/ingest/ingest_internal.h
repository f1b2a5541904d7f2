/*
 * The ingest module: agency bundles in (include/joindots/ingest.h),
 * checked before any write, rows cleaned (text/norm.h) and stored through
 * the store's vtable in one transaction. Nothing else of the module is
 * shared: ingest.c is the whole module.
 *
 * May include: util, text, store (and public headers).
 */
#ifndef JD_INGEST_INTERNAL_H
#define JD_INGEST_INTERNAL_H

#include "util/internal.h"

#endif
