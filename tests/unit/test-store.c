/*
 * Unit tests of the SQLite store and the report: the sink driven by hand
 * with a capture of two connections, then the public views read back with
 * sqlite3, re-analysis, refusals, interrupted runs, hostile bytes, the
 * three report formats, and databases written by earlier releases.
 */
#include "config.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "report.h"
#include "store.h"
#include "wsautopsy.h"

/* A close reason and a payload no terminal or parser should trust. */
static const uint8_t hostile[] = "too \x1b[31mbig\0\xff\xc3(";
#define HOSTILE_LEN (sizeof hostile - 1)

static const char sha_a[65] =
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
static const char sha_b[65] =
    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

struct tmp {
	char dir[64];
	char db[128];
};

static int     tmp_setup(void **);
static int     tmp_teardown(void **);
static int64_t q_int(sqlite3 *, const char *);
static char   *q_text(sqlite3 *, const char *, char *, size_t);
static void    check_columns(sqlite3 *, const char *, const char *const *);
static void    put_frame(struct store *, uint64_t, int, uint64_t, uint8_t,
		   uint64_t, uint64_t, const uint8_t *, size_t, int);
static void    put_capture(struct store *, const char *, const char *, int);
static struct store *open_rw(const char *);
static char   *run_report(struct store *, const struct report_opts *, int *);
static const char *json_skip_value(const char *);
static const char *json_skip_string(const char *);
static int     json_line_valid(const char *);
static size_t  file_read(const char *, char **);
static void    check_old_db(struct tmp *, const char *);

static int
tmp_setup(void **state)
{
	struct tmp *t = calloc(1, sizeof *t);
	char       *dir;

	assert_int_equal(wsa_temp_dir("/tmp/wsa-store", &dir), 0);
	snprintf(t->dir, sizeof t->dir, "%s", dir);
	free(dir);
	snprintf(t->db, sizeof t->db, "%s/t.db", t->dir);
	*state = t;
	return 0;
}

static int
tmp_teardown(void **state)
{
	struct tmp *t = *state;
	char        cmd[160];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->dir);
	if (system(cmd) != 0)
		return -1;
	free(t);
	return 0;
}

static int64_t
q_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t       v;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static char *
q_text(sqlite3 *db, const char *sql, char *buf, size_t len)
{
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(buf, len, "%s", sqlite3_column_type(st, 0) == SQLITE_NULL ?
	    "(null)" : (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return buf;
}

/* The view's first columns are exactly these names, in this order. */
static void
check_columns(sqlite3 *db, const char *view, const char *const *names)
{
	sqlite3_stmt *st;
	char          sql[128];
	int           i;

	snprintf(sql, sizeof sql, "SELECT * FROM %s", view);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	for (i = 0; names[i] != NULL; i++) {
		assert_true(i < sqlite3_column_count(st));
		assert_string_equal(sqlite3_column_name(st, i), names[i]);
	}
	sqlite3_finalize(st);
}

static void
put_frame(struct store *s, uint64_t conn, int sender, uint64_t index,
    uint8_t opcode, uint64_t len, uint64_t pkt, const uint8_t *prefix,
    size_t prefix_len, int close_code)
{
	struct ws_frame f;

	memset(&f, 0, sizeof f);
	f.index = index;
	f.offset = 100 * index;
	f.first_pkt = pkt;
	f.last_pkt = pkt + 1;
	f.ts.sec = 1700000000;
	f.ts.nsec = (uint32_t)(123456789 + pkt);
	f.payload_len = len;
	f.fin = 1;
	f.opcode = opcode;
	f.masked = sender == ROLE_CLIENT;
	f.hdr[0] = (uint8_t)(0x80 | opcode);
	if (len < 126) {
		f.hdr[1] = (uint8_t)len;
		f.hdr_len = 2;
	} else {
		f.hdr[1] = 126;
		f.hdr[2] = (uint8_t)(len >> 8);
		f.hdr[3] = (uint8_t)len;
		f.hdr_len = 4;
	}
	if (f.masked) {
		f.hdr[1] |= 0x80;
		memcpy(f.mask, "\x01\x02\x03\x04", 4);
		memcpy(f.hdr + f.hdr_len, f.mask, 4);
		f.hdr_len += 4;
	}
	f.message_id = index;
	f.close_code = close_code;
	if (close_code >= 0 && prefix_len > 0) {
		f.close_reason = prefix;
		f.close_reason_len = prefix_len;
	}
	f.prefix = prefix;
	f.prefix_len = prefix_len;
	f.seen_len = len;
	store_sink_ops.frame(s, conn, sender, &f);
}

/*
 * Connection 1: handshake, a client message, a 2000-byte client message
 * the server closes with 1009 (hostile reason), the client's answer.
 * Connection 2: picked up mid-stream, a reserved opcode from the client
 * with a hostile payload, a server frame with the length's top bit set,
 * then a reset by the server.
 */
/*
 * A server's 1009 close on connection 1 at packet pkt, blaming the client
 * frame index at packet off, the closer's limit between 5 and max.
 */
static void
server_1009(struct finding *fi, uint64_t pkt, uint64_t off, int64_t index,
    uint64_t max)
{
	memset(fi, 0, sizeof *fi);
	fi->conn_id = 1;
	fi->kind = FINDING_CLOSE;
	fi->class = CLASS_1009;
	fi->code = 1009;
	fi->sender = ROLE_SERVER;
	fi->packet = pkt;
	fi->has_offending = 1;
	fi->offending_packet = off;
	fi->offending_frame_index = index;
	fi->offending_sender = ROLE_CLIENT;
	fi->offending_rule = RULE_MESSAGE_TOO_BIG;
	fi->has_limit = 1;
	fi->limit_min = 5;
	fi->limit_max = max;
	fi->limit_from_reason = -1;
}

static void
put_capture(struct store *s, const char *name, const char *sha, int complete)
{
	static struct http_head req, resp;
	static struct hs_result hs;
	struct capture_info     ci;
	struct capture_summary  sum;
	struct ws_message       m;
	struct finding          fi;
	struct conn_summary     cs;

	memset(&ci, 0, sizeof ci);
	ci.path = name;
	ci.name = name;
	memcpy(ci.sha256, sha, sizeof ci.sha256);
	ci.size = 4242;
	ci.linktype = 1;
	assert_int_equal(store_sink_ops.capture_begin(s, &ci), 0);

	put_frame(s, 1, ROLE_CLIENT, 0, WS_OP_TEXT, 5, 5,
	    (const uint8_t *)"hello", 5, -1);
	put_frame(s, 1, ROLE_CLIENT, 1, WS_OP_BINARY, 2000, 10,
	    (const uint8_t *)"abcdef", 6, -1);
	/* A whole message in one frame: its prefix is stored with it. */
	memset(&m, 0, sizeof m);
	m.id = 1;
	m.opcode = WS_OP_BINARY;
	m.utf8_valid = 1;
	m.frames = 1;
	m.wire_size = m.decoded_size = 2000;
	m.first_pkt = 10;
	m.last_pkt = 11;
	m.prefix = (const uint8_t *)"abcdef";
	m.prefix_len = 6;
	store_sink_ops.message(s, 1, ROLE_CLIENT, &m);
	put_frame(s, 1, ROLE_SERVER, 0, WS_OP_CLOSE, 2 + HOSTILE_LEN, 12,
	    hostile, HOSTILE_LEN, 1009);
	put_frame(s, 1, ROLE_CLIENT, 2, WS_OP_CLOSE, 2, 14, NULL, 0, 1000);

	memset(&m, 0, sizeof m);
	m.opcode = WS_OP_TEXT;
	m.utf8_valid = 1;
	m.frames = 1;
	m.wire_size = m.decoded_size = 5;
	m.first_pkt = 5;
	m.last_pkt = 6;
	m.prefix = (const uint8_t *)"hello";
	m.prefix_len = 5;
	store_sink_ops.message(s, 1, ROLE_CLIENT, &m);

	server_1009(&fi, 12, 10, 1, 1999);
	fi.frame_index = 0;
	fi.time.sec = 1700000000;
	fi.time.nsec = 5;
	snprintf(fi.explanation, sizeof fi.explanation,
	    "the server closed with 1009 after a 2000-byte message");
	memcpy(fi.reason, hostile, HOSTILE_LEN);
	fi.reason_len = HOSTILE_LEN;
	snprintf(fi.matching_profiles, sizeof fi.matching_profiles,
	    "coder-websocket");
	fi.remedy_limit = 5;
	fi.remedy_source = LIMIT_SRC_TAKEN;
	snprintf(fi.remedy, sizeof fi.remedy, "keep messages to 5 bytes");
	fi.limit_basis = LIMIT_BASIS_PAYLOAD;
	fi.update_slot = 1;
	store_sink_ops.finding(s, &fi);

	memset(&fi, 0, sizeof fi);
	fi.conn_id = 1;
	fi.kind = FINDING_CLOSE;
	fi.class = CLASS_NORMAL;
	fi.code = 1000;
	fi.sender = ROLE_CLIENT;
	fi.packet = 14;
	fi.frame_index = 2;
	fi.answered = 1;
	fi.limit_from_reason = -1;
	store_sink_ops.finding(s, &fi);

	memset(&req, 0, sizeof req);
	req.is_request = 1;
	snprintf(req.method, sizeof req.method, "GET");
	snprintf(req.target, sizeof req.target, "/chat");
	snprintf(req.host, sizeof req.host, "example.com");
	snprintf(req.user_agent, sizeof req.user_agent, "evil\x1b]2;pwn\x07");
	snprintf(req.ws_version, sizeof req.ws_version, "13");
	memset(&resp, 0, sizeof resp);
	resp.status = 101;
	snprintf(resp.server, sizeof resp.server, "test-server");
	memset(&hs, 0, sizeof hs);
	hs.upgraded = 1;
	snprintf(hs.subprotocol, sizeof hs.subprotocol, "chat");
	snprintf(hs.extensions, sizeof hs.extensions, "permessage-deflate");
	memset(&cs, 0, sizeof cs);
	cs.id = 1;
	snprintf(cs.client, sizeof cs.client, "10.0.0.2:40000");
	snprintf(cs.server, sizeof cs.server, "10.0.0.1:8080");
	cs.first_ts.sec = 1700000000;
	cs.last_ts.sec = 1700000001;
	cs.first_pkt = 1;
	cs.last_pkt = 16;
	cs.websocket = cs.handshake_seen = 1;
	cs.request = &req;
	cs.response = &resp;
	cs.handshake = &hs;
	cs.extensions_state = "permessage-deflate";
	cs.bytes[0] = 2100;
	cs.bytes[1] = 40;
	cs.frames[0] = 3;
	cs.frames[1] = 1;
	cs.close_code[0] = 1000;
	cs.close_code[1] = 1009;
	memcpy(cs.close_reason[1], hostile, HOSTILE_LEN);
	cs.close_reason_len[1] = HOSTILE_LEN;
	cs.verdict = "1009";
	cs.tcp_end = "fin";
	cs.ended_by = ROLE_CLIENT;
	store_sink_ops.conn_end(s, &cs);

	put_frame(s, 2, ROLE_CLIENT, 0, 3, HOSTILE_LEN, 20, hostile,
	    HOSTILE_LEN, -1);
	memset(&m, 0, sizeof m);
	m.opcode = 3;
	m.frames = 1;
	m.wire_size = m.decoded_size = HOSTILE_LEN;
	m.first_pkt = 20;
	m.last_pkt = 21;
	m.prefix = hostile;
	m.prefix_len = HOSTILE_LEN;
	store_sink_ops.message(s, 2, ROLE_CLIENT, &m);
	put_frame(s, 2, ROLE_SERVER, 0, WS_OP_BINARY,
	    UINT64_C(0x8000000000000001), 22, NULL, 0, -1);
	memset(&fi, 0, sizeof fi);
	fi.conn_id = 2;
	fi.kind = FINDING_VIOLATION;
	fi.class = CLASS_1002;
	fi.code = 1002;
	fi.sender = ROLE_CLIENT;
	fi.rule = RULE_RESERVED_OPCODE;
	fi.packet = 20;
	fi.frame_index = 0;
	fi.limit_from_reason = -1;
	snprintf(fi.detail, sizeof fi.detail, "opcode 3");
	store_sink_ops.finding(s, &fi);
	memset(&fi, 0, sizeof fi);
	fi.conn_id = 2;
	fi.kind = FINDING_ABNORMAL;
	fi.class = CLASS_1006;
	fi.code = 1006;
	fi.sender = ROLE_SERVER;
	fi.rule = RULE_ABRUPT_RESET;
	fi.packet = 30;
	fi.frame_index = -1;
	fi.limit_from_reason = -1;
	store_sink_ops.finding(s, &fi);
	memset(&cs, 0, sizeof cs);
	cs.id = 2;
	snprintf(cs.client, sizeof cs.client, "[2001:db8::2]:40001");
	snprintf(cs.server, sizeof cs.server, "[2001:db8::1]:8080");
	cs.websocket = cs.midstream = 1;
	cs.extensions_state = "unknown";
	cs.close_code[0] = cs.close_code[1] = -1;
	cs.verdict = "1002";
	cs.tcp_end = "rst";
	cs.ended_by = ROLE_SERVER;
	cs.end_packet = 30;
	store_sink_ops.conn_end(s, &cs);

	memset(&sum, 0, sizeof sum);
	sum.packets = 30;
	sum.connections = sum.ws_connections = 2;
	sum.frames = 6;
	sum.findings = 4;
	sum.complete = complete;
	if (!complete)
		snprintf(sum.error, sizeof sum.error, "interrupted");
	assert_int_equal(store_sink_ops.capture_end(s, &sum), 0);
}

static struct store *
open_rw(const char *path)
{
	char          err[512];
	struct store *s = store_open(path, 0, err, sizeof err);

	if (s == NULL)
		fail_msg("store_open: %s", err);
	return s;
}

/*
 * The capture-end bounds pass reaches the store as finding_update: the row
 * of the finding sent with that update_slot takes the new numbers and text,
 * and no other row changes.
 */
static void
test_finding_update(void **state)
{
	struct tmp            *t = *state;
	struct store          *s = open_rw(t->db);
	struct capture_info    ci;
	struct capture_summary sum;
	struct finding         fi, up;
	struct conn_summary    cs;
	sqlite3               *db;

	memset(&ci, 0, sizeof ci);
	ci.path = ci.name = "u.pcap";
	memcpy(ci.sha256, sha_a, sizeof ci.sha256);
	assert_int_equal(store_sink_ops.capture_begin(s, &ci), 0);
	server_1009(&fi, 20, 18, 3, 79999);
	fi.limit_basis = LIMIT_BASIS_PAYLOAD;
	snprintf(fi.detail, sizeof fi.detail, "between 5 and 79999");
	fi.update_slot = 1;
	up = fi;
	store_sink_ops.finding(s, &fi);
	/* Another close of the same connection, with no slot. */
	fi.update_slot = 0;
	fi.sender = ROLE_CLIENT;
	fi.packet = 21;
	store_sink_ops.finding(s, &fi);
	memset(&cs, 0, sizeof cs);
	cs.id = 1;
	cs.extensions_state = "none";
	cs.close_code[0] = cs.close_code[1] = 1009;
	cs.verdict = "1009";
	cs.tcp_end = "fin";
	cs.ended_by = ROLE_SERVER;
	store_sink_ops.conn_end(s, &cs);
	up.limit_min = 65000;
	up.limit_max = 65535;
	up.offending_packet = 16;
	up.offending_frame_index = 2;
	up.remedy_limit = 65000;
	up.remedy_source = LIMIT_SRC_TAKEN;
	snprintf(up.detail, sizeof up.detail, "between 65000 and 65535");
	snprintf(up.remedy, sizeof up.remedy, "keep messages to 65000 bytes");
	snprintf(up.matching_profiles, sizeof up.matching_profiles, "netty");
	store_sink_ops.finding_update(s, &up);
	memset(&sum, 0, sizeof sum);
	sum.complete = 1;
	assert_int_equal(store_sink_ops.capture_end(s, &sum), 0);
	db = store_db(s);
	assert_int_equal(q_int(db, "SELECT count(*) FROM findings WHERE"
	    " sender = 'server' AND limit_min = 65000 AND limit_max = 65535"
	    " AND offending_packet = 16 AND offending_frame_index = 2 AND"
	    " detail = 'between 65000 and 65535' AND remedy_limit = 65000 AND"
	    " remedy_source = 'taken' AND limit_basis = 'payload' AND"
	    " matching_profiles = 'netty' AND"
	    " remedy = 'keep messages to 65000 bytes'"), 1);
	assert_int_equal(q_int(db, "SELECT count(*) FROM findings WHERE"
	    " sender = 'client' AND limit_min = 5 AND offending_packet = 18"
	    " AND detail = 'between 5 and 79999'"), 1);
	store_close(s);
}

static void
test_views(void **state)
{
	static const char *const findings_cols[] = {
		"capture", "connection_id", "client", "server", "kind", "class",
		"code", "sender", "rule", "packet", "frame_index", "time",
		"explanation", "offending_packet", "offending_frame_index",
		"offending_sender", "offending_rule", "limit_min", "limit_max",
		"matching_profiles", NULL
	};
	static const char *const frames_cols[] = {
		"connection_id", "direction", "frame_index", "packet",
		"last_packet", "time", "fin", "rsv", "opcode", "masked",
		"payload_length", "close_code", NULL
	};
	static const char *const conn_cols[] = {
		"connection_id", "capture", "client", "server", "first_time",
		"last_time", "host", "path", "subprotocol", "extensions",
		"frames", "bytes", "close_client", "close_server", "verdict",
		"ended_by", NULL
	};
	struct tmp   *t = *state;
	struct store *s;
	sqlite3      *db;
	char          buf[512], err[256];

	s = open_rw(t->db);
	put_capture(s, "a.pcap", sha_a, 1);
	store_close(s);

	s = store_open(t->db, 1, err, sizeof err);
	assert_non_null(s);
	db = store_db(s);
	check_columns(db, "findings", findings_cols);
	check_columns(db, "frames", frames_cols);
	check_columns(db, "connections", conn_cols);
	assert_int_equal(q_int(db, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_int_equal(q_int(db, "PRAGMA application_id"),
	    STORE_APPLICATION_ID);
	assert_string_equal(q_text(db, "PRAGMA journal_mode", buf, sizeof buf),
	    "wal");

	assert_int_equal(q_int(db, "SELECT count(*) FROM captures WHERE"
	    " complete = 1 AND capture = 'a.pcap' AND connections = 2"), 1);
	assert_int_equal(q_int(db, "SELECT count(*) FROM connections"), 2);
	assert_int_equal(q_int(db, "SELECT count(*) FROM frames"), 6);
	assert_int_equal(q_int(db, "SELECT count(*) FROM messages"), 3);
	assert_int_equal(q_int(db, "SELECT count(*) FROM findings"), 4);
	assert_int_equal(q_int(db, "SELECT count(*) FROM closes"), 2);

	/* The 1009 close and its offending frame. */
	assert_int_equal(q_int(db, "SELECT count(*) FROM findings WHERE"
	    " class = '1009' AND kind = 'close' AND code = 1009 AND"
	    " sender = 'server' AND connection_id = 1 AND packet = 12 AND"
	    " offending_packet = 10 AND offending_frame_index = 1 AND"
	    " offending_sender = 'client' AND"
	    " offending_rule = 'message-too-big' AND limit_min = 5 AND"
	    " limit_max = 1999 AND matching_profiles = 'coder-websocket' AND"
	    " client = '10.0.0.2:40000' AND server = '10.0.0.1:8080' AND"
	    " capture = 'a.pcap' AND rule IS NULL AND answered = 0 AND"
	    " section = 'RFC 6455 7.4.1' AND cause IS NOT NULL"), 1);
	/* The remedy carries the connection's own number. */
	q_text(db, "SELECT remedy FROM findings WHERE class = '1009'", buf,
	    sizeof buf);
	assert_non_null(strstr(buf, "keep messages to 5 bytes"));
	/* A violation without a close: its explanation is the rule's. */
	q_text(db, "SELECT explanation FROM findings WHERE"
	    " rule = 'reserved-opcode'", buf, sizeof buf);
	assert_non_null(strstr(buf, "reserved opcode"));
	assert_int_equal(q_int(db, "SELECT count(*) FROM findings WHERE"
	    " rule = 'abrupt-reset' AND kind = 'abnormal' AND class = '1006'"
	    " AND sender = 'server' AND packet = 30 AND frame_index IS NULL"
	    " AND client = '[2001:db8::2]:40001'"), 1);

	/* Frames: header fields, raw header, mask key, 64-bit lengths. */
	assert_int_equal(q_int(db, "SELECT count(*) FROM frames WHERE"
	    " connection_id = 1 AND direction = 'client' AND frame_index = 1"
	    " AND packet = 10 AND last_packet = 11 AND fin = 1 AND rsv = 0 AND"
	    " opcode = 2 AND masked = 1 AND payload_length = 2000 AND"
	    " close_code IS NULL AND mask_key = 16909060 AND header_length = 8"
	    " AND hex(header) = '82FE07D001020304' AND \"offset\" = 100 AND"
	    " payload_prefix = CAST('abcdef' AS BLOB) AND"
	    " time_text = '1700000000.123456799'"), 1);
	assert_int_equal(q_int(db, "SELECT count(*) FROM frames WHERE"
	    " connection_id = 2 AND direction = 'server' AND"
	    " payload_length > 9.2e18"), 1);
	assert_int_equal(q_int(db, "SELECT count(*) FROM frames WHERE"
	    " direction = 'server' AND close_code = 1009 AND masked = 0 AND"
	    " mask_key IS NULL"), 1);

	/* Connections: handshake fields, escaped header text. */
	assert_int_equal(q_int(db, "SELECT count(*) FROM connections WHERE"
	    " connection_id = 1 AND host = 'example.com' AND path = '/chat'"
	    " AND subprotocol = 'chat' AND extensions = 'permessage-deflate'"
	    " AND frames = 4 AND bytes = 2140 AND close_client = 1000 AND"
	    " close_server = 1009 AND verdict = '1009' AND ended_by = 'client'"
	    " AND status = 101 AND accept_ok = 1 AND handshake_seen = 1 AND"
	    " server_header = 'test-server' AND capture = 'a.pcap'"), 1);
	q_text(db, "SELECT user_agent FROM connections WHERE"
	    " connection_id = 1", buf, sizeof buf);
	assert_string_equal(buf, "evil\\x1b]2;pwn\\x07");
	assert_int_equal(q_int(db, "SELECT count(*) FROM connections WHERE"
	    " connection_id = 2 AND host IS NULL AND midstream = 1 AND"
	    " close_client IS NULL AND ended_by = 'server' AND"
	    " tcp_end = 'rst' AND accept_ok IS NULL"), 1);
	store_close(s);
}

/* Hostile bytes come back exactly as BLOBs, and escaped as TEXT. */
static void
test_hostile_bytes(void **state)
{
	struct tmp   *t = *state;
	struct store *s;
	sqlite3      *db;
	sqlite3_stmt *st;
	char          buf[256];
	static const char *const blobs[] = {
		"SELECT close_reason_raw FROM frames WHERE close_code = 1009",
		"SELECT reason_raw FROM findings WHERE class = '1009'",
		"SELECT payload_prefix FROM frames WHERE opcode = 3",
	};
	size_t        i;

	s = open_rw(t->db);
	put_capture(s, "a.pcap", sha_a, 1);
	db = store_db(s);
	for (i = 0; i < sizeof blobs / sizeof blobs[0]; i++) {
		assert_int_equal(sqlite3_prepare_v2(db, blobs[i], -1, &st,
		    NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_int_equal(sqlite3_column_type(st, 0), SQLITE_BLOB);
		assert_int_equal(sqlite3_column_bytes(st, 0), HOSTILE_LEN);
		assert_memory_equal(sqlite3_column_blob(st, 0), hostile,
		    HOSTILE_LEN);
		sqlite3_finalize(st);
	}
	q_text(db, "SELECT reason FROM findings WHERE class = '1009'", buf,
	    sizeof buf);
	assert_string_equal(buf, "too \\x1b[31mbig\\x00\\xff\\xc3(");
	q_text(db, "SELECT close_reason FROM frames WHERE close_code = 1009",
	    buf, sizeof buf);
	assert_string_equal(buf, "too \\x1b[31mbig\\x00\\xff\\xc3(");
	/* The connection keeps the whole reason, NUL and all, escaped. */
	q_text(db, "SELECT close_reason_server FROM connections WHERE"
	    " connection_id = 1", buf, sizeof buf);
	assert_string_equal(buf, "too \\x1b[31mbig\\x00\\xff\\xc3(");
	/* An empty close reason is an empty BLOB, not NULL. */
	assert_int_equal(q_int(db, "SELECT count(*) FROM frames WHERE"
	    " close_code = 1000 AND close_reason_raw = x''"), 1);
	store_close(s);
}

/* The same file again replaces; another file adds, ids stay unique. */
static void
test_replace_and_merge(void **state)
{
	struct tmp   *t = *state;
	struct store *s;
	sqlite3      *db;
	sqlite3_stmt *st;

	s = open_rw(t->db);
	put_capture(s, "a.pcap", sha_a, 1);
	put_capture(s, "a-again.pcap", sha_a, 1);
	db = store_db(s);
	assert_int_equal(q_int(db, "SELECT count(*) FROM captures"), 1);
	assert_int_equal(q_int(db, "SELECT count(*) FROM captures WHERE"
	    " capture = 'a-again.pcap'"), 1);
	assert_int_equal(q_int(db, "SELECT count(*) FROM connections"), 2);
	assert_int_equal(q_int(db, "SELECT count(*) FROM frames"), 6);
	assert_int_equal(q_int(db, "SELECT count(*) FROM messages"), 3);
	assert_int_equal(q_int(db, "SELECT count(*) FROM findings"), 4);
	/* Ids are never reused within one run of replacements. */
	assert_int_equal(q_int(db, "SELECT min(connection_id) FROM"
	    " connections"), 3);
	assert_int_equal(q_int(db, "SELECT count(*) FROM frames WHERE"
	    " connection_id IN (3, 4)"), 6);
	store_close(s);

	s = open_rw(t->db);
	put_capture(s, "b.pcap", sha_b, 1);
	db = store_db(s);
	assert_int_equal(q_int(db, "SELECT count(*) FROM captures WHERE"
	    " complete = 1"), 2);
	assert_int_equal(q_int(db, "SELECT count(*) FROM connections"), 4);
	assert_int_equal(q_int(db, "SELECT count(DISTINCT connection_id) FROM"
	    " connections"), 4);
	assert_int_equal(q_int(db, "SELECT count(*) FROM findings f JOIN"
	    " connections c USING (connection_id) WHERE"
	    " f.capture = c.capture"), 8);
	assert_int_equal(q_int(db, "SELECT count(*) FROM findings WHERE"
	    " capture = 'b.pcap' AND connection_id IN (5, 6)"), 4);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA foreign_key_check",
	    -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	store_close(s);
}

static void
test_refusals(void **state)
{
	struct tmp   *t = *state;
	struct store *s;
	sqlite3      *db;
	char          err[512], path[160];
	FILE         *f;

	/* Not SQLite at all. */
	snprintf(path, sizeof path, "%s/notes.txt", t->dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("these are my notes, not a database\n", f);
	fclose(f);
	assert_null(store_open(path, 0, err, sizeof err));
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "not a SQLite database"));
	assert_null(store_open(path, 1, err, sizeof err));
	assert_non_null(strstr(err, "not a SQLite database"));

	/* SQLite, but another program's: refused and left as it was. */
	snprintf(path, sizeof path, "%s/other.db", t->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE mine (x);", NULL, NULL,
	    NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_null(store_open(path, 0, err, sizeof err));
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "another program"));
	assert_null(store_open(path, 1, err, sizeof err));
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(q_int(db, "SELECT count(*) FROM sqlite_master"), 1);
	assert_string_equal(q_text(db, "PRAGMA journal_mode", err, sizeof err),
	    "delete");
	sqlite3_close(db);

	/* Ours, but another schema version. */
	s = open_rw(t->db);
	store_close(s);
	assert_int_equal(sqlite3_open(t->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL,
	    NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_null(store_open(t->db, 0, err, sizeof err));
	assert_non_null(strstr(err, "schema version 99"));
	assert_null(store_open(t->db, 1, err, sizeof err));
	assert_non_null(strstr(err, t->db));

	/* Unwritable and missing paths. */
	assert_null(store_open("/nonexistent-wsa-dir/x.db", 0, err,
	    sizeof err));
	assert_non_null(strstr(err, "/nonexistent-wsa-dir/x.db"));
	snprintf(path, sizeof path, "%s/missing.db", t->dir);
	assert_null(store_open(path, 1, err, sizeof err));
	assert_non_null(strstr(err, path));
	assert_int_equal(access(path, F_OK), -1);   /* readonly creates nothing */
	if (geteuid() != 0) {
		snprintf(path, sizeof path, "%s/ro.db", t->dir);
		s = open_rw(path);
		store_close(s);
		assert_int_equal(chmod(path, 0444), 0);
		assert_null(store_open(path, 0, err, sizeof err));
		assert_non_null(strstr(err, "not writable"));
	}
	/* An empty file opened for reading is not a wsautopsy database. */
	snprintf(path, sizeof path, "%s/empty.db", t->dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	assert_null(store_open(path, 1, err, sizeof err));
	assert_non_null(strstr(err, path));
}

/* The whole file in *buf (malloc'd); its length. */
static size_t
file_read(const char *path, char **buf)
{
	FILE  *f = fopen(path, "rb");
	long   n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	assert_true((n = ftell(f)) > 0);
	rewind(f);
	*buf = malloc((size_t)n);
	assert_non_null(*buf);
	assert_int_equal(fread(*buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return (size_t)n;
}

/*
 * One database of tests/db: opened read-only (as report and browse do) it
 * reads as the current schema from a copy in memory and the file stays as
 * it was; opened for writing it is upgraded in place.
 */
static void
check_old_db(struct tmp *t, const char *old)
{
	struct store *s;
	sqlite3      *db;
	FILE         *f;
	char         *orig, *now, sql[1100], buf[256];
	size_t        len, nowlen;
	int64_t       findings, frames;

	len = file_read(old, &orig);
	f = fopen(t->db, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(orig, 1, len, f), len);
	fclose(f);
	snprintf(sql, sizeof sql, "file:%s?immutable=1", old);
	assert_int_equal(sqlite3_open_v2(sql, &db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_URI, NULL), SQLITE_OK);
	findings = q_int(db, "SELECT count(*) FROM finding_t");
	frames = q_int(db, "SELECT count(*) FROM frame_t");
	assert_true(q_int(db, "PRAGMA user_version") <= STORE_SCHEMA_VERSION);
	sqlite3_close(db);
	assert_true(findings > 0);

	s = store_open(t->db, 1, buf, sizeof buf);
	if (s == NULL)
		fail_msg("%s: %s", old, buf);
	db = store_db(s);
	assert_int_equal(q_int(db, "PRAGMA user_version"),
	    STORE_SCHEMA_VERSION);
	/* In memory: the main database has no file. */
	assert_string_equal(q_text(db, "SELECT file FROM pragma_database_list"
	    " WHERE name = 'main'", buf, sizeof buf), "");
	/* The columns the earlier releases lacked (these prepare only then). */
	assert_int_equal(q_int(db, "SELECT count(*) FROM (SELECT client_stack,"
	    " server_stack FROM findings)"), findings);
	assert_int_equal(q_int(db, "SELECT count(packets) FROM frames"),
	    frames);
	assert_int_equal(q_int(db, "SELECT count(*) FROM (SELECT headers_cut,"
	    " client_stack_evidence FROM connections)"),
	    q_int(db, "SELECT count(*) FROM connection_t"));
	assert_int_equal(q_int(db, "SELECT count(*) FROM (SELECT cap_inflate,"
	    " unchecked, unchecked_bytes FROM captures)"),
	    q_int(db, "SELECT count(*) FROM capture_t"));
	store_close(s);
	nowlen = file_read(t->db, &now);
	assert_int_equal(nowlen, len);
	assert_memory_equal(now, orig, len);
	free(now);
	free(orig);

	/* For writing: upgraded in place, then read without a copy. */
	s = open_rw(t->db);
	assert_int_equal(q_int(store_db(s), "PRAGMA user_version"),
	    STORE_SCHEMA_VERSION);
	store_close(s);
	s = store_open(t->db, 1, buf, sizeof buf);
	assert_non_null(s);
	assert_string_not_equal(q_text(store_db(s), "SELECT file FROM"
	    " pragma_database_list WHERE name = 'main'", buf, sizeof buf), "");
	assert_int_equal(q_int(store_db(s), "SELECT count(*) FROM findings"),
	    findings);
	store_close(s);
	store_unlink(t->db);
}

/* Every database of tests/db (its README says how each was made). */
static void
test_old_databases(void **state)
{
	struct tmp    *t = *state;
	const char    *top = getenv("top_srcdir");
	char           dir[512], path[1024];
	struct dirent *e;
	DIR           *d;
	size_t         n;
	int            seen = 0;

	if (top == NULL)
		skip();
	snprintf(dir, sizeof dir, "%s/tests/db", top);
	assert_non_null(d = opendir(dir));
	while ((e = readdir(d)) != NULL) {
		n = strlen(e->d_name);
		if (n < 4 || strcmp(e->d_name + n - 3, ".db") != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		check_old_db(t, path);
		seen++;
	}
	closedir(d);
	assert_true(seen > 0);
}

/* A second writer while one capture's transaction is open. */
static void
test_busy(void **state)
{
	struct tmp         *t = *state;
	struct store       *a, *b;
	struct capture_info ci;
	struct capture_summary sum;
	char                err[512];

	a = open_rw(t->db);
	memset(&ci, 0, sizeof ci);
	ci.name = ci.path = "busy.pcap";
	memcpy(ci.sha256, sha_b, sizeof ci.sha256);
	assert_int_equal(store_sink_ops.capture_begin(a, &ci), 0);
	b = store_open(t->db, 0, err, sizeof err);
	assert_null(b);
	assert_non_null(strstr(err, "in use by another wsautopsy run"));
	assert_non_null(strstr(err, t->db));
	/* Readers are not blocked by the writer. */
	b = store_open(t->db, 1, err, sizeof err);
	assert_non_null(b);
	assert_int_equal(q_int(store_db(b), "SELECT count(*) FROM captures"
	    " WHERE complete = 0"), 1);
	store_close(b);
	memset(&sum, 0, sizeof sum);
	sum.complete = 1;
	assert_int_equal(store_sink_ops.capture_end(a, &sum), 0);
	store_close(a);
}

/* Stopped early: what was read stays, marked incomplete. Killed: nothing
 * but the captures row, and the earlier capture is untouched. */
static void
test_incomplete(void **state)
{
	struct tmp         *t = *state;
	struct store       *s;
	struct capture_info ci;
	struct capture_summary sum;
	struct finding      fi;
	sqlite3            *db;
	char                buf[256];

	s = open_rw(t->db);
	put_capture(s, "a.pcap", sha_a, 1);

	memset(&ci, 0, sizeof ci);
	ci.name = ci.path = "cut.pcap";
	memcpy(ci.sha256, sha_b, sizeof ci.sha256);
	assert_int_equal(store_sink_ops.capture_begin(s, &ci), 0);
	put_frame(s, 1, ROLE_CLIENT, 0, WS_OP_TEXT, 2, 3,
	    (const uint8_t *)"hi", 2, -1);
	memset(&fi, 0, sizeof fi);
	fi.conn_id = 1;
	fi.kind = FINDING_CAPTURE;
	fi.class = CLASS_CAPTURE;
	fi.code = -1;
	fi.sender = -1;
	fi.rule = RULE_CAPTURE_GAP;
	fi.frame_index = -1;
	fi.limit_from_reason = -1;
	store_sink_ops.finding(s, &fi);
	/* No conn_end: the analysis was interrupted. */
	memset(&sum, 0, sizeof sum);
	sum.complete = 0;
	snprintf(sum.error, sizeof sum.error, "interrupted (SIGINT)");
	assert_int_equal(store_sink_ops.capture_end(s, &sum), 0);
	db = store_db(s);
	assert_int_equal(q_int(db, "SELECT count(*) FROM captures WHERE"
	    " capture = 'cut.pcap' AND complete = 0"), 1);
	assert_string_equal(q_text(db, "SELECT error FROM captures WHERE"
	    " capture = 'cut.pcap'", buf, sizeof buf), "interrupted (SIGINT)");
	assert_int_equal(q_int(db, "SELECT count(*) FROM connections WHERE"
	    " capture = 'cut.pcap' AND tcp_end = 'not-ended'"), 1);
	assert_int_equal(q_int(db, "SELECT count(*) FROM frames f JOIN"
	    " connections c USING (connection_id) WHERE"
	    " c.capture = 'cut.pcap'"), 1);
	assert_int_equal(q_int(db, "SELECT count(*) FROM findings WHERE"
	    " capture = 'cut.pcap' AND rule = 'capture-gap'"), 1);

	/* Killed: capture_begin and frames, then the process is gone. */
	memset(&ci, 0, sizeof ci);
	ci.name = ci.path = "killed.pcap";
	memcpy(ci.sha256, sha_a, sizeof ci.sha256);
	assert_int_equal(store_sink_ops.capture_begin(s, &ci), 0);
	put_frame(s, 1, ROLE_CLIENT, 0, WS_OP_TEXT, 2, 3,
	    (const uint8_t *)"hi", 2, -1);
	store_close(s);
	s = open_rw(t->db);
	db = store_db(s);
	assert_int_equal(q_int(db, "SELECT count(*) FROM captures WHERE"
	    " capture = 'killed.pcap' AND complete = 0"), 1);
	/* The earlier analysis of the same file is still there, whole. */
	assert_int_equal(q_int(db, "SELECT count(*) FROM captures WHERE"
	    " capture = 'a.pcap' AND complete = 1"), 1);
	assert_int_equal(q_int(db, "SELECT count(*) FROM findings WHERE"
	    " capture = 'a.pcap'"), 4);
	assert_int_equal(q_int(db, "SELECT count(*) FROM frames"), 7);
	assert_string_equal(q_text(db, "PRAGMA integrity_check", buf,
	    sizeof buf), "ok");
	/* Analysing it again replaces both rows of that file. */
	put_capture(s, "a.pcap", sha_a, 1);
	assert_int_equal(q_int(db, "SELECT count(*) FROM captures WHERE"
	    " sha256 = '" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "'"), 1);
	store_close(s);
}

static char *
run_report(struct store *s, const struct report_opts *o, int *status)
{
	FILE  *f = tmpfile();
	char  *buf;
	long   len;

	assert_non_null(f);
	*status = report_run(s, o, f);
	len = ftell(f);
	assert_true(len >= 0);
	buf = calloc(1, (size_t)len + 1);
	rewind(f);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	return buf;
}

static const char *
json_skip_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	while (*p != '"') {
		if (*p == '\0' || (unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\') {
			if (p[1] == 'u') {
				size_t k;

				for (k = 2; k < 6; k++)
					if (strchr("0123456789abcdefABCDEF",
					    p[k]) == NULL || p[k] == '\0')
						return NULL;
				p += 6;
				continue;
			}
			if (p[1] == '\0' || strchr("\"\\/bfnrt", p[1]) == NULL)
				return NULL;
			p += 2;
			continue;
		}
		p++;
	}
	return p + 1;
}

static const char *
json_skip_value(const char *p)
{
	const char *q;

	if (*p == '"')
		return json_skip_string(p);
	if (strncmp(p, "null", 4) == 0)
		return p + 4;
	q = p;
	if (*q == '-')
		q++;
	if (*q < '0' || *q > '9')
		return NULL;
	while ((*q >= '0' && *q <= '9') || *q == '.' || *q == 'e' ||
	    *q == 'E' || *q == '+' || *q == '-')
		q++;
	return q;
}

/* A flat JSON object on one line (what report --format jsonl writes). */
static int
json_line_valid(const char *p)
{
	if (*p++ != '{')
		return 0;
	if (*p == '}')
		return p[1] == '\0';
	for (;;) {
		if ((p = json_skip_string(p)) == NULL || *p++ != ':')
			return 0;
		if ((p = json_skip_value(p)) == NULL)
			return 0;
		if (*p == '}')
			return p[1] == '\0';
		if (*p++ != ',')
			return 0;
	}
}

static void
test_report(void **state)
{
	static const char *const keys[] = {
		"capture", "connection_id", "client", "server", "kind", "class",
		"code", "sender", "rule", "packet", "frame_index", "time",
		"explanation", "offending_packet", "offending_frame_index",
		"offending_sender", "offending_rule", "limit_min", "limit_max",
		"matching_profiles", NULL
	};
	struct tmp        *t = *state;
	struct store      *s;
	struct report_opts o;
	char              *out, *line, *save, key[64], err[256];
	int                status, lines, i;
	FILE              *py;

	s = open_rw(t->db);
	put_capture(s, "a.pcap", sha_a, 1);
	store_close(s);
	s = store_open(t->db, 1, err, sizeof err);
	assert_non_null(s);

	report_opts_default(&o);
	o.color = 0;
	out = run_report(s, &o, &status);
	assert_int_equal(status, EXIT_OK);
	assert_null(strchr(out, '\033'));
	assert_non_null(strstr(out, "capture a.pcap: 2 connections"));
	assert_non_null(strstr(out, "10.0.0.1:8080"));
	assert_non_null(strstr(out, "server sent 1009 \"too \\x1b[31mbig"));
	/* The offending frame: packet, header bytes, rule, limit. */
	assert_non_null(strstr(out, "client frame 1, packet 10"));
	assert_non_null(strstr(out, "82 fe 07 d0 01 02 03 04"));
	assert_non_null(strstr(out, "message-too-big"));
	assert_non_null(strstr(out, "between 5 and 1999 bytes"));
	assert_non_null(strstr(out, "consistent with coder-websocket"));
	assert_non_null(strstr(out, "reserved-opcode by client"));
	assert_non_null(strstr(out, "detail     opcode 3"));
	assert_non_null(strstr(out, "abrupt-reset"));
	/* Normal closes are counted, not told as incidents. */
	assert_null(strstr(out, "== normal"));
	free(out);

	o.color = 1;
	out = run_report(s, &o, &status);
	assert_non_null(strstr(out, "\033[1;31m1009\033[0m"));
	free(out);
	o.color = 0;

	o.format = REPORT_JSONL;
	out = run_report(s, &o, &status);
	assert_int_equal(status, EXIT_OK);
	lines = 0;
	for (line = strtok_r(out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		assert_true(json_line_valid(line));
		for (i = 0; keys[i] != NULL; i++) {
			snprintf(key, sizeof key, "\"%s\":", keys[i]);
			assert_non_null(strstr(line, key));
		}
		lines++;
	}
	assert_int_equal(lines, 4);
	free(out);
	out = run_report(s, &o, &status);
	assert_non_null(strstr(out, "\"reason\":\"too \\\\x1b[31mbig"));
	assert_non_null(strstr(out, "\"sender\":\"server\""));
	assert_non_null(strstr(out, "\"limit_max\":1999"));
	/* Cross-check with a real JSON parser when one is at hand. */
	if (system("python3 -c 'import json' 2>/dev/null") == 0) {
		py = popen("python3 -c 'import json,sys;"
		    " [json.loads(l) for l in sys.stdin]'", "w");
		assert_non_null(py);
		fputs(out, py);
		assert_int_equal(pclose(py), 0);
	}
	free(out);

	o.classes = "1009";
	out = run_report(s, &o, &status);
	assert_int_equal(strchr(out, '\n') - out + 1, (long)strlen(out));
	assert_non_null(strstr(out, "\"class\":\"1009\""));
	free(out);
	o.classes = NULL;
	o.connection_id = 2;
	out = run_report(s, &o, &status);
	for (lines = 0, line = out; (line = strchr(line, '\n')) != NULL;
	    line++)
		lines++;
	assert_int_equal(lines, 2);
	free(out);
	o.connection_id = -1;
	o.capture = "b.pcap";
	out = run_report(s, &o, &status);
	assert_string_equal(out, "");
	free(out);
	o.capture = NULL;

	o.format = REPORT_CSV;
	out = run_report(s, &o, &status);
	assert_true(strncmp(out, "capture,connection_id,client,server,kind,"
	    "class,code,sender,rule,packet,frame_index,time,explanation,"
	    "offending_packet,offending_frame_index,offending_sender,"
	    "offending_rule,limit_min,limit_max,matching_profiles,",
	    strlen("capture,connection_id,client,server,kind,"
	    "class,code,sender,rule,packet,frame_index,time,explanation,"
	    "offending_packet,offending_frame_index,offending_sender,"
	    "offending_rule,limit_min,limit_max,matching_profiles,")) == 0);
	for (lines = 0, line = out; (line = strstr(line, "\r\n")) != NULL;
	    line += 2)
		lines++;
	assert_int_equal(lines, 5);
	assert_null(strchr(out, '\033'));
	assert_non_null(strstr(out, "a.pcap,1,10.0.0.2:40000,10.0.0.1:8080,"
	    "close,1009,1009,server,,12,0,"));
	free(out);

	/* --fail-on: 3 when findings of those classes exist. */
	o.format = REPORT_JSONL;
	o.fail_on = "1007, 1002";
	free(run_report(s, &o, &status));
	assert_int_equal(status, EXIT_FINDINGS);
	o.fail_on = "1007,handshake";
	free(run_report(s, &o, &status));
	assert_int_equal(status, EXIT_OK);
	o.fail_on = "1002";
	o.connection_id = 1;
	free(run_report(s, &o, &status));
	assert_int_equal(status, EXIT_OK);
	store_close(s);

	assert_int_equal(report_classes_check("1009, normal", key, sizeof key),
	    0);
	assert_int_equal(report_classes_check("1009,bogus", key, sizeof key),
	    -1);
	assert_string_equal(key, "bogus");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_finding_update, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(test_views, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(test_hostile_bytes, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(test_replace_and_merge,
		    tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_refusals, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(test_busy, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(test_incomplete, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(test_report, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(test_old_databases, tmp_setup,
		    tmp_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
