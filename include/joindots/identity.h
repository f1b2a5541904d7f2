/*
 * Identities: which person_refs, in which agencies, are one real person.
 * Split by concern into resolve.h (jd_resolve, jd_explain_match), link.h
 * (human link decisions) and identity_export.h (the export and the
 * identity generation); this header includes the three, for code written
 * before the split.
 */
#ifndef JOINDOTS_IDENTITY_H
#define JOINDOTS_IDENTITY_H

#include <joindots/identity_export.h>
#include <joindots/link.h>
#include <joindots/resolve.h>

#endif
