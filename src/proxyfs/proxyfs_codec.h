/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxyfs_codec.h: decoding request arguments and encoding replies
 *
 * Neither side allocates: the decoder copies strings into a caller's
 * scratch buffer (which must be at least as large as the payload plus
 * one byte per string, see PFS_PROXY_SCRATCH_SIZE), and the encoder
 * writes into a caller's fixed buffer.
 */
#pragma once

#include "pfsinternal.h"

#include <stdint.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>

#include "proxyfs_protocol.h"

/* Every string costs at least its 2-byte prefix on the wire and one NUL
 * in the scratch, so the payload size always suffices. */
#define PFS_PROXY_SCRATCH_SIZE (PFS_PROXY_MAX_PAYLOAD + 1)

typedef struct _pfsProxyDecoder pfsProxyDecoder;
struct _pfsProxyDecoder {
    const uint8_t *data;
    size_t len;
    size_t pos;
    char *scratch;
    size_t scratchLen;
    size_t scratchUsed;
};

/* A decoded string: @str is NUL-terminated at @len; the text QEMU means
 * ends at the first NUL (paths may carry one trailing NUL on the wire). */
typedef struct _pfsProxyString pfsProxyString;
struct _pfsProxyString {
    const char *str;
    size_t len;
};

void pfsProxyDecoderInit(pfsProxyDecoder *dec,
                         const void *data,
                         size_t len,
                         char *scratch,
                         size_t scratchLen);

/* Each returns 0, or -ENOBUFS when the payload is too short (as QEMU's
 * own unmarshaller does). */
int pfsProxyDecodeU32(pfsProxyDecoder *dec, uint32_t *val);
int pfsProxyDecodeS32(pfsProxyDecoder *dec, int32_t *val);
int pfsProxyDecodeU64(pfsProxyDecoder *dec, uint64_t *val);
int pfsProxyDecodeS64(pfsProxyDecoder *dec, int64_t *val);
int pfsProxyDecodeString(pfsProxyDecoder *dec, pfsProxyString *val);
/* A string that names something (a path, a symlink target, an xattr
 * name): -EINVAL if it holds a NUL other than a final one. */
int pfsProxyDecodeName(pfsProxyDecoder *dec, pfsProxyString *val);

typedef struct _pfsProxyEncoder pfsProxyEncoder;
struct _pfsProxyEncoder {
    uint8_t *buf;
    size_t cap;
    size_t len;
    bool overflow;
};

void pfsProxyEncoderInit(pfsProxyEncoder *enc, void *buf, size_t cap);

/* Encoding past @cap sets @overflow and writes nothing more. */
void pfsProxyEncodeU32(pfsProxyEncoder *enc, uint32_t val);
void pfsProxyEncodeU64(pfsProxyEncoder *enc, uint64_t val);
void pfsProxyEncodeBytes(pfsProxyEncoder *enc, const void *data, size_t len);
void pfsProxyEncodeStat(pfsProxyEncoder *enc, const struct stat *st);
void pfsProxyEncodeStatFS(pfsProxyEncoder *enc, const struct statfs *sfs);

/* Reserve room for a string of at most @maxlen bytes, for a syscall to
 * fill in place; finish it with pfsProxyEncodeStringCommit(). Returns
 * NULL (and sets @overflow) when there is no room. */
char *pfsProxyEncodeStringReserve(pfsProxyEncoder *enc, size_t maxlen);
void pfsProxyEncodeStringCommit(pfsProxyEncoder *enc, size_t len);
