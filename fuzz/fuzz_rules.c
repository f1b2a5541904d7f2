/*
 * libFuzzer target for the rules loader (rules.c): any bytes as a rules
 * file must load or give a clean error naming the entry, never a crash or
 * a leak. Seeded with the real catalogue.
 */
#include "fuzz_memfile.h"
#include "screen/rules.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    int fd = fuzz_memfile(path, data, size);
    if (fd < 0)
        return 0;
    jd_rules *r = NULL;
    jd_error err;
    if (jd_rules__load(&r, path, &err) == JD_OK)
        jd_rules__free(r);
    close(fd);
    return 0;
}
