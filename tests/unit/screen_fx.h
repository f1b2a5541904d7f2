/* The engine fixture of the screen's unit tests (test_screen_engine.c,
 * test_screen_frame.c, test_screen_weak.c, test_screen_model.c): the
 * built-in rules opened once per test, the rules alone (no learned
 * combiner: these suites assert what the rules decide; the built-in model's
 * decisions are test_screen_model's and the integration suites'), and the
 * last result freed with them, and write_file for the loader's tests.
 * Include after <cmocka.h>. */
#ifndef JD_TEST_SCREEN_FX_H
#define JD_TEST_SCREEN_FX_H

#include <joindots/screen.h>
#include <joindots/screen_model.h>

#include <stdio.h>
#include <stdlib.h>

typedef struct fx {
    jd_screen *S;
    jd_screen_result res;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    jd_error err;
    jd_error_clear(&err);
    if (!f || jd_screen_open_model(&f->S, NULL, JD_SCREEN_MODEL_NONE, &err) != JD_OK) {
        fprintf(stderr, "screen rules: %s\n", err.msg);
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    jd_screen_result_free(&f->res);
    jd_screen_close(f->S);
    free(f);
    return 0;
}

/* Write body to path (a rules file for the loader's tests): 0 or -1. */
static inline int write_file(const char *path, const char *body)
{
    FILE *fp = fopen(path, "w");
    if (!fp)
        return -1;
    int rc = fputs(body, fp) < 0 ? -1 : 0;
    return fclose(fp) || rc ? -1 : 0;
}

#endif
