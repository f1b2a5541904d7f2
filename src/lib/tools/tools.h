/*
 * The tools module, on top of the library: the synthetic county and its
 * truth (synth.c), scoring against it (score.c), and the demo bundle and
 * pipeline (demo.c). Each is a public API (synth.h, score.h, demo.h).
 *
 * May include: any module (nothing includes tools).
 */
#ifndef JD_TOOLS_H
#define JD_TOOLS_H

#include "util/internal.h"

#endif
