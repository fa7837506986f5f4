/*
 * wsautopsy messages: the decoded messages of a database (unmasked,
 * inflated, reassembled from their fragments) in wire order, as text,
 * JSON lines or CSV. Reads only the database, so a payload is what
 * analyze stored of it: its first --payload-cap bytes.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "escape.h"
#include "full-payload.h"
#include "json-indent.h"
#include "msgs.h"
#include "store.h"
#include "subproto.h"

enum {
	MSGS_SINCE = CMD_LONG, MSGS_UNTIL, MSGS_DIR, MSGS_TYPE, MSGS_PRETTY,
	MSGS_FULL, MSGS_MAX_PAYLOAD, MSGS_PROTO
};

enum msgs_format { MSGS_TEXT, MSGS_JSONL, MSGS_CSV };

/* The columns of msgs_query, in order. */
enum {
	MC_CONN, MC_DIR, MC_ID, MC_TYPE, MC_COMPRESSED, MC_UTF8, MC_WIRE,
	MC_SIZE, MC_FIRST_FRAME, MC_LAST_FRAME, MC_FIRST_PACKET,
	MC_LAST_PACKET, MC_UTC, MC_INCOMPLETE, MC_GAP, MC_PAYLOAD, MC_CAPTURE,
	MC_TEXT, MC_JSON, MC_PRETTY, MC_PROTO, MC_PROTO_NOTE
};

struct msgs_opts {
	enum msgs_format format;
	char            *conns;      /* a JSON array of connection ids, or NULL */
	const char      *capture;
	const char      *dir;
	const char      *type;
	int              has_since, has_until;
	struct wts       since, until;
	int              grep;
	regex_t          re;
	int              pretty;
	int              full;
	int              verify;      /* --verify */
	uint64_t         max_payload;
	int              proto;
};

static int  cmd_messages_exec(struct cmd_args *);
static int  msgs_parse_time(const char *, struct wts *);
static int  msgs_match(struct msgs_opts *, const uint8_t *, size_t);
static void msgs_print_text(sqlite3_stmt *, const struct msgs_opts *);
static void msgs_print_csv(sqlite3_stmt *, const struct msgs_opts *);
static void msgs_hexdump(const uint8_t *, size_t);
static void msgs_print_proto(sqlite3_stmt *);
static void msgs_indent_line(void *, const char *);
static void msgs_escaped(const uint8_t *, size_t, int csv);
static int  msgs_run(struct store *, struct msgs_opts *);
static int  msgs_full(struct store *, const struct msgs_opts *);
static void msgs_bind_which(sqlite3_stmt *, const struct msgs_opts *);

static const struct cmd_option messages_options[] = {
	{ .include = msgs_select_options },
	{ .name = "since", .key = MSGS_SINCE, .arg = "TIME",
	  .help = "only messages that start at TIME or later (seconds since "
	    "the epoch, or ISO 8601 UTC: 2026-11-26T15:42:10.5Z)",
	  .doc = "Only messages whose first frame is at\n"
	    ".I time\n"
	    "or later.\n"
	    ".I time\n"
	    "is seconds since the epoch with up to nine decimals\n"
	    "(the\n"
	    ".B time_text\n"
	    "of the database's views), or a UTC date and time in ISO 8601:\n"
	    ".BR 2026\\-11\\-26 ,\n"
	    ".BR 2026\\-11\\-26T15:42:10 ,\n"
	    ".BR \"2026\\-11\\-26 15:42:10.545Z\" ." },
	{ .name = "until", .key = MSGS_UNTIL, .arg = "TIME",
	  .help = "only messages that start at TIME or earlier",
	  .doc = "Only messages whose first frame is at\n"
	    ".I time\n"
	    "or earlier (the formats of\n"
	    ".BR \\-\\-since )." },
	{ .name = "dir", .key = MSGS_DIR, .arg = "DIR",
	  .help = "only messages sent by the client or the server",
	  .doc = "Only messages sent by\n"
	    ".B client\n"
	    "or\n"
	    ".BR server ." },
	{ .name = "type", .key = MSGS_TYPE, .arg = "TYPE",
	  .help = "only text, binary or control (close, ping, pong) messages",
	  .doc = "Only\n"
	    ".BR text ,\n"
	    ".B binary\n"
	    "or\n"
	    ".B control\n"
	    "messages (close, ping and pong frames)." },
	{ .name = "grep", .key = 'g', .arg = "REGEX",
	  .help = "only messages whose stored payload matches REGEX (POSIX "
	    "extended, on the bytes)",
	  .doc = "Only messages whose stored payload matches\n"
	    ".I regex\n"
	    "(POSIX extended, as\n"
	    ".B grep \\-E\n"
	    "reads it, on the decoded bytes, past any NUL byte; a dot does not\n"
	    "match NUL).\n"
	    "The database holds a message's first bytes only (4096 unless\n"
	    ".B analyze\n"
	    "was told otherwise): when messages longer than that did\n"
	    "not match within them, a last line says how many, as they could\n"
	    "match beyond.\n"
	    "With\n"
	    ".BR \\-\\-full ,\n"
	    "the whole payloads are searched." },
	{ .name = "full", .key = MSGS_FULL,
	  .help = "whole payloads, read back from the capture files the "
	    "database names (refused if they changed)",
	  .doc = "Whole payloads instead of their stored first bytes: the\n"
	    "packets of the chosen connections are read again from the\n"
	    "capture files at the paths the database recorded (a relative\n"
	    "one from the current directory, else beside the database; only\n"
	    "from the\n"
	    "last packet offset kept at or before their first packet, see\n"
	    ".BR packet_index\n"
	    "in\n"
	    ".BR wsautopsy\\-db (5))\n"
	    "and decoded as\n"
	    ".B analyze\n"
	    "did, with the options it was given (its key logs too).\n"
	    "A file whose size or SHA\\-256 is not the one recorded is refused\n"
	    "in one line, exit status 2, before any message is printed\n"
	    "(the SHA\\-256 is read when the file was written after the\n"
	    "analysis, or with\n"
	    ".BR \\-\\-verify ).\n"
	    "So are options recorded for the capture that\n"
	    ".B analyze\n"
	    "would not take.\n"
	    "A database written before version 7 keeps no packet offsets:\n"
	    "the files are read from their start, said once on standard error." },
	{ .name = "max-payload", .key = MSGS_MAX_PAYLOAD, .arg = "SIZE",
	  .help = "with --full, cut a payload at SIZE bytes (default 64M, "
	    "the most)",
	  .doc = "With\n"
	    ".BR \\-\\-full ,\n"
	    "keep at most\n"
	    ".I size\n"
	    "bytes of a payload (K, M, G suffixes; default and most 64M); a\n"
	    "payload cut there counts as longer than what is shown, as a\n"
	    "stored prefix does." },
	{ .include = full_payload_verify_options },
	{ .name = "format", .key = 'f', .arg = "FMT",
	  .help = "text (default), jsonl (one JSON object per message) or csv "
	    "(RFC 4180, with a header row)",
	  .doc = ".B text\n"
	    "(default: a header line per message, then its payload: text\n"
	    "escaped, anything else as a hex dump),\n"
	    ".B jsonl\n"
	    "(one JSON object per message) or\n"
	    ".B csv\n"
	    "(RFC 4180 with a header row); see\n"
	    ".BR messages ." },
	{ .name = "pretty", .key = MSGS_PRETTY,
	  .help = "in text format, indent a text payload that is JSON",
	  .doc = "In the text format, print a text payload that is valid JSON\n"
	    "indented, two spaces a level." },
	{ .name = "proto", .key = MSGS_PROTO,
	  .help = "add the sub-protocol summary of each message (Socket.IO, "
	    "STOMP, GraphQL, JSON-RPC, MQTT) and its note",
	  .doc = "Add the sub-protocol decoding of each message (see\n"
	    ".BR SUB-PROTOCOLS ):\n"
	    "in the text format a\n"
	    ".B proto:\n"
	    "line (and a\n"
	    ".B proto note:\n"
	    "line for a packet that breaks its sub-protocol) before the\n"
	    "payload; in jsonl the keys\n"
	    ".B proto\n"
	    "and\n"
	    ".B proto_note\n"
	    "(null when there is none); in csv the columns\n"
	    ".B proto\n"
	    "and\n"
	    ".BR proto_note ,\n"
	    "last.\n"
	    "For display only: a note is never a finding." },
	{ 0 }
};

const struct cmd_entry cmd_messages_entry = {
	.name = "messages",
	.summary = "list the decoded messages of a database, in wire order",
	.usage = "DB",
	.about = "List the WebSocket messages stored by wsautopsy analyze, "
	    "unmasked, inflated and reassembled from their fragments, in wire "
	    "order: connection by connection, both directions by the time of "
	    "their first frame. A payload is what the database holds of it: "
	    "its first --payload-cap bytes (analyze's option).",
	.notes = "\nExit status: 0 fine, 1 usage or a bad regex or time, 2 "
	    "unreadable database or no such connection or capture.",
	.options = messages_options,
	.args = { 1, 1 },
	.exec = cmd_messages_exec
};

/*
 * The messages in wire order. A payload is JSON text when it is a text
 * message and its stored bytes are valid UTF-8 without NUL, else hex:
 * the JSON column is SQLite's, escaping and numbers included.
 */
/*
 * A payload: read back whole from the capture (--full, full-payload.h),
 * else what the database stored of it.
 */
#define MSGS_PAYLOAD "coalesce(fp.payload, m.payload_prefix)"
#define MSGS_IS_TEXT "(m.opcode = 1 AND wsa_utf8_text(" MSGS_PAYLOAD "))"
/* Decoded only with --proto (?9). */
#define MSGS_SQL_PROTO "CASE WHEN ?9 THEN ws_proto(" SUBPROTO_ARGS("c", "m") \
	") END"
#define MSGS_SQL_PROTO_NOTE "CASE WHEN ?9 THEN ws_proto_note(" \
	SUBPROTO_ARGS("c", "m") ") END"

static const char msgs_query[] =
    "SELECT m.connection_id, m.direction, m.message_id, " MSGS_TYPE_NAME ","
    " m.compressed, m.utf8_valid, m.wire_size, m.decoded_size,"
    " m.first_frame, m.last_frame, m.first_packet, m.last_packet,"
    " " MSGS_UTC ", m.incomplete, m.gap, " MSGS_PAYLOAD ", c.capture,"
    " " MSGS_IS_TEXT ","
    /* Without --proto (?9) both paths name '$.type', which exists:
     * json_insert then adds nothing. */
    " json_insert(json_object('connection_id', m.connection_id,"
    "  'capture', c.capture,"
    "  'direction', m.direction, 'message_id', m.message_id,"
    "  'time', " MSGS_UTC ", 'epoch', json(m.time_text),"
    "  'type', " MSGS_TYPE_NAME ", 'opcode', m.opcode,"
    "  'size', m.decoded_size, 'wire_size', m.wire_size,"
    "  'compressed', json(CASE m.compressed WHEN 0 THEN 'false'"
    "   ELSE 'true' END),"
    "  'frames', json_array(m.first_frame, m.last_frame),"
    "  'packets', json_array(m.first_packet, m.last_packet),"
    "  'utf8_valid', json(CASE m.utf8_valid WHEN 0 THEN 'false'"
    "   WHEN 1 THEN 'true' ELSE 'null' END),"
    "  'incomplete', json(CASE m.incomplete WHEN 0 THEN 'false'"
    "   ELSE 'true' END),"
    "  'gap', json(CASE m.gap WHEN 0 THEN 'false' ELSE 'true' END),"
    "  'stored', length(" MSGS_PAYLOAD "),"
    "  'cut', json(CASE WHEN length(" MSGS_PAYLOAD ") < m.decoded_size"
    "   THEN 'true' ELSE 'false' END),"
    "  'encoding', CASE WHEN " MSGS_IS_TEXT " THEN 'text' ELSE 'hex' END,"
    "  'payload', CASE WHEN " MSGS_IS_TEXT
    "   THEN CAST(" MSGS_PAYLOAD " AS TEXT)"
    "   ELSE lower(hex(" MSGS_PAYLOAD ")) END),"
    "  CASE WHEN ?9 THEN '$.proto' ELSE '$.type' END, " MSGS_SQL_PROTO ","
    "  CASE WHEN ?9 THEN '$.proto_note' ELSE '$.type' END, "
    MSGS_SQL_PROTO_NOTE "),"
    " CASE WHEN " MSGS_IS_TEXT " AND json_valid(" MSGS_PAYLOAD ")"
    "  THEN json(" MSGS_PAYLOAD ") END,"
    " " MSGS_SQL_PROTO ", " MSGS_SQL_PROTO_NOTE
    " FROM messages m JOIN connections c ON c.connection_id ="
    "  m.connection_id"
    " LEFT JOIN temp.full_payload fp ON fp.connection_id = m.connection_id"
    "  AND fp.direction = (m.direction = 'server')"
    "  AND fp.message_id = m.message_id"
    " WHERE (?1 IS NULL OR m.connection_id IN"
    "   (SELECT value FROM json_each(?1)))"
    "  AND (?2 IS NULL OR c.capture = ?2)"
    "  AND (?3 IS NULL OR m.direction = ?3)"
    "  AND (?4 IS NULL OR (?4 = 'text' AND m.opcode = 1)"
    "   OR (?4 = 'binary' AND m.opcode = 2)"
    "   OR (?4 = 'control' AND m.opcode >= 8))"
    "  AND (?5 IS NULL OR " MSGS_SEC " > ?5 OR (" MSGS_SEC " = ?5 AND "
    MSGS_NSEC " >= ?6))"
    "  AND (?7 IS NULL OR " MSGS_SEC " < ?7 OR (" MSGS_SEC " = ?7 AND "
    MSGS_NSEC " <= ?8))"
    " ORDER BY m.connection_id, " MSGS_WIRE_ORDER;

/* Seconds since the epoch ("1795707730.5") or ISO 8601 UTC; -1 if neither. */
static int
msgs_parse_time(const char *s, struct wts *t)
{
	struct tm   tm;
	const char *p = s, *frac = NULL;
	char       *end;
	uint32_t    ns = 0, scale = 100000000;
	long long   v;
	int         n = 0;

	memset(&tm, 0, sizeof tm);
	if (sscanf(s, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
	    &n) == 3 && n == 10) {
		p = s + n;
		if (*p == 'T' || *p == ' ') {
			n = 0;
			if (sscanf(p + 1, "%2d:%2d:%2d%n", &tm.tm_hour,
			    &tm.tm_min, &tm.tm_sec, &n) != 3 || n != 8)
				return -1;
			p += 1 + n;
			if (*p == '.')
				frac = ++p;
		}
		if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
		    tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
		    tm.tm_sec > 60)
			return -1;
		tm.tm_year -= 1900;
		tm.tm_mon--;
		t->sec = (int64_t)timegm(&tm);
	} else {
		if (*s < '0' || *s > '9')
			return -1;
		errno = 0;
		v = strtoll(s, &end, 10);
		if (errno != 0)
			return -1;
		t->sec = v;
		p = end;
		if (*p == '.')
			frac = ++p;
	}
	if (frac != NULL) {
		if (*p < '0' || *p > '9')
			return -1;
		for (; *p >= '0' && *p <= '9'; p++) {
			ns += (uint32_t)(*p - '0') * scale;
			scale /= 10;
		}
	}
	if (*p == 'Z' && p != s)
		p++;
	if (*p != '\0')
		return -1;
	t->nsec = ns;
	return 0;
}

static int
msgs_match(struct msgs_opts *o, const uint8_t *p, size_t n)
{
	regmatch_t m[1];

	/* REG_STARTEND: the stored bytes, NULs included, need no copy. */
	m[0].rm_so = 0;
	m[0].rm_eo = (regoff_t)n;
	return regexec(&o->re, p != NULL ? (const char *)p : "", 1, m,
	    REG_STARTEND) == 0;
}

/* Bytes from the wire, escaped once (esc_wire); csv: as a CSV field. */
static void
msgs_escaped(const uint8_t *p, size_t n, int csv)
{
	size_t len = n * 10 + 16;
	char  *out = xmalloc(len);

	if (csv)
		esc_csv(p, n, out, len);
	else
		esc_wire(p, n, out, len);
	fputs(out, stdout);
	free(out);
}

/* xxd's layout: offset, 16 bytes in pairs, the printable ASCII. */
static void
msgs_hexdump(const uint8_t *p, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i += 16) {
		printf("  %08zx:", i);
		for (j = i; j < i + 16; j++) {
			if ((j - i) % 2 == 0)
				putchar(' ');
			if (j < n)
				printf("%02x", p[j]);
			else
				fputs("  ", stdout);
		}
		fputs("  ", stdout);
		for (j = i; j < i + 16 && j < n; j++)
			putchar(p[j] >= 0x20 && p[j] < 0x7f ? p[j] : '.');
		putchar('\n');
	}
}

/* A JSON payload indented, a line of it (json_indent_lines). */
static void
msgs_indent_line(void *arg, const char *line)
{
	(void)arg;
	printf("  %s\n", line);
}

/* The summary and the note; terminal-safe already, esc_terminal keeps them. */
static void
msgs_print_proto(sqlite3_stmt *st)
{
	static const struct {
		int         col;
		const char *label;
	} rows[] = { { MC_PROTO, "proto" }, { MC_PROTO_NOTE, "proto note" } };
	const char *v;
	char        out[2048];
	size_t      i;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		if ((v = (const char *)sqlite3_column_text(st,
		    rows[i].col)) == NULL)
			continue;
		esc_terminal_str(v, out, sizeof out);
		printf("  %s: %s\n", rows[i].label, out);
	}
}

/* A header line, then the payload: text escaped, else a hex dump. */
static void
msgs_print_text(sqlite3_stmt *st, const struct msgs_opts *o)
{
	const uint8_t *p = sqlite3_column_blob(st, MC_PAYLOAD);
	size_t         n = (size_t)sqlite3_column_bytes(st, MC_PAYLOAD);
	int64_t        size = sqlite3_column_int64(st, MC_SIZE);
	const char    *capture = (const char *)sqlite3_column_text(st,
			    MC_CAPTURE);
	char           cap[512];

	esc_wire((const uint8_t *)capture, capture != NULL ?
	    strlen(capture) : 0, cap, sizeof cap);
	printf("== connection %" PRId64 " (%s) %s message %" PRId64 ": %s, %s,"
	    " %" PRId64 " bytes", (int64_t)sqlite3_column_int64(st, MC_CONN), cap,
	    sqlite3_column_text(st, MC_DIR),
	    (int64_t)sqlite3_column_int64(st, MC_ID),
	    sqlite3_column_text(st, MC_UTC), sqlite3_column_text(st, MC_TYPE),
	    size);
	if (sqlite3_column_int(st, MC_COMPRESSED))
		printf(" (%" PRId64 " on the wire, compressed)",
		    (int64_t)sqlite3_column_int64(st, MC_WIRE));
	printf(", frame%s %s", sqlite3_column_int64(st, MC_FIRST_FRAME) ==
	    sqlite3_column_int64(st, MC_LAST_FRAME) ? "" : "s",
	    sqlite3_column_text(st, MC_FIRST_FRAME));
	if (sqlite3_column_int64(st, MC_FIRST_FRAME) !=
	    sqlite3_column_int64(st, MC_LAST_FRAME))
		printf("..%s", sqlite3_column_text(st, MC_LAST_FRAME));
	if (strcmp((const char *)sqlite3_column_text(st, MC_FIRST_PACKET),
	    (const char *)sqlite3_column_text(st, MC_LAST_PACKET)) == 0)
		printf(", packet %s", sqlite3_column_text(st, MC_FIRST_PACKET));
	else
		printf(", packets %s..%s",
		    sqlite3_column_text(st, MC_FIRST_PACKET),
		    sqlite3_column_text(st, MC_LAST_PACKET));
	if (sqlite3_column_type(st, MC_UTF8) != SQLITE_NULL &&
	    sqlite3_column_int(st, MC_UTF8) == 0)
		fputs(", invalid UTF-8", stdout);
	if (sqlite3_column_int(st, MC_INCOMPLETE))
		fputs(", incomplete", stdout);
	if (sqlite3_column_int(st, MC_GAP))
		fputs(", bytes lost", stdout);
	if (sqlite3_column_type(st, MC_PAYLOAD) == SQLITE_NULL)
		fputs(", payload not stored", stdout);
	else if ((int64_t)n < size)
		printf(", first %zu of %" PRId64 " bytes", n, size);
	putchar('\n');
	if (o->proto)
		msgs_print_proto(st);
	if (n == 0)
		return;
	if (o->pretty && sqlite3_column_type(st, MC_PRETTY) != SQLITE_NULL)
		json_indent_lines((const char *)sqlite3_column_text(st,
		    MC_PRETTY), (size_t)sqlite3_column_bytes(st, MC_PRETTY),
		    msgs_indent_line, NULL);
	else if (strcmp((const char *)sqlite3_column_text(st, MC_TYPE),
	    "text") == 0) {
		/* Invalid UTF-8 too: esc_wire shows each bad byte as \xNN. */
		fputs("  ", stdout);
		msgs_escaped(p, n, 0);
		putchar('\n');
	} else
		msgs_hexdump(p, n);
}

/* RFC 4180: the payload exactly, as hex, and as terminal-safe text. */
static void
msgs_print_csv(sqlite3_stmt *st, const struct msgs_opts *o)
{
	static const int cols[] = {
		MC_CONN, MC_CAPTURE, MC_DIR, MC_ID, MC_UTC, MC_TYPE, MC_SIZE,
		MC_WIRE, MC_COMPRESSED, MC_FIRST_FRAME, MC_LAST_FRAME,
		MC_FIRST_PACKET, MC_LAST_PACKET, MC_UTF8, MC_INCOMPLETE, MC_GAP
	};
	const uint8_t *p;
	size_t         i, n;

	for (i = 0; i < sizeof cols / sizeof cols[0]; i++) {
		p = sqlite3_column_text(st, cols[i]);
		if (p != NULL)
			msgs_escaped(p, strlen((const char *)p), 1);
		putchar(',');
	}
	p = sqlite3_column_blob(st, MC_PAYLOAD);
	n = (size_t)sqlite3_column_bytes(st, MC_PAYLOAD);
	if (sqlite3_column_type(st, MC_PAYLOAD) != SQLITE_NULL)
		printf("%zu", n);
	putchar(',');
	for (i = 0; i < n; i++)
		printf("%02x", p[i]);
	putchar(',');
	if (strcmp((const char *)sqlite3_column_text(st, MC_TYPE), "text") == 0)
		msgs_escaped(p, n, 1);
	for (i = 0; o->proto && i < 2; i++) {
		putchar(',');
		p = sqlite3_column_text(st, i == 0 ? MC_PROTO : MC_PROTO_NOTE);
		if (p != NULL)
			msgs_escaped(p, strlen((const char *)p), 1);
	}
	fputs("\r\n", stdout);
}

/* ?1 and ?2 of a query: the connections (-i) and the capture (-C). */
static void
msgs_bind_which(sqlite3_stmt *st, const struct msgs_opts *o)
{
	if (o->conns != NULL)
		sqlite3_bind_text(st, 1, o->conns, -1, SQLITE_STATIC);
	if (o->capture != NULL)
		sqlite3_bind_text(st, 2, o->capture, -1, SQLITE_STATIC);
}

static int
msgs_run(struct store *s, struct msgs_opts *o)
{
	sqlite3      *db = store_db(s);
	sqlite3_stmt *st;
	int64_t       beyond = 0, size;
	size_t        n;
	int           rc;

	if (msgs_sql_functions(db) != 0 || full_payload_table(db) !=
	    SQLITE_OK || subproto_register(db) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, msgs_query, -1, &st, NULL) !=
	    SQLITE_OK) {
		wsa_warn("%s: %s", store_path(s), sqlite3_errmsg(db));
		return EXIT_INPUT;
	}
	msgs_bind_which(st, o);
	if (o->dir != NULL)
		sqlite3_bind_text(st, 3, o->dir, -1, SQLITE_STATIC);
	if (o->type != NULL)
		sqlite3_bind_text(st, 4, o->type, -1, SQLITE_STATIC);
	if (o->has_since) {
		sqlite3_bind_int64(st, 5, o->since.sec);
		sqlite3_bind_int64(st, 6, o->since.nsec);
	}
	if (o->has_until) {
		sqlite3_bind_int64(st, 7, o->until.sec);
		sqlite3_bind_int64(st, 8, o->until.nsec);
	}
	sqlite3_bind_int(st, 9, o->proto);
	if (o->format == MSGS_CSV)
		printf("connection_id,capture,direction,message_id,time,type,"
		    "size,wire_size,compressed,first_frame,last_frame,"
		    "first_packet,last_packet,utf8_valid,incomplete,gap,stored,"
		    "payload_hex,payload_text%s\r\n", o->proto ?
		    ",proto,proto_note" : "");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n = (size_t)sqlite3_column_bytes(st, MC_PAYLOAD);
		size = sqlite3_column_int64(st, MC_SIZE);
		if (o->grep && !msgs_match(o, sqlite3_column_blob(st,
		    MC_PAYLOAD), n)) {
			if ((int64_t)n < size)
				beyond++;
			continue;
		}
		if (o->format == MSGS_JSONL)
			printf("%s\n", sqlite3_column_text(st, MC_JSON));
		else if (o->format == MSGS_CSV)
			msgs_print_csv(st, o);
		else
			msgs_print_text(st, o);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		wsa_warn("%s: %s", store_path(s), sqlite3_errmsg(db));
		return EXIT_INPUT;
	}
	/* On stderr: the data formats stay data. */
	if (beyond > 0)
		fprintf(o->format == MSGS_TEXT ? stdout : stderr, "# %" PRId64
		    " message%s did not match within the %s but %s longer: "
		    "%s could match beyond it (%s)\n", beyond, beyond == 1 ?
		    "" : "s", o->full ? "--max-payload bytes read" :
		    "stored prefix", beyond == 1 ? "is" : "are", beyond == 1 ?
		    "it" : "they", o->full ? "a larger --max-payload reads more" :
		    "--full reads whole payloads from the capture; analyze "
		    "--payload-cap stores more");
	return EXIT_OK;
}

/*
 * --full: the whole payloads of the chosen connections, capture by
 * capture, into temp.full_payload. EXIT_OK, or EXIT_INPUT said in a line.
 */
static int
msgs_full(struct store *s, const struct msgs_opts *o)
{
	sqlite3      *db = store_db(s);
	sqlite3_stmt *st;
	int64_t      *ids = NULL, cap, prev = -1;
	size_t        n = 0, have = 0;
	char          err[1024];
	int           rc, done = 0;

	if (sqlite3_prepare_v2(db, "SELECT capture_id, connection_id FROM"
	    " connections WHERE (?1 IS NULL OR connection_id IN (SELECT value"
	    " FROM json_each(?1))) AND (?2 IS NULL OR capture = ?2)"
	    " ORDER BY capture_id, connection_id", -1, &st, NULL) !=
	    SQLITE_OK) {
		wsa_warn("%s: %s", store_path(s), sqlite3_errmsg(db));
		return EXIT_INPUT;
	}
	msgs_bind_which(st, o);
	/* One fill per capture, its connections gathered first. */
	while (!done) {
		rc = sqlite3_step(st);
		cap = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -2;
		if (cap != prev && n > 0) {
			if (full_payload_fill(db, prev, ids, n, o->max_payload,
			    o->verify, err, sizeof err) != 0) {
				wsa_warn("%s", err);
				sqlite3_finalize(st);
				free(ids);
				return EXIT_INPUT;
			}
			n = 0;
		}
		if (rc != SQLITE_ROW) {
			done = 1;
			continue;
		}
		if (n == have) {
			have = have ? 2 * have : 64;
			ids = xrealloc(ids, have * sizeof *ids);
		}
		ids[n++] = sqlite3_column_int64(st, 1);
		prev = cap;
	}
	sqlite3_finalize(st);
	free(ids);
	if (rc != SQLITE_DONE) {
		wsa_warn("%s: %s", store_path(s), sqlite3_errmsg(db));
		return EXIT_INPUT;
	}
	return EXIT_OK;
}

static int
cmd_messages_exec(struct cmd_args *args)
{
	struct msgs_opts o;
	struct store    *s;
	const char      *v;
	char             err[1024];
	int              i, rc, status;

	memset(&o, 0, sizeof o);
	o.max_payload = FULL_PAYLOAD_MAX_DEFAULT;
	for (i = 0; i < args->nopts; i++) {
		v = args->opts[i].value;
		switch (args->opts[i].opt->key) {
		case 'f':
			if (strcmp(v, "text") == 0)
				o.format = MSGS_TEXT;
			else if (strcmp(v, "jsonl") == 0)
				o.format = MSGS_JSONL;
			else if (strcmp(v, "csv") == 0)
				o.format = MSGS_CSV;
			else
				return cmd_usage_error(args->entry, "unknown "
				    "format '%s' (text, jsonl or csv)", v);
			break;
		case 'C':
			o.capture = v;
			break;
		case MSGS_DIR:
			if (strcmp(v, "client") != 0 && strcmp(v, "server") != 0)
				return cmd_usage_error(args->entry, "--dir: "
				    "'%s' is neither client nor server", v);
			o.dir = v;
			break;
		case MSGS_TYPE:
			if (strcmp(v, "text") != 0 && strcmp(v, "binary") != 0 &&
			    strcmp(v, "control") != 0)
				return cmd_usage_error(args->entry, "--type: "
				    "unknown type '%s' (text, binary or "
				    "control)", v);
			o.type = v;
			break;
		case MSGS_SINCE:
		case MSGS_UNTIL:
			if (msgs_parse_time(v, args->opts[i].opt->key ==
			    MSGS_SINCE ? &o.since : &o.until) != 0)
				return cmd_usage_error(args->entry, "--%s: bad "
				    "time '%s' (seconds since the epoch or ISO "
				    "8601 UTC, 2026-11-26T15:42:10Z)",
				    args->opts[i].opt->name, v);
			if (args->opts[i].opt->key == MSGS_SINCE)
				o.has_since = 1;
			else
				o.has_until = 1;
			break;
		case 'g':
			if (o.grep)
				regfree(&o.re);
			if ((rc = regcomp(&o.re, v, REG_EXTENDED |
			    REG_NOSUB)) != 0) {
				regerror(rc, NULL, err, sizeof err);
				return cmd_usage_error(args->entry, "--grep: "
				    "bad regex '%s': %s", v, err);
			}
			o.grep = 1;
			break;
		case MSGS_PRETTY:
			o.pretty = 1;
			break;
		case MSGS_FULL:
			o.full = 1;
			break;
		case FULL_PAYLOAD_VERIFY:
			o.verify = 1;
			break;
		case MSGS_MAX_PAYLOAD:
			if (parse_size(v, &o.max_payload) != 0 ||
			    o.max_payload == 0 ||
			    o.max_payload > FULL_PAYLOAD_MAX_DEFAULT)
				return cmd_usage_error(args->entry,
				    "--max-payload: bad size '%s' (1 to 64M)",
				    v);
			break;
		case MSGS_PROTO:
			o.proto = 1;
			break;
		}
	}
	if (o.verify && !o.full) {
		status = cmd_usage_error(args->entry, "--verify goes with "
		    "--full");
		goto out;
	}
	if ((s = store_open(args->argv[0], 1, err, sizeof err)) == NULL) {
		wsa_warn("%s", err);
		status = EXIT_INPUT;
		goto out;
	}
	for (i = 0; i < args->nopts; i++) {
		if (args->opts[i].opt->key == 'i' && msgs_add_conns(s, &o.conns,
		    args->opts[i].value, err, sizeof err) != 0) {
			wsa_warn("%s: %s", args->argv[0], err);
			status = EXIT_INPUT;
			goto close;
		}
	}
	if (o.capture != NULL && msgs_check_capture(s, o.capture) != 0) {
		wsa_warn("%s: no capture named '%s'", args->argv[0],
		    o.capture);
		status = EXIT_INPUT;
		goto close;
	}
	if (o.full && (status = msgs_full(s, &o)) != EXIT_OK)
		goto close;
	status = msgs_run(s, &o);
close:
	store_close(s);
out:
	if (o.grep)
		regfree(&o.re);
	free(o.conns);
	return status;
}
