/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxyfscodectest.c: the wire codec, byte by byte
 */
#include "pfsinternal.h"

#include <errno.h>
#include <string.h>

#include "pfstestclient.h"
#include "pfstestutils.h"
#include "proxyfs_codec.h"
#include "proxyfs_server.h"

static char scratch[PFS_PROXY_SCRATCH_SIZE];


static void
testDecodeIntegers(void **state)
{
    /* host byte order, no padding: d, q, d */
    const uint8_t payload[] = {
        0x78, 0x56, 0x34, 0x12,
        0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,
        0xfe, 0xff, 0xff, 0xff,
    };
    pfsProxyDecoder dec;
    uint32_t u32;
    uint64_t u64;
    int32_t s32;

    pfsProxyDecoderInit(&dec, payload, sizeof(payload), scratch, sizeof(scratch));
    assert_int_equal(pfsProxyDecodeU32(&dec, &u32), 0);
    assert_int_equal(u32, 0x12345678);
    assert_int_equal(pfsProxyDecodeU64(&dec, &u64), 0);
    assert_true(u64 == 0x0102030405060708ULL);
    assert_int_equal(pfsProxyDecodeS32(&dec, &s32), 0);
    assert_int_equal(s32, -2);
    /* nothing left: a further field is -ENOBUFS, as in QEMU */
    assert_int_equal(pfsProxyDecodeU32(&dec, &u32), -ENOBUFS);
}


static void
testDecodeStrings(void **state)
{
    /* "/" as a V9fsPath (NUL counted), then "ab" as a V9fsString, then a
     * string with an embedded NUL */
    const uint8_t payload[] = {
        0x02, 0x00, '/', 0x00,
        0x02, 0x00, 'a', 'b',
        0x03, 0x00, 'x', 0x00, 'y',
    };
    pfsProxyDecoder dec;
    pfsProxyString s;

    pfsProxyDecoderInit(&dec, payload, sizeof(payload), scratch, sizeof(scratch));
    assert_int_equal(pfsProxyDecodeString(&dec, &s), 0);
    assert_int_equal(s.len, 2);
    assert_string_equal(s.str, "/");
    assert_int_equal(pfsProxyDecodeString(&dec, &s), 0);
    assert_int_equal(s.len, 2);
    assert_string_equal(s.str, "ab");
    assert_int_equal(pfsProxyDecodeString(&dec, &s), 0);
    assert_int_equal(s.len, 3);
    assert_string_equal(s.str, "x");
    assert_memory_equal(s.str, "x\0y", 4);
}


static void
testDecodeNames(void **state)
{
    /* a path with its trailing NUL, a name without, then an embedded NUL
     * and an embedded NUL that is also followed by a final one */
    const uint8_t payload[] = {
        0x04, 0x00, '/', 'a', 'b', 0x00,
        0x06, 0x00, 'u', 's', 'e', 'r', '.', 'x',
        0x03, 0x00, 'x', 0x00, 'y',
        0x03, 0x00, 'x', 0x00, 0x00,
    };
    pfsProxyDecoder dec;
    pfsProxyString s;

    pfsProxyDecoderInit(&dec, payload, sizeof(payload), scratch, sizeof(scratch));
    assert_int_equal(pfsProxyDecodeName(&dec, &s), 0);
    assert_string_equal(s.str, "/ab");
    assert_int_equal(pfsProxyDecodeName(&dec, &s), 0);
    assert_string_equal(s.str, "user.x");
    assert_int_equal(pfsProxyDecodeName(&dec, &s), -EINVAL);
    assert_int_equal(pfsProxyDecodeName(&dec, &s), -EINVAL);
}


static void
testDecodeTruncatedString(void **state)
{
    const uint8_t lenOnly[] = { 0x05 };
    const uint8_t shortBody[] = { 0x05, 0x00, 'a', 'b' };
    const uint8_t huge[] = { 0xff, 0xff, 'a' };
    pfsProxyDecoder dec;
    pfsProxyString s;

    pfsProxyDecoderInit(&dec, lenOnly, sizeof(lenOnly), scratch, sizeof(scratch));
    assert_int_equal(pfsProxyDecodeString(&dec, &s), -ENOBUFS);
    pfsProxyDecoderInit(&dec, shortBody, sizeof(shortBody), scratch, sizeof(scratch));
    assert_int_equal(pfsProxyDecodeString(&dec, &s), -ENOBUFS);
    pfsProxyDecoderInit(&dec, huge, sizeof(huge), scratch, sizeof(scratch));
    assert_int_equal(pfsProxyDecodeString(&dec, &s), -ENOBUFS);
}


static void
testDecodeScratchBound(void **state)
{
    /* a decoder never writes past a (too small) scratch buffer */
    const uint8_t payload[] = { 0x04, 0x00, 'a', 'b', 'c', 'd' };
    char small[4];
    pfsProxyDecoder dec;
    pfsProxyString s;

    pfsProxyDecoderInit(&dec, payload, sizeof(payload), small, sizeof(small));
    assert_int_equal(pfsProxyDecodeString(&dec, &s), -ENOBUFS);
}


static void
testEncodeStat(void **state)
{
    uint8_t buf[PFS_PROXY_STAT_SIZE + 8];
    pfsProxyEncoder enc;
    struct stat st = { 0 };
    struct stat back;
    uint32_t mode;

    st.st_dev = 0x1122;
    st.st_ino = 0x3344556677ULL;
    st.st_nlink = 3;
    st.st_mode = S_IFREG | 0644;
    st.st_uid = 1000;
    st.st_gid = 1001;
    st.st_rdev = 0x0501;
    st.st_size = 123456789;
    st.st_blksize = 4096;
    st.st_blocks = 8;
    st.st_atim.tv_sec = 10;
    st.st_atim.tv_nsec = 11;
    st.st_mtim.tv_sec = 20;
    st.st_mtim.tv_nsec = 21;
    st.st_ctim.tv_sec = 30;
    st.st_ctim.tv_nsec = 31;

    pfsProxyEncoderInit(&enc, buf, sizeof(buf));
    pfsProxyEncodeStat(&enc, &st);
    assert_false(enc.overflow);
    assert_int_equal(enc.len, 116);
    /* st_mode is the first 32-bit field, after three 64-bit ones */
    memcpy(&mode, buf + 24, 4);
    assert_int_equal(mode, S_IFREG | 0644);

    pfsTestDecodeStat(buf, &back);
    assert_true(back.st_dev == st.st_dev);
    assert_true(back.st_ino == st.st_ino);
    assert_int_equal(back.st_nlink, 3);
    assert_int_equal(back.st_uid, 1000);
    assert_int_equal(back.st_gid, 1001);
    assert_true(back.st_rdev == st.st_rdev);
    assert_int_equal(back.st_size, 123456789);
    assert_int_equal(back.st_blocks, 8);
    assert_int_equal(back.st_atim.tv_nsec, 11);
    assert_int_equal(back.st_mtim.tv_sec, 20);
    assert_int_equal(back.st_ctim.tv_nsec, 31);
}


static void
testEncodeStatFS(void **state)
{
    uint8_t buf[PFS_PROXY_STATFS_SIZE];
    pfsProxyEncoder enc;
    struct statfs sfs = { 0 };
    int32_t fsid[2] = { 0x12345678, (int32_t)0xA1472B42 };
    uint64_t fields[11];

    sfs.f_type = 0xEF53;
    sfs.f_bsize = 0;            /* must never reach QEMU as 0 */
    sfs.f_blocks = 100;
    sfs.f_namelen = 255;
    sfs.f_frsize = 4096;
    memcpy(&sfs.f_fsid, fsid, sizeof(fsid));

    pfsProxyEncoderInit(&enc, buf, sizeof(buf));
    pfsProxyEncodeStatFS(&enc, &sfs);
    assert_false(enc.overflow);
    assert_int_equal(enc.len, 88);
    memcpy(fields, buf, sizeof(fields));
    assert_int_equal(fields[0], 0xEF53);
    assert_true(fields[1] != 0);
    assert_int_equal(fields[2], 100);
    assert_true(fields[7] == 0x12345678ULL);
    /* the second half is sign-extended, as QEMU's helper sends it */
    assert_true(fields[8] == 0xFFFFFFFFA1472B42ULL);
    assert_int_equal(fields[9], 255);
    assert_int_equal(fields[10], 4096);
}


static void
testEncodeOverflow(void **state)
{
    uint8_t buf[6];
    pfsProxyEncoder enc;

    pfsProxyEncoderInit(&enc, buf, sizeof(buf));
    pfsProxyEncodeU32(&enc, 1);
    assert_false(enc.overflow);
    pfsProxyEncodeU32(&enc, 2);
    assert_true(enc.overflow);
    assert_int_equal(enc.len, 4);
    assert_null(pfsProxyEncodeStringReserve(&enc, 1));
}


static void
testEncodeStringLimit(void **state)
{
    g_autofree uint8_t *buf = g_malloc(PFS_PROXY_MAX_PAYLOAD);
    pfsProxyEncoder enc;
    char *p;
    uint16_t n;

    /* a data reply's string is at most 65534 bytes (2 bytes of prefix,
     * 65536 bytes of payload) */
    pfsProxyEncoderInit(&enc, buf, PFS_PROXY_MAX_PAYLOAD);
    p = pfsProxyEncodeStringReserve(&enc, PFS_PROXY_MAX_REPLY_STRING);
    assert_non_null(p);
    memset(p, 'x', PFS_PROXY_MAX_REPLY_STRING);
    pfsProxyEncodeStringCommit(&enc, PFS_PROXY_MAX_REPLY_STRING);
    assert_int_equal(enc.len, PFS_PROXY_MAX_PAYLOAD);
    memcpy(&n, buf, 2);
    assert_int_equal(n, 65534);
}


static void
testTypeNames(void **state)
{
    assert_string_equal(pfsProxyTypeTypeToString(PFS_PROXY_T_OPEN), "open");
    assert_string_equal(pfsProxyTypeTypeToString(PFS_PROXY_T_GETVERSION), "getversion");
    assert_int_equal(PFS_PROXY_T_GETVERSION, 21);
    assert_int_equal(PFS_PROXY_T_LSTAT, 8);
    assert_null(pfsProxyTypeTypeToString(PFS_PROXY_T_LAST));
    assert_int_equal(pfsProxyTypeTypeFromString("rename"), PFS_PROXY_T_RENAME);
}


static void
testUnknownTypes(void **state)
{
    pfsProxyExport exp = { .rootfd = -1, .procfd = -1 };
    g_autoptr(pfsProxyServer) srv = pfsProxyServerNew(&exp, -1);
    pfsProxyReply reply;

    /* the reply types and anything past the last request end the
     * connection instead of being answered */
    assert_int_equal(pfsProxyServerHandle(srv, 0, NULL, 0, &reply), -1);
    assert_int_equal(pfsProxyServerHandle(srv, 1, NULL, 0, &reply), -1);
    assert_int_equal(pfsProxyServerHandle(srv, 22, NULL, 0, &reply), -1);
    assert_int_equal(pfsProxyServerHandle(srv, 0xFFFFFFFF, NULL, 0, &reply), -1);
}


int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(testDecodeIntegers),
        cmocka_unit_test(testDecodeStrings),
        cmocka_unit_test(testDecodeNames),
        cmocka_unit_test(testDecodeTruncatedString),
        cmocka_unit_test(testDecodeScratchBound),
        cmocka_unit_test(testEncodeStat),
        cmocka_unit_test(testEncodeStatFS),
        cmocka_unit_test(testEncodeOverflow),
        cmocka_unit_test(testEncodeStringLimit),
        cmocka_unit_test(testTypeNames),
        cmocka_unit_test(testUnknownTypes),
    };

    return cmocka_run_group_tests_name("proxyfs codec", tests, NULL, NULL);
}
