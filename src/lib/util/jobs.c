/*
 * Jobs on threads (see util/internal.h): the resolver's scoring and the
 * analysis's risk walk run their shares through these.
 */
#include "util/internal.h"

#include <pthread.h>
#include <stdbool.h>
#include <unistd.h>

int jd_thread_count(int threads)
{
    if (threads <= 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        threads = cpus > 0 ? (int)cpus : 1;
    }
    return threads > JD_MAX_THREADS ? JD_MAX_THREADS : threads;
}

void jd_run_jobs(void *(*fn)(void *), void *jobs, size_t job_size, int n)
{
    pthread_t tid[JD_MAX_THREADS];
    bool started[JD_MAX_THREADS] = {false};
    for (int t = 1; t < n && t < JD_MAX_THREADS; t++)
        started[t] = pthread_create(&tid[t], NULL, fn, (char *)jobs + job_size * (size_t)t) == 0;
    fn(jobs);
    for (int t = 1; t < n; t++) {
        if (t < JD_MAX_THREADS && started[t])
            pthread_join(tid[t], NULL);
        else
            fn((char *)jobs + job_size * (size_t)t);
    }
}
