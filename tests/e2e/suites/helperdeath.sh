#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# helperdeath: the share's helper is killed while the guest uses it. The
# guest must get I/O errors (not hang, not see stale data as success), and
# the host side (tests/e2e/pfs-e2e-driver.py --kill-helper) checks that
# the driver noticed and tore the domain down. The host kills the helper
# when CTL/sync/helper.kill appears, and answers with helper.killed.

. /suites/lib/pfs.sh

S=${PFS_MNT_share:-/mnt/share}
pfs_manifest_start || exit 1

pfs_expected before 'written before\n'
pfs_expect helperdeath.write ok cp "$PFS_EXP" "$S/before.txt" || exit 1
pfs_manifest_file before.txt 0 0 0644 "$PFS_EXP"

mkdir -p "$PFS_CTL/sync"
true > "$PFS_CTL/sync/helper.kill"
i=0
while [ ! -e "$PFS_CTL/sync/helper.killed" ]; do
    i=$((i + 1))
    if [ $i -ge 200 ]; then
        pfs_fail helperdeath.killed "no answer from the host"
        exit 1
    fi
    sleep 0.05
done
pfs_ok helperdeath.killed

# metadata goes to the helper: every request now fails at once
pfs_expect helperdeath.stat EIO stat "$S/before.txt"
pfs_expect helperdeath.create EIO sh -c "echo x > '$S/after.txt'"
pfs_expect helperdeath.mkdir EIO mkdir "$S/afterdir"
exit 0
