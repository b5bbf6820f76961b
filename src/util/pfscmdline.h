/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pfscmdline.h: a program's environment and arguments, built up in order
 *
 * Used to build an emulator command line and to print it the way a
 * person would paste it into a shell: one "NAME=value" or option per
 * line, values quoted for a POSIX shell.
 */
#pragma once

#include "pfsinternal.h"

typedef struct _pfsCmdline pfsCmdline;

pfsCmdline *pfsCmdlineNew(const char *binary);
void pfsCmdlineFree(pfsCmdline *cmd);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(pfsCmdline, pfsCmdlineFree);

void pfsCmdlineAddEnvPair(pfsCmdline *cmd, const char *name, const char *value);
/* Copy @name from our own environment when it is set. */
void pfsCmdlineAddEnvPass(pfsCmdline *cmd, const char *name);

void pfsCmdlineAddArg(pfsCmdline *cmd, const char *arg);
void pfsCmdlineAddArgList(pfsCmdline *cmd, ...) G_GNUC_NULL_TERMINATED;
void pfsCmdlineAddArgFormat(pfsCmdline *cmd, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
/* Take ownership of @arg. */
void pfsCmdlineAddArgTake(pfsCmdline *cmd, char *arg);

/* Remember that @fd must be inherited by the program (same number). */
void pfsCmdlinePassFD(pfsCmdline *cmd, int fd);

const char *const *pfsCmdlineGetArgv(const pfsCmdline *cmd);
const char *const *pfsCmdlineGetEnv(const pfsCmdline *cmd);
const int *pfsCmdlineGetPassedFDs(const pfsCmdline *cmd, size_t *nfds);

/* The whole command for a shell. With @linebreaks every environment
 * entry and every option ("-x") starts a new line ending in " \";
 * an option's value stays on the option's line. No final newline. */
char *pfsCmdlineToString(const pfsCmdline *cmd, bool linebreaks);

/* Append @str to @out quoted for a POSIX shell when it needs it. */
void pfsShellQuote(GString *out, const char *str);
