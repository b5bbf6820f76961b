/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfstestexport.h: a fresh export with a running helper, per test
 */
#pragma once

#include "pfsinternal.h"

#include <sys/types.h>

#include "pfstestclient.h"

typedef struct _pfsTestExport pfsTestExport;
struct _pfsTestExport {
    char *top;           /* temporary directory holding everything */
    char *root;          /* top/export: what the helper serves */
    char *outside;       /* top/outside: a sentinel the helper must never reach */
    pfsTestHelper *helper;
};

/* Make top/, top/export and top/outside/sentinel ("SECRET", mode 0600),
 * and start @binary (ours when NULL) on the export with @extra args. */
pfsTestExport *pfsTestExportNew(const char *binary, const char *const *extra);

/* The two halves of pfsTestExportNew(), for tests that prepare the
 * export (mount something in it, say) before the helper starts. */
pfsTestExport *pfsTestExportCreate(void);
void pfsTestExportStartHelper(pfsTestExport *exp, const char *binary,
                              const char *const *extra);

/* Stop the helper: returns its wait status. */
int pfsTestExportStopHelper(pfsTestExport *exp);

void pfsTestExportFree(pfsTestExport *exp);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(pfsTestExport, pfsTestExportFree);

/* A path inside the export (host view). */
char *pfsTestExportPath(pfsTestExport *exp, const char *rel);

/* The inode number of the outside sentinel, to recognise it in replies. */
ino_t pfsTestExportSentinelIno(pfsTestExport *exp);

/* Assert that the outside sentinel is untouched: content, mode, owner,
 * times and xattrs as created. */
void pfsTestExportCheckSentinel(pfsTestExport *exp);
