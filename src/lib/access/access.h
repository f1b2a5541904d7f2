/*
 * The access module: accounts, roles, sessions and CSRF tokens
 * (account.c, include/joindots/account.h), and the hash-chained audit log
 * (audit.c, include/joindots/audit.h). Its files share nothing but the
 * store.
 *
 * May include: util, text, store (and public headers). Sits beside the
 * domain modules: nothing of ingest, resolve, screen, analyse, network or
 * concern.
 */
#ifndef JD_ACCESS_H
#define JD_ACCESS_H

#include "util/internal.h"

#endif
