/* The demo bundle: compiled-in CSV files written out on request. */
#include "util/embedded.h"
#include "util/internal.h"

#include <joindots/demo.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define F(name) {#name ".csv", jd_data_demo_##name, &jd_data_demo_##name##_len}
static const struct {
    const char *name;
    const char *data;
    const size_t *len;
} files[] = {F(events_csc),     F(events_health),  F(events_police),
             F(objects_police), F(persons_other), F(persons_police)};

int jd_demo_write_bundle(const char *dir, jd_error *err)
{
    if (!dir)
        return jd_error_set(err, JD_EINVALID, "no folder given");
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return jd_error_set_at(err, JD_EIO, dir, 0, 0, "cannot create: %s", strerror(errno));
    for (size_t i = 0; i < JD_ARRAY_LEN(files); i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, files[i].name);
        FILE *f = fopen(path, "wb");
        if (!f)
            return jd_error_set_at(err, JD_EIO, files[i].name, 0, 0, "cannot write: %s",
                                   strerror(errno));
        size_t n = fwrite(files[i].data, 1, *files[i].len, f);
        if (fclose(f) != 0 || n != *files[i].len)
            return jd_error_set_at(err, JD_EIO, files[i].name, 0, 0, "cannot write");
    }
    return JD_OK;
}
