#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# smoke: a few operations on the 'share' 9p mount, in about a second of
# guest time: is the share there, and do owners, modes, links and xattrs
# reach the host? The full suite is fileops.sh. Leaves a manifest for
# tests/e2e/check-host.py, like every suite.

. /suites/lib/pfs.sh

pfs_share smoke.mounted || exit 1
pfs_manifest_start || exit 1

umask 022
T=$S/smoke
rm -rf "$T"
pfs_expect smoke.mkdir ok mkdir -m 1777 "$T" || exit 1
pfs_manifest dir smoke uid=0 gid=0 mode=1777

pfs_expected hello 'hello\n'
pfs_expect smoke.create ok cp "$PFS_EXP" "$T/hello.txt"
pfs_expect_same smoke.read "$PFS_EXP" cat "$T/hello.txt"
pfs_expect smoke.chown ok chown 1234:2345 "$T/hello.txt"
pfs_expect smoke.chmod ok chmod 2640 "$T/hello.txt"
pfs_manifest_file smoke/hello.txt 1234 2345 2640 "$PFS_EXP"

pfs_expect smoke.user-create ok pfs_as 1000 1000 sh -c "printf 'hello\n' > '$T/user.txt'"
mkdir -m 0700 "$T/private"
pfs_expect smoke.user-create-refused EACCES pfs_as 1000 1000 sh -c "printf x > '$T/private/none'"
pfs_manifest absent smoke/private/none
pfs_manifest_file smoke/user.txt 1000 1000 0644 "$PFS_EXP"

pfs_expect smoke.symlink ok ln -s hello.txt "$T/link"
pfs_manifest symlink smoke/link target=hello.txt uid=0 gid=0
pfs_expect smoke.setxattr ok "$PFS_TOOL" setxattr "$T/hello.txt" user.pfs.smoke yes
pfs_manifest xattr smoke/hello.txt name=user.pfs.smoke value=yes
pfs_expect smoke.mknod-char EPERM "$PFS_TOOL" mknod "$T/null" c 1 3 0666
pfs_manifest absent smoke/null
pfs_expect smoke.dotdot ENOENT cat "$S/../sentinel.txt"
sync
exit 0
