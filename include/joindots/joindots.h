/*
 * joindots: multi-agency child-protection early-warning library.
 * Umbrella header: include this to get the whole public API.
 */
#ifndef JOINDOTS_H
#define JOINDOTS_H

#include <joindots/account.h>
#include <joindots/analyse.h>
#include <joindots/audit.h>
#include <joindots/chronology.h>
#include <joindots/common.h>
#include <joindots/concern.h>
#include <joindots/csvout.h>
#include <joindots/demo.h>
#include <joindots/feed.h>
#include <joindots/identity.h>
#include <joindots/ingest.h>
#include <joindots/query.h>
#include <joindots/score.h>
#include <joindots/store.h>
#include <joindots/synth.h>

#endif
