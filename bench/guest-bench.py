#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The guest-level benchmark: one workload, four file servers.

Boots the end-to-end guest (tests/e2e) with its 'bench' suite on the
'share' mount, served in turn by:

  a  virt-proxyfs-helper, confined, on a socketpair; QEMU unprivileged
     (-fsdev proxy), as tests/e2e/pfs-e2e-launch.py starts them
  b  QEMU's virtfs-proxy-helper, the same way
  c  -fsdev local,security_model=passthrough, QEMU as root
  d  -fsdev local,security_model=mapped-xattr, QEMU as the unprivileged
     e2e user, on an export that user owns
  p  (only with --configs) as a, with the helper's --busy-poll=50
  t  (only with --configs) no 9p at all: the metadata phases on the
     guest's own tmpfs, which is what the workload costs the emulated
     guest itself

The boots are interleaved (a b c d a b c d ...) so that a slow spell of
the machine spreads over every configuration. Each phase's time is the
guest's own (/proc/uptime); the table gives the median over the runs and
the ratios. As root, from the top of the tree, after 'ninja -C build':

    bench/guest-bench.py                # 3 runs, 2000 files, 256 MiB
    bench/guest-bench.py --quick        # a smoke run: 1 boot each, tiny

Standard library only. Everything it starts is stopped and its temporary
directory removed on every way out (an interrupt, TERM, HUP included).
"""

import argparse
import json
import os
import pwd
import resource
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
E2E = os.path.join(TOP, "tests", "e2e")
LAUNCHER = os.path.join(E2E, "pfs-e2e-launch.py")

CONFIGS = {
    "a": "virt-proxyfs-helper (proxy)",
    "b": "QEMU's virtfs-proxy-helper (proxy)",
    "c": "local passthrough, QEMU as root",
    "d": "local mapped-xattr, QEMU unprivileged",
    "p": "virt-proxyfs-helper --busy-poll=50 (proxy)",
    "t": "guest tmpfs, no 9p (metadata only)",
}
# the suite's phases, in order; the first ones make up the metadata total
META_PHASES = ["create", "ls-lR", "find-stat", "chmod-R", "chown-R",
               "rename", "rm-rf"]
DATA_PHASES = ["write", "read"]
RATIOS = [("a", "c"), ("b", "c"), ("a", "b"), ("d", "c"), ("p", "a")]
TARGET = 1.5    # issue 6: the metadata workload, (a)/(c)


def say(msg):
    sys.stdout.write("guest-bench: %s\n" % msg)
    sys.stdout.flush()


class Failure(Exception):
    pass


def parse_args(argv):
    p = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="Environment: PFS_E2E_OUTDIR (the kit, default "
               "build/e2e-guest), PFS_HELPER (default "
               "build/src/proxyfs/virt-proxyfs-helper), PFS_TEST_QEMU_HELPER "
               "(default /usr/lib/qemu/virtfs-proxy-helper), "
               "PFS_E2E_QEMU_USER (default pfs-e2e-qemu), TMPDIR.")
    p.add_argument("--runs", type=int, default=3,
                   help="boots of each configuration (default 3)")
    p.add_argument("--files", type=int, default=2000,
                   help="files in the tree (default 2000)")
    p.add_argument("--dirs", type=int, default=0,
                   help="directories they are spread over (default files/50)")
    p.add_argument("--mib", type=int, default=256,
                   help="MiB written and read back (default 256; 0: none)")
    p.add_argument("--quick", action="store_true",
                   help="a smoke run: 1 boot of each configuration, 100 "
                        "files, 4 MiB (explicit options still win)")
    p.add_argument("--configs", default="abcd",
                   help="which configurations, in boot order (default abcd; "
                        "add p for ours with --busy-poll=50, t for the "
                        "guest-tmpfs baseline)")
    p.add_argument("--export-dir",
                   help="where the exports are made (default: $TMPDIR, "
                        "else /var/tmp)")
    p.add_argument("--timeout", type=float, default=0,
                   help="seconds per boot (default: from the size)")
    p.add_argument("--json", metavar="FILE", help="write every measurement")
    p.add_argument("--keep", action="store_true",
                   help="keep the temporary directory (logs, consoles)")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="show the launcher's output")
    args = p.parse_args(argv)
    given = set(a.split("=")[0] for a in argv if a.startswith("--"))
    if args.quick:
        if "--runs" not in given:
            args.runs = 1
        if "--files" not in given:
            args.files = 100
        if "--mib" not in given:
            args.mib = 4
    if args.runs < 1 or args.files < 1 or args.mib < 0 or args.dirs < 0:
        p.error("--runs and --files must be at least 1, --mib and --dirs "
                "at least 0")
    bad = set(args.configs) - set(CONFIGS)
    if bad or not args.configs:
        p.error("--configs: letters among %s" % "".join(CONFIGS))
    if not args.dirs:
        args.dirs = max(1, args.files // 50)
    if not args.timeout:
        # a boot is about 5 s; a file costs about 20 ms of guest time
        # through the slowest server, a MiB well under 0.1 s
        args.timeout = 120 + 0.1 * args.files + 0.5 * args.mib
    return args


def skip_or_die(reason):
    """Not root: a skip for a developer's 'meson test', a failure under CI
    (root there), an error by hand; as tests/e2e/try-boot.sh does."""
    if os.environ.get("CI") == "true":
        print("[  FAILED  ] guest-bench: %s (required under CI)" % reason)
        sys.exit(1)
    if os.environ.get("MESON_TEST_ITERATION") or os.environ.get("PFS_E2E_AS_TEST"):
        print("[  SKIPPED ] guest-bench: %s" % reason)
        sys.exit(77)
    sys.stderr.write("guest-bench: error: %s\n" % reason)
    sys.exit(2)


def read_kit_env(path):
    """The shell assignments of build-guest.sh's kit.env."""
    env = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#") or "=" not in line:
                continue
            key, _, value = line.partition("=")
            words = shlex.split(value)
            env[key] = words[0] if words else ""
    return env


def cpu_seconds():
    """(busy, steal) CPU seconds of the whole machine since boot, and the
    CPU seconds of this process's reaped descendants (the launcher, QEMU,
    the helper), so that a boot can tell how much the rest of the machine
    used meanwhile."""
    hz = os.sysconf("SC_CLK_TCK")
    with open("/proc/stat", encoding="ascii") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal (guest time is in user)
    busy = (v[0] + v[1] + v[2] + v[5] + v[6]) / hz
    steal = v[7] / hz if len(v) > 7 else 0.0
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return busy, steal, ru.ru_utime + ru.ru_stime


def ensure_users(qemu_user):
    if subprocess.run(["getent", "passwd", "virt-proxyfs"],
                      stdout=subprocess.DEVNULL).returncode != 0:
        subprocess.run([os.path.join(TOP, "build-aux", "create-user.sh")],
                       check=True)
    try:
        pwd.getpwnam(qemu_user)
    except KeyError:
        say("creating the user %s for QEMU" % qemu_user)
        subprocess.run(["useradd", "--system", "--user-group",
                        "--no-create-home", "--home-dir", "/nonexistent",
                        "--shell", "/usr/sbin/nologin", "--comment",
                        "virt-proxyfs e2e QEMU", qemu_user], check=True)


class Bench:
    def __init__(self, args):
        self.args = args
        self.tmp = None
        self.launcher = None
        self.results = []   # one dict per boot
        self.qemu_user = os.environ.get("PFS_E2E_QEMU_USER", "pfs-e2e-qemu")
        self.helper = os.environ.get(
            "PFS_HELPER",
            os.path.join(TOP, "build", "src", "proxyfs", "virt-proxyfs-helper"))
        self.qemu_helper = os.environ.get(
            "PFS_TEST_QEMU_HELPER", "/usr/lib/qemu/virtfs-proxy-helper")
        self.outdir = os.environ.get(
            "PFS_E2E_OUTDIR", os.path.join(TOP, "build", "e2e-guest"))
        self.kit = None

    # -- set-up ---------------------------------------------------------------

    def prepare(self):
        if set("ap") & set(self.args.configs) and not os.access(self.helper, os.X_OK):
            raise Failure("no helper at %s: build first (ninja -C build)"
                          % self.helper)
        if "b" in self.args.configs and not os.access(self.qemu_helper, os.X_OK):
            raise Failure("no %s (package qemu-system-common); leave out b "
                          "with --configs" % self.qemu_helper)
        if not shutil.which("qemu-system-x86_64"):
            raise Failure("qemu-system-x86_64 missing (package qemu-system-x86)")
        ensure_users(self.qemu_user)
        t = time.monotonic()
        out = subprocess.run([os.path.join(E2E, "build-guest.sh"), self.outdir],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True)
        if out.returncode != 0:
            sys.stdout.write(out.stdout)
            raise Failure("tests/e2e/build-guest.sh failed")
        self.kit = read_kit_env(os.path.join(self.outdir, "kit.env"))
        say("kit ready in %.1f s (%s)" % (time.monotonic() - t,
                                          self.kit.get("PFS_E2E_KVER", "?")))
        base = self.args.export_dir or os.environ.get("TMPDIR") or "/var/tmp"
        os.makedirs(base, exist_ok=True)
        self.tmp = tempfile.mkdtemp(prefix="pfs-guest-bench.", dir=base)
        # QEMU's user must reach the control share (and export d)
        os.chmod(self.tmp, 0o711)

    # -- one boot -------------------------------------------------------------

    def boot(self, cfg, run):
        a = self.args
        qpw = pwd.getpwnam(self.qemu_user)
        d = os.path.join(self.tmp, "%d%s" % (run, cfg))
        export, ctl = os.path.join(d, "export"), os.path.join(d, "ctl")
        os.mkdir(d, 0o711)
        os.mkdir(export, 0o755)
        os.mkdir(ctl, 0o700)
        os.chown(ctl, qpw.pw_uid, qpw.pw_gid)
        append = [
            self.kit["PFS_E2E_APPEND"],
            "pfs.mounts=share:/mnt/share,ctl:/mnt/ctl", "pfs.suite=bench",
            "pfs.timeout=%d" % max(60, a.timeout - 30),
            "pfs.bench_files=%d" % a.files, "pfs.bench_dirs=%d" % a.dirs]
        if cfg == "t":
            # the guest has 256 MiB of memory: no data phases in its tmpfs
            append += ["pfs.bench_mib=0", "pfs.bench_dir=/tmp/pfs-bench-tmpfs"]
        else:
            append += ["pfs.bench_mib=%d" % a.mib]
        append = " ".join(append)
        cmd = [sys.executable, LAUNCHER, "--quiet",
               "--export", export, "--ctl", ctl,
               "--kernel", self.kit["PFS_E2E_KERNEL"],
               "--initrd", self.kit["PFS_E2E_INITRD"],
               "--bios", self.kit.get("PFS_E2E_BIOS", ""),
               "--append", append,
               "--console", os.path.join(d, "console.log"),
               "--helper-log", os.path.join(d, "helper.log"),
               "--qemu-log", os.path.join(d, "qemu.log"),
               "--summary", os.path.join(d, "summary.json"),
               "--timeout", str(a.timeout)]
        if cfg in "ap":
            cmd += ["--helper", self.helper, "--qemu-user", self.qemu_user]
            if cfg == "p":
                cmd += ["--helper-arg=--busy-poll=50"]
        elif cfg == "b":
            # QEMU's helper has no --ready-fd
            cmd += ["--helper", self.qemu_helper, "--no-ready-fd",
                    "--qemu-user", self.qemu_user]
        elif cfg in "ct":
            # t: the share is mounted but left alone
            cmd += ["--local", "passthrough", "--qemu-user", "root"]
        else:
            # mapped-xattr keeps the guest's owners and modes in xattrs and
            # needs no privilege: QEMU runs as the unprivileged user, who
            # owns the export, as a deployment of that model would
            os.chown(export, qpw.pw_uid, qpw.pw_gid)
            cmd += ["--local", "mapped-xattr", "--qemu-user", self.qemu_user]

        t = time.monotonic()
        cpu0 = cpu_seconds()
        with open(os.path.join(d, "launch.log"), "wb") as log:
            self.launcher = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL,
                stdout=None if a.verbose else log,
                stderr=subprocess.STDOUT if not a.verbose else None)
            rc = self.launcher.wait()
            self.launcher = None
        wall = time.monotonic() - t
        cpu1 = cpu_seconds()

        res = {"config": cfg, "run": run, "launcher_exit": rc,
               "wall_s": round(wall, 2), "phases": {},
               # CPU the boot's own processes used, and what the rest of
               # the machine used meanwhile, in CPUs (of os.cpu_count())
               "own_cpus": round((cpu1[2] - cpu0[2]) / wall, 2),
               "others_cpus": round(max(0.0, (cpu1[0] - cpu0[0])
                                        - (cpu1[2] - cpu0[2])) / wall, 2),
               "steal_cpus": round((cpu1[1] - cpu0[1]) / wall, 2)}
        problems = []
        console = os.path.join(d, "console.log")
        lines = []
        if os.path.exists(console):
            with open(console, "rb") as f:
                for raw in f:
                    line = raw.decode("utf-8", "replace").rstrip("\r\n")
                    at = line.find("PFS-")
                    if at >= 0:
                        lines.append(line[at:])
        for line in lines:
            words = line.split()
            if words[0] == "PFS-INFO" and len(words) >= 3 \
                    and words[1].startswith("bench.") and words[1] != "bench.params":
                try:
                    res["phases"][words[1][6:]] = float(words[2])
                except ValueError:
                    problems.append("bad line: " + line)
            elif words[0] == "PFS-INFO" and len(words) >= 3 \
                    and words[1] in ("suite-start", "suite-end"):
                res[words[1].replace("-", "_")] = float(words[2])
            elif words[0] == "PFS-RESULT" and len(words) >= 3 and words[2] != "ok":
                problems.append(line)
            elif words[0] == "PFS-DONE":
                res["done"] = line
        if not res.get("done", "").startswith("PFS-DONE ok"):
            problems.append("no 'PFS-DONE ok' line (%s)" % res.get("done", "none"))
        if rc != 0:
            problems.append("the launcher exited with status %d" % rc)
        left = sorted(os.listdir(export)) if os.path.isdir(export) else []
        if left:
            problems.append("the suite left %s in the export" % ", ".join(left[:5]))
        helper_log = os.path.join(d, "helper.log")
        if cfg in "ap" and os.path.exists(helper_log):
            with open(helper_log, encoding="utf-8", errors="replace") as f:
                for line in f:
                    # the helper's parting line counts the requests served
                    if "after" in line and "requests" in line:
                        for w in line.split():
                            if w.isdigit():
                                res["helper_requests"] = int(w)
        res["problems"] = problems
        if problems:
            say("boot %d%s FAILED:" % (run, cfg))
            for p in problems:
                say("  " + p)
            for name in ("launch.log", "qemu.log", "helper.log", "console.log"):
                path = os.path.join(d, name)
                if os.path.exists(path) and os.path.getsize(path):
                    with open(path, encoding="utf-8", errors="replace") as f:
                        tail = f.read().splitlines()[-12:]
                    say("  last lines of %s:" % name)
                    for line in tail:
                        say("  | " + line)
        else:
            meta = sum(res["phases"].get(p, 0) for p in META_PHASES)
            say("boot %d%s: metadata %.2f s, write %s s, read %s s (%.1f s "
                "wall; CPUs used: %.2f by the boot, %.2f by others)"
                % (run, cfg, meta, res["phases"].get("write", "-"),
                   res["phases"].get("read", "-"), wall, res["own_cpus"],
                   res["others_cpus"]))
        if not self.args.keep:
            shutil.rmtree(d, ignore_errors=True)
        self.results.append(res)
        return not problems

    # -- report ---------------------------------------------------------------

    def report(self):
        a = self.args
        ok = [r for r in self.results if not r["problems"]]
        phases = META_PHASES + (DATA_PHASES if a.mib else [])

        def values(cfg, phase):
            out = []
            for r in ok:
                if r["config"] != cfg:
                    continue
                if phase == "metadata":
                    if all(p in r["phases"] for p in META_PHASES):
                        out.append(sum(r["phases"][p] for p in META_PHASES))
                elif phase in r["phases"]:
                    out.append(r["phases"][phase])
            return out

        med = {}
        for cfg in a.configs:
            for phase in phases + ["metadata"]:
                v = values(cfg, phase)
                med[cfg, phase] = statistics.median(v) if v else None

        cfgs = list(a.configs)
        ratios = [(x, y) for x, y in RATIOS if x in cfgs and y in cfgs]
        print()
        print("Guest-level benchmark, %s: %d file(s) in %d dir(s), %d MiB; "
              "median of %d boot(s) per configuration, seconds of guest time"
              % (time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                 a.files, a.dirs, a.mib, a.runs))
        for cfg in cfgs:
            print("  %s  %s" % (cfg, CONFIGS[cfg]))
        head = ["phase"] + ["(%s)" % c for c in cfgs] + \
            ["%s/%s" % r for r in ratios]
        rows = []
        for phase in phases + ["metadata"]:
            row = [phase if phase != "metadata" else "metadata total"]
            for cfg in cfgs:
                v = med[cfg, phase]
                row.append("-" if v is None else "%.2f" % v)
            for x, y in ratios:
                vx, vy = med[x, phase], med[y, phase]
                row.append("%.2f" % (vx / vy) if vx is not None and vy else "-")
            rows.append(row)
        widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
        rule = "  ".join("=" * w for w in widths)
        print(rule)
        print("  ".join(h.ljust(w) if i == 0 else h.rjust(w)
                        for i, (h, w) in enumerate(zip(head, widths))))
        print(rule)
        for row in rows:
            print("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                            for i, (c, w) in enumerate(zip(row, widths))))
        print(rule)
        # the spread, so that a reader can judge the medians
        print("spread of the metadata total (min-max, s): " + ", ".join(
            "(%s) %s" % (c, "%.2f-%.2f" % (min(values(c, "metadata")),
                                           max(values(c, "metadata")))
                         if values(c, "metadata") else "-") for c in cfgs))
        if "t" in cfgs and med["t", "metadata"]:
            # what is left once the guest's own work is taken out
            base = med["t", "metadata"]
            out = []
            for x, y in ratios:
                vx, vy = med[x, "metadata"], med[y, "metadata"]
                if vx is not None and vy is not None and vy > base:
                    out.append("%s/%s %.2f" % (x, y, (vx - base) / (vy - base)))
            print("metadata total minus (t), the guest's own share: "
                  + (", ".join(out) or "-"))
        print("CPUs used by other processes during the boots (median, "
              "max): %.2f, %.2f of %d" % (
                  statistics.median(r["others_cpus"] for r in self.results),
                  max(r["others_cpus"] for r in self.results),
                  os.cpu_count() or 0))
        reqs = [r["helper_requests"] for r in ok if "helper_requests" in r]
        if reqs:
            print("requests served by virt-proxyfs-helper per boot: %d"
                  % statistics.median(reqs))
        if med.get(("a", "metadata")) and med.get(("c", "metadata")):
            ratio = med["a", "metadata"] / med["c", "metadata"]
            print("target: metadata (a)/(c) at most %.1f: %.2f, %s%s"
                  % (TARGET, ratio, "met" if ratio <= TARGET else "NOT met",
                     " (but a --quick run is too small to judge)"
                     if a.quick else ""))
        failed = len(self.results) - len(ok)
        if failed:
            print("%d of %d boots failed and are left out" % (failed, len(self.results)))
        if a.json:
            with open(a.json, "w", encoding="utf-8") as f:
                json.dump({"files": a.files, "dirs": a.dirs, "mib": a.mib,
                           "runs": a.runs, "configs": a.configs,
                           "boots": self.results}, f, indent=2)
                f.write("\n")

    # -- clean-up -------------------------------------------------------------

    def cleanup(self):
        if self.launcher is not None:
            # the launcher stops QEMU and the helper on TERM
            if self.launcher.poll() is None:
                self.launcher.terminate()
                try:
                    self.launcher.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    self.launcher.kill()
                    self.launcher.wait()
            self.launcher = None
        if self.tmp and os.path.isdir(self.tmp):
            if self.args.keep:
                say("kept %s" % self.tmp)
            else:
                shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None


def main(argv):
    args = parse_args(argv)
    if os.geteuid() != 0:
        skip_or_die("needs root (the helpers confine themselves only when "
                    "started as root; configuration c runs QEMU as root)")

    def on_signal(signum, _frame):
        raise SystemExit(128 + signum)

    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, on_signal)
    bench = Bench(args)
    failed = 0
    try:
        bench.prepare()
        say("%d run(s) of %s: %d files in %d dirs, %d MiB, exports in %s"
            % (args.runs, args.configs, args.files, args.dirs, args.mib,
               bench.tmp))
        for run in range(1, args.runs + 1):
            for cfg in args.configs:
                if not bench.boot(cfg, run):
                    failed += 1
        bench.report()
    except Failure as err:
        say("error: %s" % err)
        return 1
    finally:
        bench.cleanup()
    if failed:
        print("[  FAILED  ] guest-bench: %d boot(s) failed" % failed)
        return 1
    print("[       OK ] guest-bench: %d boot(s)" % len(bench.results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
