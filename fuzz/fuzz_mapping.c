/*
 * libFuzzer target for column-mapping files (ingest.c, docs/mapping.md):
 * any bytes load or give a clean error, never a crash or a leak. Seeded
 * with the FEBRL mappings in data/mappings.
 */
#include "fuzz_memfile.h"
#include "util/internal.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    int fd = fuzz_memfile(path, data, size);
    if (fd < 0)
        return 0;
    jd_error err;
    (void)jd_ingest__mapping_check(path, &err);
    close(fd);
    return 0;
}
