/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Standalone runner for a libFuzzer-style target (compilers without
 * -fsanitize=fuzzer, and `meson test`): replays seeds, then runs a bounded number
 * of deterministic random mutations of them.
 *
 *   fuzz-driver [--capture FILE]... [--runs N] [--seed S] [--seconds T] [PATH]...
 *
 * --capture loads hex packets in the format of data/libvirtd-9.0-capture.txt as
 * seeds; PATH arguments are seed files or directories of seed files. Runs stop at
 * N mutations or T seconds, whichever comes first. A crash is the failure signal.
 */

#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static GPtrArray *seeds;

static void add_seed(GBytes *bytes)
{
    g_ptr_array_add(seeds, bytes);
}

static void load_capture(const char *path)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;

    if (!g_file_get_contents(path, &text, NULL, NULL)) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
        const char *h;
        size_t n;
        uint8_t *buf;

        if (strlen(*l) < 5 || **l == '#')
            continue;
        h = *l + 4;
        n = strlen(h) / 2;
        buf = g_malloc(n + 1);
        buf[0] = 0; /* chunk selector: whole input at once */
        for (size_t i = 0; i < n; i++)
            buf[i + 1] =
                (uint8_t)(g_ascii_xdigit_value(h[2 * i]) << 4 | g_ascii_xdigit_value(h[2 * i + 1]));
        add_seed(g_bytes_new_take(buf, n + 1));
    }
}

static void load_path(const char *path)
{
    g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
    const char *name;
    char *data;
    gsize len;

    if (!dir) {
        if (!g_file_get_contents(path, &data, &len, NULL)) {
            fprintf(stderr, "cannot read %s\n", path);
            exit(2);
        }
        add_seed(g_bytes_new_take(data, len));
        return;
    }
    while ((name = g_dir_read_name(dir))) {
        g_autofree char *child = g_build_filename(path, name, NULL);

        load_path(child);
    }
}

static const uint32_t interesting[] = { 0,          1,          4,          0x1c,
                                        0x7fffffff, 0x80000000, 0xffffffff, 0x00400000,
                                        0x00400001, 0x02000004, 0x02000005, 16384,
                                        16385,      20,         21,         33 };

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
}

/* One to four random edits; sometimes the length word is fixed up afterwards so
 * the payload decoders, not just the framing checks, see the damage. */
static GByteArray *mutate(GRand *rand, GBytes *seed)
{
    GByteArray *a = g_byte_array_new();
    int edits = g_rand_int_range(rand, 1, 5);

    g_byte_array_append(a, g_bytes_get_data(seed, NULL), g_bytes_get_size(seed));
    for (int e = 0; e < edits; e++) {
        guint len = a->len;
        guint pos = len > 1 ? (guint)g_rand_int_range(rand, 1, (gint32)len) : 0;

        switch (g_rand_int_range(rand, 0, 6)) {
        case 0:
            if (len > 1)
                a->data[pos] ^= (uint8_t)(1 << g_rand_int_range(rand, 0, 8));
            break;
        case 1:
            if (len > 1)
                a->data[pos] = (uint8_t)g_rand_int(rand);
            break;
        case 2:
            if (len >= 5) {
                pos = 1 + 4 * (guint)g_rand_int_range(rand, 0, (gint32)((len - 1) / 4));
                if (pos + 4 <= len)
                    put_be32(a->data + pos,
                             interesting[g_rand_int_range(rand, 0, G_N_ELEMENTS(interesting))]);
            }
            break;
        case 3:
            if (len > 1)
                g_byte_array_set_size(a, (guint)g_rand_int_range(rand, 1, (gint32)len));
            break;
        case 4: {
            guint extra = (guint)g_rand_int_range(rand, 1, 64);

            for (guint i = 0; i < extra; i++) {
                uint8_t b = (uint8_t)g_rand_int(rand);

                g_byte_array_append(a, &b, 1);
            }
            break;
        }
        case 5:
            a->data[0] = (uint8_t)g_rand_int_range(rand, 0, 40);
            break;
        }
    }
    if (a->len >= 5 && g_rand_boolean(rand))
        put_be32(a->data + 1, a->len - 1);
    return a;
}

int main(int argc, char **argv)
{
    guint64 runs = 20000;
    guint32 seed = 1;
    double seconds = 5;
    g_autoptr(GRand) rand = NULL;
    g_autoptr(GTimer) timer = g_timer_new();
    guint64 done = 0;

    seeds = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--capture") == 0 && i + 1 < argc)
            load_capture(argv[++i]);
        else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
            runs = g_ascii_strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            seed = (guint32)g_ascii_strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
            seconds = g_ascii_strtod(argv[++i], NULL);
        else
            load_path(argv[i]);
    }
    if (seeds->len == 0)
        add_seed(g_bytes_new_static("\0\0\0\0\x1c", 5));
    for (guint i = 0; i < seeds->len; i++) {
        GBytes *b = g_ptr_array_index(seeds, i);

        LLVMFuzzerTestOneInput(g_bytes_get_data(b, NULL), g_bytes_get_size(b));
    }
    rand = g_rand_new_with_seed(seed);
    for (; done < runs && g_timer_elapsed(timer, NULL) < seconds; done++) {
        GBytes *s = g_ptr_array_index(seeds, g_rand_int_range(rand, 0, (gint32)seeds->len));
        g_autoptr(GByteArray) input = mutate(rand, s);

        LLVMFuzzerTestOneInput(input->data, input->len);
    }
    printf("%u seeds replayed, %" G_GUINT64_FORMAT " mutations in %.2f s (seed %u)\n", seeds->len,
           done, g_timer_elapsed(timer, NULL), seed);
    g_ptr_array_unref(seeds);
    return 0;
}
