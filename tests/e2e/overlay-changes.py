#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""overlay-changes.py: what changed in an overlayfs root since a snapshot.

Everything written through an overlay mount lands in its upper directory
(new and modified files, whiteouts for removed ones, opaque directories
for replaced ones), so the upper directory lists every path that can
differ from the lower layer. tests/e2e/install-e2e.sh uses it to prove
that an installation and its removal leave nothing behind.

  overlay-changes.py snapshot UPPER ROOT OUT.json
      records the state, seen through the mount ROOT, of each path in
      UPPER;
  overlay-changes.py compare UPPER LOWER ROOT BASELINE.json [GLOB...]
      prints each path whose state differs from BASELINE (or, for a path
      not in it, from LOWER), except paths matching a GLOB; exit status 1
      when there is any.
"""
import fnmatch
import hashlib
import json
import os
import stat
import sys


def is_whiteout(st):
    return stat.S_ISCHR(st.st_mode) and st.st_rdev == 0


def is_opaque(path):
    try:
        return os.getxattr(path, "trusted.overlay.opaque") == b"y"
    except OSError:
        return False


def upper_paths(upper):
    """Each path under UPPER, relative ('etc/passwd'), with its opacity."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(upper):
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            out[os.path.relpath(full, upper)] = is_opaque(full)
    return out


def state(path, opaque=False):
    """What a path is: kind, mode, owner and content; None when absent."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    if is_whiteout(st):
        return None
    s = {"mode": "%04o" % stat.S_IMODE(st.st_mode), "owner": "%d:%d" % (st.st_uid, st.st_gid)}
    if stat.S_ISDIR(st.st_mode):
        s["kind"] = "directory"
        s["opaque"] = opaque
    elif stat.S_ISLNK(st.st_mode):
        s["kind"] = "symlink"
        s["target"] = os.readlink(path)
    elif stat.S_ISREG(st.st_mode):
        s["kind"] = "file"
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        s["sha256"] = h.hexdigest()
    else:
        s["kind"] = "special file"
        s["rdev"] = st.st_rdev
    return s


def describe(rel, was, now):
    path = "/" + rel
    if was is None:
        return "left behind: %s (%s)" % (path, now["kind"])
    if now is None:
        return "removed: %s (%s)" % (path, was["kind"])
    if was["kind"] != now["kind"]:
        return "changed: %s (now a %s, was a %s)" % (path, now["kind"], was["kind"])
    what = []
    for key, label in (("mode", "mode"), ("owner", "owner")):
        if was[key] != now[key]:
            what.append("%s %s, was %s" % (label, now[key], was[key]))
    if was.get("sha256") != now.get("sha256"):
        what.append("content")
    if was.get("target") != now.get("target"):
        what.append("target %s, was %s" % (now["target"], was["target"]))
    if now.get("opaque") and not was.get("opaque"):
        what.append("replaced: what was in it is hidden")
    return "changed: %s (%s)" % (path, "; ".join(what) or "?")


def snapshot(upper, root, out):
    paths = upper_paths(upper)
    snap = {rel: state(os.path.join(root, rel), opaque) for rel, opaque in paths.items()}
    with open(out, "w") as f:
        json.dump(snap, f)


def compare(upper, lower, root, baseline_file, globs):
    with open(baseline_file) as f:
        baseline = json.load(f)
    paths = upper_paths(upper)
    found = []
    for rel in sorted(set(paths) | set(baseline)):
        if any(fnmatch.fnmatchcase("/" + rel, g) for g in globs):
            continue
        was = baseline[rel] if rel in baseline else state(os.path.join(lower, rel))
        now = state(os.path.join(root, rel), paths.get(rel, False))
        if was != now:
            found.append(describe(rel, was, now))
    for line in found:
        print(line)
    return 1 if found else 0


def main(argv):
    if len(argv) == 4 and argv[0] == "snapshot":
        snapshot(*argv[1:])
        return 0
    if len(argv) >= 5 and argv[0] == "compare":
        return compare(*argv[1:5], argv[5:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
