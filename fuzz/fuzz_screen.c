/*
 * libFuzzer target for the text screen through its public entry point
 * (jd_screener_open once with the built-in catalogue, jd_screener_run per
 * input) and the tokenizer underneath: any note text, any event type, age
 * and flags: findings inside the text, never a crash, a hang or a leak.
 */
#include "screen/textscan.h"

#include <joindots/analyse.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct fuzz_ctx {
    size_t len;
} fuzz_ctx;

static int on_finding(const jd_finding *f, void *payload)
{
    const fuzz_ctx *c = payload;
    if (f->offset >= 0 && ((size_t)f->offset > c->len || f->length < 0 ||
                           (size_t)f->offset + (size_t)f->length > c->len))
        __builtin_trap();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static jd_screener *scr; /* the rules compiled once per process */
    jd_error err;
    if (!scr && jd_screener_open(&scr, NULL, &err) != JD_OK)
        __builtin_trap();
    static const char *const types[] = {NULL, "case_note", "missing_report", "crime_report",
                                        "stop_search", "return_interview", "ae_attendance",
                                        "police_intelligence"};
    uint8_t b = size ? data[0] : 0;
    char *text = malloc(size ? size : 1); /* NUL-terminated copy without the control byte */
    if (!text)
        return 0;
    size_t n = size ? size - 1 : 0;
    memcpy(text, data + (size ? 1 : 0), n);
    text[n] = '\0';
    n = strlen(text);
    jd_screen_input in = {.event_type = types[b & 7],
                          .text = text,
                          .age = (b >> 3) & 1 ? (int)(b >> 4) + 8 : -1,
                          .vehicle = (b >> 3) & 1,
                          .adult_party = (b >> 4) & 1};
    fuzz_ctx c = {n};
    (void)jd_screener_run(scr, &in, on_finding, &c, &err);
    jd_ts_scan sc;
    jd_ts__scan_init(&sc);
    (void)jd_ts__tokenize(&sc, text, n);
    jd_ts__scan_free(&sc);
    free(text);
    return 0;
}
