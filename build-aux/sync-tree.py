#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""sync-tree.py NEW DEST: make DEST a copy of NEW, touching only what
differs, so that a build of DEST recompiles only what a changed patch
touched (build-aux/libvirt.sh re-extracts libvirt's source each time).
Prints how many files changed.
"""
import filecmp
import os
import shutil
import sys


def sync(new, dest, counts):
    os.makedirs(dest, exist_ok=True)
    new_names = set(os.listdir(new))
    for name in sorted(set(os.listdir(dest)) - new_names):
        path = os.path.join(dest, name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.unlink(path)
        counts['removed'] += 1
    for name in sorted(new_names):
        src = os.path.join(new, name)
        dst = os.path.join(dest, name)
        if os.path.islink(src):
            target = os.readlink(src)
            if os.path.islink(dst) and os.readlink(dst) == target:
                continue
            if os.path.isdir(dst) and not os.path.islink(dst):
                shutil.rmtree(dst)
            elif os.path.lexists(dst):
                os.unlink(dst)
            os.symlink(target, dst)
            counts['changed'] += 1
        elif os.path.isdir(src):
            if os.path.lexists(dst) and (os.path.islink(dst) or not os.path.isdir(dst)):
                os.unlink(dst)
            sync(src, dst, counts)
        else:
            if os.path.isdir(dst) and not os.path.islink(dst):
                shutil.rmtree(dst)
            elif os.path.isfile(dst) and not os.path.islink(dst) and \
                    filecmp.cmp(src, dst, shallow=False):
                if (os.stat(src).st_mode & 0o7777) != (os.stat(dst).st_mode & 0o7777):
                    os.chmod(dst, os.stat(src).st_mode & 0o7777)
                continue
            elif os.path.lexists(dst):
                os.unlink(dst)
            shutil.copy2(src, dst)
            # a new mtime, so that make and ninja see the change
            os.utime(dst)
            counts['changed'] += 1


def main():
    counts = {'changed': 0, 'removed': 0}
    sync(sys.argv[1], sys.argv[2], counts)
    print('%d files changed, %d removed' % (counts['changed'], counts['removed']))


if __name__ == '__main__':
    main()
