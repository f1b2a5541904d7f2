/*
 * The ingest module: agency bundles in (include/joindots/ingest.h),
 * checked before any write, rows cleaned (text/norm.h) and stored through
 * the store's vtable in one transaction. ingest.c is the whole module; it
 * shares only the contract's list of event types, which the rules catalogue
 * (screen/rules.c) names its ET_* bits by.
 *
 * May include: util, text, store (and public headers).
 */
#ifndef JD_INGEST_INTERNAL_H
#define JD_INGEST_INTERNAL_H

#include "util/internal.h"

/* The contract's event types (interchange §1.5), "other" last: a row of
 * another type is kept as "other". */
#define JD_INGEST_NEVENT_TYPES 28
extern const char *const jd_ingest__event_types[JD_INGEST_NEVENT_TYPES];

#endif
