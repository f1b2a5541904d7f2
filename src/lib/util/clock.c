/*
 * The monotonic clock in seconds, for the stage timings that runs report
 * (analyse, resolve, ingest, feeds, live updates, the demo).
 */
#include "util/internal.h"

#include <time.h>

double jd_secs(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double jd_thread_cpu_secs(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
        return 0;
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
