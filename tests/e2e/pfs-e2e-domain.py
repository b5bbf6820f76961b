#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Print the domain XML of the e2e guest.

One domain for every test that boots the kit through a domain XML: a
kernel boot of the kit (256 MiB, one vCPU, destroyed at power-off), the
proxy share 'share' of EXPORT, the serial console to a file, and with
--ctl the 'squash' control share 'ctl'. pfs-e2e-driver.py imports it for
'virt-proxyfs start'; libvirt-e2e-lib.sh runs it for libvirtd.
"""
import argparse
import sys
from xml.sax.saxutils import escape, quoteattr

QEMU = "/usr/bin/qemu-system-x86_64"


def domain_xml(name, kernel, initrd, append, export, console, ctl=None,
               readonly=False, qemu=QEMU, qemu_arg=None):
    """The domain; QEMU_ARG, one more argument for QEMU, goes through
    libvirt's qemu:commandline."""
    ns = cmdline = ctlfs = ""
    if qemu_arg:
        ns = " xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'"
        cmdline = """  <qemu:commandline>
    <qemu:arg value=%s/>
  </qemu:commandline>
""" % quoteattr(qemu_arg)
    if ctl:
        ctlfs = """    <filesystem type='mount' accessmode='squash'>
      <source dir=%s/>
      <target dir='ctl'/>
    </filesystem>
""" % quoteattr(ctl)
    return """<domain type='qemu'{ns}>
  <name>{name}</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>{kernel}</kernel>
    <initrd>{initrd}</initrd>
    <cmdline>{append}</cmdline>
  </os>
  <features>
    <acpi/>
  </features>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>{qemu}</emulator>
    <filesystem type='mount' accessmode='passthrough'>
      <driver type='proxy'/>
      <source dir={export}/>
      <target dir='share'/>
{readonly}    </filesystem>
{ctlfs}    <serial type='file'>
      <source path={console}/>
    </serial>
    <memballoon model='none'/>
  </devices>
{cmdline}</domain>
""".format(ns=ns, name=escape(name), kernel=escape(kernel), initrd=escape(initrd),
           append=escape(append), qemu=escape(qemu), export=quoteattr(export),
           readonly="      <readonly/>\n" if readonly else "", ctlfs=ctlfs,
           console=quoteattr(console), cmdline=cmdline)


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("name")
    p.add_argument("--kernel", required=True)
    p.add_argument("--initrd", required=True)
    p.add_argument("--append", required=True, help="the kernel command line")
    p.add_argument("--export", required=True, help="the proxy share's source")
    p.add_argument("--console", required=True, help="the serial console's file")
    p.add_argument("--ctl", help="the control share's source")
    p.add_argument("--readonly", action="store_true")
    p.add_argument("--qemu", default=QEMU)
    p.add_argument("--qemu-arg", help="one more argument for QEMU")
    args = p.parse_args(argv)
    sys.stdout.write(domain_xml(args.name, args.kernel, args.initrd, args.append,
                                args.export, args.console, ctl=args.ctl,
                                readonly=args.readonly, qemu=args.qemu,
                                qemu_arg=args.qemu_arg))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
