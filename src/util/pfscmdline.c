/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfscmdline.c: a program's environment and arguments, built up in order
 */
#include "pfsinternal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "pfscmdline.h"

struct _pfsCmdline {
    GPtrArray *env;     /* "NAME=value" strings, NULL-terminated */
    GPtrArray *argv;    /* argv[0] is the binary, NULL-terminated */
    GArray *fds;        /* int */
};


static GPtrArray *
pfsCmdlineNewList(void)
{
    GPtrArray *list = g_ptr_array_new_with_free_func(g_free);

    g_ptr_array_add(list, NULL);
    return list;
}


/* Keep the trailing NULL so the arrays can be used as execve() lists. */
static void
pfsCmdlineListAppend(GPtrArray *list, char *str)
{
    g_ptr_array_index(list, list->len - 1) = str;
    g_ptr_array_add(list, NULL);
}


pfsCmdline *
pfsCmdlineNew(const char *binary)
{
    pfsCmdline *cmd = g_new0(pfsCmdline, 1);

    cmd->env = pfsCmdlineNewList();
    cmd->argv = pfsCmdlineNewList();
    cmd->fds = g_array_new(FALSE, FALSE, sizeof(int));
    pfsCmdlineListAppend(cmd->argv, g_strdup(binary));
    return cmd;
}


void
pfsCmdlineFree(pfsCmdline *cmd)
{
    if (!cmd)
        return;
    g_ptr_array_unref(cmd->env);
    g_ptr_array_unref(cmd->argv);
    g_array_unref(cmd->fds);
    g_free(cmd);
}


void
pfsCmdlineAddEnvPair(pfsCmdline *cmd, const char *name, const char *value)
{
    pfsCmdlineListAppend(cmd->env, g_strdup_printf("%s=%s", name, value));
}


void
pfsCmdlineAddEnvPass(pfsCmdline *cmd, const char *name)
{
    const char *value = getenv(name);

    if (value)
        pfsCmdlineAddEnvPair(cmd, name, value);
}


void
pfsCmdlineAddArg(pfsCmdline *cmd, const char *arg)
{
    pfsCmdlineListAppend(cmd->argv, g_strdup(arg));
}


void
pfsCmdlineAddArgTake(pfsCmdline *cmd, char *arg)
{
    pfsCmdlineListAppend(cmd->argv, arg);
}


void
pfsCmdlineAddArgList(pfsCmdline *cmd, ...)
{
    va_list ap;
    const char *arg;

    va_start(ap, cmd);
    while ((arg = va_arg(ap, const char *)))
        pfsCmdlineAddArg(cmd, arg);
    va_end(ap);
}


void
pfsCmdlineAddArgFormat(pfsCmdline *cmd, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    pfsCmdlineListAppend(cmd->argv, g_strdup_vprintf(fmt, ap));
    va_end(ap);
}


void
pfsCmdlinePassFD(pfsCmdline *cmd, int fd)
{
    g_array_append_val(cmd->fds, fd);
}


const char *const *
pfsCmdlineGetArgv(const pfsCmdline *cmd)
{
    return (const char *const *)cmd->argv->pdata;
}


const char *const *
pfsCmdlineGetEnv(const pfsCmdline *cmd)
{
    return (const char *const *)cmd->env->pdata;
}


const int *
pfsCmdlineGetPassedFDs(const pfsCmdline *cmd, size_t *nfds)
{
    *nfds = cmd->fds->len;
    return (const int *)(void *)cmd->fds->data;
}


void
pfsShellQuote(GString *out, const char *str)
{
    const char *p;

    if (*str == '\0') {
        g_string_append(out, "''");
        return;
    }
    /* letters, digits and these punctuation marks mean nothing to a shell */
    if (strspn(str,
               "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
               "0123456789" "_-+=,./:@%") == strlen(str)) {
        g_string_append(out, str);
        return;
    }

    g_string_append_c(out, '\'');
    for (p = str; *p; p++) {
        if (*p == '\'')
            g_string_append(out, "'\\''");
        else
            g_string_append_c(out, *p);
    }
    g_string_append_c(out, '\'');
}


/* An environment entry is NAME=value: only the value is quoted. */
static void
pfsCmdlineFormatEnv(GString *out, const char *entry)
{
    const char *eq = strchr(entry, '=');

    g_string_append_len(out, entry, eq - entry + 1);
    pfsShellQuote(out, eq + 1);
}


char *
pfsCmdlineToString(const pfsCmdline *cmd, bool linebreaks)
{
    g_autoptr(GString) out = g_string_new(NULL);
    const char *sep = linebreaks ? " \\\n" : " ";
    guint i;

    for (i = 0; i + 1 < cmd->env->len; i++) {
        pfsCmdlineFormatEnv(out, g_ptr_array_index(cmd->env, i));
        g_string_append(out, sep);
    }

    pfsShellQuote(out, g_ptr_array_index(cmd->argv, 0));
    for (i = 1; i + 1 < cmd->argv->len; i++) {
        const char *arg = g_ptr_array_index(cmd->argv, i);
        const char *prev = g_ptr_array_index(cmd->argv, i - 1);

        /* a value stays on its option's line */
        if (linebreaks && i > 1 && prev[0] == '-' && arg[0] != '-')
            g_string_append_c(out, ' ');
        else
            g_string_append(out, sep);
        pfsShellQuote(out, arg);
    }
    return g_string_free(g_steal_pointer(&out), FALSE);
}
