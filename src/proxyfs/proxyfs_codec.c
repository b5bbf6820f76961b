/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxyfs_codec.c: decoding request arguments and encoding replies
 */
#include "pfsinternal.h"

#include <errno.h>
#include <string.h>

#include "proxyfs_codec.h"

void
pfsProxyDecoderInit(pfsProxyDecoder *dec,
                    const void *data,
                    size_t len,
                    char *scratch,
                    size_t scratchLen)
{
    dec->data = data;
    dec->len = len;
    dec->pos = 0;
    dec->scratch = scratch;
    dec->scratchLen = scratchLen;
    dec->scratchUsed = 0;
}


static int
pfsProxyDecodeRaw(pfsProxyDecoder *dec, void *out, size_t n)
{
    if (dec->len - dec->pos < n)
        return -ENOBUFS;
    memcpy(out, dec->data + dec->pos, n);
    dec->pos += n;
    return 0;
}


int
pfsProxyDecodeU32(pfsProxyDecoder *dec, uint32_t *val)
{
    return pfsProxyDecodeRaw(dec, val, sizeof(*val));
}


int
pfsProxyDecodeS32(pfsProxyDecoder *dec, int32_t *val)
{
    return pfsProxyDecodeRaw(dec, val, sizeof(*val));
}


int
pfsProxyDecodeU64(pfsProxyDecoder *dec, uint64_t *val)
{
    return pfsProxyDecodeRaw(dec, val, sizeof(*val));
}


int
pfsProxyDecodeS64(pfsProxyDecoder *dec, int64_t *val)
{
    return pfsProxyDecodeRaw(dec, val, sizeof(*val));
}


int
pfsProxyDecodeString(pfsProxyDecoder *dec, pfsProxyString *val)
{
    uint16_t n;
    char *dst;

    if (dec->len - dec->pos < sizeof(n))
        return -ENOBUFS;
    memcpy(&n, dec->data + dec->pos, sizeof(n));
    if (dec->len - dec->pos - sizeof(n) < n)
        return -ENOBUFS;
    /* Cannot happen with a scratch of PFS_PROXY_SCRATCH_SIZE, but a
     * decoder must never write past its buffer whatever it is given. */
    if (dec->scratchLen - dec->scratchUsed < (size_t)n + 1)
        return -ENOBUFS;

    dst = dec->scratch + dec->scratchUsed;
    memcpy(dst, dec->data + dec->pos + sizeof(n), n);
    dst[n] = '\0';
    dec->pos += sizeof(n) + n;
    dec->scratchUsed += (size_t)n + 1;

    val->str = dst;
    val->len = n;
    return 0;
}


int
pfsProxyDecodeName(pfsProxyDecoder *dec, pfsProxyString *val)
{
    const char *nul;
    int r;

    if ((r = pfsProxyDecodeString(dec, val)) < 0)
        return r;
    /* QEMU sends paths with one trailing NUL and names without: a NUL
     * anywhere else would silently cut the string short */
    nul = memchr(val->str, '\0', val->len);
    if (nul && nul != val->str + val->len - 1)
        return -EINVAL;
    return 0;
}


void
pfsProxyEncoderInit(pfsProxyEncoder *enc, void *buf, size_t cap)
{
    enc->buf = buf;
    enc->cap = cap;
    enc->len = 0;
    enc->overflow = false;
}


void
pfsProxyEncodeBytes(pfsProxyEncoder *enc, const void *data, size_t len)
{
    if (enc->overflow || enc->cap - enc->len < len) {
        enc->overflow = true;
        return;
    }
    memcpy(enc->buf + enc->len, data, len);
    enc->len += len;
}


void
pfsProxyEncodeU32(pfsProxyEncoder *enc, uint32_t val)
{
    pfsProxyEncodeBytes(enc, &val, sizeof(val));
}


void
pfsProxyEncodeU64(pfsProxyEncoder *enc, uint64_t val)
{
    pfsProxyEncodeBytes(enc, &val, sizeof(val));
}


void
pfsProxyEncodeStat(pfsProxyEncoder *enc, const struct stat *st)
{
    /* The field order is the wire format: dev, ino, nlink as u64; mode,
     * uid, gid as u32; then rdev, size, blksize, blocks and the three
     * timestamps as (sec, nsec), all u64. */
    uint64_t head[3] = { st->st_dev, st->st_ino, st->st_nlink };
    uint32_t ids[3] = { st->st_mode, st->st_uid, st->st_gid };
    uint64_t tail[10] = {
        st->st_rdev, st->st_size, st->st_blksize, st->st_blocks,
        st->st_atim.tv_sec, st->st_atim.tv_nsec,
        st->st_mtim.tv_sec, st->st_mtim.tv_nsec,
        st->st_ctim.tv_sec, st->st_ctim.tv_nsec,
    };

    G_STATIC_ASSERT(sizeof(head) + sizeof(ids) + sizeof(tail) ==
                    PFS_PROXY_STAT_SIZE);
    pfsProxyEncodeBytes(enc, head, sizeof(head));
    pfsProxyEncodeBytes(enc, ids, sizeof(ids));
    pfsProxyEncodeBytes(enc, tail, sizeof(tail));
}


void
pfsProxyEncodeStatFS(pfsProxyEncoder *enc, const struct statfs *sfs)
{
    int32_t fsid[2];
    uint64_t fields[11];

    memcpy(fsid, &sfs->f_fsid, sizeof(fsid));
    fields[0] = sfs->f_type;
    /* QEMU divides by the block size: never hand it a zero. */
    fields[1] = sfs->f_bsize ? (uint64_t)sfs->f_bsize : 4096;
    fields[2] = sfs->f_blocks;
    fields[3] = sfs->f_bfree;
    fields[4] = sfs->f_bavail;
    fields[5] = sfs->f_files;
    fields[6] = sfs->f_ffree;
    /* The fsid halves are 32-bit signed and travel sign-extended. */
    fields[7] = (uint64_t)(int64_t)fsid[0];
    fields[8] = (uint64_t)(int64_t)fsid[1];
    fields[9] = sfs->f_namelen;
    fields[10] = sfs->f_frsize;

    G_STATIC_ASSERT(sizeof(fields) == PFS_PROXY_STATFS_SIZE);
    pfsProxyEncodeBytes(enc, fields, sizeof(fields));
}


char *
pfsProxyEncodeStringReserve(pfsProxyEncoder *enc, size_t maxlen)
{
    if (maxlen > PFS_PROXY_MAX_STRING)
        maxlen = PFS_PROXY_MAX_STRING;
    if (enc->overflow || enc->cap - enc->len < 2 + maxlen) {
        enc->overflow = true;
        return NULL;
    }
    return (char *)enc->buf + enc->len + 2;
}


void
pfsProxyEncodeStringCommit(pfsProxyEncoder *enc, size_t len)
{
    uint16_t n = len;

    g_assert(!enc->overflow && len <= PFS_PROXY_MAX_STRING &&
             enc->cap - enc->len >= 2 + len);
    memcpy(enc->buf + enc->len, &n, sizeof(n));
    enc->len += 2 + len;
}
