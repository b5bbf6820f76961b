/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfsrandom.c: random bytes for generated identifiers
 */
#include "pfsinternal.h"

#include <errno.h>
#include <sys/random.h>

#include "pfsrandom.h"

/* set by tests only: then every byte comes from a seeded generator */
static GRand *seeded;


void
pfsRandomSetSeed(guint32 seed)
{
    if (seeded)
        g_rand_free(seeded);
    seeded = g_rand_new_with_seed(seed);
}


void
pfsRandomBytes(unsigned char *buf, size_t len)
{
    size_t done = 0;
    size_t i;

    if (!seeded) {
        while (done < len) {
            ssize_t n = getrandom(buf + done, len - done, 0);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                break;
            }
            done += n;
        }
    }
    /* without getrandom() (very old kernels) GLib's generator, seeded
     * from /dev/urandom, is good enough for identifiers */
    for (i = done; i < len; i++)
        buf[i] = seeded ? g_rand_int_range(seeded, 0, 256)
                        : g_random_int_range(0, 256);
}
