/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfsconffile.c: configuration files in the syntax of libvirt's qemu.conf
 */
#include "pfsinternal.h"

#include <errno.h>
#include <string.h>

#include "pfsconffile.h"
#include "pfserror.h"


static const char *
pfsConfSkipSpace(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}


/* Parse the value at @p into a new string or a number; @p must then be
 * at the end of the line or at a comment. */
static int
pfsConfParseValue(const char *path, unsigned int lineno,
                  const pfsConfSetting *setting, const char *p)
{
    g_autoptr(GString) str = NULL;
    guint64 num = 0;
    char *end;

    switch (setting->type) {
    case PFS_CONF_STRING:
        if (*p != '"') {
            pfsReportError(_("%s:%u: the value of '%s' must be a quoted string"),
                           path, lineno, setting->name);
            return -1;
        }
        str = g_string_new(NULL);
        for (p++; *p && *p != '"'; p++) {
            if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
                p++;
            g_string_append_c(str, *p);
        }
        if (*p != '"') {
            pfsReportError(_("%s:%u: unterminated string"), path, lineno);
            return -1;
        }
        p++;
        break;

    case PFS_CONF_UINT:
        errno = 0;
        num = g_ascii_strtoull(p, &end, 10);
        if (end == p || errno != 0 || num > G_MAXUINT || *p == '-') {
            pfsReportError(_("%s:%u: the value of '%s' must be a non-negative integer"),
                           path, lineno, setting->name);
            return -1;
        }
        p = end;
        break;

    case PFS_CONF_LAST:
    default:
        pfsReportError(_("%s:%u: setting '%s' has no type"), path, lineno, setting->name);
        return -1;
    }

    p = pfsConfSkipSpace(p);
    if (*p != '\0' && *p != '#') {
        pfsReportError(_("%s:%u: unexpected text after the value of '%s'"),
                       path, lineno, setting->name);
        return -1;
    }

    if (setting->type == PFS_CONF_STRING) {
        char **dest = setting->dest;

        g_free(*dest);
        *dest = g_string_free(g_steal_pointer(&str), FALSE);
    } else {
        *(unsigned int *)setting->dest = num;
    }
    return 0;
}


int
pfsConfFileLoad(const char *path, bool optional,
                const pfsConfSetting *settings, size_t nsettings)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *content = NULL;
    g_autofree bool *seen = g_new0(bool, nsettings);
    g_auto(GStrv) lines = NULL;
    size_t i;

    if (!g_file_get_contents(path, &content, NULL, &err)) {
        if (optional && g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            return 0;
        pfsReportError(_("cannot read configuration file: %s"), err->message);
        return -1;
    }

    lines = g_strsplit(content, "\n", -1);
    for (i = 0; lines[i]; i++) {
        unsigned int lineno = i + 1;
        const char *p = pfsConfSkipSpace(g_strchomp(lines[i]));
        const char *name = p;
        size_t namelen;
        size_t j;

        if (*p == '\0' || *p == '#')
            continue;
        while (g_ascii_isalnum(*p) || *p == '_')
            p++;
        namelen = p - name;
        p = pfsConfSkipSpace(p);
        if (namelen == 0 || *p != '=') {
            pfsReportError(_("%s:%u: expected 'name = value'"), path, lineno);
            return -1;
        }
        p = pfsConfSkipSpace(p + 1);

        for (j = 0; j < nsettings; j++) {
            if (strlen(settings[j].name) == namelen &&
                strncmp(settings[j].name, name, namelen) == 0)
                break;
        }
        if (j == nsettings) {
            g_autofree char *bad = g_strndup(name, namelen);

            pfsReportError(_("%s:%u: unknown setting '%s'"), path, lineno, bad);
            return -1;
        }
        if (seen[j]) {
            pfsReportError(_("%s:%u: '%s' is set twice"), path, lineno, settings[j].name);
            return -1;
        }
        seen[j] = true;
        if (pfsConfParseValue(path, lineno, &settings[j], p) < 0)
            return -1;
    }
    return 0;
}
