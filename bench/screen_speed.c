/*
 * Speed of the text screen alone: reads notes as JSON Lines (the input of
 * `joindots screen --batch`: text, event_type, child_age, agency), keeps them
 * in memory, and times jd_screen_run over all of them (REPEAT passes).
 * Prints notes per second and matches found. Used by bench/screen_speed.sh.
 *
 *   screen_speed NOTES.jsonl [REPEAT] [MODEL.json | -]
 *
 * MODEL: the learned combiner to use instead of the built-in one ("-": none,
 * the rules alone), for an A/B of the model's cost in one binary.
 */
#include <joindots/screen.h>
#include <joindots/screen_model.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of this process: on a shared, loaded machine the wall time
 * counts other people's work too */
static double cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: screen_speed NOTES.jsonl [REPEAT] [MODEL.json | -]\n");
        return 2;
    }
    int repeat = argc > 2 ? atoi(argv[2]) : 1;
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    size_t n = 0, cap = 0;
    jd_screen_note *notes = NULL;
    char *line = NULL;
    size_t lcap = 0;
    ssize_t len;
    size_t bytes = 0;
    while ((len = getline(&line, &lcap, f)) > 0) {
        json_t *o = json_loadb(line, (size_t)len, 0, NULL);
        const char *t = o ? json_string_value(json_object_get(o, "text")) : NULL;
        if (!t) {
            json_decref(o);
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            jd_screen_note *q = realloc(notes, cap * sizeof *q);
            if (!q)
                return 1;
            notes = q;
        }
        const char *et = json_string_value(json_object_get(o, "event_type"));
        const char *ag = json_string_value(json_object_get(o, "agency"));
        json_t *age = json_object_get(o, "child_age");
        notes[n] = (jd_screen_note){NULL, strdup(t), et ? strdup(et) : NULL,
                                    ag ? strdup(ag) : NULL,
                                    json_is_integer(age) ? (int)json_integer_value(age) : -1, 0,
                                    -1, 0, 0};
        bytes += strlen(t);
        n++;
        json_decref(o);
    }
    free(line);
    fclose(f);
    jd_error err;
    jd_error_clear(&err);
    jd_screen *S;
    double t0 = now();
    if (jd_screen_open(&S, NULL, &err) < 0) {
        fprintf(stderr, "screen_speed: %s\n", err.msg);
        return 1;
    }
    double topen = now() - t0;
    if (argc > 3) {
        jd_screen_model *m = NULL;
        if (strcmp(argv[3], "-") && jd_screen_model_load(&m, argv[3], &err) < 0) {
            fprintf(stderr, "screen_speed: %s\n", err.msg);
            return 1;
        }
        jd_screen_set_model(S, m);
    }
    jd_screen_result res = {0};
    size_t found = 0;
    double c0 = cpu();
    t0 = now();
    for (int r = 0; r < repeat; r++)
        for (size_t i = 0; i < n; i++) {
            if (jd_screen_run(S, &notes[i], &res, &err) < 0) {
                fprintf(stderr, "screen_speed: %s\n", err.msg);
                return 1;
            }
            for (size_t k = 0; k < res.n; k++)
                found += res.m[k].counts;
        }
    double dt = now() - t0, ct = cpu() - c0;
    /* offences only, as joindots analyse asks for them */
    for (size_t i = 0; i < n; i++)
        notes[i].kinds = 1u << JD_SCREEN_OFFENCE;
    double t1 = now(), c1 = cpu();
    for (int r = 0; r < repeat; r++)
        for (size_t i = 0; i < n; i++)
            if (jd_screen_run(S, &notes[i], &res, &err) < 0)
                return 1;
    double dto = now() - t1, cto = cpu() - c1;
    printf("screen alone: %zu notes (%.1f MB) x %d in %.2f s = %.0f notes/s, %.1f MB/s "
           "(rules compiled in %.3f s; %zu counted matches)\n",
           n, (double)bytes / 1e6, repeat, dt, (double)n * repeat / dt,
           (double)bytes * repeat / 1e6 / dt, topen, found);
    printf("offences only (as in joindots analyse): %.2f s = %.0f notes/s\n", dto,
           (double)n * repeat / dto);
    printf("CPU time: every kind %.2f s = %.0f notes/s; offences only %.2f s = %.0f notes/s\n",
           ct, (double)n * repeat / ct, cto, (double)n * repeat / cto);
    jd_screen_result_free(&res);
    jd_screen_close(S);
    for (size_t i = 0; i < n; i++) {
        free((char *)notes[i].text);
        free((char *)notes[i].event_type);
        free((char *)notes[i].agency);
    }
    free(notes);
    return 0;
}
