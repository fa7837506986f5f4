/*
 * msgs: how messages are chosen and put in wire order, shared by the
 * commands that read them from a database (messages, export): the SQL
 * expressions over the messages view (alias m), the SQL functions they
 * call, and the parsing of -i and --capture.
 */
#ifndef MSGS_H
#define MSGS_H

#include <sqlite3.h>

#include "cmd.h"
#include "store.h"

/* A message's time (m.time_text): whole seconds, nanoseconds, ISO 8601. */
#define MSGS_SEC "CAST(substr(m.time_text, 1, instr(m.time_text, '.') - 1)" \
	" AS INTEGER)"
#define MSGS_NSEC "CAST(substr(m.time_text, instr(m.time_text, '.') + 1)" \
	" AS INTEGER)"
#define MSGS_UTC "strftime('%Y-%m-%dT%H:%M:%S', " MSGS_SEC ", 'unixepoch')" \
	" || substr(m.time_text, instr(m.time_text, '.')) || 'Z'"
#define MSGS_TYPE_NAME "CASE m.opcode WHEN 0 THEN 'continuation' WHEN 1" \
	" THEN 'text' WHEN 2 THEN 'binary' WHEN 8 THEN 'close' WHEN 9 THEN" \
	" 'ping' WHEN 10 THEN 'pong' ELSE 'opcode-' || m.opcode END"
/* Wire order within a connection: by the first frame's time, then its
 * packet. */
#define MSGS_WIRE_ORDER MSGS_SEC ", " MSGS_NSEC ","                      \
	" (SELECT t.first_packet FROM message_t t WHERE t.connection_id ="  \
	" m.connection_id AND t.direction = (m.direction = 'server') AND"   \
	" t.message_id = m.message_id), m.direction, m.message_id"

/* The rows -i and --capture: keys 'i' and 'C'. */
extern const struct cmd_option msgs_select_options[];

/*
 * Registers wsa_utf8_text(blob) (1 when the bytes are UTF-8 text a JSON
 * string holds: valid, no NUL) and base64(blob) (RFC 4648, NULL for
 * NULL). -1 on failure (sqlite3_errmsg says why).
 */
int msgs_sql_functions(sqlite3 *);
/*
 * Adds a comma-separated list of connection ids or addresses CAPTURE:N to
 * *conns, a JSON array of connection ids (NULL for none yet). -1 with err
 * naming the one that is not in the database.
 */
int msgs_add_conns(struct store *, char **conns, const char *list,
	char *err, size_t errlen);
/* 0 when the database holds a capture of that name. */
int msgs_check_capture(struct store *, const char *);

#endif
