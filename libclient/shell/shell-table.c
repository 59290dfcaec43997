/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Tables as virsh prints them ("list"): a leading blank, columns padded to their
 * widest cell and separated by three blanks, the last column unpadded, and a rule
 * of dashes three wider than each column. Scripts cut these columns, so the
 * layout is kept exactly. Also virsh's names for domain states and reasons.
 */

#include <string.h>

#include "shell.h"

struct ShellTable {
    guint n_cols;
    GPtrArray *rows; /* GStrv each; row 0 is the header */
};

/**
 * shell_table_new: a table with the given NULL-terminated header.
 */
ShellTable *shell_table_new(const char *const *header)
{
    ShellTable *table = g_new0(ShellTable, 1);

    table->n_cols = g_strv_length((char **)header);
    table->rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
    g_ptr_array_add(table->rows, g_strdupv((char **)header));
    return table;
}

/**
 * shell_table_add_row: append a row of exactly as many cells as the header.
 */
void shell_table_add_row(ShellTable *table, const char *const *cells)
{
    g_assert(g_strv_length((char **)cells) == table->n_cols);
    g_ptr_array_add(table->rows, g_strdupv((char **)cells));
}

static size_t cell_width(const char *cell)
{
    return g_utf8_validate(cell, -1, NULL) ? (size_t)g_utf8_strlen(cell, -1) : strlen(cell);
}

static void format_row(GString *out, char **cells, const size_t *widths, guint n_cols)
{
    g_string_append_c(out, ' ');
    for (guint c = 0; c < n_cols; c++) {
        g_string_append(out, cells[c]);
        if (c + 1 == n_cols)
            break;
        for (size_t w = cell_width(cells[c]); w < widths[c]; w++)
            g_string_append_c(out, ' ');
        g_string_append(out, "   ");
    }
    g_string_append_c(out, '\n');
}

/**
 * shell_table_format: the table as text. Without the header (virsh -q), the
 * widths come from the data rows alone, as in virsh.
 */
char *shell_table_format(const ShellTable *table, bool with_header)
{
    g_autofree size_t *widths = g_new0(size_t, table->n_cols);
    GString *out = g_string_new(NULL);
    guint first = with_header ? 0 : 1;
    size_t rule = 0;

    for (guint r = first; r < table->rows->len; r++) {
        char **cells = g_ptr_array_index(table->rows, r);

        for (guint c = 0; c < table->n_cols; c++)
            widths[c] = MAX(widths[c], cell_width(cells[c]));
    }
    for (guint r = first; r < table->rows->len; r++) {
        format_row(out, g_ptr_array_index(table->rows, r), widths, table->n_cols);
        if (r != 0)
            continue;
        for (guint c = 0; c < table->n_cols; c++)
            rule += widths[c] + 3;
        for (size_t i = 0; i < rule; i++)
            g_string_append_c(out, '-');
        g_string_append_c(out, '\n');
    }
    return g_string_free(out, FALSE);
}

/**
 * shell_table_free: free a table. Accepts NULL; returns NULL.
 */
ShellTable *shell_table_free(ShellTable *table)
{
    if (!table)
        return NULL;
    g_ptr_array_unref(table->rows);
    g_free(table);
    return NULL;
}

static const char *const state_names[VIR_DOMAIN_LAST] = {
    [VIR_DOMAIN_NOSTATE] = "no state",     [VIR_DOMAIN_RUNNING] = "running",
    [VIR_DOMAIN_BLOCKED] = "idle",         [VIR_DOMAIN_PAUSED] = "paused",
    [VIR_DOMAIN_SHUTDOWN] = "in shutdown", [VIR_DOMAIN_SHUTOFF] = "shut off",
    [VIR_DOMAIN_CRASHED] = "crashed",      [VIR_DOMAIN_PMSUSPENDED] = "pmsuspended",
};

/**
 * shell_state_to_string: virsh's word for a virDomainState ("shut off").
 */
const char *shell_state_to_string(int state)
{
    if (state < 0 || state >= VIR_DOMAIN_LAST)
        return "no state";
    return state_names[state];
}

static const char *const running_reasons[VIR_DOMAIN_RUNNING_LAST] = {
    "unknown",       "booted",   "migrated",           "restored",
    "from snapshot", "unpaused", "migration canceled", "save canceled",
    "event wakeup",  "crashed",  "post-copy",          "post-copy failed",
};

static const char *const paused_reasons[VIR_DOMAIN_PAUSED_LAST] = {
    "unknown",   "user",        "migrating",     "saving",           "dumping",
    "I/O error", "watchdog",    "from snapshot", "shutting down",    "creating snapshot",
    "crashed",   "starting up", "post-copy",     "post-copy failed", "api error",
};

static const char *const shutoff_reasons[VIR_DOMAIN_SHUTOFF_LAST] = {
    "unknown", "shutdown", "destroyed",     "crashed", "migrated",
    "saved",   "failed",   "from snapshot", "daemon",
};

static const char *const shutdown_reasons[VIR_DOMAIN_SHUTDOWN_LAST] = { "unknown", "user" };
static const char *const crashed_reasons[VIR_DOMAIN_CRASHED_LAST] = { "unknown", "panicked" };

static const char *reason_lookup(const char *const *names, int n, int reason)
{
    if (reason < 0 || reason >= n)
        return "unknown";
    return names[reason];
}

/**
 * shell_state_reason_to_string: virsh's words for a state's reason ("booted").
 */
const char *shell_state_reason_to_string(int state, int reason)
{
    switch ((virDomainState)state) {
    case VIR_DOMAIN_RUNNING:
        return reason_lookup(running_reasons, VIR_DOMAIN_RUNNING_LAST, reason);
    case VIR_DOMAIN_PAUSED:
        return reason_lookup(paused_reasons, VIR_DOMAIN_PAUSED_LAST, reason);
    case VIR_DOMAIN_SHUTOFF:
        return reason_lookup(shutoff_reasons, VIR_DOMAIN_SHUTOFF_LAST, reason);
    case VIR_DOMAIN_SHUTDOWN:
        return reason_lookup(shutdown_reasons, VIR_DOMAIN_SHUTDOWN_LAST, reason);
    case VIR_DOMAIN_CRASHED:
        return reason_lookup(crashed_reasons, VIR_DOMAIN_CRASHED_LAST, reason);
    case VIR_DOMAIN_NOSTATE:
    case VIR_DOMAIN_BLOCKED:
    case VIR_DOMAIN_PMSUSPENDED:
    case VIR_DOMAIN_LAST:
        break;
    }
    return "unknown";
}
