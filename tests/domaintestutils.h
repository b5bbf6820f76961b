/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domaintestutils.h: golden files for the domain XML and QEMU suites
 *
 * With VIR_TEST_REGENERATE_OUTPUT=1 (or PFS_TEST_REGENERATE_OUTPUT=1)
 * the comparison writes the actual output over the expected file
 * instead of failing; review the diff afterwards.
 */
#pragma once

#include "pfsinternal.h"

/* $PFS_TEST_SRCDIR/@subdir/@name, as set by tests/meson.build. */
char *pfsTestDataPath(const char *subdir, const char *name);

bool pfsTestRegenerate(void);

/* 0 when @actual equals the content of @path (or was written there
 * when regenerating); -1 with both texts printed otherwise. */
int pfsTestCompareToFile(const char *actual, const char *path);

/* The fixed environment the command-line goldens assume. */
void pfsTestSetFixedEnvironment(void);
