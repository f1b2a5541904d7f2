/*
 * libFuzzer target for the field normalisers (norm.c): dates and times,
 * dates of birth, postcodes, phones, vehicle marks, NHS numbers, UPNs,
 * genders and ages. Any bytes: a value or a clean refusal, never a crash or
 * a write past the fixed output buffers (each checked for its NUL).
 */
#include "text/norm.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TERMINATED(b) (memchr((b), '\0', sizeof(b)) != NULL)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    jd_datetime dt;
    char uk[32];
    if (jd_norm__datetime(&dt, s, size) == JD_OK) {
        jd_norm__format_uk(uk, dt.utc);
        if (!TERMINATED(uk))
            __builtin_trap();
        int32_t off = jd_norm__uk_offset(dt.utc);
        if (off != 0 && off != 3600)
            __builtin_trap();
    }
    char dob[11];
    jd_precision prec;
    if (jd_norm__dob(dob, &prec, s, size) == JD_OK && !TERMINATED(dob))
        __builtin_trap();
    char pc[9];
    if (jd_norm__postcode(pc, s, size) == JD_OK && !TERMINATED(pc))
        __builtin_trap();
    char ph[17];
    if (jd_norm__phone(ph, s, size) == JD_OK && !TERMINATED(ph))
        __builtin_trap();
    char vrm[16], disp[16];
    if (jd_norm__vrm(vrm, s, size) == JD_OK) {
        if (!TERMINATED(vrm))
            __builtin_trap();
        jd_norm__vrm_display(disp, vrm);
        if (!TERMINATED(disp))
            __builtin_trap();
    }
    char nhs[11];
    if (jd_norm__nhs(nhs, s, size) == JD_OK && !TERMINATED(nhs))
        __builtin_trap();
    char upn[14];
    if (jd_norm__upn(upn, s, size) == JD_OK && !TERMINATED(upn))
        __builtin_trap();
    (void)jd_norm__gender(s, size);
    int age;
    (void)jd_norm__age(&age, s, size);
    return 0;
}
