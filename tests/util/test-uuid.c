/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tier: golden (pure). UUID parse/format/generate. */

#include <string.h>

#include "util/uuid.h"

static void test_uuid_roundtrip(void)
{
    uint8_t u[VIRT_UUID_LEN];
    char s[VIRT_UUID_STRING_LEN];

    g_assert_true(virt_uuid_parse("6695eb01-f6a4-8304-79aa-97f2502e193f", u));
    virt_uuid_format(u, s);
    g_assert_cmpstr(s, ==, "6695eb01-f6a4-8304-79aa-97f2502e193f");
    g_assert_true(virt_uuid_parse("6695EB01F6A4830479AA97F2502E193F", u));
    virt_uuid_format(u, s);
    g_assert_cmpstr(s, ==, "6695eb01-f6a4-8304-79aa-97f2502e193f");
    g_assert_true(virt_uuid_parse(" 66 95 eb 01 f6 a4 83 04 79 aa 97 f2 50 2e 19 3f ", u));
    virt_uuid_format(u, s);
    g_assert_cmpstr(s, ==, "6695eb01-f6a4-8304-79aa-97f2502e193f");
}

static void test_uuid_invalid(void)
{
    static const char *const bad[] = {
        "",
        "6695eb01",
        "6695eb01-f6a4-8304-79aa-97f2502e193",
        "6695eb01-f6a4-8304-79aa-97f2502e193fa",
        "g695eb01-f6a4-8304-79aa-97f2502e193f",
        "6695eb01-f6a4-8304-79aa-97f2502e193f/",
    };
    uint8_t u[VIRT_UUID_LEN] = { 0 };

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
        g_assert_false(virt_uuid_parse(bad[i], u));
    g_assert_false(virt_uuid_parse(NULL, u));
    g_assert_true(virt_uuid_is_null(u));
}

static void test_uuid_generate(void)
{
    uint8_t a[VIRT_UUID_LEN], b[VIRT_UUID_LEN];

    virt_uuid_generate(a);
    virt_uuid_generate(b);
    g_assert_false(virt_uuid_is_null(a));
    g_assert_cmpint(memcmp(a, b, VIRT_UUID_LEN), !=, 0);
    g_assert_cmpint(a[6] >> 4, ==, 4); /* version 4 */
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/util/uuid/roundtrip", test_uuid_roundtrip);
    g_test_add_func("/util/uuid/invalid", test_uuid_invalid);
    g_test_add_func("/util/uuid/generate", test_uuid_generate);
    return g_test_run();
}
