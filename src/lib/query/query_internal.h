/*
 * The query module: the read side. The in-memory person index for search,
 * stored alerts and acknowledgements, equality monitoring (query.c), and
 * one person's chronology (chronology.c).
 *
 * May include: util, text, store, resolve, screen, analyse (and public
 * headers). Never network, concern or tools.
 */
#ifndef JD_QUERY_INTERNAL_H
#define JD_QUERY_INTERNAL_H

#include "util/internal.h"

#endif
