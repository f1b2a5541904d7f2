/*
 * libFuzzer target for the CSV reader and the field normalisers: any bytes
 * must give records or a clean error, never a crash, a leak or an overrun.
 * Small limits make the JD_ELIMIT skip paths run often.
 */
#include "util/csv.h"
#include "text/norm.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    jd_csv_opts o = JD_CSV_OPTS_INIT;
    o.max_field = 64;
    o.max_fields = 8;
    o.max_record = 256;
    if (size > 0 && data[0] == 'F') /* let the fuzzer reach the FEBRL options too */
        o.trim_leading_space = true;
    jd_csv *c = NULL;
    jd_error err;
    if (jd_csv__open_mem(&c, (const char *)data, size, "fuzz.csv", &o, &err) != JD_OK)
        return 0;
    int rc;
    long guard = 0;
    while ((rc = jd_csv__next(c, &err)) != 0 && guard++ < 100000) {
        if (rc == JD_EINVALID || rc == JD_ENOMEM || rc == JD_EIO)
            break;
        if (rc != 1)
            continue;
        for (size_t i = 0; i < jd_csv__nfields(c) + 1; i++) {
            size_t len;
            const char *f = jd_csv__field(c, i, &len);
            if (strlen(f) > len)
                __builtin_trap(); /* the field's NUL must end it */
            (void)jd_csv__valid_utf8(f, len);
            jd_datetime dt;
            char out[32];
            jd_precision p;
            int age;
            if (jd_norm__datetime(&dt, f, len) == JD_OK)
                jd_norm__format_uk(out, dt.utc);
            (void)jd_norm__dob(out, &p, f, len);
            (void)jd_norm__postcode(out, f, len);
            (void)jd_norm__phone(out, f, len);
            if (jd_norm__vrm(out, f, len) == JD_OK) {
                char disp[16];
                jd_norm__vrm_display(disp, out);
            }
            (void)jd_norm__nhs(out, f, len);
            (void)jd_norm__upn(out, f, len);
            (void)jd_norm__gender(f, len);
            (void)jd_norm__age(&age, f, len);
        }
    }
    jd_csv__close(c);
    return 0;
}
