/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzzreplay.c: run a libFuzzer target over files without libFuzzer
 *
 * Usage: fuzzreplay FILE|DIR...  Every file (directories are read one
 * level deep) is passed once to LLVMFuzzerTestOneInput(). Used by the
 * test suite to replay the committed corpus in the ordinary builds,
 * including the one with ASan and UBSan, where a finding aborts.
 */
#include "pfsinternal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


/* g_ptr_array_sort() passes pointers to the elements */
static int
pfsFuzzReplayCompare(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}


static int
pfsFuzzReplayFile(const char *path)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *data = NULL;
    gsize len;

    if (!g_file_get_contents(path, &data, &len, &err)) {
        fprintf(stderr, "fuzzreplay: %s\n", err->message);
        return -1;
    }
    LLVMFuzzerTestOneInput((const uint8_t *)data, len);
    return 0;
}


int
main(int argc, char **argv)
{
    unsigned int count = 0;
    int i;

    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
        return EXIT_FAILURE;
    }
    LLVMFuzzerInitialize(&argc, &argv);

    for (i = 1; i < argc; i++) {
        if (g_file_test(argv[i], G_FILE_TEST_IS_DIR)) {
            g_autoptr(GError) err = NULL;
            g_autoptr(GDir) dir = g_dir_open(argv[i], 0, &err);
            g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
            const char *name;
            guint j;

            if (!dir) {
                fprintf(stderr, "fuzzreplay: %s\n", err->message);
                return EXIT_FAILURE;
            }
            while ((name = g_dir_read_name(dir)))
                g_ptr_array_add(names, g_build_filename(argv[i], name, NULL));
            /* a fixed order, so that a failure can be reproduced */
            g_ptr_array_sort(names, pfsFuzzReplayCompare);
            for (j = 0; j < names->len; j++) {
                if (pfsFuzzReplayFile(names->pdata[j]) < 0)
                    return EXIT_FAILURE;
                count++;
            }
        } else {
            if (pfsFuzzReplayFile(argv[i]) < 0)
                return EXIT_FAILURE;
            count++;
        }
    }
    if (count == 0) {
        fprintf(stderr, "fuzzreplay: no input to replay\n");
        return EXIT_FAILURE;
    }
    printf("fuzzreplay: %u inputs replayed without a finding\n", count);
    return EXIT_SUCCESS;
}
