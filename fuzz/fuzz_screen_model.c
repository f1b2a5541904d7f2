/*
 * libFuzzer target for the screen model loader (model_io.c): any bytes as a
 * model file must load or give a clean error naming the field, never a crash
 * or a leak; a model that loads is applied to a fixed result (thresholds,
 * features, the decision and its why). Seeded with small valid models.
 */
#include <joindots/screen.h>
#include <joindots/screen_model.h>

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    jd_screen_model *m = NULL;
    jd_error err;
    if (jd_screen_model_loadb(&m, (const char *)data, size, "fuzz", &err) != JD_OK)
        return 0;
    jd_screen_match mm[2];
    memset(mm, 0, sizeof mm);
    mm[0].kind = JD_SCREEN_OFFENCE;
    mm[0].code = "C2";
    mm[0].rule = "sex ~3 with";
    mm[0].start = 4;
    mm[0].end = 15;
    mm[0].counts = true;
    mm[1] = mm[0];
    mm[1].kind = JD_SCREEN_LANGUAGE;
    mm[1].code = "consent";
    mm[1].counts = false;
    mm[1].attrs = JD_SCREEN_QUOTED;
    jd_screen_result res = {mm, 2, 2};
    jd_screen_note in = {
        "F1", "She had sex with him. \"It was her choice.\"", "case_note", "police", 14, 'F', -1, 0,
        0};
    (void)jd_screen_model_apply(m, &in, &res, &err);
    jd_screen_model_free(m);
    return 0;
}
