/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * virtsh internals: command-line parsing (pure), the command table, output helpers
 * and the session state. virtsh is a client of the public API only.
 */

#include <glib.h>
#include <json-glib/json-glib.h>
#include <libxml/xpath.h>
#include <stdbool.h>
#include <stdio.h>

#include <virtkit/virtkit.h>

typedef enum ShellOptType {
    SHELL_OPT_BOOL,   /* --name */
    SHELL_OPT_STRING, /* --name VALUE or --name=VALUE only */
    SHELL_OPT_DATA,   /* like STRING, and may also be given by position */
    SHELL_OPT_ARGV,   /* positional: takes every remaining word, joined by spaces */
} ShellOptType;

typedef enum ShellOptFlags {
    SHELL_OPT_REQUIRED = 1u << 0,
} ShellOptFlags;

typedef struct ShellOptDef {
    const char *name;
    ShellOptType type;
    unsigned int flags;
    const char *help;
} ShellOptDef;

typedef struct Shell Shell;
typedef struct ShellCall ShellCall;
typedef struct ShellCmdDef ShellCmdDef;

typedef bool (*ShellCmdFunc)(Shell *sh, const ShellCall *call);

struct ShellCmdDef {
    const char *name;
    ShellCmdFunc run;
    const ShellOptDef *opts; /* terminated by { NULL } */
    const char *group;       /* help group keyword: "domain", "host", "virsh" */
    const char *summary;
    bool no_connect; /* runs without a connection (help, connect, quit) */
};

/* One parsed command: its definition and a value per option (NULL: absent,
 * "" for a set bool). */
struct ShellCall {
    const ShellCmdDef *def;
    char **values;
    GPtrArray *argv_words; /* the ARGV option's words one by one, NULL-terminated */
};

/* parse (pure) */
ShellCall *shell_call_free(ShellCall *call);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ShellCall, shell_call_free)
const ShellCmdDef *shell_cmd_find(const char *name);
/* Split a command string into commands (';') of words, with virsh's quoting. */
GPtrArray *shell_split_line(const char *line, GError **error); /* GStrv elements */
ShellCall *shell_call_parse(char **words, GError **error);

/* option access */
bool shell_call_has(const ShellCall *call, const char *name);
const char *shell_call_get(const ShellCall *call, const char *name);
/* The words of the command's ARGV option (the value is them joined by spaces). */
const char *const *shell_call_get_words(const ShellCall *call);

/* table (pure) */
typedef struct ShellTable ShellTable;
ShellTable *shell_table_new(const char *const *header);
void shell_table_add_row(ShellTable *table, const char *const *cells);
char *shell_table_format(const ShellTable *table, bool with_header);
ShellTable *shell_table_free(ShellTable *table);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ShellTable, shell_table_free)

/* state names (pure) */
const char *shell_state_to_string(int state);
const char *shell_state_reason_to_string(int state, int reason);

/* session */
struct Shell {
    virConnectPtr conn;
    char *uri; /* what -c or "connect" asked for; NULL: the library default */
    bool readonly;
    bool quiet;
    virErrorPtr last_error; /* saved as raised, like virsh: later calls reset the library's */
};

bool shell_connect(Shell *sh, const char *uri, bool readonly);
void shell_disconnect(Shell *sh);
void shell_error_handler(void *data, virErrorPtr err);
void shell_reset_error(Shell *sh);
int shell_run_line(Shell *sh, const char *line);
int shell_run_argv(Shell *sh, char **argv);

/* output */
void shell_print(Shell *sh, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void shell_print_extra(Shell *sh, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void shell_error(Shell *sh, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void shell_print_json(Shell *sh, JsonNode *node);

/* domain arguments, resolved as virsh does: id, then UUID, then name */
typedef enum ShellLookup {
    SHELL_BY_ID = 1u << 0,
    SHELL_BY_UUID = 1u << 1,
    SHELL_BY_NAME = 1u << 2,
    SHELL_BY_ANY = SHELL_BY_ID | SHELL_BY_UUID | SHELL_BY_NAME,
} ShellLookup;
virDomainPtr shell_lookup_domain(Shell *sh, const ShellCall *call, unsigned int how,
                                 const char **ret_name);

/* The shape of most domain commands: lookup, one call, virsh's message, free. */
typedef int (*ShellDomainFunc)(virDomainPtr dom, unsigned int flags);
typedef struct ShellDomainAction {
    unsigned int lookup;   /* SHELL_BY_* */
    ShellDomainFunc run;   /* 0 on success */
    const char *verb;      /* "Failed to VERB domain 'x'" */
    const char *done;      /* "Domain 'x' DONE" */
    const char *fail_tail; /* after the failure message, or NULL */
} ShellDomainAction;
bool shell_domain_action(Shell *sh, const ShellCall *call, const ShellDomainAction *action,
                         unsigned int flags);
bool shell_domain_report(Shell *sh, bool ok, const char *name, const ShellDomainAction *action);

/* XML that commands read (snapshot and domain descriptions), as virsh reads it */
xmlDocPtr shell_xml_parse(const char *xml, xmlXPathContextPtr *ret_ctxt);
void shell_xml_free(xmlDocPtr doc, xmlXPathContextPtr ctxt);
char *shell_xpath_string(xmlXPathContextPtr ctxt, const char *expr);  /* NULL: empty */
double shell_xpath_number(xmlXPathContextPtr ctxt, const char *expr); /* NaN: none */

/* options most commands share */
#define SHELL_OPT_DOMAIN                                                        \
    {                                                                           \
        "domain", SHELL_OPT_DATA, SHELL_OPT_REQUIRED, "domain name, id or uuid" \
    }
#define SHELL_OPT_JSON                          \
    {                                           \
        "json", SHELL_OPT_BOOL, 0, "print JSON" \
    }

/* A file's contents (an XML document), or NULL after virsh's error message. */
char *shell_read_file(Shell *sh, const char *path);

/* command tables */
extern const ShellCmdDef shell_host_cmds[];
extern const ShellCmdDef shell_domain_cmds[];
extern const ShellCmdDef shell_info_cmds[];
extern const ShellCmdDef shell_event_cmds[];
extern const ShellCmdDef shell_console_cmds[];
extern const ShellCmdDef shell_snapshot_cmds[];
extern const ShellCmdDef shell_undefine_cmds[];
extern const ShellCmdDef shell_save_cmds[];
