#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Run the e2e guest through the QEMU driver: 'virt-proxyfs start'.

Writes a domain XML (pfs-e2e-domain.py's, with the control share) and a
driver configuration, runs 'virt-proxyfs start' in the foreground, answers the
guest's swap requests meanwhile (the Agent of pfs-e2e-launch.py), records
the identities of QEMU and of the helper while they run, and writes a
JSON summary in the format try-boot.sh checks. Exits 0 when the driver
ran the guest to its power-off and cleaned up.
"""
import argparse
import importlib.util
import json
import os
import pwd
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, os.path.join(HERE, path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


launch = _load("pfs_e2e_launch", "pfs-e2e-launch.py")
domain = _load("pfs_e2e_domain", "pfs-e2e-domain.py")

NAME = "pfs-e2e"


def log(msg):
    sys.stdout.write("driver: %s\n" % msg)
    sys.stdout.flush()


def config(args, rundir):
    lines = {
        "user": args.qemu_user,
        "group": args.qemu_user,
        "helper": args.helper,
        "state_dir": os.path.join(rundir, "state"),
        "log_dir": os.path.join(rundir, "log"),
        "lib_dir": os.path.join(rundir, "lib"),
    }
    text = "".join('%s = "%s"\n' % item for item in lines.items())
    return text + "shutdown_timeout = 10\n"


class HelperKiller(threading.Thread):
    """For the helperdeath suite: when CTL/sync/helper.kill appears, kill
    the helper (SIGKILL, as a crash would) and answer helper.killed."""

    def __init__(self, ctl, state):
        super().__init__(daemon=True)
        self.request = os.path.join(ctl, "sync", "helper.kill")
        self.answer = os.path.join(ctl, "sync", "helper.killed")
        self.pidfile = os.path.join(state, "fs0.pid")
        self.stop = threading.Event()
        self.killed = None

    def run(self):
        while not self.stop.wait(0.05):
            if self.killed is None and os.path.exists(self.request):
                with open(self.pidfile, encoding="ascii") as f:
                    self.killed = int(f.read().strip())
                os.kill(self.killed, 9)
                log("killed the helper (pid %d)" % self.killed)
                open(self.answer, "w").close()


class Watcher(threading.Thread):
    """Records /proc/PID/status of QEMU and of the helper as soon as their
    pid files appear, and shows the guest's PFS- lines as they come."""

    def __init__(self, state, console, quiet):
        super().__init__(daemon=True)
        self.state = state
        self.console = console
        self.quiet = quiet
        self.stop = threading.Event()
        self.qemu_status = {}
        self.helper_status = {}
        self.done_line = None

    def pid(self, name):
        try:
            with open(os.path.join(self.state, name), encoding="ascii") as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def run(self):
        offset = 0
        while not self.stop.is_set():
            # Once QEMU has written to its console it has long been
            # exec'ed, and the helper, which the driver waits for before
            # starting QEMU, is confined: earlier, its pid file may name a
            # process still setting up (or a wrapper about to exec it).
            if os.path.exists(self.console) and os.path.getsize(self.console) > 0:
                if not self.helper_status and self.pid("fs0.pid"):
                    self.helper_status = launch.proc_status(self.pid("fs0.pid"),
                                                            launch.STATUS_KEYS)
                if not self.qemu_status and self.pid("qemu.pid"):
                    self.qemu_status = launch.proc_status(self.pid("qemu.pid"),
                                                          launch.STATUS_KEYS)
            offset = self.show(offset)
            time.sleep(0.05)
        self.show(offset)

    def show(self, offset):
        offset, done = launch.follow_console(self.console, offset, self.quiet)
        if done:
            self.done_line = done
        return offset


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tool", required=True, help="virt-proxyfs")
    p.add_argument("--helper", required=True)
    p.add_argument("--export", required=True)
    p.add_argument("--ctl", required=True)
    p.add_argument("--kernel", required=True)
    p.add_argument("--initrd", required=True)
    p.add_argument("--append", required=True)
    p.add_argument("--qemu", default=domain.QEMU)
    p.add_argument("--qemu-user", required=True)
    p.add_argument("--rundir", required=True, help="for the driver's state, logs, XML")
    p.add_argument("--console", required=True)
    p.add_argument("--summary", required=True)
    p.add_argument("--timeout", type=float, default=300)
    p.add_argument("--agent", metavar="SENTINEL")
    p.add_argument("--readonly", action="store_true")
    p.add_argument("--kill-helper", action="store_true",
                   help="kill the helper when the guest asks (suite helperdeath), "
                        "and expect the driver to notice and tear down")
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)

    for sub in ("state", "log", "lib"):
        os.makedirs(os.path.join(args.rundir, sub), exist_ok=True)
    xml = os.path.join(args.rundir, "domain.xml")
    conf = os.path.join(args.rundir, "qemu.conf")
    with open(xml, "w", encoding="utf-8") as f:
        f.write(domain.domain_xml(NAME, args.kernel, args.initrd, args.append,
                                  args.export, args.console, ctl=args.ctl,
                                  readonly=args.readonly, qemu=args.qemu))
    with open(conf, "w", encoding="utf-8") as f:
        f.write(config(args, args.rundir))
    # QEMU, unprivileged, writes the console file itself
    open(args.console, "wb").close()
    pw = pwd.getpwnam(args.qemu_user)
    os.chown(args.console, pw.pw_uid, pw.pw_gid)

    summary = {"driver": True}
    agent = None
    if args.agent:
        agent = launch.Agent(args.ctl, args.export, args.agent)
        agent.start()
    state = os.path.join(args.rundir, "state", NAME)
    watcher = Watcher(state, args.console, args.quiet)
    watcher.start()
    killer = None
    if args.kill_helper:
        killer = HelperKiller(args.ctl, state)
        killer.start()

    t0 = time.monotonic()
    log("virt-proxyfs start %s" % xml)
    with open(os.path.join(args.rundir, "start.log"), "wb") as out:
        start = subprocess.Popen([args.tool, "--config", conf, "start", xml],
                                 stdin=subprocess.DEVNULL, stdout=out,
                                 stderr=subprocess.STDOUT)
        try:
            summary["start_exit"] = start.wait(timeout=args.timeout)
        except subprocess.TimeoutExpired:
            summary["error"] = "the domain still runs after %d s" % args.timeout
            log(summary["error"] + ": virt-proxyfs stop")
            subprocess.run([args.tool, "--config", conf, "stop", NAME], check=False)
            summary["start_exit"] = launch.stop_process(start, "virt-proxyfs start", 20)
    summary["qemu_wall_s"] = round(time.monotonic() - t0, 3)
    watcher.stop.set()
    watcher.join(5)
    if agent:
        agent.stop.set()
        agent.join(5)
        summary["swaps"] = agent.swaps
    summary["helper_status"] = watcher.helper_status
    summary["qemu_status"] = watcher.qemu_status
    summary["done_line"] = watcher.done_line
    with open(os.path.join(args.rundir, "start.log"), encoding="utf-8",
              errors="replace") as f:
        summary["start_output"] = f.read()
    summary["state_left"] = os.path.exists(state)
    with open(args.summary, "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=1)

    ok = True
    if killer:
        killer.stop.set()
        killer.join(5)
        # the driver must say which share died, and stop the domain
        want = "the proxy helper of filesystem 'fs0' of domain '%s' killed by signal 9" % NAME
        if killer.killed is None:
            log("the guest never asked for the helper to be killed")
            ok = False
        elif summary["start_exit"] != 1 or want not in summary["start_output"]:
            log("expected 'virt-proxyfs start' to fail with %r; it exited with %s:\n%s"
                % (want, summary["start_exit"], summary["start_output"]))
            ok = False
        else:
            log("the driver noticed the helper's death and tore the domain down")
        summary["start_exit"] = 0 if ok else summary["start_exit"]
    if summary["start_exit"] != 0:
        log("'virt-proxyfs start' exited with %s:\n%s"
            % (summary["start_exit"], summary["start_output"]))
        ok = False
    if summary["state_left"]:
        log("the domain's state directory is left: %s" % state)
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
