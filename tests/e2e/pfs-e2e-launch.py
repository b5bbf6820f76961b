#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Boot the end-to-end guest with a proxy share served by our helper.

A stand-in for 'virt-proxyfs start' until it exists, used by
tests/e2e/try-boot.sh. As root: creates a socketpair, starts
virt-proxyfs-helper on one end (it confines itself), waits for its
--ready-fd answer, then starts QEMU as an unprivileged user with the other
end as '-fsdev proxy,sock_fd=N' (mount tag 'share') and a local 9p control
share (mount tag 'ctl'). It copies the serial console to a file, prints the
guest's PFS- lines as they come, optionally plays the host side of the
guest's swap test (--agent), and stops both processes on every path.

Writes a JSON summary (--summary) and exits 0 when QEMU and the helper both
exited with status 0 and the guest printed 'PFS-DONE ok'.
"""

import argparse
import json
import os
import pwd
import select
import signal
import socket
import subprocess
import sys
import threading
import time


# the fields of /proc/PID/status the tests record of the helper (and,
# through the driver and libvirt, of QEMU)
STATUS_KEYS = ("Uid", "Gid", "Groups", "CapInh", "CapPrm", "CapEff", "CapBnd",
               "CapAmb", "NoNewPrivs", "Seccomp", "Threads")


def log(msg):
    sys.stdout.write("launch: %s\n" % msg)
    sys.stdout.flush()


def guest_line(raw, quiet):
    """The guest's PFS- line in RAW (console bytes), or None; shows it
    (only failures, PFS-INFO and PFS-DONE when QUIET)."""
    line = raw.decode("utf-8", "replace").rstrip("\r\n")
    at = line.find("PFS-")
    if at < 0:
        return None
    line = line[at:]
    if not quiet or line.startswith(("PFS-DONE", "PFS-INFO")) or " fail " in line:
        sys.stdout.write("guest: %s\n" % line)
        sys.stdout.flush()
    return line


def follow_console(path, offset, quiet):
    """Shows the guest lines added to the console file PATH after OFFSET;
    returns the new offset and the PFS-DONE line if one came."""
    done = None
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            data = f.read()
    except OSError:
        return offset, None
    cut = data.rfind(b"\n") + 1
    for raw in data[:cut].splitlines():
        line = guest_line(raw, quiet)
        if line and line.startswith("PFS-DONE"):
            done = line
    return offset + cut, done


def proc_status(pid, keys):
    """The given fields of /proc/PID/status, or {} when it is gone."""
    found = {}
    try:
        with open("/proc/%d/status" % pid, encoding="ascii") as status:
            for line in status:
                key, _, value = line.partition(":")
                if key in keys:
                    found[key] = " ".join(value.split())
    except OSError:
        pass
    return found


class Agent(threading.Thread):
    """The host side of the guest's swap test: for each CTL/sync/NAME.req
    (holding a path relative to the export), replace that file with a
    symlink out of the export, then create NAME.done."""

    def __init__(self, ctl, export, sentinel):
        super().__init__(daemon=True)
        self.sync = os.path.join(ctl, "sync")
        self.export = export
        self.sentinel = sentinel
        self.stop = threading.Event()
        self.swaps = []

    def target(self, name, rel):
        """NAME-abs and NAME-rel: the sentinel, by an absolute or a relative
        path; NAME-dir and NAME-dirrel: the sentinel's directory."""
        # as many '..' as lead out of the export, to the sentinel's
        # directory (the export's parent)
        up = "../" * (rel.count("/") + 1)
        if name.endswith("-rel"):
            return up + os.path.basename(self.sentinel)
        if name.endswith("-dirrel"):
            return up.rstrip("/")
        if name.endswith("-dir"):
            return os.path.dirname(self.sentinel)
        return self.sentinel

    def swap(self, name):
        req = os.path.join(self.sync, name + ".req")
        with open(req, encoding="utf-8") as f:
            rel = f.read().strip()
        parts = rel.split("/")
        if not rel or rel.startswith("/") or ".." in parts:
            raise ValueError("bad path %r" % rel)
        path = os.path.join(self.export, rel)
        target = self.target(name, rel)
        tmp = path + ".swap-tmp"
        os.symlink(target, tmp)
        if os.path.isdir(path) and not os.path.islink(path):
            # a symlink cannot replace a directory in one rename
            os.rename(path, path + ".orig")
        os.rename(tmp, path)
        self.swaps.append({"name": name, "path": rel, "target": target})
        log("agent: %s is now a symlink to %s" % (rel, target))
        os.rename(req, req + ".handled")
        with open(os.path.join(self.sync, name + ".done"), "w", encoding="utf-8"):
            pass

    def run(self):
        while not self.stop.wait(0.02):
            try:
                names = os.listdir(self.sync)
            except FileNotFoundError:
                continue
            for entry in sorted(names):
                if entry.endswith(".req"):
                    try:
                        self.swap(entry[:-4])
                    except (OSError, ValueError) as err:
                        log("agent: %s: %s" % (entry, err))
                        self.swaps.append({"name": entry, "error": str(err)})
                        os.rename(os.path.join(self.sync, entry),
                                  os.path.join(self.sync, entry + ".failed"))


class Console(threading.Thread):
    """Copies QEMU's stdout (the serial console) to a file and shows the
    guest's PFS- lines."""

    def __init__(self, stream, path, quiet):
        super().__init__(daemon=True)
        self.stream = stream
        self.path = path
        self.quiet = quiet
        self.done_line = None
        self.first_byte = None

    def run(self):
        with open(self.path, "wb") as out:
            for raw in iter(self.stream.readline, b""):
                if self.first_byte is None:
                    self.first_byte = time.monotonic()
                out.write(raw)
                out.flush()
                line = guest_line(raw, self.quiet)
                if line and line.startswith("PFS-DONE"):
                    self.done_line = line


def stop_process(proc, name, grace):
    """Waits up to GRACE seconds, then terminates, then kills PROC."""
    if proc is None:
        return None
    try:
        return proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        pass
    log("stopping %s (pid %d)" % (name, proc.pid))
    proc.terminate()
    try:
        return proc.wait(timeout=3)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()


def wait_ready(fd, timeout):
    """Reads the helper's --ready-fd answer: (True, '') or (False, reason)."""
    data = b""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return False, "no answer on --ready-fd within %d s" % timeout
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        data += chunk
        if data[:1] == b"0":
            return True, ""
    if data[:1] == b"0":
        return True, ""
    if not data:
        return False, "the helper closed --ready-fd without an answer"
    return False, data[1:].decode("utf-8", "replace").strip()


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--helper", help="the helper (required unless --local)")
    p.add_argument("--export", required=True)
    p.add_argument("--ctl", required=True, help="control share directory")
    p.add_argument("--kernel", required=True)
    p.add_argument("--initrd", required=True)
    p.add_argument("--append", required=True, help="kernel command line")
    p.add_argument("--bios", default="")
    p.add_argument("--qemu", default="qemu-system-x86_64")
    p.add_argument("--qemu-user", required=True)
    p.add_argument("--console", required=True, help="serial console log")
    p.add_argument("--helper-log", required=True)
    p.add_argument("--qemu-log", required=True)
    p.add_argument("--summary", required=True, help="JSON summary file")
    p.add_argument("--timeout", type=float, default=300)
    p.add_argument("--agent", metavar="SENTINEL",
                   help="play the host side of the swap test, with symlinks "
                        "to SENTINEL")
    p.add_argument("--helper-arg", action="append", default=[],
                   help="one more argument for the helper")
    p.add_argument("--helper-wrapper", default="",
                   help="run the helper through this program (e.g. "
                        "build/tests/pfstestoldkernel)")
    p.add_argument("--no-ready-fd", action="store_true",
                   help="the helper has no --ready-fd (QEMU's own helper): "
                        "give it a moment instead")
    p.add_argument("--quiet", action="store_true",
                   help="show only failed results")
    p.add_argument("--local", metavar="MODEL", default="",
                   help="no helper: QEMU serves the share itself with "
                        "'-fsdev local,security_model=MODEL' (for comparisons)")
    args = p.parse_args(argv)
    if not args.helper and not args.local:
        p.error("the following arguments are required: --helper")
    return args


def run(args, summary):
    qemu_pw = pwd.getpwnam(args.qemu_user)
    helper_sock, qemu_sock = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    ready_r, ready_w = os.pipe()
    procs = {}
    threads = {}
    try:
        if args.local:
            # QEMU's own file server: nothing on the socketpair
            helper_sock.close()
            os.close(ready_w)
            os.close(ready_r)
            ready_r = None
            fsdev = "local,id=fsdev0,path=%s,security_model=%s" % (
                args.export, args.local)
        else:
            cmd = ([args.helper_wrapper] if args.helper_wrapper else []) + \
                [args.helper, "-n", "-p", args.export,
                 "-f", str(helper_sock.fileno())]
            if not args.no_ready_fd:
                cmd += ["--ready-fd", str(ready_w)]
            cmd += args.helper_arg
            summary["helper_cmd"] = cmd
            t0 = time.monotonic()
            with open(args.helper_log, "wb") as hlog:
                procs["helper"] = subprocess.Popen(
                    cmd, stdin=subprocess.DEVNULL, stdout=hlog, stderr=hlog,
                    pass_fds=(helper_sock.fileno(), ready_w))
            helper_sock.close()
            os.close(ready_w)
            if args.no_ready_fd:
                time.sleep(0.5)
                ok = procs["helper"].poll() is None
                reason = "the helper exited with status %s" % procs["helper"].returncode
            else:
                ok, reason = wait_ready(ready_r, 20)
            os.close(ready_r)
            ready_r = None
            summary["helper_ready_s"] = round(time.monotonic() - t0, 3)
            if not ok:
                summary["error"] = "helper did not start: " + reason
                log(summary["error"])
                return
            summary["helper_status"] = proc_status(procs["helper"].pid, STATUS_KEYS)
            log("helper ready (pid %d) in %.2f s" % (procs["helper"].pid,
                                                     summary["helper_ready_s"]))
            fsdev = "proxy,id=fsdev0,sock_fd=%d" % qemu_sock.fileno()

        qfd = qemu_sock.fileno()
        qcmd = [args.qemu, "-machine", "pc", "-accel", "tcg", "-m", "256",
                "-smp", "1", "-nodefaults", "-no-user-config",
                "-display", "none", "-serial", "stdio", "-monitor", "none",
                "-no-reboot"]
        if args.bios:
            qcmd += ["-bios", args.bios]
        qcmd += ["-kernel", args.kernel, "-initrd", args.initrd,
                 "-append", args.append,
                 "-fsdev", fsdev,
                 "-device", "virtio-9p-pci,fsdev=fsdev0,mount_tag=share",
                 "-fsdev", "local,id=fsdev1,path=%s,security_model=none" % args.ctl,
                 "-device", "virtio-9p-pci,fsdev=fsdev1,mount_tag=ctl"]
        summary["qemu_cmd"] = qcmd
        if args.agent:
            threads["agent"] = Agent(args.ctl, args.export, args.agent)
            threads["agent"].start()
        t1 = time.monotonic()
        with open(args.qemu_log, "wb") as qlog:
            procs["qemu"] = subprocess.Popen(
                qcmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=qlog, pass_fds=(qfd,), user=qemu_pw.pw_uid,
                group=qemu_pw.pw_gid, extra_groups=[])
        qemu_sock.close()
        qemu_sock = None
        threads["console"] = Console(procs["qemu"].stdout, args.console, args.quiet)
        threads["console"].start()
        time.sleep(0.3)
        summary["qemu_status"] = proc_status(
            procs["qemu"].pid, ("Uid", "Gid", "Groups", "CapEff", "CapPrm"))
        try:
            summary["qemu_exit"] = procs["qemu"].wait(timeout=args.timeout)
        except subprocess.TimeoutExpired:
            summary["error"] = "QEMU still running after %d s" % args.timeout
            log(summary["error"])
            summary["qemu_exit"] = stop_process(procs["qemu"], "QEMU", 0)
        summary["qemu_wall_s"] = round(time.monotonic() - t1, 3)
        threads["console"].join(5)
        console = threads["console"]
        summary["done_line"] = console.done_line
        if console.first_byte is not None:
            summary["qemu_first_output_s"] = round(console.first_byte - t1, 3)
        # QEMU closed its end: the helper ends by itself
        if not args.local:
            summary["helper_exit"] = stop_process(procs["helper"], "the helper", 10)
    finally:
        for name in ("qemu", "helper"):
            if name in procs and summary.get(name + "_exit") is None:
                summary[name + "_exit"] = stop_process(procs[name], name, 1)
        if "agent" in threads:
            threads["agent"].stop.set()
            threads["agent"].join(2)
            summary["agent_swaps"] = threads["agent"].swaps
        if qemu_sock is not None:
            qemu_sock.close()
        if ready_r is not None:
            os.close(ready_r)


def main(argv):
    args = parse_args(argv)

    def on_signal(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    summary = {}
    start = time.monotonic()
    try:
        run(args, summary)
    finally:
        summary["wall_s"] = round(time.monotonic() - start, 3)
        with open(args.summary, "w", encoding="utf-8") as out:
            json.dump(summary, out, indent=2, sort_keys=True)
            out.write("\n")
    ok = (summary.get("qemu_exit") == 0
          and (args.local or summary.get("helper_exit") == 0)
          and "error" not in summary
          and (summary.get("done_line") or "").startswith("PFS-DONE ok"))
    log("QEMU exit %s, helper exit %s, %s, %.2f s" % (
        summary.get("qemu_exit"), summary.get("helper_exit"),
        summary.get("done_line") or "no PFS-DONE line", summary["wall_s"]))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
