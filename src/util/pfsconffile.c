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
 * at the end of the line or at a comment. @lenient (libvirt's file)
 * also takes a string in single quotes, which libvirt accepts. */
static int
pfsConfParseValue(const char *path, unsigned int lineno,
                  const pfsConfSetting *setting, const char *p, bool lenient)
{
    g_autoptr(GString) str = NULL;
    guint64 num = 0;
    char *end;

    switch (setting->type) {
    case PFS_CONF_STRING:
        if (lenient && *p == '\'') {
            const char *close = strchr(p + 1, '\'');

            if (!close) {
                pfsReportError(_("%s:%u: unterminated string"), path, lineno);
                return -1;
            }
            str = g_string_new_len(p + 1, close - p - 1);
            p = close + 1;
            break;
        }
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


/* Skip the value of setting @name, which starts at @p on line *@i of
 * @lines, in libvirt's syntax: a string ('...', "..." or """..."""), an
 * integer, or a list of those in brackets. A list and a triple-quoted
 * string may go on over the following lines, a list with comments in
 * between; *@i is left at the value's last line. Only the syntax is
 * checked: this is for values nobody here reads. */
static int
pfsConfSkipValue(const char *path, char **lines, size_t *i,
                 const char *name, const char *p)
{
    unsigned int startLine = *i + 1;
    unsigned int depth = 0;
    bool needValue = true;

    for (;;) {
        p = pfsConfSkipSpace(p);
        if (*p == '\0' || *p == '#') {
            if (depth == 0)
                break;
            if (!lines[*i + 1]) {
                pfsReportError(_("%s:%u: the list of '%s' is not closed"),
                               path, startLine, name);
                return -1;
            }
            (*i)++;
            p = g_strchomp(lines[*i]);
            continue;
        }
        if (depth == 0 && !needValue) {
            pfsReportError(_("%s:%u: unexpected text after the value of '%s'"),
                           path, (unsigned int)*i + 1, name);
            return -1;
        }

        if (*p == '[') {
            depth++;
            p++;
            continue;
        }
        if (*p == ']' && depth > 0) {
            if (--depth == 0)
                needValue = false;
            p++;
            continue;
        }
        if (*p == ',' && depth > 0) {
            p++;
            continue;
        }

        if (g_str_has_prefix(p, "\"\"\"")) {
            const char *close;

            p += 3;
            while (!(close = strstr(p, "\"\"\""))) {
                if (!lines[*i + 1]) {
                    pfsReportError(_("%s:%u: unterminated string"), path, startLine);
                    return -1;
                }
                (*i)++;
                p = lines[*i];
            }
            p = close + 3;
        } else if (*p == '"' || *p == '\'') {
            /* libvirt knows no escapes in these */
            const char *close = strchr(p + 1, *p);

            if (!close) {
                pfsReportError(_("%s:%u: unterminated string"), path, (unsigned int)*i + 1);
                return -1;
            }
            p = close + 1;
        } else if (g_ascii_isdigit(*p) ||
                   ((*p == '-' || *p == '+') && g_ascii_isdigit(p[1]))) {
            for (p++; g_ascii_isdigit(*p); p++)
                ;
        } else {
            pfsReportError(_("%s:%u: cannot parse the value of '%s'"),
                           path, (unsigned int)*i + 1, name);
            return -1;
        }
        if (depth == 0)
            needValue = false;
    }

    if (needValue) {
        pfsReportError(_("%s:%u: cannot parse the value of '%s'"),
                       path, (unsigned int)*i + 1, name);
        return -1;
    }
    return 0;
}


int
pfsConfFileLoad(const char *path, unsigned int flags,
                const pfsConfSetting *settings, size_t nsettings)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *content = NULL;
    g_autofree bool *seen = g_new0(bool, nsettings);
    g_auto(GStrv) lines = NULL;
    bool lenient = flags & PFS_CONF_FILE_LENIENT;
    size_t i;

    if (!g_file_get_contents(path, &content, NULL, &err)) {
        if ((flags & PFS_CONF_FILE_OPTIONAL) &&
            g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            return 0;
        pfsReportError(_("cannot read configuration file: %s"), err->message);
        return -1;
    }

    lines = g_strsplit(content, "\n", -1);
    for (i = 0; lines[i]; i++) {
        unsigned int lineno = i + 1;
        const char *p = pfsConfSkipSpace(g_strchomp(lines[i]));
        const char *name = p;
        g_autofree char *bad = NULL;
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
            bad = g_strndup(name, namelen);
            if (!lenient) {
                pfsReportError(_("%s:%u: unknown setting '%s'"), path, lineno, bad);
                return -1;
            }
            if (pfsConfSkipValue(path, lines, &i, bad, p) < 0)
                return -1;
            continue;
        }
        if (seen[j]) {
            if (!lenient) {
                pfsReportError(_("%s:%u: '%s' is set twice"), path, lineno, settings[j].name);
                return -1;
            }
            /* libvirt reads the first one */
            if (pfsConfSkipValue(path, lines, &i, settings[j].name, p) < 0)
                return -1;
            continue;
        }
        seen[j] = true;
        if (pfsConfParseValue(path, lineno, &settings[j], p, lenient) < 0)
            return -1;
    }
    return 0;
}
