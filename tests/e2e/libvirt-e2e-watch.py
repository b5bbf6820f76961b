#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Watch a guest that libvirtd runs, for tests/e2e/libvirt-e2e.sh.

Answers the guest's swap requests (the Agent of pfs-e2e-launch.py),
shows the guest's PFS- lines as they come, and records, once QEMU has
opened its console (the hook has long returned by then, so the helper is
confined and QEMU connected), /proc/PID/status of QEMU and of the
share's helper and the state of the socket directory. Runs until
STOP_FILE exists, then writes a JSON summary.
"""
import argparse
import glob
import importlib.util
import json
import os
import stat
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location(
    "pfs_e2e_launch", os.path.join(HERE, "pfs-e2e-launch.py"))
launch = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(launch)


def read_pid(path):
    # a pattern: the patched libvirtd names the helper's pid file after
    # the domain's id
    matches = sorted(glob.glob(path))
    if not matches:
        return None
    path = matches[0]
    try:
        with open(path, encoding="ascii") as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def show(console, offset, quiet, summary):
    offset, done = launch.follow_console(console, offset, quiet)
    if done:
        summary["done_line"] = done
    return offset


def snapshot(args, summary):
    """QEMU's and the helper's identities, and the socket directory."""
    qemu = read_pid(args.qemu_pidfile)
    helper = read_pid(args.helper_pidfile)
    if not qemu or not helper:
        return False
    summary["qemu_pid"] = qemu
    summary["helper_pid"] = helper
    summary["qemu_status"] = launch.proc_status(qemu, launch.STATUS_KEYS)
    summary["helper_status"] = launch.proc_status(helper, launch.STATUS_KEYS)
    if not args.socket_dir:
        # a socketpair: no socket in the file system
        return True
    st = os.stat(args.socket_dir)
    summary["socket_dir"] = {"mode": "%04o" % stat.S_IMODE(st.st_mode),
                             "uid": st.st_uid, "gid": st.st_gid}
    # the helper removes the path once QEMU has connected
    summary["socket_left"] = os.path.exists(args.socket)
    return True


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--ctl", required=True)
    p.add_argument("--export", required=True)
    p.add_argument("--sentinel", required=True)
    p.add_argument("--console", required=True)
    p.add_argument("--qemu-pidfile", required=True)
    p.add_argument("--helper-pidfile", required=True)
    p.add_argument("--socket-dir")
    p.add_argument("--socket")
    p.add_argument("--stop-file", required=True)
    p.add_argument("--summary", required=True)
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)

    summary = {}
    agent = launch.Agent(args.ctl, args.export, args.sentinel)
    agent.start()
    offset = 0
    recorded = False
    while not os.path.exists(args.stop_file):
        if not recorded:
            try:
                if os.path.getsize(args.console) > 0:
                    recorded = snapshot(args, summary)
            except OSError:
                pass
        offset = show(args.console, offset, args.quiet, summary)
        time.sleep(0.05)
    show(args.console, offset, args.quiet, summary)
    agent.stop.set()
    agent.join(5)
    summary["swaps"] = agent.swaps
    with open(args.summary, "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
