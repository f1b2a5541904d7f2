/*
 * Exploitation networks (issue 6): the POLE graph and network detection.
 * Placeholder entry point until the network rule lands: raises nothing.
 */
#include "analyse_internal.h"

int jd_network__detect(an *A)
{
    (void)A;
    return JD_OK;
}
