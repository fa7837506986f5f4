/*
 * wsautopsy export: connections of a database as a HAR 1.2 file (the
 * handshake as the entry, the messages as Chrome's _webSocketMessages) or
 * as a directory of one file per message. Every JSON text is SQLite's
 * (json_object, json_group_array): escaping, numbers and nesting included.
 * Output is written under a temporary name and renamed, so a failed export
 * leaves nothing behind.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "full-payload.h"
#include "msgs.h"
#include "store.h"
#include "wsautopsy.h"

enum { EXPORT_HAR = CMD_LONG, EXPORT_DIR, EXPORT_STORED };

struct export_opts {
	const char *db;
	const char *har;
	const char *dir;
	const char *capture;
	int         force;
	int         stored;      /* --stored: no capture read */
	int         verify;      /* --verify */
	char       *conns;       /* the -i list, a JSON array; NULL for none */
};

/* The connections exported: all of one capture (full_payload_fill's unit). */
struct export_sel {
	int64_t  capture_id;
	int64_t *ids;
	size_t   nids;
	char    *json;        /* ids as a JSON array, bound as ?1 */
};

static int  cmd_export_exec(struct cmd_args *);
static int  export_select(struct store *, const struct export_opts *,
		struct export_sel *, char *, size_t);
static int  export_payloads(struct store *, const struct export_opts *,
		const struct export_sel *, char *, size_t);
static int  export_har(struct store *, const struct export_opts *,
		const struct export_sel *, char *, size_t);
static int  export_dir(struct store *, const struct export_opts *,
		const struct export_sel *, char *, size_t);
static int  export_dir_rows(sqlite3 *, const struct export_sel *,
		const char *, char *, size_t, int64_t *);
static int  export_write(const char *, const void *, size_t, int);
static int  export_rm(const char *, const struct stat *, int, struct FTW *);
static void export_rmtree(const char *);
static int  export_dir_empty(const char *);

static const struct cmd_option export_options[] = {
	{ .include = msgs_select_options },
	{ .name = "har", .key = EXPORT_HAR, .arg = "FILE",
	  .help = "write a HAR 1.2 file (- for standard output)",
	  .doc = "Write the connections as a HAR 1.2 file (JSON), one entry\n"
	    "per connection with its messages as\n"
	    ".BR _webSocketMessages ,\n"
	    "as Chrome writes them;\n"
	    ".B -\n"
	    "writes to standard output.\n"
	    "See\n"
	    ".B export\n"
	    "for what it holds." },
	{ .name = "dir", .key = EXPORT_DIR, .arg = "OUT",
	  .help = "write one file per message into the directory OUT",
	  .doc = "Write one file per message, its exact decoded bytes, into\n"
	    "the directory\n"
	    ".I out\n"
	    "(created; it must be missing or empty unless\n"
	    ".B -f\n"
	    "is given). See\n"
	    ".B export\n"
	    "for the file names." },
	{ .name = "stored", .key = EXPORT_STORED,
	  .help = "only what the database stored: no capture read, long "
	    "payloads cut at the stored prefix (and marked)",
	  .doc = "Export what the database holds without reading the capture:\n"
	    "a payload longer than its stored prefix is written cut, and\n"
	    "marked so (for a database whose capture is not at hand)." },
	{ .include = full_payload_verify_options },
	{ .name = "force", .key = 'f',
	  .help = "replace an existing FILE, or OUT with its contents",
	  .doc = "Replace an existing HAR file, or a directory\n"
	    ".I out\n"
	    "that is not empty, with all it holds." },
	{ 0 }
};

const struct cmd_entry cmd_export_entry = {
	.name = "export",
	.summary = "write connections as a HAR file or one file per message",
	.usage = "DB",
	.about = "Write WebSocket connections of a database as a HAR 1.2 file "
	    "(--har: the handshake as the entry, the messages as Chrome's "
	    "_webSocketMessages, the findings as _wsautopsyFindings), for "
	    "Chrome DevTools, Firefox and HAR tools, or as one file per "
	    "message (--dir), for diffing and replaying. Without -i, every "
	    "WebSocket connection of the capture (--capture when the database "
	    "holds several). Payloads are whole, read again from the capture "
	    "(the packets of those connections; a capture whose bytes "
	    "changed is refused). With --stored, what the database holds: a "
	    "message it keeps only the start of is marked as cut, in the HAR, "
	    "and on stderr and in OUT/TRUNCATED.",
	.notes = "\nExit status: 0 fine, 1 usage, 2 unreadable database, no "
	    "such connection or capture, or an output that exists or cannot "
	    "be written.",
	.options = export_options,
	.args = { 1, 1 },
	.exec = cmd_export_exec
};

/*
 * The exported messages, in wire order within each connection (n counts
 * from 1 across both directions), with the payload full_payload holds or
 * else the stored prefix; cut when it is shorter than the decoded message.
 * Materialized: the HAR reads it twice per connection, and each reading of
 * a plain CTE would number every message again.
 */
#define EXPORT_MESSAGES \
	"WITH msg AS MATERIALIZED (SELECT m.connection_id, m.direction," \
	" m.message_id, m.opcode, " MSGS_TYPE_NAME " AS type," \
	" m.decoded_size AS size," \
	" m.time_text, coalesce(fp.payload, m.payload_prefix) AS payload," \
	" (coalesce(fp.truncated, 0) OR coalesce(length(coalesce(fp.payload," \
	"  m.payload_prefix)), 0) < m.decoded_size) AS cut," \
	" row_number() OVER (PARTITION BY m.connection_id ORDER BY " \
	MSGS_WIRE_ORDER ") AS n" \
	" FROM messages m LEFT JOIN temp.full_payload fp ON" \
	"  fp.connection_id = m.connection_id AND" \
	"  fp.direction = (m.direction = 'server') AND" \
	"  fp.message_id = m.message_id" \
	" WHERE m.connection_id IN (SELECT value FROM json_each(?1)))"

/* A message of _webSocketMessages (and of _wsautopsyControlMessages). */
#define EXPORT_HAR_MESSAGE \
	"json_patch(json_object('type', CASE x.direction WHEN 'client' THEN" \
	"  'send' ELSE 'receive' END, 'time', json(x.time_text)," \
	"  'opcode', x.opcode, 'data', CASE WHEN x.opcode = 1 AND" \
	"  wsa_utf8_text(x.payload) THEN CAST(x.payload AS TEXT)" \
	"  ELSE coalesce(base64(x.payload), '') END," \
	"  '_wsautopsyMessageId', x.message_id)," \
	" json_object('_wsautopsyEncoding', CASE WHEN NOT (x.opcode = 1 AND" \
	"  wsa_utf8_text(x.payload)) THEN 'base64' END," \
	"  '_wsautopsyTruncated', CASE WHEN x.cut THEN json('true') END," \
	"  '_wsautopsySize', CASE WHEN x.cut THEN x.size END))"

#define EXPORT_HAR_MESSAGES(where) \
	"(SELECT json_group_array(json(j)) FROM (SELECT " EXPORT_HAR_MESSAGE \
	" AS j FROM msg x WHERE x.connection_id = c.connection_id AND " where \
	" ORDER BY x.n))"

/* A header of the handshake, when the database kept it. */
#define EXPORT_HEADER(name, col) \
	" SELECT " name " AS name, " col " AS value WHERE " col " <> ''"

#define EXPORT_MS(sec, nsec) "round((" sec ") * 1000.0 + (" nsec ") / 1e6, 3)"

/*
 * The HAR: one entry per connection. The headers are those the database
 * keeps of the handshake (connection_t), not every header sent.
 */
static const char export_har_query[] =
    EXPORT_MESSAGES
    " SELECT json_object('log', json_object('version', '1.2',"
    "  'creator', json_object('name', 'wsautopsy', 'version', ?2),"
    "  'entries', (SELECT json_group_array(json(e)) FROM (SELECT"
    "  json_object("
    "   'startedDateTime', strftime('%Y-%m-%dT%H:%M:%S', c.first_sec,"
    "    'unixepoch') || printf('.%03dZ', c.first_nsec / 1000000),"
    "   'time', " EXPORT_MS("c.last_sec - c.first_sec",
	"c.last_nsec - c.first_nsec") ","
    "   'request', json_object('method', coalesce(c.method, 'GET'),"
    "    'url', CASE WHEN c.tls_version IS NOT NULL THEN 'wss://'"
    "     ELSE 'ws://' END || coalesce(c.host, c.server, '') ||"
    "     coalesce(c.path, '/'),"
    "    'httpVersion', 'HTTP/1.1', 'cookies', json_array(),"
    "    'headers', (SELECT json_group_array(json_object('name', h.name,"
    "     'value', h.value)) FROM ("
    EXPORT_HEADER("'Host'", "c.host") " UNION ALL"
    EXPORT_HEADER("'Origin'", "c.origin") " UNION ALL"
    EXPORT_HEADER("'User-Agent'", "c.user_agent") " UNION ALL"
    EXPORT_HEADER("'Sec-WebSocket-Version'", "c.ws_version") " UNION ALL"
    EXPORT_HEADER("'Sec-WebSocket-Protocol'", "c.request_protocols")
    " UNION ALL"
    EXPORT_HEADER("'Sec-WebSocket-Extensions'", "c.request_extensions")
    "     ) h),"
    "    'queryString', json_array(), 'headersSize', -1, 'bodySize', 0),"
    "   'response', json_object('status', coalesce(c.status, 0),"
    "    'statusText', coalesce(c.status_reason, ''),"
    "    'httpVersion', 'HTTP/1.1', 'cookies', json_array(),"
    "    'headers', (SELECT json_group_array(json_object('name', h.name,"
    "     'value', h.value)) FROM ("
    EXPORT_HEADER("'Server'", "c.server_header") " UNION ALL"
    EXPORT_HEADER("'Sec-WebSocket-Accept'", "c.accept") " UNION ALL"
    EXPORT_HEADER("'Sec-WebSocket-Protocol'", "c.subprotocol") " UNION ALL"
    EXPORT_HEADER("'Sec-WebSocket-Extensions'", "c.extensions")
    "     ) h),"
    "    'content', json_object('size', 0, 'mimeType', 'x-unknown'),"
    "    'redirectURL', '', 'headersSize', -1, 'bodySize', 0),"
    "   'cache', json_object(),"
    "   'timings', json_object('blocked', -1, 'dns', -1, 'connect', -1,"
    "    'send', 0, 'wait', " EXPORT_MS("c.last_sec - c.first_sec",
	"c.last_nsec - c.first_nsec") ", 'receive', 0, 'ssl', -1),"
    "   '_resourceType', 'websocket',"
    "   '_webSocketMessages', " EXPORT_HAR_MESSAGES("x.opcode IN (1, 2)") ","
    "   '_wsautopsyControlMessages', "
	EXPORT_HAR_MESSAGES("x.opcode NOT IN (1, 2)") ","
    "   '_wsautopsyConnection', json_object('connection_id',"
    "    c.connection_id, 'address', k.name || ':' || c.conn_no,"
    "    'capture', k.name, 'client', c.client, 'server', c.server,"
    "    'verdict', c.verdict, 'client_stack', c.client_stack,"
    "    'server_stack', c.server_stack),"
    "   '_wsautopsyFindings', (SELECT json_group_array(json_object("
    "    'kind', f.kind, 'class', f.class, 'code', f.code,"
    "    'sender', f.sender, 'rule', f.rule, 'packet', f.packet,"
    "    'time', json(f.time_text), 'explanation', f.explanation,"
    "    'reason', f.reason, 'offending_packet', f.offending_packet,"
    "    'offending_sender', f.offending_sender,"
    "    'offending_rule', f.offending_rule, 'limit_min', f.limit_min,"
    "    'limit_max', f.limit_max, 'cause', f.cause, 'remedy', f.remedy))"
    "    FROM (SELECT * FROM findings WHERE connection_id ="
    "     c.connection_id ORDER BY finding_id) f)"
    "  ) AS e FROM connection_t c JOIN capture_t k ON"
    "   k.capture_id = c.capture_id"
    "  WHERE c.connection_id IN (SELECT value FROM json_each(?1))"
    "  ORDER BY c.first_sec, c.first_nsec, c.connection_id)))) || char(10)";

/*
 * The files of --dir: NNNN-DIRECTION-TYPE.EXT, NNNN the message's place in
 * wire order (both directions), EXT json for a text message whose bytes are
 * JSON, txt for other text, bin for anything else.
 */
static const char export_dir_query[] =
    EXPORT_MESSAGES
    " SELECT x.connection_id, printf('%04d-%s-%s.%s', x.n, x.direction,"
    "  x.type, CASE WHEN x.opcode = 1 THEN CASE WHEN"
    "  wsa_utf8_text(x.payload) AND json_valid(CAST(x.payload AS TEXT))"
    "  THEN 'json' ELSE 'txt' END ELSE 'bin' END), x.payload, x.cut,"
    "  length(x.payload), x.size"
    " FROM msg x ORDER BY x.connection_id, x.n";

/*
 * The connections to export: the -i list, or every WebSocket connection of
 * the capture; all of one capture.
 */
static int
export_select(struct store *s, const struct export_opts *o,
    struct export_sel *sel, char *err, size_t errlen)
{
	sqlite3      *db = store_db(s);
	sqlite3_stmt *st;
	int64_t       cap;
	int           rc, ncap = 0, failed = 0;

	if (o->capture != NULL && msgs_check_capture(s, o->capture) != 0) {
		snprintf(err, errlen, "no capture named '%s'", o->capture);
		return -1;
	}
	if (o->conns == NULL && o->capture == NULL) {
		if (sqlite3_prepare_v2(db, "SELECT count(DISTINCT capture_id)"
		    " FROM connection_t", -1, &st, NULL) != SQLITE_OK) {
			snprintf(err, errlen, "%s", sqlite3_errmsg(db));
			return -1;
		}
		if (sqlite3_step(st) == SQLITE_ROW)
			ncap = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
		if (ncap > 1) {
			snprintf(err, errlen, "the database holds %d captures:"
			    " choose one with --capture, or connections with"
			    " -i", ncap);
			return -1;
		}
	}
	if (sqlite3_prepare_v2(db, "SELECT c.connection_id, c.capture_id,"
	    " k.name = ?2 OR ?2 IS NULL FROM connection_t c JOIN capture_t k"
	    " ON k.capture_id = c.capture_id WHERE CASE WHEN ?1 IS NULL THEN"
	    " c.websocket = 1 AND (?2 IS NULL OR k.name = ?2) ELSE"
	    " c.connection_id IN (SELECT value FROM json_each(?1)) END"
	    " ORDER BY c.connection_id", -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(db));
		return -1;
	}
	if (o->conns != NULL)
		sqlite3_bind_text(st, 1, o->conns, -1, SQLITE_STATIC);
	if (o->capture != NULL)
		sqlite3_bind_text(st, 2, o->capture, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		cap = sqlite3_column_int64(st, 1);
		if (!sqlite3_column_int(st, 2)) {
			snprintf(err, errlen, "connection %" PRId64 " is not in"
			    " capture '%s'", (int64_t)sqlite3_column_int64(st,
			    0), o->capture);
			failed = 1;
			break;
		}
		if (sel->nids > 0 && cap != sel->capture_id) {
			snprintf(err, errlen, "the connections are of several"
			    " captures: export one capture at a time (-i,"
			    " --capture)");
			failed = 1;
			break;
		}
		sel->capture_id = cap;
		sel->ids = xrealloc(sel->ids, (sel->nids + 1) *
		    sizeof *sel->ids);
		sel->ids[sel->nids++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	if (failed)
		return -1;
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(db));
		return -1;
	}
	if (sel->nids == 0) {
		snprintf(err, errlen, "no WebSocket connection%s%s%s",
		    o->capture != NULL ? " in capture '" : "",
		    o->capture != NULL ? o->capture : "",
		    o->capture != NULL ? "'" : "");
		return -1;
	}
	return 0;
}

/*
 * The payloads the export reads: whole from the capture (the packets of
 * the chosen connections, read again; a capture whose bytes changed is
 * refused), else with --stored the prefix the database holds.
 */
static int
export_payloads(struct store *s, const struct export_opts *o,
    const struct export_sel *sel, char *err, size_t errlen)
{
	sqlite3 *db = store_db(s);

	if (msgs_sql_functions(db) != 0 || full_payload_table(db) !=
	    SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(db));
		return -1;
	}
	if (o->stored)
		return 0;
	return full_payload_fill(db, sel->capture_id, sel->ids, sel->nids,
	    FULL_PAYLOAD_MAX_DEFAULT, o->verify, err, errlen);
}

/* Writes all of p to the file path (excl: created anew); -1, errno set. */
static int
export_write(const char *path, const void *p, size_t n, int excl)
{
	FILE *f;
	int   e;

	if ((f = fopen(path, excl ? "wx" : "w")) == NULL)
		return -1;
	if ((n > 0 && fwrite(p, 1, n, f) != n) || fflush(f) != 0) {
		e = errno;
		fclose(f);
		errno = e;
		return -1;
	}
	return fclose(f);
}

static int
export_har(struct store *s, const struct export_opts *o,
    const struct export_sel *sel, char *err, size_t errlen)
{
	sqlite3      *db = store_db(s);
	sqlite3_stmt *st;
	const char   *json;
	char         *tmp = NULL;
	size_t        len;
	int           fd, rc = -1;

	if (strcmp(o->har, "-") != 0 && !o->force && access(o->har, F_OK) ==
	    0) {
		snprintf(err, errlen, "%s exists (-f replaces it)", o->har);
		return -1;
	}
	if (sqlite3_prepare_v2(db, export_har_query, -1, &st, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", store_path(s),
		    sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_bind_text(st, 1, sel->json, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, PACKAGE_VERSION, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW || (json = (const char *)
	    sqlite3_column_text(st, 0)) == NULL) {
		snprintf(err, errlen, "%s: %s", store_path(s),
		    sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return -1;
	}
	len = (size_t)sqlite3_column_bytes(st, 0);
	if (strcmp(o->har, "-") == 0) {
		if (fwrite(json, 1, len, stdout) == len && fflush(stdout) == 0)
			rc = 0;
		else
			snprintf(err, errlen, "standard output: %s",
			    strerror(errno));
		sqlite3_finalize(st);
		return rc;
	}
	if ((fd = wsa_temp_file(o->har, ".tmp", &tmp)) < 0) {
		snprintf(err, errlen, "%s: %s", o->har, strerror(errno));
		goto out;
	}
	close(fd);
	if (export_write(tmp, json, len, 0) != 0 || rename(tmp, o->har) != 0) {
		snprintf(err, errlen, "%s: %s", o->har, strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	free(tmp);
	return rc;
}

/* Writes the files of the messages under top; *cut counts those cut. */
static int
export_dir_rows(sqlite3 *db, const struct export_sel *sel, const char *top,
    char *err, size_t errlen, int64_t *cut)
{
	sqlite3_stmt *st;
	FILE         *list = NULL;
	char          path[4096], sub[64] = "";
	int64_t       conn = -1;
	int           rc;

	if (sqlite3_prepare_v2(db, export_dir_query, -1, &st, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", sqlite3_db_filename(db,
		    "main"), sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_bind_text(st, 1, sel->json, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sel->nids > 1 && sqlite3_column_int64(st, 0) != conn) {
			conn = sqlite3_column_int64(st, 0);
			snprintf(sub, sizeof sub, "connection-%" PRId64 "/",
			    conn);
			snprintf(path, sizeof path, "%s/%s", top, sub);
			if (mkdir(path, 0777) != 0)
				break;
		}
		snprintf(path, sizeof path, "%s/%s%s", top, sub,
		    (const char *)sqlite3_column_text(st, 1));
		if (export_write(path, sqlite3_column_blob(st, 2),
		    (size_t)sqlite3_column_bytes(st, 2), 1) != 0)
			break;
		if (!sqlite3_column_int(st, 3))
			continue;
		(*cut)++;
		if (list == NULL) {
			snprintf(path, sizeof path, "%s/TRUNCATED", top);
			if ((list = fopen(path, "wx")) == NULL)
				break;
		}
		fprintf(list, "%s%s\t%d\t%" PRId64 "\n", sub,
		    (const char *)sqlite3_column_text(st, 1),
		    sqlite3_column_int(st, 4),
		    (int64_t)sqlite3_column_int64(st, 5));
	}
	if (rc == SQLITE_ROW)
		snprintf(err, errlen, "%.900s: %s", path, strerror(errno));
	else if (rc != SQLITE_DONE)
		snprintf(err, errlen, "%s: %s", sqlite3_db_filename(db,
		    "main"), sqlite3_errmsg(db));
	sqlite3_finalize(st);
	if (list != NULL && fclose(list) != 0 && rc == SQLITE_DONE) {
		snprintf(err, errlen, "%s/TRUNCATED: %s", top,
		    strerror(errno));
		return -1;
	}
	return rc == SQLITE_DONE ? 0 : -1;
}

static int
export_rm(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static void
export_rmtree(const char *path)
{
	nftw(path, export_rm, 16, FTW_DEPTH | FTW_PHYS);
}

/* 1 when the directory holds nothing, else 0. */
static int
export_dir_empty(const char *path)
{
	DIR           *d;
	struct dirent *e;
	int            empty = 1;

	if ((d = opendir(path)) == NULL)
		return 0;
	while (empty && (e = readdir(d)) != NULL)
		empty = strcmp(e->d_name, ".") == 0 ||
		    strcmp(e->d_name, "..") == 0;
	closedir(d);
	return empty;
}

static int
export_dir(struct store *s, const struct export_opts *o,
    const struct export_sel *sel, char *err, size_t errlen)
{
	struct stat sb;
	char       *out, *tmp = NULL, *old = NULL;
	size_t      len;
	int64_t     cut = 0;
	int         exists, rc = -1;

	out = xstrdup(o->dir);
	for (len = strlen(out); len > 1 && out[len - 1] == '/'; len--)
		out[len - 1] = '\0';
	exists = stat(out, &sb) == 0;
	if (exists && !S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "%s: not a directory", o->dir);
		goto out;
	}
	if (exists && !o->force && !export_dir_empty(out)) {
		snprintf(err, errlen, "%s: not empty (-f replaces it)", o->dir);
		goto out;
	}
	if (wsa_temp_dir(out, &tmp) != 0) {
		snprintf(err, errlen, "%s: %s", o->dir, strerror(errno));
		goto out;
	}
	if (export_dir_rows(store_db(s), sel, tmp, err, errlen, &cut) != 0) {
		export_rmtree(tmp);
		goto out;
	}
	if (exists) {
		/* The old directory goes once the new one is in place. */
		if (wsa_temp_dir(out, &old) != 0 || rename(out, old) != 0) {
			snprintf(err, errlen, "%s: %s", o->dir,
			    strerror(errno));
			if (old != NULL)
				rmdir(old);
			export_rmtree(tmp);
			goto out;
		}
	}
	if (rename(tmp, out) != 0) {
		snprintf(err, errlen, "%s: %s", o->dir, strerror(errno));
		export_rmtree(tmp);
		if (old != NULL)
			rename(old, out);
		goto out;
	}
	if (old != NULL)
		export_rmtree(old);
	if (cut > 0)
		wsa_warn("%s: %" PRId64 " message%s cut short: the database "
		    "holds only %s first bytes (analyze --payload-cap keeps "
		    "more); listed in %s/TRUNCATED", o->dir, cut, cut == 1 ?
		    "" : "s", cut == 1 ? "its" : "their", out);
	rc = 0;
out:
	free(old);
	free(tmp);
	free(out);
	return rc;
}

static int
cmd_export_exec(struct cmd_args *args)
{
	struct export_opts o;
	struct export_sel  sel;
	struct store      *s;
	char               err[1024];
	int                i, status = EXIT_INPUT;

	memset(&o, 0, sizeof o);
	memset(&sel, 0, sizeof sel);
	o.db = args->argv[0];
	for (i = 0; i < args->nopts; i++) {
		switch (args->opts[i].opt->key) {
		case 'C':
			o.capture = args->opts[i].value;
			break;
		case EXPORT_HAR:
			o.har = args->opts[i].value;
			break;
		case EXPORT_DIR:
			o.dir = args->opts[i].value;
			break;
		case 'f':
			o.force = 1;
			break;
		case EXPORT_STORED:
			o.stored = 1;
			break;
		case FULL_PAYLOAD_VERIFY:
			o.verify = 1;
			break;
		}
	}
	if ((o.har == NULL) == (o.dir == NULL))
		return cmd_usage_error(args->entry, "one of --har FILE and "
		    "--dir OUT");
	if ((s = store_open(o.db, 1, err, sizeof err)) == NULL) {
		wsa_warn("%s", err);
		return EXIT_INPUT;
	}
	for (i = 0; i < args->nopts; i++)
		if (args->opts[i].opt->key == 'i' && msgs_add_conns(s,
		    &o.conns, args->opts[i].value, err, sizeof err) != 0)
			goto fail_db;
	if (export_select(s, &o, &sel, err, sizeof err) != 0)
		goto fail_db;
	sel.json = xmalloc(sel.nids * 24 + 3);
	strcpy(sel.json, "[");
	for (i = 0; (size_t)i < sel.nids; i++)
		sprintf(sel.json + strlen(sel.json), "%s%" PRId64, i > 0 ?
		    "," : "", sel.ids[i]);
	strcat(sel.json, "]");
	if (export_payloads(s, &o, &sel, err, sizeof err) != 0) {
		wsa_warn("%s", err);
		goto out;
	}
	if ((o.har != NULL ? export_har(s, &o, &sel, err, sizeof err) :
	    export_dir(s, &o, &sel, err, sizeof err)) != 0) {
		wsa_warn("%s", err);
		goto out;
	}
	status = EXIT_OK;
	goto out;
fail_db:
	wsa_warn("%s: %s", o.db, err);
out:
	store_close(s);
	free(sel.json);
	free(sel.ids);
	free(o.conns);
	return status;
}
