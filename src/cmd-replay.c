/*
 * wsautopsy replay: a captured connection's client side sent to a live
 * server, and what that server did compared with what the captured one
 * did, for "does it happen on staging?" and "does the fix fix it?".
 */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis-opts.h"
#include "cmd.h"
#include "capture-set.h"
#include "escape.h"
#include "full-payload.h"
#include "replay-int.h"
#include "store.h"

static int  cmd_replay_exec(struct cmd_args *);
static int  replay_is_db(const char *);
struct replay_db;
static int  replay_from_db(const char *, uint64_t, const struct cmd_args *,
		int, struct replay_db *, struct analysis_opts *, char **,
		char ***, size_t *);
static int  replay_number(const struct cmd_entry *, const char *,
		const char *, double *);
struct replay_note;
static int  replay_one(char *const *, size_t, const struct analysis_opts *,
		const struct replay_live_opts *, uint64_t, char *, size_t,
		struct replay_note *);
static int  replay_all(char *const *, size_t, const struct analysis_opts *,
		const struct replay_live_opts *, const char *,
		const struct replay_db *, const char *);
static void replay_stamp(char *, size_t);
static int  replay_db_record(const char *, const struct replay_db *,
		uint64_t, const char *, const char *, int, const char *,
		const struct replay_note *, const struct replay_live_opts *);

enum { REPLAY_CONNECTION = 'c', REPLAY_TO = CMD_LONG, REPLAY_HEADER,
    REPLAY_SPEED, REPLAY_RATE, REPLAY_TIMEOUT, REPLAY_YES,
    REPLAY_SKIP_GAPS, REPLAY_RECORD, REPLAY_ALL, REPLAY_INSECURE,
    REPLAY_KEYLOG_OUT, REPLAY_REFRAME };

/* Usage errors of replay are 2: its 1 says "not reproduced". */
#define replay_usage(...) (cmd_usage_error(__VA_ARGS__), EXIT_INPUT)

static const struct cmd_option replay_options[] = {
	{ .name = "connection", .key = REPLAY_CONNECTION, .arg = "N",
	  .help = "the connection to replay, numbered as analyze and report "
	    "number them" },
	{ .name = "all", .key = REPLAY_ALL,
	  .help = "instead, every WebSocket connection of the capture that "
	    "ended with a finding, one after another, a line each",
	  .doc = "Instead of one connection, every WebSocket connection of "
	    "the capture\n"
	    "(its handshake captured) whose verdict is a finding, one after "
	    "another:\n"
	    "a table of the connection and its line.\n"
	    "The status is the worst: an error, then different, then not "
	    "reproduced." },
	{ .name = "to", .key = REPLAY_TO, .arg = "URL",
	  .help = "the server to replay to, ws://HOST:PORT[/PATH] or "
	    "wss://HOST:PORT[/PATH] (TLS); the path replaces the captured "
	    "request's (required: there is no default)",
	  .doc = "The server to replay to,\n"
	    ".BI ws:// host : port\n"
	    "or, through TLS,\n"
	    ".BI wss:// host : port\n"
	    "(the port 80 or 443 when none is given),\n"
	    "with an optional path that replaces the captured request's.\n"
	    "An IPv6 address goes in brackets:\n"
	    ".BR ws://[::1]:8080/ .\n"
	    "Required: there is no default target.\n"
	    "Over TLS the server's certificate is verified against the system "
	    "CA store\n"
	    "and the host name (sent as SNI unless it is an address) unless\n"
	    ".BR --insecure ;\n"
	    "a failed handshake is an error (status 2) in one line naming the "
	    "target\n"
	    "and the reason, such as\n"
	    ".IR \"certificate verify failed: self-signed certificate\" .\n"
	    "A host that resolves to an address other than loopback, RFC 1918,\n"
	    "fc00::/7 or link-local needs\n"
	    ".B --yes\n"
	    "or a\n"
	    ".B y\n"
	    "typed at the question on a terminal." },
	{ .name = "header", .key = REPLAY_HEADER, .arg = "HEADER",
	  .help = "send HEADER ('Name: value') instead of the captured ones "
	    "of its name, or in addition (a fresh token) (repeatable)" },
	{ .name = "speed", .key = REPLAY_SPEED, .arg = "N|max",
	  .help = "send the frames N times as fast as captured (default 1); "
	    "max: as fast as --rate allows" },
	{ .name = "rate", .key = REPLAY_RATE, .arg = "N",
	  .help = "at most N frames a second, whatever the speed (default "
	    "1000)" },
	{ .name = "timeout", .key = REPLAY_TIMEOUT, .arg = "SECONDS",
	  .help = "stop after this long in all (default 60)" },
	{ .name = "yes", .key = REPLAY_YES,
	  .help = "replay to a target that is not a loopback or private "
	    "address without asking" },
	{ .name = "skip-gaps", .key = REPLAY_SKIP_GAPS,
	  .help = "replay past bytes the capture lost, leaving out the frames "
	    "they cut (by default the replay stops at the first gap)" },
	{ .name = "insecure", .key = REPLAY_INSECURE,
	  .help = "do not verify a wss:// server's certificate (a "
	    "self-signed staging certificate)" },
	{ .name = "keylog-out", .key = REPLAY_KEYLOG_OUT, .arg = "FILE",
	  .help = "append a wss:// replay's own TLS secrets to FILE (NSS "
	    "key log), to decrypt a --record of it",
	  .doc = "With a\n"
	    ".B wss://\n"
	    "target, append the replay's own TLS secrets to\n"
	    ".I file\n"
	    "(created mode 0600 when missing) in the NSS key log format:\n"
	    ".B analyze --keylog\n"
	    ".I file\n"
	    "and\n"
	    "and Wireshark's\n"
	    ".B tls.keylog_file\n"
	    "preference decrypt a\n"
	    ".B --record\n"
	    "of the replay with it\n"
	    ".RB ( --keylog\n"
	    "is the key log of the capture replayed)." },
	{ .name = "record", .key = REPLAY_RECORD, .arg = "FILE",
	  .help = "write the replayed conversation to FILE as a pcap capture "
	    "(its TLS records for wss://)",
	  .doc = "Write the replayed conversation to\n"
	    ".I file\n"
	    "as a pcap capture (nanosecond times): the socket's bytes each "
	    "way, as\n"
	    "they were written and read, at the times they were, in "
	    "Ethernet, IPv4\n"
	    "or IPv6 and TCP frames between the socket's own addresses and "
	    "ports, after a\n"
	    "SYN, SYN-ACK and ACK and before a FIN each way (the server's "
	    "when it\n"
	    "ended the connection).\n"
	    ".B analyze\n"
	    "reads it as any capture.\n"
	    "With a\n"
	    ".B wss://\n"
	    "target the bytes are the TLS records, as on the wire: give\n"
	    ".B --keylog-out\n"
	    "to decrypt them." },
	{ .name = "reframe", .key = REPLAY_REFRAME,
	  .help = "when the server agrees other extensions or subprotocol "
	    "than the captured one, re-encode the client's messages for it",
	  .doc = "When the server agrees other extensions or another "
	    "subprotocol than the\n"
	    "captured server did, the frames as captured would not decode as "
	    "meant:\n"
	    "without this option nothing is sent and the replay is\n"
	    ".BR different .\n"
	    "With it, the client's messages (their whole payloads, unmasked "
	    "and\n"
	    "inflated by the analysis) are encoded again for this server:\n"
	    "compressed with permessage-deflate when it agreed it (raw "
	    "deflate with\n"
	    "its client_max_window_bits, reset after each message under\n"
	    "client_no_context_takeover, the trailing 00 00 ff ff left off), "
	    "else\n"
	    "not compressed; fresh masks; the same opcodes, FIN bits and "
	    "times.\n"
	    "A fragmented message keeps its frames: split where the capture "
	    "split it\n"
	    "when its payload is the same, in proportion to the captured "
	    "frames'\n"
	    "sizes when compression changed it.\n"
	    "The client's pings and a close it started go as captured, and "
	    "so do\n"
	    "malformed control frames and reserved opcodes: nothing in them "
	    "is\n"
	    "compressed, so they mean what they meant (a 1002 stays "
	    "reproducible);\n"
	    "the first of them is said on standard error.\n"
	    "A data frame that cannot be encoded again (cut by the capture, "
	    "its\n"
	    "message not captured whole, RSV2 or RSV3, RSV1 on a "
	    "continuation) is\n"
	    "said, and the replay stops before it.\n"
	    "When the server agrees what the captured one did, the replay is "
	    "byte for\n"
	    "byte as without the option, and nothing says so." },
	{ .include = analysis_filter_options },
	{ .include = analysis_keylog_options },
	{ .include = full_payload_verify_options },
	{ 0 }
};

const struct cmd_entry cmd_replay_entry = {
	.name = "replay",
	.summary = "send a captured client side to a live server and compare",
	.usage = "CAPTURE...|DB --connection N --to URL | CAPTURE...|DB --all "
	    "--to URL",
	.about = "Send the client side of one captured connection to a live "
	    "server: its Upgrade request (Host rewritten), then the frames the "
	    "client sent of its own accord, byte for byte as captured (masks "
	    "and malformed frames included), paced as captured. The server's "
	    "pings and close are answered as a conforming client answers them; "
	    "the captured pongs and a close answering the server's are not "
	    "sent. It stops at the server's close, the end of the connection, "
	    "one second after the last frame, or the timeout, and prints what "
	    "this server started against what the captured one did. Several "
	    "files or a directory are one capture set, as analyze reads them. "
	    "A database names the capture it was made from (its files found "
	    "where they were or beside it); a file whose bytes changed since "
	    "is refused.",
	.notes = "Exit status: 0 reproduced, 1 not reproduced (the server "
	    "took every frame), 3 different (it closed or ended otherwise), 2 "
	    "an error (usage, the capture, the target).",
	.options = replay_options,
	.args = { 1, -1 },
	.usage_status = EXIT_INPUT,
	.exec = cmd_replay_exec
};

static int
replay_is_db(const char *path)
{
	char  magic[16];
	FILE *f = fopen(path, "rb");
	int   db;

	if (f == NULL)
		return 0;
	db = fread(magic, 1, 16, f) == 16 &&
	    memcmp(magic, "SQLite format 3", 16) == 0;
	fclose(f);
	return db;
}

/* The capture of a database that a replay reads, and records in it. */
struct replay_db {
	int64_t capture_id;       /* 0: the replay is not of a database */
};

/*
 * Connection conn of database db (0: the database's one capture): its
 * capture in r, its files (*paths, *n) found and checked as messages
 * --full finds and checks them, and the options it was analysed with in
 * ao, those of the command line on top (words keeps their text). 0, or
 * -1 said on stderr.
 */
static int
replay_from_db(const char *db, uint64_t conn, const struct cmd_args *args,
    int verify, struct replay_db *r, struct analysis_opts *ao, char **words,
    char ***paths, size_t *n)
{
	sqlite3      *h = NULL;
	sqlite3_stmt *st = NULL;
	char          path[4096] = "", err[1200], esc[1300];
	int           rows = 0, j;

	memset(r, 0, sizeof *r);
	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(h, "SELECT k.path, k.capture_id FROM capture_t"
	    " k WHERE ?1 = 0 OR k.capture_id IN (SELECT capture_id FROM"
	    " connections WHERE conn_no = ?1)", -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, sizeof err, "%s: %s", db, sqlite3_errmsg(h));
		goto fail;
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64)conn);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (rows++ > 0)
			continue;
		snprintf(path, sizeof path, "%s",
		    (const char *)sqlite3_column_text(st, 0) != NULL ?
		    (const char *)sqlite3_column_text(st, 0) : "");
		r->capture_id = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (rows == 0)
		snprintf(err, sizeof err, conn > 0 ? "%s: no connection %"
		    PRIu64 : "%s: no capture", db, conn);
	else if (rows > 1 && conn == 0)
		snprintf(err, sizeof err, "%s: %d captures; replay one capture "
		    "itself with --all", db, rows);
	else if (rows > 1)
		snprintf(err, sizeof err, "%s: connection %" PRIu64 " is in %d "
		    "captures of it; replay the capture itself", db, conn,
		    rows);
	else if (path[0] == '\0' || strcmp(path, "-") == 0)
		snprintf(err, sizeof err, "%s: connection %" PRIu64 "'s "
		    "capture was read from standard input; replay the file "
		    "itself", db, conn);
	else if (full_payload_files(h, r->capture_id, verify, paths, n, err,
	    sizeof err) == 0) {
		if (full_payload_opts(h, r->capture_id, ao, words, err,
		    sizeof err) != 0) {
			wsa_warn("%s: %s", db, err);
			sqlite3_close(h);
			return -1;
		}
		sqlite3_close(h);
		ao->no_hash = 1;
		for (j = 0; j < args->nopts; j++)
			if (analysis_opt(ao, args->entry, &args->opts[j]) ==
			    AOPT_BAD)
				return -1;
		return 0;
	}
fail:
	sqlite3_close(h);
	esc_terminal_str(err, esc, sizeof esc);
	wsa_warn("%s", esc);
	return -1;
}

/* Now, as analyzed_at is written: "2026-12-07T04:51:30Z". */
static void
replay_stamp(char *buf, size_t len)
{
	struct tm tm;
	time_t    t = time(NULL);

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "%lld", (long long)t);
}

static int
replay_number(const struct cmd_entry *e, const char *name, const char *arg,
    double *out)
{
	char *end;

	*out = strtod(arg, &end);
	if (end == arg || *end != '\0' || !isfinite(*out) || *out <= 0) {
		cmd_usage_error(e, "--%s: a positive number, not '%.40s'", name,
		    arg);
		return -1;
	}
	return 0;
}

/* For the database's row: what the capture did, or why it failed. */
struct replay_note {
	char captured[128];
	char why[1200];
};

/*
 * A replay through a database, as a replays row: its own transaction,
 * nothing stored before touched. -1 said on stderr.
 */
static int
replay_db_record(const char *db, const struct replay_db *r, uint64_t conn,
    const char *to, const char *started, int rc, const char *line,
    const struct replay_note *note, const struct replay_live_opts *lo)
{
	static const char *const outcome[] = { "reproduced", "not reproduced",
	    "error", "different" };
	struct store *s;
	sqlite3_stmt *st;
	char          err[1200], opts[1024], speed[32];
	size_t        n;
	int           i, ok;

	if (lo->speed == 0)
		snprintf(speed, sizeof speed, "max");
	else
		snprintf(speed, sizeof speed, "%g", lo->speed);
	n = (size_t)snprintf(opts, sizeof opts, "--speed %s --rate %g "
	    "--timeout %g%s", speed, lo->rate, lo->timeout, lo->skip_gaps ?
	    " --skip-gaps" : "");
	/* Header names only: their values may be credentials. */
	for (i = 0; i < lo->nheaders && n < sizeof opts; i++)
		n += (size_t)snprintf(opts + n, sizeof opts - n, " --header "
		    "'%.*s'", (int)strcspn(lo->headers[i], ":'"),
		    lo->headers[i]);
	if ((s = store_open(db, 0, err, sizeof err)) == NULL) {
		wsa_warn("%s: the replay is not recorded: %s", db, err);
		return -1;
	}
	ok = sqlite3_prepare_v2(store_db(s), "INSERT INTO replay_t (capture_id,"
	    " connection_id, conn_no, target, started_at, outcome,"
	    " exit_status, line, captured, error, recording, options) VALUES"
	    " (?1, (SELECT connection_id FROM connection_t WHERE capture_id = ?1"
	    " AND conn_no = ?3), ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
	    -1, &st,
	    NULL) == SQLITE_OK;
	if (ok) {
		sqlite3_bind_int64(st, 1, r->capture_id);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)conn);
		sqlite3_bind_text(st, 4, to, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, started, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, outcome[rc], -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 7, rc);
		if (rc != EXIT_INPUT)
			sqlite3_bind_text(st, 8, line, -1, SQLITE_STATIC);
		if (note->captured[0] != '\0')
			sqlite3_bind_text(st, 9, note->captured, -1,
			    SQLITE_STATIC);
		if (rc == EXIT_INPUT)
			sqlite3_bind_text(st, 10, note->why, -1,
			    SQLITE_STATIC);
		if (lo->record != NULL)
			sqlite3_bind_text(st, 11, lo->record, -1,
			    SQLITE_STATIC);
		sqlite3_bind_text(st, 12, opts, -1, SQLITE_STATIC);
		ok = sqlite3_exec(store_db(s), "BEGIN IMMEDIATE", NULL, NULL,
		    NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_DONE &&
		    sqlite3_exec(store_db(s), "COMMIT", NULL, NULL, NULL) ==
		    SQLITE_OK;
		sqlite3_finalize(st);
	}
	if (!ok) {
		wsa_warn("%s: the replay is not recorded: %s", db,
		    sqlite3_errmsg(store_db(s)));
		sqlite3_exec(store_db(s), "ROLLBACK", NULL, NULL, NULL);
	}
	store_close(s);
	return ok ? 0 : -1;
}

/*
 * Connection conn of the capture at path replayed: its line in line and
 * the status (EXIT_INPUT, said on stderr); note, when not NULL, what the
 * captured server did, or why it failed.
 */
static int
replay_one(char *const *paths, size_t npaths, const struct analysis_opts *ao,
    const struct replay_live_opts *lo, uint64_t conn, char *line, size_t len,
    struct replay_note *note)
{
	struct replay_side    rs;
	struct replay_outcome live;
	struct analysis_opts  o = *ao;
	char                  err[1200], esc[1300];
	size_t                i;
	enum replay_verdict   v;

	/* --reframe encodes the client's messages again: whole, its alone. */
	if (lo->reframe)
		o.whole_client = conn;
	if (replay_capture_load((const char *const *)paths, npaths, &o, conn,
	    &rs, err, sizeof err) != 0) {
		if (note != NULL)
			snprintf(note->why, sizeof note->why, "%s", err);
		esc_terminal_str(err, esc, sizeof esc);
		wsa_warn("%s", esc);
		replay_side_free(&rs);
		return EXIT_INPUT;
	}
	if (rs.has_gap) {
		int64_t before = -1;

		for (i = 0; i < rs.nframes; i++)
			if (rs.frames[i].off + rs.frames[i].len <= rs.gap_off)
				before = (int64_t)rs.frames[i].index;
		wsa_warn("the captured client side lost %" PRIu64 " bytes at "
		    "stream offset %" PRIu64 " (after client frame %" PRId64
		    "): %s", rs.gap_len, rs.gap_off, before, lo->skip_gaps ?
		    "the frames it cut are left out" : "the replay stops "
		    "there (--skip-gaps goes past it)");
	}
	if (note != NULL)
		replay_describe(&rs.captured, note->captured,
		    sizeof note->captured);
	if (replay_live_run(lo, &rs, &live, err, sizeof err) != 0) {
		if (note != NULL)
			snprintf(note->why, sizeof note->why, "%s", err);
		wsa_warn("%s", err);
		replay_side_free(&rs);
		return EXIT_INPUT;
	}
	v = replay_compare(&rs.captured, &live, line, len);
	replay_side_free(&rs);
	return (int)v;
}

/*
 * replay --all: every connection with a finding, one after another; with
 * db, each recorded in it.
 */
static int
replay_all(char *const *paths, size_t npaths, const struct analysis_opts *ao,
    const struct replay_live_opts *lo, const char *db,
    const struct replay_db *rdb, const char *to)
{
	struct replay_note note;
	uint64_t          *ids;
	size_t             n, i;
	char               err[1200], esc[1300], line[600], started[32];
	int                rc, worst = EXIT_OK, rank[4] = { 0, 1, 3, 2 };

	if (replay_capture_list((const char *const *)paths, npaths, ao, &ids,
	    &n, err, sizeof err) != 0) {
		esc_terminal_str(err, esc, sizeof esc);
		wsa_warn("%s", esc);
		free(ids);
		return EXIT_INPUT;
	}
	if (n == 0)
		wsa_warn("no WebSocket connection of the capture ended with a "
		    "finding: nothing replayed");
	else
		printf("%-10s %s\n", "connection", "replay");
	for (i = 0; i < n; i++) {
		memset(&note, 0, sizeof note);
		replay_stamp(started, sizeof started);
		rc = replay_one(paths, npaths, ao, lo, ids[i], line,
		    sizeof line, &note);
		if (db != NULL)
			(void)replay_db_record(db, rdb, ids[i], to,
			    started, rc, line, &note, lo);
		printf("%-10" PRIu64 " %s\n", ids[i], rc == EXIT_INPUT ?
		    "error (said above)" : line);
		fflush(stdout);
		/* The status says the worst: error, different, not, reproduced. */
		if (rank[rc] > rank[worst])
			worst = rc;
	}
	free(ids);
	return worst;
}

static int
cmd_replay_exec(struct cmd_args *args)
{
	struct analysis_opts    ao;
	struct replay_live_opts lo;
	struct replay_url       url;
	const struct cmd_entry *e = args->entry;
	struct replay_db        rdb;
	struct replay_note      note;
	const char             *to = NULL, *path = args->argv[0], *val;
	char                    err[1200], line[600], *words = NULL,
				started[32], **paths = NULL;
	uint64_t                conn = 0;
	size_t                  npaths = 0;
	int                     j, rc, have_conn = 0, all = 0, verify = 0,
				dirs;

	analysis_opts_default(&ao);
	memset(&lo, 0, sizeof lo);
	lo.speed = 1;
	lo.rate = REPLAY_RATE_DEFAULT;
	lo.timeout = 60;
	for (j = 0; j < args->nopts; j++) {
		val = args->opts[j].value;
		switch (args->opts[j].opt->key) {
		case REPLAY_CONNECTION:
			if (parse_size(val, &conn) != 0 || conn == 0 ||
			    strspn(val, "0123456789") != strlen(val))
				return replay_usage(e, "--connection: a "
				    "connection number (from 1), not '%.40s'",
				    val);
			have_conn = 1;
			break;
		case REPLAY_TO:
			to = val;
			break;
		case REPLAY_HEADER:
			if (lo.nheaders == REPLAY_MAX_HEADERS)
				return replay_usage(e, "--header: at most %d",
				    REPLAY_MAX_HEADERS);
			if (strchr(val, ':') == NULL || val[0] == ':' ||
			    strpbrk(val, "\r\n") != NULL)
				return replay_usage(e, "--header: 'Name: "
				    "value' on one line");
			lo.headers[lo.nheaders++] = val;
			break;
		case REPLAY_SPEED:
			if (strcmp(val, "max") == 0)
				lo.speed = 0;
			else if (replay_number(e, "speed", val, &lo.speed))
				return EXIT_INPUT;
			break;
		case REPLAY_RATE:
			if (replay_number(e, "rate", val, &lo.rate))
				return EXIT_INPUT;
			break;
		case REPLAY_TIMEOUT:
			if (replay_number(e, "timeout", val, &lo.timeout))
				return EXIT_INPUT;
			break;
		case REPLAY_YES:
			lo.yes = 1;
			break;
		case REPLAY_SKIP_GAPS:
			lo.skip_gaps = 1;
			break;
		case REPLAY_RECORD:
			lo.record = val;
			break;
		case REPLAY_ALL:
			all = 1;
			break;
		case REPLAY_INSECURE:
			lo.tls.insecure = 1;
			break;
		case REPLAY_KEYLOG_OUT:
			lo.tls.keylog = val;
			break;
		case REPLAY_REFRAME:
			lo.reframe = 1;
			break;
		case FULL_PAYLOAD_VERIFY:
			verify = 1;
			break;
		default:
			if (analysis_opt(&ao, e, &args->opts[j]) != AOPT_DONE)
				return EXIT_INPUT;
		}
	}
	/* Usage errors are 2 here: 1 says "not reproduced". */
	if (have_conn == all)
		return replay_usage(e, "one of --connection and --all");
	if (all && lo.record != NULL)
		return replay_usage(e, "--record goes with one --connection");
	if (to == NULL) {
		cmd_usage_error(e, "--to is required: there is no default "
		    "target");
		return EXIT_INPUT;
	}
	if (replay_url_parse(to, &url, err, sizeof err) != 0) {
		cmd_usage_error(e, "--to: %s", err);
		return EXIT_INPUT;
	}
	if (!url.tls && (lo.tls.insecure || lo.tls.keylog != NULL))
		return replay_usage(e, "--insecure and --keylog-out go with a "
		    "wss:// target");
	lo.url = &url;
	memset(&rdb, 0, sizeof rdb);
	if (replay_is_db(path)) {
		if (args->argc > 1)
			return replay_usage(e, "a database goes alone, without "
			    "capture files");
		if (replay_from_db(path, conn, args, verify, &rdb, &ao, &words,
		    &paths, &npaths) != 0) {
			free(words);
			capture_set_expand_free(paths, npaths);
			return EXIT_INPUT;
		}
	} else if (verify)
		return replay_usage(e, "--verify goes with a database");
	else if (capture_set_expand(args->argc, args->argv, &paths, &npaths,
	    &dirs) != 0)
		return EXIT_INPUT;
	if (!all) {
		memset(&note, 0, sizeof note);
		replay_stamp(started, sizeof started);
		rc = replay_one(paths, npaths, &ao, &lo, conn, line,
		    sizeof line, &note);
		if (rc != EXIT_INPUT)
			printf("%s\n", line);
		if (rdb.capture_id > 0)
			(void)replay_db_record(args->argv[0], &rdb, conn, to,
			    started, rc, line, &note, &lo);
	} else
		rc = replay_all(paths, npaths, &ao, &lo, rdb.capture_id > 0 ?
		    args->argv[0] : NULL, &rdb, to);
	capture_set_expand_free(paths, npaths);
	free(words);
	return rc;
}
