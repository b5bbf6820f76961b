#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# fileops: file operations on the 'share' 9p mount, as root and as the
# users 1000 (also in group 1500) and 1001, with the escape attempts.
# Run by /init as root; every check prints a PFS-RESULT line, and what the
# suite leaves in the share is listed in the manifest ($PFS_CTL/manifest.txt,
# or pfs-e2e-manifest.txt at the root of the share without a control
# share) for tests/e2e/check-host.py.
#
# From the control share's 'params' file (written by the host):
#   sentinel_path=ABSOLUTE-HOST-PATH  the host file outside the export that
#                                     must stay unreadable
#   agent=1                           the host swaps files for symlinks on
#                                     request (CTL/sync/NAME.req -> .done)
# Everything a guest may read of the sentinel starts with PFS-SENTINEL.

. /suites/lib/pfs.sh

# Careful: in this shell, a failed redirection on a special built-in such
# as ':' or 'exec' ends the suite; use 'true > FILE', or a child shell.

pfs_share setup || exit 1
pfs_manifest_start || exit 1
export PFS_MANIFEST

umask 022
REL=fileops
T=$S/$REL
SENTINEL_PATH=$(pfs_param sentinel_path)
AGENT=$(pfs_param agent)
SENTINEL_PATH=${SENTINEL_PATH:-/pfs-e2e-no-sentinel/sentinel.txt}

# The users: uid, primary gid and supplementary groups
U1000=1000,1500
U1001=1001

# --- set-up, as root --------------------------------------------------------

pfs_info section-setup

rm -rf "$T"
pfs_expect setup.mkdir ok mkdir "$T" || exit 1
for d in root u1000 u1001 shared sgid esc; do
    mkdir "$T/$d" || { pfs_fail setup.mkdir "$T/$d"; exit 1; }
done
chown 1000:1000 "$T/u1000"
chown 1001:1001 "$T/u1001"
chmod 0700 "$T/u1001"
chmod 1777 "$T/shared"
chown 0:1500 "$T/sgid"
chmod 2775 "$T/sgid"
pfs_manifest dir $REL uid=0 gid=0 mode=0755
pfs_manifest dir $REL/root uid=0 gid=0 mode=0755
pfs_manifest dir $REL/u1000 uid=1000 gid=1000 mode=0755
pfs_manifest dir $REL/u1001 uid=1001 gid=1001 mode=0700
pfs_manifest dir $REL/shared uid=0 gid=0 mode=1777
pfs_manifest dir $REL/sgid uid=0 gid=1500 mode=2775
pfs_expect_stat setup.sticky-dir "$T/shared" "0 0 1777"
pfs_expect_stat setup.setgid-dir "$T/sgid" "0 1500 2775"

# --- root -------------------------------------------------------------------

pfs_info section-root

R=$T/root
RR=$REL/root

# create, write, read, append
pfs_expected root-new 'hello from root\n'
exp=$PFS_EXP
pfs_expect root.create ok sh -c "printf 'hello from root\n' > '$R/new.txt'"
pfs_expect_same root.read "$exp" cat "$R/new.txt"
pfs_expected root-new2 'hello from root\nsecond line\n'
exp=$PFS_EXP
pfs_expect root.append ok sh -c "printf 'second line\n' >> '$R/new.txt'"
pfs_expect_same root.read-appended "$exp" cat "$R/new.txt"
pfs_expect_stat root.create-owner "$R/new.txt" "0 0 0644"
pfs_manifest_file $RR/new.txt 0 0 0644 "$exp"
printf 'a longer first version\n' > "$R/overwrite.txt"
pfs_expect root.overwrite ok sh -c "printf 'short\n' > '$R/overwrite.txt'"
pfs_expected overwrite 'short\n'
pfs_expect_same root.overwrite-read "$PFS_EXP" cat "$R/overwrite.txt"
pfs_manifest_file $RR/overwrite.txt 0 0 0644 "$PFS_EXP"

# a large file: several messages of msize (256 KiB), an odd size, and no
# repeating pattern (the start of busybox: /dev/urandom is slow under TCG)
head -c 1000003 /bin/busybox > "$PFS_SCRATCH/big"
pfs_expect root.write-large ok cp "$PFS_SCRATCH/big" "$R/big.bin"
pfs_expect_same root.read-large "$PFS_SCRATCH/big" cat "$R/big.bin"
pfs_manifest_file $RR/big.bin 0 0 0644 "$PFS_SCRATCH/big"

# mkdir, rmdir
pfs_expect root.mkdir ok mkdir "$R/dir"
pfs_expect root.mkdir-mode ok mkdir -m 0750 "$R/dir750"
pfs_expect_stat root.mkdir-mode-stat "$R/dir750" "0 0 0750"
pfs_manifest dir $RR/dir uid=0 gid=0 mode=0755
pfs_manifest dir $RR/dir750 uid=0 gid=0 mode=0750
mkdir "$R/gone"
pfs_expect root.rmdir ok rmdir "$R/gone"
pfs_manifest absent $RR/gone
mkdir "$R/full"
true > "$R/full/x"
pfs_expect root.rmdir-nonempty ENOTEMPTY rmdir "$R/full"
pfs_manifest dir $RR/full uid=0 gid=0 mode=0755

# chown to other users, on files and (with -h) on a symlink itself
printf 'owned\n' > "$R/owned.txt"
pfs_expect root.chown ok chown 1234:2345 "$R/owned.txt"
pfs_expect root.chmod-after-chown ok chmod 0640 "$R/owned.txt"
pfs_expect_stat root.chown-stat "$R/owned.txt" "1234 2345 0640"
pfs_expected owned 'owned\n'
pfs_manifest_file $RR/owned.txt 1234 2345 0640 "$PFS_EXP"
printf 'group only\n' > "$R/chgrp.txt"
pfs_expect root.chgrp ok chgrp 1500 "$R/chgrp.txt"
pfs_expected chgrp 'group only\n'
pfs_manifest_file $RR/chgrp.txt 0 1500 0644 "$PFS_EXP"
ln -s new.txt "$R/owned-link"
pfs_expect root.chown-h ok chown -h 4321:4322 "$R/owned-link"
pfs_manifest symlink $RR/owned-link target=new.txt uid=4321 gid=4322
pfs_expect_stat root.chown-h-target "$R/new.txt" "0 0 0644"

# chmod, with set-id and sticky bits
for spec in mode600:0600 suid:4755 sgid:2755 sgidnox:2644 all:6777 none:0000; do
    name=${spec%%:*}
    mode=${spec#*:}
    printf '%s\n' "$name" > "$R/$name.mode"
    pfs_expect "root.chmod-$mode" ok chmod "$mode" "$R/$name.mode"
    pfs_expect_stat "root.chmod-$mode-stat" "$R/$name.mode" "0 0 $mode"
    pfs_expected "mode-$name" "$name\n"
    pfs_manifest_file "$RR/$name.mode" 0 0 "$mode" "$PFS_EXP"
done
mkdir "$R/sticky" "$R/setgid"
pfs_expect root.chmod-dir-sticky ok chmod 1777 "$R/sticky"
pfs_expect root.chmod-dir-setgid ok chmod 2770 "$R/setgid"
pfs_manifest dir $RR/sticky uid=0 gid=0 mode=1777
pfs_manifest dir $RR/setgid uid=0 gid=0 mode=2770
# root reads and writes a mode 0000 file of another user (DAC override)
pfs_expected nobody 'private\n'
exp=$PFS_EXP
cp "$exp" "$R/nobody.txt"
chown 1234:1234 "$R/nobody.txt"
chmod 0000 "$R/nobody.txt"
pfs_expect_same root.read-mode-0000 "$exp" cat "$R/nobody.txt"
pfs_expected nobody2 'private\nroot was here\n'
exp=$PFS_EXP
pfs_expect root.append-mode-0000 ok sh -c "printf 'root was here\n' >> '$R/nobody.txt'"
pfs_manifest_file $RR/nobody.txt 1234 1234 0000 "$exp"

# symlinks: relative, absolute, dangling, to a directory
pfs_expect root.symlink ok ln -s new.txt "$R/rel-link"
pfs_expect_output root.readlink new.txt readlink "$R/rel-link"
pfs_expect_same root.read-through-symlink "$R/new.txt" cat "$R/rel-link"
pfs_expect root.symlink-absolute ok ln -s /etc/hostname "$R/abs-link"
pfs_expect root.symlink-dangling ok ln -s does/not/exist "$R/dangling"
ln -s does/not/exist "$R/dangling-kept"
pfs_manifest symlink $RR/dangling-kept target=does/not/exist uid=0 gid=0
pfs_expect root.symlink-dir ok ln -s dir "$R/dir-link"
pfs_manifest symlink $RR/rel-link target=new.txt uid=0 gid=0
pfs_manifest symlink $RR/abs-link target=/etc/hostname uid=0 gid=0
pfs_manifest symlink $RR/dir-link target=dir uid=0 gid=0

# hard links
pfs_expect root.hardlink ok ln "$R/new.txt" "$R/hard.txt"
pfs_expect_output root.hardlink-nlink 2 stat -c %h "$R/new.txt"
pfs_run stat -c %i "$R/new.txt" "$R/hard.txt"
if [ $PFS_RC -eq 0 ] && [ "$(echo "$PFS_OUT" | sort -u | wc -l)" -eq 1 ]; then
    pfs_ok root.hardlink-same-inode
else
    pfs_fail root.hardlink-same-inode "$PFS_OUT"
fi
pfs_manifest hardlink $RR/hard.txt other=$RR/new.txt

# rename: plain, into another directory, over an existing file, a directory
printf 'renamed\n' > "$R/before.txt"
pfs_expect root.rename ok mv "$R/before.txt" "$R/after.txt"
pfs_manifest absent $RR/before.txt
pfs_expected renamed 'renamed\n'
pfs_manifest_file $RR/after.txt 0 0 0644 "$PFS_EXP"
printf 'moved\n' > "$R/mover.txt"
pfs_expect root.rename-dir ok mv "$R/mover.txt" "$R/dir/moved.txt"
pfs_manifest absent $RR/mover.txt
pfs_expected moved 'moved\n'
pfs_manifest_file $RR/dir/moved.txt 0 0 0644 "$PFS_EXP"
printf 'old\n' > "$R/victim.txt"
printf 'new\n' > "$R/winner.txt"
pfs_expect root.rename-replace ok mv -f "$R/winner.txt" "$R/victim.txt"
pfs_expected winner 'new\n'
pfs_expect_same root.rename-replace-read "$PFS_EXP" cat "$R/victim.txt"
pfs_manifest absent $RR/winner.txt
pfs_expected winner 'new\n'
pfs_manifest_file $RR/victim.txt 0 0 0644 "$PFS_EXP"
mkdir "$R/d1"
printf 'inside\n' > "$R/d1/inner.txt"
pfs_expect root.rename-directory ok mv "$R/d1" "$R/d2"
pfs_expected inner 'inside\n'
pfs_expect_same root.rename-directory-read "$PFS_EXP" cat "$R/d2/inner.txt"
pfs_manifest absent $RR/d1
pfs_manifest dir $RR/d2 uid=0 gid=0 mode=0755
pfs_expected inner 'inside\n'
pfs_manifest_file $RR/d2/inner.txt 0 0 0644 "$PFS_EXP"

# unlink
printf 'bye\n' > "$R/unlinked.txt"
pfs_expect root.unlink ok rm "$R/unlinked.txt"
pfs_expect root.unlink-gone ENOENT cat "$R/unlinked.txt"
pfs_manifest absent $RR/unlinked.txt
pfs_expect root.unlink-symlink ok rm "$R/dangling"
pfs_manifest absent $RR/dangling

# FIFOs and device nodes: device nodes are refused by default (EPERM)
pfs_expect root.mkfifo ok mkfifo -m 0620 "$R/fifo"
pfs_manifest fifo $RR/fifo uid=0 gid=0 mode=0620
pfs_expect root.mknod-fifo ok "$PFS_TOOL" mknod "$R/fifo2" p 0 0 0644
pfs_manifest fifo $RR/fifo2 uid=0 gid=0 mode=0644
pfs_expect root.mknod-char EPERM "$PFS_TOOL" mknod "$R/null" c 1 3 0666
pfs_manifest absent $RR/null
pfs_expect root.mknod-block EPERM "$PFS_TOOL" mknod "$R/loop" b 7 0 0660
pfs_manifest absent $RR/loop
pfs_expect root.mknod-busybox EPERM mknod "$R/zero" c 1 5
pfs_manifest absent $RR/zero
# metadata of special files: changed without ever opening them
mkfifo "$R/fifo-meta"
pfs_expect root.fifo-chmod ok chmod 0640 "$R/fifo-meta"
pfs_expect root.fifo-chown ok chown 1234:2345 "$R/fifo-meta"
pfs_expect root.fifo-touch ok touch -d '2001-02-03 04:05:06' "$R/fifo-meta"
pfs_manifest fifo $RR/fifo-meta uid=1234 gid=2345 mode=0640
pfs_manifest mtime $RR/fifo-meta mtime=981173106
pfs_expect root.socket ok "$PFS_TOOL" mksock "$R/sock"
pfs_expect root.socket-chmod ok chmod 0700 "$R/sock"
pfs_manifest socket $RR/sock uid=0 gid=0 mode=0700

# xattrs
printf 'with xattrs\n' > "$R/x.txt"
pfs_expect root.setxattr ok "$PFS_TOOL" setxattr "$R/x.txt" user.pfs.color blue
pfs_expect root.setxattr-create-exists EEXIST "$PFS_TOOL" setxattr "$R/x.txt" user.pfs.color red create
pfs_expect root.setxattr-replace ok "$PFS_TOOL" setxattr "$R/x.txt" user.pfs.color green replace
pfs_expect root.setxattr-replace-missing ENODATA "$PFS_TOOL" setxattr "$R/x.txt" user.pfs.none x replace
pfs_expect_output root.getxattr green "$PFS_TOOL" getxattr "$R/x.txt" user.pfs.color
pfs_expect root.getxattr-missing ENODATA "$PFS_TOOL" getxattr "$R/x.txt" user.pfs.none
"$PFS_TOOL" setxattr "$R/x.txt" user.pfs.gone temporary > /dev/null
pfs_expect root.removexattr ok "$PFS_TOOL" removexattr "$R/x.txt" user.pfs.gone
pfs_run "$PFS_TOOL" listxattr "$R/x.txt"
case $(echo "$PFS_OUT" | grep '^user\.' | tr '\n' ' ') in
    "user.pfs.color ") pfs_ok root.listxattr ;;
    *) pfs_fail root.listxattr "$PFS_OUT" ;;
esac
pfs_expect root.setxattr-trusted EPERM "$PFS_TOOL" setxattr "$R/x.txt" trusted.pfs x
pfs_expect root.setxattr-dir ok "$PFS_TOOL" setxattr "$R/dir" user.pfs.dir yes
pfs_manifest xattr $RR/x.txt name=user.pfs.color value=green
pfs_manifest noxattr $RR/x.txt name=user.pfs.gone
pfs_manifest noxattr $RR/x.txt name=trusted.pfs
pfs_manifest xattr $RR/dir name=user.pfs.dir value=yes
# a value of 3000 bytes (ext4 keeps values within one block), and one of
# 65536, the largest Linux allows, which the proxy protocol cannot carry:
# QEMU's helper stored its own heap bytes for it; it must be refused
printf 'large xattr\n' > "$R/xbig.txt"
head -c 1500 /bin/busybox | od -v -An -tx1 | tr -d ' \n' | head -c 3000 > "$PFS_SCRATCH/xbig"
pfs_expect root.setxattr-3000 ok "$PFS_TOOL" setxattr "$R/xbig.txt" user.pfs.big "$(cat "$PFS_SCRATCH/xbig")"
pfs_expect_same root.getxattr-3000 "$PFS_SCRATCH/xbig" sh -c "'$PFS_TOOL' getxattr '$R/xbig.txt' user.pfs.big | head -c 3000"
set -- $(sha256sum "$PFS_SCRATCH/xbig")
pfs_manifest xattr $RR/xbig.txt name=user.pfs.big size=3000 sha256=$1
head -c 65536 /dev/zero | tr '\0' z > "$PFS_SCRATCH/xmax"
pfs_expect root.setxattr-65536 fail "$PFS_TOOL" setxattr "$R/xbig.txt" user.pfs.max "$(cat "$PFS_SCRATCH/xmax")"
pfs_manifest noxattr $RR/xbig.txt name=user.pfs.max

# truncate: shrink and grow
printf '0123456789' > "$R/shrink.txt"
pfs_expect root.truncate-shrink ok truncate -s 4 "$R/shrink.txt"
pfs_expected shrink '0123'
pfs_expect_same root.truncate-shrink-read "$PFS_EXP" cat "$R/shrink.txt"
pfs_expected shrink '0123'
pfs_manifest_file $RR/shrink.txt 0 0 0644 "$PFS_EXP"
printf 'abc' > "$R/grow.txt"
pfs_expect root.truncate-grow ok truncate -s 8192 "$R/grow.txt"
{ printf 'abc'; head -c 8189 /dev/zero; } > "$PFS_SCRATCH/grow"
pfs_expect_same root.truncate-grow-read "$PFS_SCRATCH/grow" cat "$R/grow.txt"
pfs_manifest_file $RR/grow.txt 0 0 0644 "$PFS_SCRATCH/grow"

# utimes
printf 'old times\n' > "$R/time.txt"
pfs_expect root.touch-d ok touch -d '2001-02-03 04:05:06' "$R/time.txt"
pfs_expect_output root.touch-d-stat 981173106 stat -c %Y "$R/time.txt"
pfs_manifest mtime $RR/time.txt mtime=981173106 atime=981173106
mkdir "$R/timedir"
pfs_expect root.touch-d-dir ok touch -d '1999-12-31 23:59:59' "$R/timedir"
pfs_manifest mtime $RR/timedir mtime=946684799
ln -s time.txt "$R/time-link"
pfs_expect root.touch-h ok touch -h -d '2010-06-07 08:09:10' "$R/time-link"
pfs_manifest mtime $RR/time-link mtime=1275898150
pfs_expect_output root.touch-h-target 981173106 stat -c %Y "$R/time.txt"

# statfs
pfs_run stat -f -c '%S %b %c' "$S"
if [ $PFS_RC -eq 0 ]; then
    set -- $PFS_OUT
    if [ "$1" -gt 0 ] && [ "$2" -gt 0 ]; then
        pfs_ok root.statfs "bsize=$1 blocks=$2 files=$3"
    else
        pfs_fail root.statfs "$PFS_OUT"
    fi
    pfs_manifest statfs . frsize="$1" blocks="$2" files="$3"
else
    pfs_fail root.statfs "$PFS_OUT"
fi
pfs_run df -k "$S"
if [ $PFS_RC -eq 0 ] && echo "$PFS_OUT" | grep -q "$S\$"; then
    pfs_ok root.df
else
    pfs_fail root.df "$PFS_OUT"
fi

# --- users 1000 and 1001 ----------------------------------------------------

pfs_info section-users

for uid in 1000 1001; do
    if [ $uid = 1000 ]; then gids=$U1000; else gids=$U1001; fi
    U=$T/u$uid
    UR=$REL/u$uid
    P=u$uid

    pfs_expected "$P-own" "hello from $uid\n"
    exp=$PFS_EXP
    pfs_expect $P.create ok pfs_as $uid $gids sh -c "printf 'hello from $uid\n' > '$U/own.txt'"
    pfs_expect_same $P.read "$exp" pfs_as $uid $gids cat "$U/own.txt"
    pfs_expect_stat $P.create-owner "$U/own.txt" "$uid $uid 0644"
    pfs_expect $P.chmod ok pfs_as $uid $gids chmod 0600 "$U/own.txt"
    pfs_manifest_file $UR/own.txt $uid $uid 0600 "$exp"
    # root still reads the user's private file
    pfs_expect_same $P.root-reads-private "$exp" cat "$U/own.txt"

    pfs_expect $P.mkdir ok pfs_as $uid $gids mkdir "$U/sub"
    pfs_manifest dir $UR/sub uid=$uid gid=$uid mode=0755
    pfs_as $uid $gids mkdir "$U/gone"
    pfs_expect $P.rmdir ok pfs_as $uid $gids rmdir "$U/gone"
    pfs_manifest absent $UR/gone

    pfs_expect $P.symlink ok pfs_as $uid $gids ln -s own.txt "$U/link"
    pfs_manifest symlink $UR/link target=own.txt uid=$uid gid=$uid
    pfs_expect $P.hardlink ok pfs_as $uid $gids ln "$U/own.txt" "$U/hard"
    pfs_manifest hardlink $UR/hard other=$UR/own.txt

    pfs_as $uid $gids sh -c "printf 'r\n' > '$U/r1'"
    pfs_expect $P.rename ok pfs_as $uid $gids mv "$U/r1" "$U/r2"
    pfs_manifest absent $UR/r1
    pfs_expected r 'r\n'
    pfs_manifest_file $UR/r2 $uid $uid 0644 "$PFS_EXP"
    pfs_as $uid $gids sh -c "printf 'x\n' > '$U/del'"
    pfs_expect $P.unlink ok pfs_as $uid $gids rm -f "$U/del"
    pfs_manifest absent $UR/del

    pfs_expect $P.mkfifo ok pfs_as $uid $gids mkfifo "$U/fifo"
    pfs_manifest fifo $UR/fifo uid=$uid gid=$uid mode=0644
    pfs_expect $P.socket ok pfs_as $uid $gids "$PFS_TOOL" mksock "$U/sock"
    pfs_manifest socket $UR/sock uid=$uid gid=$uid mode=0755
    pfs_expect $P.mknod-char EPERM pfs_as $uid $gids "$PFS_TOOL" mknod "$U/null" c 1 3 0666
    pfs_manifest absent $UR/null

    pfs_as $uid $gids sh -c "printf 'xattr\n' > '$U/x'"
    pfs_expect $P.setxattr ok pfs_as $uid $gids "$PFS_TOOL" setxattr "$U/x" user.pfs.owner "$uid"
    pfs_expect_output $P.getxattr "$uid" pfs_as $uid $gids "$PFS_TOOL" getxattr "$U/x" user.pfs.owner
    pfs_manifest xattr $UR/x name=user.pfs.owner value=$uid

    pfs_as $uid $gids sh -c "printf 'truncate me\n' > '$U/t'"
    pfs_expect $P.truncate ok pfs_as $uid $gids truncate -s 8 "$U/t"
    pfs_expected trunc8 'truncate'
    pfs_manifest_file $UR/t $uid $uid 0644 "$PFS_EXP"

    pfs_as $uid $gids sh -c ": > '$U/time'"
    pfs_expect $P.touch-d ok pfs_as $uid $gids touch -d '2001-02-03 04:05:06' "$U/time"
    pfs_manifest mtime $UR/time mtime=981173106

    # giving files away is for root only; so is a group one is not in
    pfs_as $uid $gids sh -c ": > '$U/mine'"
    pfs_expect $P.chown-other EPERM pfs_as $uid $gids chown 1234 "$U/mine"
    pfs_expect $P.chgrp-nonmember EPERM pfs_as $uid $gids chgrp 2345 "$U/mine"
    pfs_expected empty ''
    pfs_manifest_file $UR/mine $uid $uid 0644 "$PFS_EXP"

    pfs_run pfs_as $uid $gids stat -f -c %b "$S"
    if [ $PFS_RC -eq 0 ] && [ "$PFS_OUT" -gt 0 ]; then
        pfs_ok $P.statfs
    else
        pfs_fail $P.statfs "$PFS_OUT"
    fi
done

# group 1500: 1000 is a member, 1001 is not

pfs_info section-groups
U=$T/u1000
UR=$REL/u1000
pfs_as 1000 $U1000 sh -c ": > '$U/grp'"
pfs_expect u1000.chgrp-member ok pfs_as 1000 $U1000 chgrp 1500 "$U/grp"
pfs_expected empty ''
pfs_manifest_file $UR/grp 1000 1500 0644 "$PFS_EXP"
pfs_as 1000 $U1000 sh -c ": > '$U/sg'"
pfs_expect u1000.chmod-setgid ok pfs_as 1000 $U1000 chmod 2755 "$U/sg"
pfs_expected empty ''
pfs_manifest_file $UR/sg 1000 1000 2755 "$PFS_EXP"
# chmod g+s of a file whose group the user is not in: the guest kernel
# drops S_ISGID
pfs_as 1000 $U1000 sh -c ": > '$U/sg-other'"
chgrp 1001 "$U/sg-other"
pfs_expect u1000.chmod-setgid-nonmember ok pfs_as 1000 $U1000 chmod 2755 "$U/sg-other"
pfs_expect_stat u1000.chmod-setgid-nonmember-stat "$U/sg-other" "1000 1001 0755"
pfs_expected empty ''
pfs_manifest_file $UR/sg-other 1000 1001 0755 "$PFS_EXP"

# the setgid directory passes on its group, and to directories its bit
G=$T/sgid
GR=$REL/sgid
pfs_expect sgid.create ok pfs_as 1000 $U1000 sh -c "printf 'in group\n' > '$G/f1000'"
pfs_expect_stat sgid.create-group "$G/f1000" "1000 1500 0644"
pfs_expected ingroup 'in group\n'
pfs_manifest_file $GR/f1000 1000 1500 0644 "$PFS_EXP"
pfs_expect sgid.mkdir ok pfs_as 1000 $U1000 mkdir "$G/d1000"
pfs_expect_stat sgid.mkdir-inherits "$G/d1000" "1000 1500 2755"
pfs_manifest dir $GR/d1000 uid=1000 gid=1500 mode=2755
pfs_expect sgid.root-create ok sh -c ": > '$G/froot'"
pfs_expected empty ''
pfs_manifest_file $GR/froot 0 1500 0644 "$PFS_EXP"
pfs_expect sgid.mkfifo ok pfs_as 1000 $U1000 mkfifo "$G/fifo"
pfs_manifest fifo $GR/fifo uid=1000 gid=1500 mode=0644
pfs_expect sgid.nonmember-create EACCES pfs_as 1001 $U1001 sh -c ": > '$G/f1001'"
pfs_manifest absent $GR/f1001

# the sticky directory: only the owner removes or renames
pfs_as 1000 $U1000 sh -c "printf 'sticky\n' > '$T/shared/s1000'"
pfs_expect sticky.other-unlink EPERM pfs_as 1001 $U1001 rm -f "$T/shared/s1000"
pfs_expect sticky.other-rename EPERM pfs_as 1001 $U1001 mv "$T/shared/s1000" "$T/shared/stolen"
pfs_expected sticky 'sticky\n'
pfs_manifest_file $REL/shared/s1000 1000 1000 0644 "$PFS_EXP"
pfs_manifest absent $REL/shared/stolen
pfs_as 1001 $U1001 sh -c ": > '$T/shared/s1001'"
pfs_expect sticky.owner-unlink ok pfs_as 1001 $U1001 rm -f "$T/shared/s1001"
pfs_manifest absent $REL/shared/s1001

# the guest kernel's permission checks hold between users
pfs_expect perm.other-private-dir EACCES pfs_as 1000 $U1000 ls "$T/u1001"
pfs_expect perm.other-private-file EACCES pfs_as 1001 $U1001 cat "$T/u1000/own.txt"
pfs_expect perm.other-dir-create EACCES pfs_as 1001 $U1001 sh -c ": > '$T/u1000/intruder'"
pfs_manifest absent $REL/u1000/intruder
pfs_expect perm.root-dir-create EACCES pfs_as 1000 $U1000 sh -c ": > '$T/root/intruder'"
pfs_manifest absent $REL/root/intruder

# --- directories, names, concurrency, set-id bits on writes ------------------

pfs_info section-more
M=$T/more
MR=$REL/more
mkdir "$M"
pfs_manifest dir $MR uid=0 gid=0 mode=0755

# a directory of 150 entries, read back with readdir
mkdir "$M/many"
i=0
while [ $i -lt 150 ]; do
    true > "$M/many/entry-$i"
    i=$((i + 1))
done
pfs_expect_output more.readdir-150 150 sh -c "ls -a '$M/many' | grep -c '^entry-'"
pfs_manifest file $MR/many/entry-149 uid=0 gid=0 mode=0644 size=0

# the longest name, and one byte more
name=x
while [ ${#name} -lt 255 ]; do name="${name}x"; done
pfs_expect more.name-255 ok sh -c ": > '$M/$name'"
pfs_manifest file $MR/$name uid=0 gid=0 mode=0644 size=0
pfs_expect more.name-256 ENAMETOOLONG sh -c ": > '$M/${name}y'"

# names with spaces, tabs, newlines, backslashes, UTF-8 and leading dashes
mkdir "$M/names"
odd=0
for name in 'with space' "$(printf 'tab\there')" "$(printf 'new\nline')" \
    'back\slash' 'percent%s%n' "$(printf '\303\274n\303\257c\303\266d\303\251')" \
    '-dash' '.hidden' '..dots..' '*?[' "quote'\"q"; do
    # each file holds its own name; 'read' gets its first line
    got=
    if printf '%s' "$name" > "$M/names/$name" && [ -f "$M/names/$name" ]; then
        read -r got < "$M/names/$name"
    fi
    if [ -n "$got" ] && [ "$got" = "$(printf '%s' "$name" | head -n 1)" ]; then
        odd=$((odd + 1))
    else
        pfs_fail more.odd-names "cannot use the name '$name'"
    fi
done
set -- "$M"/names/* "$M"/names/.[!.]* "$M"/names/..?*
if [ $odd -eq 11 ] && [ $# -eq 11 ]; then
    pfs_ok more.odd-names "11 names"
elif [ $odd -eq 11 ]; then
    pfs_fail more.odd-names "readdir shows $# entries, not 11"
fi
pfs_expect more.odd-names-remove ok rm -rf "$M/names"
pfs_manifest absent $MR/names

# symlink targets of 4095 bytes, the most Linux allows
target=
while [ ${#target} -lt 4090 ]; do target="${target}long/"; done
target=$(printf '%s' "$target" | head -c 4095)
pfs_expect more.symlink-4095 ok ln -s "$target" "$M/longlink"
pfs_expect_output more.readlink-4095 "$target" readlink "$M/longlink"
pfs_manifest symlink $MR/longlink target=$target uid=0 gid=0

# a deep directory tree
p=$M/deep
pr=$MR/deep
i=0
while [ $i -lt 40 ]; do
    p=$p/level-$i
    pr=$pr/level-$i
    i=$((i + 1))
done
pfs_expect more.deep-mkdir ok mkdir -p "$p"
pfs_expect more.deep-create ok sh -c "printf 'deep\n' > '$p/leaf'"
pfs_expected deep 'deep\n'
pfs_expect_same more.deep-read "$PFS_EXP" cat "$p/leaf"
pfs_manifest_file $pr/leaf 0 0 0644 "$PFS_EXP"

# four writers at once, two as root and two as uid 1000, 25 files each
mkdir "$M/par"
chmod 1777 "$M/par"
for j in 1 2 3 4; do
    if [ $j -le 2 ]; then run=; else run="pfs_as 1000 $U1000"; fi
    $run sh -c "
        i=0
        while [ \$i -lt 25 ]; do
            printf 'job $j file %s\n' \$i > '$M/par/j$j-'\$i || exit 1
            i=\$((i + 1))
        done" &
done
wait
bad=
for j in 1 2 3 4; do
    i=0
    while [ $i -lt 25 ]; do
        line=
        read -r line < "$M/par/j$j-$i"
        [ "$line" = "job $j file $i" ] || bad="$bad j$j-$i"
        i=$((i + 1))
    done
done
if [ -z "$bad" ]; then
    pfs_ok more.parallel-writers "100 files"
else
    pfs_fail more.parallel-writers "wrong or missing:$bad"
fi
pfs_expected par1 'job 1 file 24\n'
pfs_manifest_file $MR/par/j1-24 0 0 0644 "$PFS_EXP"
pfs_expected par4 'job 4 file 24\n'
pfs_manifest_file $MR/par/j4-24 1000 1000 0644 "$PFS_EXP"

# A write or truncate by a user who lacks CAP_FSETID clears the set-id bits
# (the guest sends the new mode with a truncate; a write clears them on
# the host, where QEMU writes as its unprivileged user)
mkdir "$M/setid"
chmod 0777 "$M/setid"
for what in write truncate; do
    printf 'setid\n' > "$M/setid/$what"
    chown 1000:1000 "$M/setid/$what"
    chmod 6777 "$M/setid/$what"
done
pfs_expect setid.other-write ok pfs_as 1001 $U1001 sh -c "printf 'more\n' >> '$M/setid/write'"
pfs_expect_stat setid.other-write-clears "$M/setid/write" "1000 1000 0777"
pfs_expected setidw 'setid\nmore\n'
pfs_manifest_file $MR/setid/write 1000 1000 0777 "$PFS_EXP"
pfs_expect setid.other-truncate ok pfs_as 1001 $U1001 truncate -s 2 "$M/setid/truncate"
pfs_expect_stat setid.other-truncate-clears "$M/setid/truncate" "1000 1000 0777"
pfs_expected setidt 'se'
pfs_manifest_file $MR/setid/truncate 1000 1000 0777 "$PFS_EXP"

# --- escape attempts ----------------------------------------------------------

pfs_info section-escape

E=$T/esc
ER=$REL/esc

pfs_no_sentinel() {
    # pfs_no_sentinel NAME CMD...: CMD must not show the sentinel; a
    # failure (nothing read) is the expected outcome
    _n=$1
    shift
    pfs_run "$@"
    case $PFS_OUT in
        *PFS-SENTINEL*) pfs_fail "$_n" "the host sentinel was read" ;;
        *)
            if [ $PFS_RC -eq 0 ]; then
                pfs_ok "$_n" "read something else: $(echo "$PFS_OUT" | head -c 60)"
            else
                pfs_ok "$_n" "refused: $(pfs_errno "$PFS_OUT")"
            fi
            ;;
    esac
}

sbase=$(basename "$SENTINEL_PATH")
sdir=$(dirname "$SENTINEL_PATH")
pfs_no_sentinel escape.dotdot-list ls -a "$S/.."
pfs_no_sentinel escape.dotdot-read cat "$S/../$sbase"
pfs_no_sentinel escape.dotdot-deep cat "$S/../../../../../../$sbase"
pfs_no_sentinel escape.dotdot-cwd sh -c "cd '$S' && cat '../$sbase' && ls -a .."
pfs_no_sentinel escape.dotdot-subdir cat "$T/../../$sbase"
pfs_no_sentinel escape.host-path cat "$SENTINEL_PATH"
pfs_no_sentinel escape.host-path-in-share cat "$S$SENTINEL_PATH"
pfs_no_sentinel escape.user-dotdot pfs_as 1000 $U1000 cat "$S/../$sbase"

# symlinks made by the guest, pointing out of the export
pfs_expect escape.symlink-absolute ok ln -s "$SENTINEL_PATH" "$E/abs"
pfs_expect escape.symlink-relative ok ln -s "../../../$sbase" "$E/rel"
pfs_expect escape.symlink-deep ok ln -s "../../../../../../../../../..$SENTINEL_PATH" "$E/deep"
pfs_expect escape.symlink-dir ok ln -s "$sdir" "$E/dir"
pfs_expect escape.symlink-root ok ln -s / "$E/root"
pfs_manifest symlink $ER/abs target="$SENTINEL_PATH" uid=0 gid=0
pfs_manifest symlink $ER/rel target="../../../$sbase" uid=0 gid=0
pfs_manifest symlink $ER/deep target="../../../../../../../../../..$SENTINEL_PATH" uid=0 gid=0
pfs_manifest symlink $ER/dir target="$sdir" uid=0 gid=0
pfs_manifest symlink $ER/root target=/ uid=0 gid=0
pfs_no_sentinel escape.read-absolute cat "$E/abs"
pfs_no_sentinel escape.read-relative cat "$E/rel"
pfs_no_sentinel escape.read-deep cat "$E/deep"
pfs_no_sentinel escape.read-dir cat "$E/dir/$sbase"
pfs_no_sentinel escape.read-root cat "$E/root$SENTINEL_PATH"
pfs_no_sentinel escape.user-read-absolute pfs_as 1001 $U1001 cat "$E/abs"
# a hard link to whatever the guest can name is inside its own view
pfs_no_sentinel escape.hardlink sh -c "ln '$E/abs' '$E/hard' && cat '$E/hard'"
rm -f "$E/hard"

# symlinks the host planted in the export (hostlinks/, when present)
if [ -d "$S/hostlinks" ]; then
    for l in "$S"/hostlinks/*; do
        pfs_no_sentinel "escape.host-link-$(basename "$l")" cat "$l"
    done
    pfs_no_sentinel escape.host-link-dir-entry cat "$S/hostlinks/dir/$sbase"
fi

# The host swaps a file or directory the guest holds open for a symlink out
# of the export (CTL/sync/NAME.req, answered by NAME.done; only with a host
# agent). The guest keeps using its cached name, so the helper receives
# paths through that symlink: for a file, open, chmod and truncate; for a
# directory, lookups, reads and a create below it. The helper must resolve
# them inside the export (where the host put decoys), never outside.
pfs_swap() {
    # pfs_swap NAME file|dir
    _sn=$1
    if [ "$2" = dir ]; then
        mkdir "$E/$_sn"
        _cmds="echo 'list:'; ls '$E/$_sn'
            echo 'read:'; cat '$E/$_sn/$sbase'
            echo 'create:'; printf 'planted\n' > '$E/$_sn/planted-by-guest'
            echo 'chmod:'; chmod 0666 '$E/$_sn/$sbase'"
    else
        printf 'swap original\n' > "$E/$_sn"
        _cmds="echo 'read:'; cat '$E/$_sn'
            echo 'chmod:'; chmod 0666 '$E/$_sn'
            echo 'truncate:'; truncate -s 0 '$E/$_sn'
            echo 'read again:'; cat '$E/$_sn'"
    fi
    if [ "$AGENT" != 1 ] || [ -z "${PFS_CTL:-}" ]; then
        pfs_ok "escape.$_sn" "skipped: no host agent"
        return
    fi
    mkdir -p "$PFS_CTL/sync"
    rm -f "$PFS_CTL/sync/$_sn.done"
    "$PFS_TOOL" hold "$E/$_sn" sh -c "
        echo '$ER/$_sn' > '$PFS_CTL/sync/$_sn.tmp'
        mv '$PFS_CTL/sync/$_sn.tmp' '$PFS_CTL/sync/$_sn.req'
        i=0
        while [ ! -e '$PFS_CTL/sync/$_sn.done' ]; do
            i=\$((i + 1))
            [ \$i -lt 400 ] || { echo 'no answer from the host agent'; exit 3; }
            sleep 0.05
        done
        $_cmds
        exit 0
    " > "$PFS_SCRATCH/swap" 2>&1
    _src=$?
    _sout=$(tr '\n' ' ' < "$PFS_SCRATCH/swap")
    case $_sout in
        *PFS-SENTINEL*) pfs_fail "escape.$_sn" "the host sentinel was read: $_sout" ;;
        *)
            if [ $_src -eq 0 ]; then
                pfs_ok "escape.$_sn" "$_sout"
            else
                pfs_fail "escape.$_sn" "status $_src: $_sout"
            fi
            ;;
    esac
}
pfs_swap swap-dir dir
pfs_swap swap-dirrel dir
pfs_swap swap-abs file
pfs_swap swap-rel file

pfs_manifest dir $ER uid=0 gid=0 mode=0755
sync
pfs_info section-end
exit 0
