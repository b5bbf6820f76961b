#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# A PFS_TEST_HELPER_WRAPPER: run the helper ("$1" on) as nobody, without
# the sandbox, the way --unprivileged serves.
exec setpriv --reuid=65534 --regid=65534 --clear-groups "$@" --unprivileged
