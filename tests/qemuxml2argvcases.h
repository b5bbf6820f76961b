/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemuxml2argvcases.h: the cases of tests/qemuxml2argvdata
 *
 * Included by the suites that use the files, each defining
 * DO_TEST(name) (a .args golden) and DO_TEST_FAILURE(name) (a .err).
 */

/* 9p local, exactly as libvirt 9.0 writes it for QEMU 7.2 */
DO_TEST("fs9p")
DO_TEST("fs9p-readonly")
DO_TEST("fs9p-squash")
DO_TEST("fs9p-multidevs")
DO_TEST("fs9p-createmode")
DO_TEST("fs9p-model")
DO_TEST("fs9p-comma-path")

/* the proxy driver, one option at a time */
DO_TEST("fs-proxy")
DO_TEST("fs-proxy-wrpolicy")
DO_TEST("fs-proxy-readonly")
DO_TEST("fs-proxy-wrpolicy-readonly")
DO_TEST("fs-proxy-accessmode-default")
DO_TEST("fs-proxy-accessmode-passthrough")
DO_TEST("fs-proxy-alias")
DO_TEST("fs-proxy-address")
DO_TEST("fs-proxy-multifunction")
DO_TEST("fs-proxy-model")
DO_TEST("fs-proxy-virtio-options")
DO_TEST("fs-proxy-binary")
DO_TEST("fs-proxy-target-utf8")

/* proxy and local shares together */
DO_TEST("fs-proxy-mix")
DO_TEST("fs-proxy-mix-alias-address")
DO_TEST("fs-proxy-same-target-as-local-pair")

/* the rest of the domain */
DO_TEST("disk-virtio")
DO_TEST("disk-ide-cdrom")
DO_TEST("disk-sata")
DO_TEST("disk-block")
DO_TEST("disk-readonly-virtio")
DO_TEST("boot-order-devices")
DO_TEST("boot-multiple")
DO_TEST("kernel-boot")
DO_TEST("serial-pty-console")
DO_TEST("serial-file")
DO_TEST("console-stdio")
DO_TEST("net-user")
DO_TEST("memballoon-default")
DO_TEST("seclabel-dac")
DO_TEST("features-kvm")
DO_TEST("full-proxy-guest")

/* validation of the proxy driver */
DO_TEST_FAILURE("fs-proxy-accessmode-mapped")
DO_TEST_FAILURE("fs-proxy-accessmode-squash")
DO_TEST_FAILURE("fs-proxy-multidevs")
DO_TEST_FAILURE("fs-proxy-fmode")
DO_TEST_FAILURE("fs-proxy-format")
DO_TEST_FAILURE("fs-proxy-source-socket")
DO_TEST_FAILURE("fs-proxy-source-relative")
DO_TEST_FAILURE("fs-proxy-no-source")
DO_TEST_FAILURE("fs-proxy-no-target")
DO_TEST_FAILURE("fs-proxy-target-duplicate")
DO_TEST_FAILURE("fs-proxy-type-file")
DO_TEST_FAILURE("fs-proxy-boot")
DO_TEST_FAILURE("fs-proxy-queue")
DO_TEST_FAILURE("fs-proxy-alias-not-user")
DO_TEST_FAILURE("fs-proxy-alias-malformed")
DO_TEST_FAILURE("fs-proxy-alias-duplicate")
DO_TEST_FAILURE("fs-proxy-address-conflict")
DO_TEST_FAILURE("fs-proxy-address-reserved")
DO_TEST_FAILURE("fs-proxy-address-bus")

/* validation of the other drivers, as libvirt 9.0 does it for QEMU */
DO_TEST_FAILURE("fs-driver-bogus")
DO_TEST_FAILURE("fs-driver-default-explicit")
DO_TEST_FAILURE("fs-driver-handle")
DO_TEST_FAILURE("fs-driver-loop")
DO_TEST_FAILURE("fs-driver-nbd")
DO_TEST_FAILURE("fs-virtiofs")
DO_TEST_FAILURE("fs-virtiofs-readonly")
DO_TEST_FAILURE("fs-virtiofs-socket-model")
DO_TEST_FAILURE("fs9p-fmode-passthrough")
DO_TEST_FAILURE("fs9p-fmode-invalid")
DO_TEST_FAILURE("fs9p-source-socket")
DO_TEST_FAILURE("fs9p-space-limit")
DO_TEST_FAILURE("fs9p-format-unknown")

/* the rest of the domain */
DO_TEST_FAILURE("unsupported-element")
DO_TEST_FAILURE("unsupported-attribute")
DO_TEST_FAILURE("unsupported-machine-q35")
DO_TEST_FAILURE("disk-readonly-ide")
DO_TEST_FAILURE("disk-target-bus-mismatch")
DO_TEST_FAILURE("boot-order-mixed")
