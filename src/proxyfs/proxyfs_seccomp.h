/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxyfs_seccomp.h: the helper's system call allowlist
 */
#pragma once

#include "pfsinternal.h"

/* Load the filter into this thread (no_new_privs must be set). Every
 * system call the request loop does not need kills the process.
 * @listenfd >= 0: the listening socket the one client is still to be
 * accepted on (accept4 is allowed on that fd only). Returns 0, or -1
 * with an error reported. */
int pfsSeccompLoad(int listenfd);
