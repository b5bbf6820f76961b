/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvirt_share.h: a proxy share as kept in a stock libvirtd's domain
 *
 * 'virt-proxyfs define' moves each proxy <filesystem> into the domain's
 * <metadata>, one element each, which the hook reads when libvirtd
 * prepares the domain:
 *
 *   <metadata>
 *     <pfs:proxyfs xmlns:pfs="https://virt-proxyfs.org/xmlns/libvirt/1">
 *       <!-- a hint for 'virsh edit' -->
 *       <pfs:share alias='fs0' source='/srv/share' target='share'
 *                  readonly='no' socket='RUN_DIR/NAME/fs0.sock'>
 *         the <filesystem> as the user wrote it, as text
 *       </pfs:share>
 *     </pfs:proxyfs>
 *   </metadata>
 *
 * This file is the one place that writes and reads that format.
 */
#pragma once

#include "pfsinternal.h"

#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "domain_conf.h"

#define PFS_LIBVIRT_NS "https://virt-proxyfs.org/xmlns/libvirt/1"
#define PFS_LIBVIRT_QEMU_NS "http://libvirt.org/schemas/domain/qemu/1.0"

typedef struct _pfsLibvirtShare pfsLibvirtShare;
struct _pfsLibvirtShare {
    char *alias;
    char *source;
    char *target;
    char *socket;
    bool readonly;
    char *xml;          /* the user's <filesystem> */
};

void pfsLibvirtShareFree(pfsLibvirtShare *share);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(pfsLibvirtShare, pfsLibvirtShareFree);

/* An XPath context on @doc's root that knows the prefixes 'pfs' and
 * 'qemu', whatever prefixes the document itself uses. */
xmlXPathContext *pfsLibvirtContext(xmlDoc *doc);

/* The socket of share @alias of domain @name under @runDir. */
char *pfsLibvirtShareSocket(const char *runDir, const char *name, const char *alias);

/* A new <pfs:proxyfs> in @metadata for domain @name, with the hint for
 * 'virsh edit'; *@ns is its namespace, for the shares. */
xmlNode *pfsLibvirtSharesNew(xmlDoc *doc, xmlNode *metadata, const char *name,
                             xmlNs **ns);

/* Add the <pfs:share> of @fs, written by the user as @xml, to
 * <pfs:proxyfs> @proxyfs. */
void pfsLibvirtShareFormat(xmlNode *proxyfs, xmlNs *ns, const pfsDomainFSDef *fs,
                           const char *xml, const char *socket);

/* The shares kept in @ctxt's domain, in order. Each is checked as the
 * hook needs it: a valid alias (it names files), a target, an absolute
 * source, readonly 'yes' or 'no', the socket pfsLibvirtShareSocket()
 * gives for @runDir and @name, no alias twice. With @runDir NULL only
 * the text of each share is needed (to put it back), and nothing is
 * checked. Returns an array (maybe empty) or NULL with an error. */
GPtrArray *pfsLibvirtSharesParse(xmlXPathContext *ctxt, const char *runDir,
                                 const char *name);
