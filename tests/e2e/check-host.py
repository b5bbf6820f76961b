#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Verify on the host what a guest suite did in an export.

usage: check-host.py [--quiet] EXPORT MANIFEST

MANIFEST is written by the guest suite (tests/e2e/suites/): one object a
line, 'KIND PATH KEY=VALUE...', PATH relative to EXPORT ('.' is EXPORT
itself), blank lines and '#' comments ignored:

  dir      PATH uid= gid= mode=                 a directory
  file     PATH uid= gid= mode= size= sha256=   a regular file and its content
  symlink  PATH target= [uid= gid=]             a symbolic link
  fifo     PATH uid= gid= mode=                 a FIFO
  socket   PATH uid= gid= mode=                 a Unix socket
  absent   PATH                                 nothing by that name
  hardlink PATH other=PATH                      the same inode as the other
  xattr    PATH name= value=                    an extended attribute's value
  xattr    PATH name= size= sha256=             ... given by its size and digest
  noxattr  PATH name=                           no such extended attribute
  mtime    PATH mtime= [atime=]                 times, in seconds
  statfs   PATH frsize= blocks= files=          the file system's size

Modes are octal with the set-uid, set-gid and sticky bits (e.g. 2775).

Nothing the guest wrote is trusted: paths are resolved one component at a
time without following symlinks, and never leave EXPORT. Prints one line
per check and a summary; the exit status is 0 only if every check passed
(2 for usage errors or an unreadable manifest).
"""

import hashlib
import os
import stat
import sys


class CheckError(Exception):
    pass


def parse_line(line):
    words = line.split()
    if len(words) < 2:
        raise CheckError("expected 'KIND PATH KEY=VALUE...'")
    kind, path = words[0], words[1]
    keys = {}
    for word in words[2:]:
        key, sep, value = word.partition("=")
        if not sep or not key:
            raise CheckError("expected KEY=VALUE, got %r" % word)
        keys[key] = value
    return kind, path, keys


class Export:
    """An export directory, and lookups that never leave it."""

    def __init__(self, path):
        self.fd = os.open(path, os.O_PATH | os.O_DIRECTORY)

    def close(self):
        os.close(self.fd)

    def split(self, path):
        if path.startswith("/"):
            raise CheckError("absolute path in the manifest")
        parts = [p for p in path.split("/") if p not in ("", ".")]
        if ".." in parts:
            raise CheckError("'..' in a manifest path")
        return parts

    def parent(self, path):
        """An O_PATH fd of PATH's directory (the caller closes it) and the
        last component (None for the export itself)."""
        parts = self.split(path)
        fd = os.dup(self.fd)
        try:
            for part in parts[:-1]:
                nfd = os.open(part, os.O_PATH | os.O_DIRECTORY | os.O_NOFOLLOW,
                              dir_fd=fd)
                os.close(fd)
                fd = nfd
        except OSError:
            os.close(fd)
            raise
        return fd, (parts[-1] if parts else None)

    def lstat(self, path):
        fd, name = self.parent(path)
        try:
            if name is None:
                return os.fstat(fd)
            return os.stat(name, dir_fd=fd, follow_symlinks=False)
        finally:
            os.close(fd)

    def readlink(self, path):
        fd, name = self.parent(path)
        try:
            if name is None:
                raise CheckError("the export is not a symlink")
            return os.readlink(name, dir_fd=fd)
        finally:
            os.close(fd)

    def open(self, path):
        """A read-only fd of a regular file or directory, never through a
        symlink and never blocking on a FIFO."""
        fd, name = self.parent(path)
        try:
            flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY
            return os.open(name if name is not None else ".", flags, dir_fd=fd)
        finally:
            os.close(fd)


def fmt_mode(mode):
    return "%04o" % stat.S_IMODE(mode)


def check_owner(st, keys, problems):
    for key, value in (("uid", st.st_uid), ("gid", st.st_gid)):
        if key in keys and int(keys[key]) != value:
            problems.append("%s %d, expected %s" % (key, value, keys[key]))


def check_mode(st, keys, problems):
    if "mode" in keys and stat.S_IMODE(st.st_mode) != int(keys["mode"], 8):
        problems.append("mode %s, expected %s" % (fmt_mode(st.st_mode),
                                                 keys["mode"]))


def check_type(st, want, problems):
    checks = {
        "dir": stat.S_ISDIR,
        "file": stat.S_ISREG,
        "symlink": stat.S_ISLNK,
        "fifo": stat.S_ISFIFO,
        "socket": stat.S_ISSOCK,
    }
    if not checks[want](st.st_mode):
        problems.append("not a %s (mode %o)" % (want, st.st_mode))
        return False
    return True


def check_content(export, path, keys, problems):
    fd = export.open(path)
    try:
        digest = hashlib.sha256()
        size = 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            size += len(chunk)
            digest.update(chunk)
    finally:
        os.close(fd)
    if "size" in keys and size != int(keys["size"]):
        problems.append("size %d, expected %s" % (size, keys["size"]))
    if "sha256" in keys and digest.hexdigest() != keys["sha256"]:
        problems.append("content differs (sha256 %s)" % digest.hexdigest()[:16])


def get_xattr(export, path, name):
    fd = export.open(path)
    try:
        return os.getxattr(fd, name)
    finally:
        os.close(fd)


def check_entry(export, kind, path, keys):
    """Returns a list of problems, empty when the entry holds."""
    problems = []
    if kind == "absent":
        try:
            st = export.lstat(path)
        except FileNotFoundError:
            return problems
        problems.append("exists (mode %o, uid %d)" % (st.st_mode, st.st_uid))
        return problems

    st = export.lstat(path)
    if kind in ("dir", "file", "symlink", "fifo", "socket"):
        if not check_type(st, kind, problems):
            return problems
        check_owner(st, keys, problems)
        if kind != "symlink":
            check_mode(st, keys, problems)
        if kind == "file":
            check_content(export, path, keys, problems)
        if kind == "symlink" and "target" in keys:
            target = export.readlink(path)
            if target != keys["target"]:
                problems.append("target %r, expected %r" % (target, keys["target"]))
    elif kind == "hardlink":
        other = export.lstat(keys["other"])
        if (st.st_dev, st.st_ino) != (other.st_dev, other.st_ino):
            problems.append("not the same inode as %s" % keys["other"])
        elif st.st_nlink < 2:
            problems.append("link count %d" % st.st_nlink)
    elif kind == "xattr":
        try:
            value = get_xattr(export, path, keys["name"])
        except OSError as err:
            problems.append("%s: %s" % (keys["name"], os.strerror(err.errno)))
        else:
            if "value" in keys and value != keys["value"].encode():
                problems.append("%s is %r, expected %r" % (keys["name"], value,
                                                            keys["value"]))
            if "size" in keys and len(value) != int(keys["size"]):
                problems.append("%s has %d bytes, expected %s" % (
                    keys["name"], len(value), keys["size"]))
            if ("sha256" in keys and
                    hashlib.sha256(value).hexdigest() != keys["sha256"]):
                problems.append("%s differs (sha256 %s)" % (
                    keys["name"], hashlib.sha256(value).hexdigest()[:16]))
    elif kind == "noxattr":
        try:
            value = get_xattr(export, path, keys["name"])
        except OSError:
            pass
        else:
            problems.append("%s is set (%r)" % (keys["name"], value))
    elif kind == "mtime":
        for key, value in (("mtime", st.st_mtime_ns), ("atime", st.st_atime_ns)):
            if key in keys and value // 1000000000 != int(keys[key]):
                problems.append("%s %d, expected %s" % (key, value // 1000000000,
                                                        keys[key]))
    elif kind == "statfs":
        fd = export.open(path)
        try:
            vfs = os.fstatvfs(fd)
        finally:
            os.close(fd)
        host = {"frsize": vfs.f_frsize, "blocks": vfs.f_blocks,
                "files": vfs.f_files}
        # QEMU reports blocks of about msize bytes, rounding the count
        # down: the sizes agree to within one of the guest's blocks
        guest_frsize = int(keys["frsize"])
        guest_bytes = guest_frsize * int(keys["blocks"])
        host_bytes = vfs.f_frsize * vfs.f_blocks
        if not 0 <= host_bytes - guest_bytes < max(guest_frsize, vfs.f_frsize):
            problems.append("size %d bytes, the host says %d" % (guest_bytes,
                                                                 host_bytes))
        if "files" in keys and int(keys["files"]) != host["files"]:
            problems.append("files %s, the host says %d" % (keys["files"],
                                                            host["files"]))
    else:
        raise CheckError("unknown kind %r" % kind)
    return problems


def main(argv):
    args = [a for a in argv[1:] if a != "--quiet"]
    quiet = len(args) != len(argv) - 1
    if len(args) != 2 or args[0].startswith("-"):
        sys.stderr.write("usage: check-host.py [--quiet] EXPORT MANIFEST\n")
        return 2
    try:
        export = Export(args[0])
        with open(args[1], encoding="utf-8") as manifest:
            lines = manifest.read().splitlines()
    except OSError as err:
        sys.stderr.write("check-host: %s\n" % err)
        return 2

    checks = 0
    failed = 0
    for lineno, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        checks += 1
        try:
            kind, path, keys = parse_line(line)
            problems = check_entry(export, kind, path, keys)
        except (CheckError, OSError, KeyError, ValueError) as err:
            if isinstance(err, KeyError):
                err = "missing key %s" % err
            problems = ["line %d: %s" % (lineno, err)]
        if problems:
            failed += 1
            print("CHECK fail %s: %s" % (line, "; ".join(problems)))
        elif not quiet:
            print("CHECK ok   %s" % line)
    export.close()

    if checks == 0:
        print("check-host: the manifest lists nothing")
        return 1
    print("check-host: %d checks, %d failed" % (checks, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
