/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfsrandom.h: random bytes for generated identifiers (UUIDs, MACs)
 */
#pragma once

#include "pfsinternal.h"

void pfsRandomBytes(unsigned char *buf, size_t len);

/* Make the sequence reproducible, for golden-file tests. */
void pfsRandomSetSeed(guint32 seed);
