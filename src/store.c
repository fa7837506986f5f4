/*
 * store: the SQLite database as a sink.
 *
 * Invariants:
 * - One capture is one transaction. capture_begin commits the captures row
 *   (complete = 0) on its own and opens the transaction; capture_end fills
 *   the row in and commits. Whatever kills the run in between, the
 *   database keeps what it had plus that one row.
 * - connection_id is unique in the whole database: the sink's connection
 *   numbers (1-based per capture) are offset by the largest id stored when
 *   the capture's transaction began (writers are serialised by it).
 * - Bytes from the wire reach SQLite only through bound parameters: exact
 *   bytes as BLOBs, and for display a TEXT column made by esc_wire()
 *   (valid UTF-8, no control characters).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"
#include "flags.h"
#include "rules.h"
#include "capture-set.h"
#include "store.h"
#include "store-migrate.h"

/* Bytes of escaped text kept for one display column. */
#define STORE_TEXT_MAX 8192

enum store_stmt {
	ST_FRAME, ST_MESSAGE, ST_FINDING, ST_UPDATE, ST_CONN, ST_LIMITS,
	ST__COUNT
};

struct store {
	sqlite3      *db;
	char         *path;
	int           readonly;
	sqlite3_stmt *st[ST__COUNT];
	int           in_capture;   /* the capture transaction is open */
	/* finding_id of each finding sent with an update_slot, by slot. */
	int64_t      *slots;
	size_t        nslots;
	int           failed;       /* a write of this capture failed */
	int64_t       capture_id;
	int64_t       conn_base;
	char          error[512];
	char          text[STORE_TEXT_MAX];
};

/* Binds values left to right; every value is bound, NULL included. */
struct store_bind {
	struct store *s;
	sqlite3_stmt *st;
	int           i;
};

static int  store_may_write(const char *);
static int  store_precheck(const char *, int, char *, size_t);
static int  store_identity(sqlite3 *, int64_t *, int64_t *, int64_t *);
static int  store_check_identity(struct store *, int, int64_t *, char *,
		size_t);
static int  store_exec(struct store *, const char *);
static int  store_begin(struct store *);
static int  store_create(struct store *);
static int  store_copy_to_memory(struct store *, char *, size_t);
static int  store_prepare(struct store *);
static void store_fail(struct store *, const char *, ...)
		__attribute__((format(printf, 2, 3)));
static void store_step(struct store *, sqlite3_stmt *);
static void b_init(struct store_bind *, struct store *, sqlite3_stmt *);
static void b_null(struct store_bind *);
static void b_i64(struct store_bind *, int64_t);
static void b_u64(struct store_bind *, uint64_t);
static void b_opt(struct store_bind *, int, int64_t);
static void b_real(struct store_bind *, double);
static void b_raw_text(struct store_bind *, const char *);
static void b_text(struct store_bind *, const char *);
static void b_bytes_text(struct store_bind *, const void *, size_t);
static void b_blob(struct store_bind *, const void *, size_t);
static int  store_run(struct store *, const char *, const char *, int64_t,
		int64_t);
static int  store_late_sha(struct store *, const char *);
static int  store_delete_sha(struct store *, const char *);
static int  store_orphans(struct store *);
static int  store_cap_begin(void *, const struct capture_info *);
static void store_frame(void *, uint64_t, int, const struct ws_frame *);
static void store_message(void *, uint64_t, int, const struct ws_message *);
static void store_finding(void *, const struct finding *);
static void store_finding_update(void *, const struct finding *);
static void store_slot(struct store *, uint64_t, int64_t);
static void store_limits_row(void *, const struct limits_row *);
static void store_bind_limits(struct store_bind *, const struct finding *,
		int);
static void b_shown(struct store_bind *, const char *, int);
static void store_conn_end(void *, const struct conn_summary *);
static void store_headers_cut(struct store_bind *, const struct http_head *,
    const struct http_head *);
static int  store_cap_end(void *, const struct capture_summary *);
static int  store_cap_files(struct store *, const struct capture_summary *);
static int  store_cap_index(struct store *, const struct capture_set_info *);

const struct sink_ops store_sink_ops = {
	.capture_begin = store_cap_begin,
	.frame = store_frame,
	.message = store_message,
	.finding = store_finding,
	.conn_end = store_conn_end,
	.capture_end = store_cap_end,
	.finding_update = store_finding_update,
	.limits_row = store_limits_row,
};

/*
 * Tables are private; the views below them are the interface
 * (wsautopsy-db(5)). A change here bumps STORE_SCHEMA_VERSION and adds the
 * step that makes the new version to store_steps (store-migrate.c). Foreign keys to connection_t are deferred because a
 * connection's frames and findings arrive before the connection itself.
 * Frame rows stay narrow: flags packs fin (bit 0), rsv (bits 1-3), masked
 * (bit 4), truncated (bit 5) and non-minimal length (bit 6);
 * payload_length keeps all 64 bits of the wire value (two's complement).
 */
static const char store_tables[] =
"CREATE TABLE capture_t (\n"
"  capture_id INTEGER PRIMARY KEY,\n"
"  name TEXT NOT NULL, path TEXT, sha256 TEXT NOT NULL,\n"
"  size INTEGER, linktype INTEGER, analyzed_at TEXT NOT NULL,\n"
"  complete INTEGER NOT NULL DEFAULT 0, error TEXT, conn_base INTEGER,\n"
"  packets INTEGER, bytes INTEGER, tcp_packets INTEGER,\n"
"  fragments INTEGER, not_tcp INTEGER, short_packets INTEGER,\n"
"  malformed INTEGER, truncated_packets INTEGER, connections INTEGER,\n"
"  ws_connections INTEGER, frames INTEGER, messages INTEGER,\n"
"  findings INTEGER, gaps INTEGER, gap_bytes INTEGER, conflicts INTEGER,\n"
"  cap_flows INTEGER, cap_idle INTEGER, cap_ooo_dir INTEGER,\n"
"  cap_ooo_total INTEGER, peak_live INTEGER, peak_ooo_bytes INTEGER,\n"
"  cap_inflate INTEGER, unchecked INTEGER, unchecked_bytes INTEGER,\n"
"  cap_bounds INTEGER, options TEXT, packets_matched INTEGER,\n"
"  files INTEGER, duplicates INTEGER);\n"
"CREATE INDEX capture_sha256 ON capture_t(sha256);\n"
"CREATE TABLE connection_t (\n"
"  connection_id INTEGER PRIMARY KEY,\n"
"  capture_id INTEGER NOT NULL REFERENCES capture_t(capture_id)\n"
"    ON DELETE CASCADE,\n"
"  conn_no INTEGER NOT NULL, client TEXT, server TEXT,\n"
"  first_sec INTEGER, first_nsec INTEGER, last_sec INTEGER,\n"
"  last_nsec INTEGER, first_packet INTEGER, last_packet INTEGER,\n"
"  websocket INTEGER, handshake_seen INTEGER, midstream INTEGER,\n"
"  role_guessed INTEGER, method TEXT, path TEXT, host TEXT, origin TEXT,\n"
"  user_agent TEXT, ws_version TEXT, request_protocols TEXT,\n"
"  request_extensions TEXT, status INTEGER, status_reason TEXT,\n"
"  server_header TEXT, accept TEXT, accept_ok INTEGER, upgraded INTEGER,\n"
"  deflate INTEGER, subprotocol TEXT, extensions TEXT,\n"
"  extensions_state TEXT, handshake_issues TEXT,\n"
"  bytes_client INTEGER, bytes_server INTEGER, frames_client INTEGER,\n"
"  frames_server INTEGER, messages_client INTEGER,\n"
"  messages_server INTEGER, gaps_client INTEGER, gaps_server INTEGER,\n"
"  gap_bytes_client INTEGER, gap_bytes_server INTEGER,\n"
"  close_client INTEGER, close_server INTEGER, close_reason_client TEXT,\n"
"  close_reason_server TEXT, verdict TEXT, tcp_end TEXT,\n"
"  ended_by INTEGER, end_packet INTEGER, client_stack TEXT,\n"
"  server_stack TEXT, client_stack_evidence TEXT,\n"
"  server_stack_evidence TEXT, headers_cut TEXT, pings_client INTEGER,\n"
"  pings_server INTEGER, ping_answers_client INTEGER,\n"
"  ping_answers_server INTEGER, pings_unanswered_client INTEGER,\n"
"  pings_unanswered_server INTEGER, ping_rtt_min_client REAL,\n"
"  ping_rtt_min_server REAL, ping_rtt_median_client REAL,\n"
"  ping_rtt_median_server REAL, ping_rtt_max_client REAL,\n"
"  ping_rtt_max_server REAL, idle_before_end REAL,\n"
"  idle_data_before_end REAL, tls_version TEXT, tls_cipher TEXT,\n"
"  tls_sni TEXT, tls_alpn TEXT, tls_decrypted INTEGER, tls_keylog TEXT);\n"
"CREATE INDEX connection_capture ON connection_t(capture_id);\n"
"CREATE INDEX connection_verdict ON connection_t(verdict);\n"
"CREATE TABLE frame_t (\n"
"  connection_id INTEGER NOT NULL REFERENCES connection_t(connection_id)\n"
"    ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,\n"
"  direction INTEGER NOT NULL, frame_index INTEGER NOT NULL,\n"
"  packet INTEGER, last_packet INTEGER, t_sec INTEGER, t_nsec INTEGER,\n"
"  flags INTEGER NOT NULL, opcode INTEGER NOT NULL,\n"
"  payload_length INTEGER NOT NULL, seen_length INTEGER,\n"
"  message_id INTEGER, stream_offset INTEGER, mask_key INTEGER,\n"
"  header BLOB, payload_prefix BLOB, close_code INTEGER,\n"
"  close_reason BLOB, close_reason_text TEXT, packets TEXT,\n"
"  tls_records TEXT);\n"
"CREATE INDEX frame_order ON frame_t(connection_id, direction,\n"
"  frame_index);\n"
"CREATE INDEX frame_packet ON frame_t(packet);\n"
"CREATE TABLE message_t (\n"
"  connection_id INTEGER NOT NULL REFERENCES connection_t(connection_id)\n"
"    ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,\n"
"  direction INTEGER NOT NULL, message_id INTEGER NOT NULL,\n"
"  opcode INTEGER, flags INTEGER NOT NULL, utf8_valid INTEGER,\n"
"  utf8_error_at INTEGER, frames INTEGER, wire_size INTEGER,\n"
"  decoded_size INTEGER, first_packet INTEGER, last_packet INTEGER,\n"
"  first_frame INTEGER, last_frame INTEGER, t_sec INTEGER,\n"
"  t_nsec INTEGER, end_sec INTEGER, end_nsec INTEGER,\n"
"  payload_prefix BLOB);\n"
"CREATE INDEX message_order ON message_t(connection_id, direction,\n"
"  message_id);\n"
"CREATE TABLE finding_t (\n"
"  finding_id INTEGER PRIMARY KEY,\n"
"  capture_id INTEGER NOT NULL REFERENCES capture_t(capture_id)\n"
"    ON DELETE CASCADE,\n"
"  connection_id INTEGER REFERENCES connection_t(connection_id)\n"
"    ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,\n"
"  kind TEXT NOT NULL, class TEXT NOT NULL, code INTEGER,\n"
"  sender INTEGER, rule TEXT, packet INTEGER, frame_index INTEGER,\n"
"  t_sec INTEGER, t_nsec INTEGER, explanation TEXT, detail TEXT,\n"
"  reason BLOB, reason_text TEXT, answered INTEGER,\n"
"  offending_packet INTEGER, offending_frame_index INTEGER,\n"
"  offending_sender INTEGER, offending_rule TEXT, limit_min INTEGER,\n"
"  limit_max INTEGER, limit_from_reason INTEGER,\n"
"  matching_profiles TEXT, section TEXT, cause TEXT, remedy TEXT,\n"
"  remedy_limit INTEGER, remedy_source TEXT, limit_basis TEXT,\n"
"  tolerated_by TEXT);\n"
"CREATE INDEX finding_connection ON finding_t(connection_id, class);\n"
"CREATE INDEX finding_class ON finding_t(class, capture_id);\n"
"CREATE INDEX finding_capture ON finding_t(capture_id);\n";

/*
 * The views are recreated whole by every migration (store-migrate.c), so a
 * database written by an earlier release reads the same as a new one.
 */
/*
 * The files of a capture (one row for a single file) and, for a set of
 * more than one, the spans that map a packet's ordinal in the set back
 * to its file and its number there (capture-set.h). Created anew only
 * where missing: the migration to version 5 runs the same text.
 */
const char store_file_tables[] =
"CREATE TABLE IF NOT EXISTS capture_file_t (\n"
"  capture_id INTEGER NOT NULL REFERENCES capture_t(capture_id)\n"
"    ON DELETE CASCADE,\n"
"  file_index INTEGER NOT NULL, name TEXT NOT NULL, path TEXT,\n"
"  sha256 TEXT, size INTEGER, linktype INTEGER, first_sec INTEGER,\n"
"  first_nsec INTEGER, last_sec INTEGER, last_nsec INTEGER,\n"
"  first_packet INTEGER, packets INTEGER, error TEXT,\n"
"  PRIMARY KEY (capture_id, file_index)) WITHOUT ROWID;\n"
"CREATE TABLE IF NOT EXISTS capture_span_t (\n"
"  capture_id INTEGER NOT NULL REFERENCES capture_t(capture_id)\n"
"    ON DELETE CASCADE,\n"
"  ordinal INTEGER NOT NULL, file_index INTEGER NOT NULL,\n"
"  number INTEGER NOT NULL, count INTEGER NOT NULL,\n"
"  PRIMARY KEY (capture_id, ordinal)) WITHOUT ROWID;\n";

/*
 * The evidence of the capture-end bounds pass (size-limits.h): a row per
 * server (finding_id NULL) and per kept 1009 close, with the texts the
 * close was first stored with, so that merge runs the pass again over the
 * shards of a capture. Created anew only where missing: the migration to
 * version 6 runs the same text.
 */
const char store_limit_tables[] =
"CREATE TABLE IF NOT EXISTS limit_evidence_t (\n"
"  capture_id INTEGER NOT NULL REFERENCES capture_t(capture_id)\n"
"    ON DELETE CASCADE,\n"
"  finding_id INTEGER REFERENCES finding_t(finding_id) ON DELETE CASCADE,\n"
"  evidence TEXT NOT NULL, detail TEXT, matching_profiles TEXT,\n"
"  remedy TEXT);\n"
"CREATE INDEX IF NOT EXISTS limit_evidence_capture ON\n"
"  limit_evidence_t(capture_id);\n";

/*
 * Where a capture's packets are in its files: the offset of the record
 * of every CAPTURE_CHECKPOINT_EVERY-th packet of each file (capture.h),
 * so that whole payloads are read back from just the packets of a few
 * connections (full-payload.h). Created anew only where missing: the
 * migration to version 7 runs the same text.
 */
const char store_index_tables[] =
"CREATE TABLE IF NOT EXISTS packet_index_t (\n"
"  capture_id INTEGER NOT NULL REFERENCES capture_t(capture_id)\n"
"    ON DELETE CASCADE,\n"
"  file_index INTEGER NOT NULL, packet INTEGER NOT NULL,\n"
"  t_sec INTEGER NOT NULL, t_nsec INTEGER NOT NULL,\n"
"  file_offset INTEGER NOT NULL,\n"
"  PRIMARY KEY (capture_id, file_index, packet)) WITHOUT ROWID;\n";

/*
 * replay DB --to: one row per connection replayed, in its own short
 * transaction, so a replay never touches what analyze stored. Created
 * anew only where missing: the migration to version 8 runs the same text.
 */
const char store_replay_tables[] =
"CREATE TABLE IF NOT EXISTS replay_t (\n"
"  replay_id INTEGER PRIMARY KEY,\n"
"  capture_id INTEGER NOT NULL REFERENCES capture_t(capture_id)\n"
"    ON DELETE CASCADE,\n"
"  connection_id INTEGER, conn_no INTEGER NOT NULL,\n"
"  target TEXT NOT NULL, started_at TEXT NOT NULL,\n"
"  outcome TEXT NOT NULL CHECK (outcome IN ('reproduced',\n"
"    'not reproduced', 'different', 'error')),\n"
"  exit_status INTEGER NOT NULL, line TEXT, captured TEXT, error TEXT,\n"
"  recording TEXT, options TEXT);\n";

const char store_views[] =
"CREATE VIEW captures AS SELECT capture_id, name AS capture, path,\n"
"  sha256, size, linktype, analyzed_at, complete, error, packets, bytes,\n"
"  tcp_packets, fragments, not_tcp, short_packets, malformed,\n"
"  truncated_packets, connections, ws_connections, frames, messages,\n"
"  findings, gaps, gap_bytes, conflicts, cap_flows, cap_idle,\n"
"  cap_ooo_dir, cap_ooo_total, peak_live, peak_ooo_bytes, cap_inflate,\n"
"  unchecked, unchecked_bytes, cap_bounds, options, packets_matched,\n"
"  coalesce(files, 1) AS files, coalesce(duplicates, 0) AS duplicates\n"
"  FROM capture_t;\n"
"CREATE VIEW capture_files AS SELECT fl.capture_id, k.name AS capture,\n"
"  fl.file_index, fl.name AS file, fl.path, fl.sha256, fl.size,\n"
"  fl.linktype, fl.first_sec + fl.first_nsec / 1e9 AS first_time,\n"
"  fl.last_sec + fl.last_nsec / 1e9 AS last_time, fl.first_packet,\n"
"  fl.packets, fl.error\n"
"  FROM capture_file_t fl JOIN capture_t k ON k.capture_id = fl.capture_id;\n"
"CREATE VIEW packet_index AS SELECT x.capture_id, k.name AS capture,\n"
"  x.file_index, fl.name AS file, x.packet,\n"
"  x.t_sec + x.t_nsec / 1e9 AS time, x.file_offset,\n"
"  printf('%d.%09d', x.t_sec, x.t_nsec) AS time_text\n"
"  FROM packet_index_t x JOIN capture_t k ON k.capture_id = x.capture_id\n"
"  LEFT JOIN capture_file_t fl ON fl.capture_id = x.capture_id\n"
"  AND fl.file_index = x.file_index;\n"
"CREATE VIEW connections AS SELECT c.connection_id,\n"
"  k.name AS capture, c.client, c.server,\n"
"  c.first_sec + c.first_nsec / 1e9 AS first_time,\n"
"  c.last_sec + c.last_nsec / 1e9 AS last_time,\n"
"  c.host, c.path, c.subprotocol, c.extensions,\n"
"  c.frames_client + c.frames_server AS frames,\n"
"  c.bytes_client + c.bytes_server AS bytes,\n"
"  c.close_client, c.close_server, c.verdict,\n"
"  CASE c.ended_by WHEN 0 THEN 'client' WHEN 1 THEN 'server' END\n"
"    AS ended_by,\n"
"  c.capture_id, c.conn_no, k.name || ':' || c.conn_no AS address,\n"
"  " STORE_PACKET_AT("c.capture_id", "c.first_packet") " AS first_packet,\n"
"  " STORE_PACKET_AT("c.capture_id", "c.last_packet") " AS last_packet,\n"
"  c.close_reason_client, c.close_reason_server, c.tcp_end,\n"
"  " STORE_PACKET_AT("c.capture_id", "c.end_packet") " AS end_packet,\n"
"  c.websocket, c.handshake_seen, c.midstream,\n"
"  c.role_guessed, c.method, c.user_agent, c.origin, c.server_header,\n"
"  c.ws_version, c.request_protocols, c.request_extensions, c.status,\n"
"  c.status_reason, c.accept, c.accept_ok, c.upgraded, c.deflate,\n"
"  c.extensions_state, c.handshake_issues, c.bytes_client,\n"
"  c.bytes_server, c.frames_client, c.frames_server, c.messages_client,\n"
"  c.messages_server, c.gaps_client, c.gaps_server, c.gap_bytes_client,\n"
"  c.gap_bytes_server, c.client_stack, c.server_stack,\n"
"  c.client_stack_evidence, c.server_stack_evidence, c.headers_cut,\n"
"  c.pings_client, c.pings_server, c.ping_answers_client,\n"
"  c.ping_answers_server, c.pings_unanswered_client,\n"
"  c.pings_unanswered_server, c.ping_rtt_min_client,\n"
"  c.ping_rtt_min_server, c.ping_rtt_median_client,\n"
"  c.ping_rtt_median_server, c.ping_rtt_max_client,\n"
"  c.ping_rtt_max_server, c.idle_before_end, c.idle_data_before_end,\n"
"  c.tls_version, c.tls_cipher, c.tls_sni, c.tls_alpn, c.tls_decrypted,\n"
"  c.tls_keylog\n"
"  FROM connection_t c JOIN capture_t k ON k.capture_id = c.capture_id;\n"
"CREATE VIEW frames AS SELECT connection_id,\n"
"  CASE direction WHEN 0 THEN 'client' ELSE 'server' END AS direction,\n"
"  frame_index,\n"
"  " STORE_PACKET_AT(STORE_FRAME_CAPTURE, "frame_t.packet") " AS packet,\n"
"  " STORE_PACKET_AT(STORE_FRAME_CAPTURE, "frame_t.last_packet") " AS last_packet,\n"
"  t_sec + t_nsec / 1e9 AS time,\n"
"  flags & " FLAG_STR(FRAME_F_FIN) " AS fin, (flags >> " FLAG_STR(FRAME_B_RSV)
    ") & " FLAG_STR(FRAME_RSV_MASK) " AS rsv, opcode,\n"
"  (flags >> " FLAG_STR(FRAME_B_MASKED) ") & 1 AS masked,\n"
"  CASE WHEN payload_length < 0\n"
"    THEN payload_length + 18446744073709551616.0\n"
"    ELSE payload_length END AS payload_length,\n"
"  close_code, close_reason_text AS close_reason,\n"
"  close_reason AS close_reason_raw, message_id,\n"
"  stream_offset AS \"offset\", length(header) AS header_length, header,\n"
"  mask_key, coalesce(payload_prefix, (SELECT m.payload_prefix\n"
"    FROM message_t m WHERE m.connection_id = frame_t.connection_id\n"
"    AND m.direction = frame_t.direction\n"
"    AND m.message_id = frame_t.message_id)) AS payload_prefix,\n"
"  (flags >> " FLAG_STR(FRAME_B_TRUNCATED) ") & 1 AS truncated,\n"
"  seen_length, (flags >> " FLAG_STR(FRAME_B_NON_MINIMAL)
    ") & 1 AS non_minimal,\n"
"  coalesce(packets, " STORE_PACKET_AT(STORE_FRAME_CAPTURE, "frame_t.packet")
    ") AS packets,\n"
"  printf('%d.%09d', t_sec, t_nsec) AS time_text, tls_records\n"
"  FROM frame_t;\n"
"CREATE VIEW messages AS SELECT connection_id,\n"
"  CASE direction WHEN 0 THEN 'client' ELSE 'server' END AS direction,\n"
"  message_id, opcode, flags & " FLAG_STR(MSG_F_COMPRESSED)
    " AS compressed, utf8_valid,\n"
"  utf8_error_at, frames, wire_size, decoded_size,\n"
"  " STORE_PACKET_AT(STORE_MESSAGE_CAPTURE, "message_t.first_packet") " AS first_packet,\n"
"  " STORE_PACKET_AT(STORE_MESSAGE_CAPTURE, "message_t.last_packet") " AS last_packet,\n"
"  first_frame, last_frame, t_sec + t_nsec / 1e9 AS time,\n"
"  end_sec + end_nsec / 1e9 AS end_time, (flags >> "
    FLAG_STR(MSG_B_INCOMPLETE) ") & 1 AS incomplete,\n"
"  (flags >> " FLAG_STR(MSG_B_HEADLESS) ") & 1 AS headless, (flags >> "
    FLAG_STR(MSG_B_GAP) ") & 1 AS gap,\n"
"  (flags >> " FLAG_STR(MSG_B_UNDECODED) ") & 1 AS undecoded, (flags >> "
    FLAG_STR(MSG_B_TOO_BIG) ") & 1 AS too_big,\n"
"  (flags >> " FLAG_STR(MSG_B_INFLATE_CAPPED) ") & 1 AS inflate_capped,\n"
"  payload_prefix, printf('%d.%09d', t_sec, t_nsec) AS time_text\n"
"  FROM message_t;\n"
"CREATE VIEW findings AS SELECT k.name AS capture, f.connection_id,\n"
"  c.client, c.server, f.kind, f.class, f.code,\n"
"  CASE f.sender WHEN 0 THEN 'client' WHEN 1 THEN 'server' END\n"
"    AS sender,\n"
"  f.rule, " STORE_PACKET_AT("f.capture_id", "f.packet") " AS packet,\n"
"  f.frame_index, f.t_sec + f.t_nsec / 1e9 AS time,\n"
"  f.explanation,\n"
"  " STORE_PACKET_AT("f.capture_id", "f.offending_packet")
    " AS offending_packet,\n"
"  f.offending_frame_index,\n"
"  CASE f.offending_sender WHEN 0 THEN 'client' WHEN 1 THEN 'server'\n"
"    END AS offending_sender,\n"
"  f.offending_rule, f.limit_min, f.limit_max, f.matching_profiles,\n"
"  f.cause, f.remedy, f.section, f.detail, f.reason_text AS reason,\n"
"  f.limit_from_reason, f.answered, f.capture_id, f.finding_id,\n"
"  printf('%d.%09d', f.t_sec, f.t_nsec) AS time_text,\n"
"  f.reason AS reason_raw, c.client_stack, c.server_stack,\n"
"  f.remedy_limit, f.remedy_source, f.limit_basis, f.tolerated_by,\n"
"  CASE f.tolerated_by WHEN 'client' THEN c.client_stack\n"
"    WHEN 'server' THEN c.server_stack END AS tolerated_stack\n"
"  FROM finding_t f JOIN capture_t k ON k.capture_id = f.capture_id\n"
"  LEFT JOIN connection_t c ON c.connection_id = f.connection_id;\n"
"CREATE VIEW closes AS SELECT * FROM findings WHERE kind = 'close';\n"
"CREATE VIEW replays AS SELECT r.replay_id, k.name AS capture,\n"
"  r.capture_id, r.connection_id, r.conn_no, r.target, r.started_at,\n"
"  r.outcome, r.exit_status, r.line, r.captured, r.error, r.recording,\n"
"  r.options\n"
"  FROM replay_t r JOIN capture_t k ON k.capture_id = r.capture_id;\n";

static const char *const store_sql[ST__COUNT] = {
	[ST_FRAME] = "INSERT INTO frame_t (connection_id, direction,"
	    " frame_index, packet, last_packet, t_sec, t_nsec, flags, opcode,"
	    " payload_length, seen_length, message_id, stream_offset,"
	    " mask_key, header, payload_prefix, close_code, close_reason,"
	    " close_reason_text, packets, tls_records) VALUES (?,?,?,?,?,?,?,"
	    "?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[ST_MESSAGE] = "INSERT INTO message_t (connection_id, direction,"
	    " message_id, opcode, flags, utf8_valid, utf8_error_at, frames,"
	    " wire_size, decoded_size, first_packet, last_packet, first_frame,"
	    " last_frame, t_sec, t_nsec, end_sec, end_nsec, payload_prefix)"
	    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[ST_FINDING] = "INSERT INTO finding_t (capture_id, connection_id,"
	    " kind, class, code, sender, rule, packet, frame_index, t_sec,"
	    " t_nsec, explanation, detail, reason, reason_text, answered,"
	    " offending_packet, offending_frame_index, offending_sender,"
	    " offending_rule, limit_min, limit_max, limit_from_reason,"
	    " matching_profiles, section, cause, remedy, remedy_limit,"
	    " remedy_source, limit_basis, tolerated_by) VALUES (?,?,?,?,?,?,?,"
	    "?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[ST_UPDATE] = "UPDATE finding_t SET detail = ?, offending_packet = ?,"
	    " offending_frame_index = ?, limit_min = ?, limit_max = ?,"
	    " matching_profiles = ?, remedy = ?, remedy_limit = ?,"
	    " remedy_source = ? WHERE finding_id = ?",
	[ST_CONN] = "INSERT INTO connection_t (connection_id, capture_id,"
	    " conn_no, client, server, first_sec, first_nsec, last_sec,"
	    " last_nsec, first_packet, last_packet, websocket, handshake_seen,"
	    " midstream, role_guessed, method, path, host, origin, user_agent,"
	    " ws_version, request_protocols, request_extensions, status,"
	    " status_reason, server_header, accept, accept_ok, upgraded,"
	    " deflate, subprotocol, extensions, extensions_state,"
	    " handshake_issues, bytes_client, bytes_server, frames_client,"
	    " frames_server, messages_client, messages_server, gaps_client,"
	    " gaps_server, gap_bytes_client, gap_bytes_server, close_client,"
	    " close_server, close_reason_client, close_reason_server, verdict,"
	    " tcp_end, ended_by, end_packet, client_stack, server_stack,"
	    " client_stack_evidence, server_stack_evidence, headers_cut,"
	    " pings_client, pings_server, ping_answers_client,"
	    " ping_answers_server, pings_unanswered_client,"
	    " pings_unanswered_server, ping_rtt_min_client,"
	    " ping_rtt_min_server, ping_rtt_median_client,"
	    " ping_rtt_median_server, ping_rtt_max_client,"
	    " ping_rtt_max_server, idle_before_end, idle_data_before_end,"
	    " tls_version, tls_cipher, tls_sni, tls_alpn, tls_decrypted,"
	    " tls_keylog)"
	    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
	    "?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
	    "?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[ST_LIMITS] = "INSERT INTO limit_evidence_t (capture_id, finding_id,"
	    " evidence, detail, matching_profiles, remedy) VALUES"
	    " (?,?,?,?,?,?)",
};

static const char *const store_kind_names[] = {
	"close", "violation", "handshake", "abnormal", "capture"
};

static void
store_fail(struct store *s, const char *fmt, ...)
{
	char    buf[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	/* Only the first failure is reported: the rest follow from it. */
	if (s->failed)
		return;
	s->failed = 1;
	snprintf(s->error, sizeof s->error, "%s: %s", s->path, buf);
	wsa_warn("%s", s->error);
}

/* Checks the file before SQLite sees it, for clearer messages. */
static int
store_precheck(const char *path, int readonly, char *err, size_t errlen)
{
	static const char magic[16] = "SQLite format 3";
	struct stat       sb;
	char              head[16], *dir, *copy;
	ssize_t           n;
	int               fd, rc;

	if (stat(path, &sb) != 0) {
		if (errno != ENOENT || readonly) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			return -1;
		}
		copy = xstrdup(path);
		dir = dirname(copy);
		rc = access(dir, W_OK | X_OK);
		if (rc != 0)
			snprintf(err, errlen, "%s: cannot create the database:"
			    " %s: %s", path, dir, strerror(errno));
		free(copy);
		return rc == 0 ? 0 : -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		return -1;
	}
	if (!readonly && access(path, R_OK | W_OK) != 0) {
		snprintf(err, errlen, "%s: not writable: %s", path,
		    strerror(errno));
		return -1;
	}
	if (sb.st_size == 0)
		return 0;   /* SQLite takes an empty file as an empty database */
	if ((fd = open(path, O_RDONLY)) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	n = read(fd, head, sizeof head);
	close(fd);
	if (n != (ssize_t)sizeof head || memcmp(head, magic, sizeof magic) != 0) {
		snprintf(err, errlen, "%s: not a SQLite database", path);
		return -1;
	}
	return 0;
}

/* Reads what identifies the database; returns the SQLite result code. */
static int
store_identity(sqlite3 *db, int64_t *appid, int64_t *version, int64_t *objects)
{
	static const char *const q[3] = {
		"PRAGMA application_id", "PRAGMA user_version",
		"SELECT count(*) FROM sqlite_master"
	};
	int64_t     *out[3] = { appid, version, objects };
	sqlite3_stmt *st;
	int          i, rc;

	for (i = 0; i < 3; i++) {
		rc = sqlite3_prepare_v2(db, q[i], -1, &st, NULL);
		if (rc != SQLITE_OK)
			return rc;
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*out[i] = sqlite3_column_int64(st, 0);
			rc = SQLITE_OK;
		}
		sqlite3_finalize(st);
		if (rc != SQLITE_OK)
			return rc;
	}
	return SQLITE_OK;
}

/*
 * Refuses a database that wsautopsy did not make, or made with a schema
 * this one cannot migrate. Returns 1 for an empty database (to be
 * created), 0 for ours with its schema version in *version, -1 with err
 * set.
 */
static int
store_check_identity(struct store *s, int readonly, int64_t *version,
    char *err, size_t errlen)
{
	int64_t appid = 0, objects = 0;
	int     rc;

	*version = 0;
	rc = store_identity(s->db, &appid, version, &objects);
	if ((rc & 0xff) == SQLITE_NOTADB) {
		snprintf(err, errlen, "%s: not a SQLite database", s->path);
		return -1;
	}
	if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
		snprintf(err, errlen, "%s: database in use by another wsautopsy"
		    " run", s->path);
		return -1;
	}
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", s->path, sqlite3_errmsg(s->db));
		return -1;
	}
	if (appid == 0 && *version == 0 && objects == 0) {
		if (!readonly)
			return 1;
		snprintf(err, errlen, "%s: empty database, not written by"
		    " wsautopsy analyze", s->path);
		return -1;
	}
	if (appid != STORE_APPLICATION_ID) {
		snprintf(err, errlen, "%s: a SQLite database of another program"
		    " (application_id %" PRId64 "), not a wsautopsy database",
		    s->path, appid);
		return -1;
	}
	if (*version < STORE_OLDEST_VERSION ||
	    *version > STORE_SCHEMA_VERSION) {
		snprintf(err, errlen, "%s: wsautopsy database schema version %"
		    PRId64 "; this wsautopsy reads versions %d to %d%s", s->path,
		    *version, STORE_OLDEST_VERSION, STORE_SCHEMA_VERSION,
		    *version > STORE_SCHEMA_VERSION ?
		    " (made by a newer wsautopsy)" : "");
		return -1;
	}
	return 0;
}

static int
store_exec(struct store *s, const char *sql)
{
	char *msg = NULL;
	int   rc;

	rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		if ((rc & 0xff) == SQLITE_BUSY)
			snprintf(s->error, sizeof s->error, "%s: database in use"
			    " by another wsautopsy run", s->path);
		else
			snprintf(s->error, sizeof s->error, "%s: %s", s->path,
			    msg != NULL ? msg : sqlite3_errstr(rc));
	}
	sqlite3_free(msg);
	return rc == SQLITE_OK ? 0 : -1;
}

/* Takes the write lock now, waiting STORE_BUSY_MS for another writer. */
static int
store_begin(struct store *s)
{
	return store_exec(s, "BEGIN IMMEDIATE");
}

static int
store_create(struct store *s)
{
	char sql[128];

	if (store_exec(s, store_tables) != 0 ||
	    store_exec(s, store_file_tables) != 0 ||
	    store_exec(s, store_limit_tables) != 0 ||
	    store_exec(s, store_index_tables) != 0 ||
	    store_exec(s, store_replay_tables) != 0 ||
	    store_exec(s, store_views) != 0)
		return -1;
	snprintf(sql, sizeof sql, "PRAGMA application_id = %d;"
	    " PRAGMA user_version = %d", STORE_APPLICATION_ID,
	    STORE_SCHEMA_VERSION);
	return store_exec(s, sql);
}

static int
store_prepare(struct store *s)
{
	int i;

	for (i = 0; i < ST__COUNT; i++) {
		if (sqlite3_prepare_v3(s->db, store_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL) != SQLITE_OK) {
			snprintf(s->error, sizeof s->error, "%s: %s", s->path,
			    sqlite3_errmsg(s->db));
			return -1;
		}
	}
	return 0;
}

/*
 * report and browse never change the file: a database an earlier release
 * wrote is copied into memory (one read transaction) and migrated there.
 */
static int
store_copy_to_memory(struct store *s, char *err, size_t errlen)
{
	sqlite3        *mem = NULL;
	sqlite3_backup *b;
	int             rc;

	rc = sqlite3_open_v2(":memory:", &mem, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL);
	if (rc == SQLITE_OK) {
		if ((b = sqlite3_backup_init(mem, "main", s->db, "main")) ==
		    NULL)
			rc = sqlite3_extended_errcode(mem);
		else {
			rc = sqlite3_backup_step(b, -1);
			if (sqlite3_backup_finish(b) != SQLITE_OK &&
			    rc == SQLITE_DONE)
				rc = sqlite3_extended_errcode(mem);
			if (rc == SQLITE_DONE)
				rc = SQLITE_OK;
		}
	}
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot read the database: %s",
		    s->path, (rc & 0xff) == SQLITE_BUSY ? "in use by another"
		    " wsautopsy run" : sqlite3_errstr(rc));
		sqlite3_close(mem);
		return -1;
	}
	sqlite3_close(s->db);
	s->db = mem;
	sqlite3_extended_result_codes(s->db, 1);
	return store_migrate(s->db, s->path, err, errlen);
}

/* The file and its directory (where -wal and -shm go) are writable. */
static int
store_may_write(const char *path)
{
	const char *slash = strrchr(path, '/');
	char       *dir;
	int         ok;

	if (access(path, R_OK | W_OK) != 0)
		return 0;
	if (slash == NULL)
		return access(".", W_OK | X_OK) == 0;
	dir = xstrdup(path);
	dir[slash == path ? 1 : slash - path] = '\0';
	ok = access(dir, W_OK | X_OK) == 0;
	free(dir);
	return ok;
}

struct store *
store_open(const char *path, int readonly, char *err, size_t errlen)
{
	struct store *s;
	int64_t       version;
	int           flags, rc, fresh;

	if (store_precheck(path, readonly, err, errlen) != 0)
		return NULL;
	/*
	 * No memory statistics: they take a global mutex per allocation.
	 * Refused (harmlessly) once SQLite is initialised.
	 */
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	s = xcalloc(1, sizeof *s);
	s->path = xstrdup(path);
	s->readonly = readonly;
	/*
	 * One thread at a time per connection: SQLite's own mutexes are waste.
	 * A reader of a WAL database opens it for writing when it may, with
	 * query_only set: a read-only connection cannot remove the -wal and
	 * -shm files it makes, so reading would leave them behind.
	 */
	flags = SQLITE_OPEN_NOMUTEX | (readonly ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	if (readonly && store_may_write(path))
		flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_READWRITE;
	rc = sqlite3_open_v2(path, &s->db, flags, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot open the database: %s", path,
		    s->db != NULL ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
	if (readonly && (flags & SQLITE_OPEN_READWRITE) != 0)
		(void)sqlite3_exec(s->db, "PRAGMA query_only = 1", NULL, NULL,
		    NULL);
	if (!readonly && sqlite3_db_readonly(s->db, "main") == 1) {
		snprintf(err, errlen, "%s: not writable", path);
		goto fail;
	}
	/* Look before changing anything: a foreign file stays untouched. */
	fresh = store_check_identity(s, readonly, &version, err, errlen);
	if (fresh < 0)
		goto fail;
	if (readonly) {
		if ((rc = store_migrate_needed(s->db, version)) < 0) {
			snprintf(err, errlen, "%s: %s", path,
			    sqlite3_errmsg(s->db));
			goto fail;
		}
		if (rc == 1 && store_copy_to_memory(s, err, errlen) != 0)
			goto fail;
		return s;
	}
	/*
	 * The writer keeps the keys consistent itself (deletes go table by
	 * table, orphans get a stand-in connection row, checked by the tests
	 * with foreign_key_check): enforcing them would look up every frame's
	 * parent, which arrives last.
	 */
	/*
	 * A new file gets 32 KiB pages: the capture's rows are written twice
	 * (to the log, then by the closing checkpoint, which nothing can
	 * overlap), and larger pages make both a quarter of the system calls
	 * and page faults. The size is fixed once the file is in WAL mode.
	 */
	if ((fresh == 1 && store_exec(s, "PRAGMA page_size = 32768;") != 0) ||
	    store_exec(s, "PRAGMA journal_mode = WAL;") != 0 || store_exec(s,
	    "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = OFF;"
	    " PRAGMA cache_size = -8192") != 0 || store_begin(s) != 0) {
		snprintf(err, errlen, "%s", s->error);
		goto fail;
	}
	/* Again inside the lock: another run may have created it meanwhile. */
	fresh = store_check_identity(s, 0, &version, err, errlen);
	if (fresh < 0 || (fresh == 1 && store_create(s) != 0) ||
	    store_exec(s, "COMMIT") != 0) {
		if (fresh >= 0)
			snprintf(err, errlen, "%s", s->error);
		goto fail;
	}
	/* An earlier release's database is upgraded in place. */
	if (fresh == 0 && store_migrate(s->db, path, err, errlen) != 0)
		goto fail;
	if (store_prepare(s) != 0) {
		snprintf(err, errlen, "%s", s->error);
		goto fail;
	}
	s->error[0] = '\0';
	return s;
fail:
	store_close(s);
	return NULL;
}

void
store_close(struct store *s)
{
	int i;

	if (s == NULL)
		return;
	if (s->in_capture)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	for (i = 0; i < ST__COUNT; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_close(s->db);
	free(s->slots);
	free(s->path);
	free(s);
}

void
store_unlink(const char *path)
{
	static const char *const ext[] = { "", "-journal", "-wal", "-shm" };
	size_t                    i, len = strlen(path) + 16;
	char                     *p = xmalloc(len);

	for (i = 0; i < sizeof ext / sizeof ext[0]; i++) {
		snprintf(p, len, "%s%s", path, ext[i]);
		(void)unlink(p);
	}
	free(p);
}

sqlite3 *
store_db(struct store *s)
{
	return s->db;
}

int64_t
store_connection_address(struct store *s, const char *addr, char *err,
    size_t errlen)
{
	sqlite3_stmt *st;
	const char   *colon = strrchr(addr, ':');
	char         *end;
	long long     no;
	int64_t       id = -1;
	int           n = 0, rc;

	errno = 0;
	no = colon != NULL ? strtoll(colon + 1, &end, 10) : -1;
	if (colon == NULL || colon == addr || errno != 0 || *end != '\0' ||
	    end == colon + 1 || no < 1) {
		snprintf(err, errlen, "bad connection address '%s' (CAPTURE:N)",
		    addr);
		return -1;
	}
	if (sqlite3_prepare_v2(s->db, "SELECT c.connection_id FROM"
	    " connection_t c JOIN capture_t k ON k.capture_id = c.capture_id"
	    " WHERE c.conn_no = ?2 AND (k.name = ?1 OR (length(?1) >= 8 AND"
	    " substr(k.sha256, 1, length(?1)) = lower(?1)))", -1, &st,
	    NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(s->db));
		return -1;
	}
	sqlite3_bind_text(st, 1, addr, (int)(colon - addr), SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, no);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(s->db));
		return -1;
	}
	if (n == 1)
		return id;
	if (n == 0)
		snprintf(err, errlen, "no connection %s", addr);
	else
		snprintf(err, errlen, "%s names %d connections (captures of"
		    " that name or bytes analysed with other options: the"
		    " captures view's options tell them apart; give the"
		    " connection_id)", addr, n);
	return -1;
}

const char *
store_path(const struct store *s)
{
	return s->path;
}

const char *
store_error(const struct store *s)
{
	return s->error;
}

static void
b_init(struct store_bind *b, struct store *s, sqlite3_stmt *st)
{
	b->s = s;
	b->st = st;
	b->i = 1;
}

static void
b_null(struct store_bind *b)
{
	sqlite3_bind_null(b->st, b->i++);
}

static void
b_i64(struct store_bind *b, int64_t v)
{
	sqlite3_bind_int64(b->st, b->i++, v);
}

/* Counters and offsets; a value past INT64_MAX (untrusted) becomes REAL. */
static void
b_u64(struct store_bind *b, uint64_t v)
{
	if (v <= INT64_MAX)
		sqlite3_bind_int64(b->st, b->i++, (int64_t)v);
	else
		sqlite3_bind_double(b->st, b->i++, (double)v);
}

/* A measure; NULL when negative (none). */
static void
b_real(struct store_bind *b, double v)
{
	if (v >= 0)
		sqlite3_bind_double(b->st, b->i++, v);
	else
		b_null(b);
}

static void
b_opt(struct store_bind *b, int present, int64_t v)
{
	if (present)
		b_i64(b, v);
	else
		b_null(b);
}

/* Text that is ours (rule ids, class names): stored as given. */
static void
b_raw_text(struct store_bind *b, const char *t)
{
	if (t == NULL)
		b_null(b);
	else
		sqlite3_bind_text(b->st, b->i++, t, -1, SQLITE_TRANSIENT);
}

/* Text from outside (headers, file names): its display form. */
static void
b_text(struct store_bind *b, const char *t)
{
	if (t == NULL)
		b_null(b);
	else
		b_bytes_text(b, t, strlen(t));
}

static void
b_bytes_text(struct store_bind *b, const void *p, size_t n)
{
	size_t len;

	len = esc_wire(p, n, b->s->text, sizeof b->s->text);
	sqlite3_bind_text(b->st, b->i++, b->s->text, (int)len,
	    SQLITE_TRANSIENT);
}

/* Exact bytes; n == 0 is an empty BLOB, not NULL. */
static void
b_blob(struct store_bind *b, const void *p, size_t n)
{
	sqlite3_bind_blob(b->st, b->i++, n > 0 ? p : "", (int)n,
	    SQLITE_STATIC);
}

static void
store_step(struct store *s, sqlite3_stmt *st)
{
	int rc;

	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		store_fail(s, "cannot store: %s", sqlite3_errmsg(s->db));
	sqlite3_reset(st);
}

/*
 * Runs one statement once: ?1 is text t, or i1 when t is NULL; ?2 is i2.
 * -1 when it failed (said through store_fail).
 */
static int
store_run(struct store *s, const char *sql, const char *t, int64_t i1,
    int64_t i2)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		store_fail(s, "%s", sqlite3_errmsg(s->db));
		return -1;
	}
	if (t != NULL)
		sqlite3_bind_text(st, 1, t, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 1, i1);
	sqlite3_bind_int64(st, 2, i2);
	store_step(s, st);
	sqlite3_finalize(st);
	return s->failed ? -1 : 0;
}

/*
 * The SHA-256 computed while the capture was read: recorded now, and the
 * earlier captures of the same file replaced, including a run of it that
 * was killed before it knew its hash (same name and size, incomplete).
 */
static int
store_late_sha(struct store *s, const char *sha)
{
	if (store_run(s, "UPDATE capture_t SET sha256 = ?1"
	    " WHERE capture_id = ?2 OR (sha256 = '' AND complete = 0 AND"
	    " capture_id <> ?2 AND name = (SELECT name FROM capture_t WHERE"
	    " capture_id = ?2) AND size IS (SELECT size FROM capture_t WHERE"
	    " capture_id = ?2))", sha, 0, s->capture_id) != 0)
		return -1;
	return store_delete_sha(s, sha);
}

/*
 * Another run of the capture being written (?2): the same bytes (?1)
 * analysed with the same options. A run with other options (a filter,
 * --strict, limits) is another capture and stays.
 */
#define STORE_SAME_RUN "sha256 = ?1 AND capture_id <> ?2 AND options IS" \
	" (SELECT options FROM capture_t WHERE capture_id = ?2)"

/* Deletes every other run of this capture (STORE_SAME_RUN). */
static int
store_delete_sha(struct store *s, const char *sha)
{
	static const char *const del[] = {
		"DELETE FROM finding_t WHERE capture_id IN (SELECT capture_id"
		" FROM capture_t WHERE " STORE_SAME_RUN ")",
		"DELETE FROM frame_t WHERE connection_id IN (SELECT"
		" connection_id FROM connection_t WHERE capture_id IN (SELECT"
		" capture_id FROM capture_t WHERE " STORE_SAME_RUN "))",
		"DELETE FROM message_t WHERE connection_id IN (SELECT"
		" connection_id FROM connection_t WHERE capture_id IN (SELECT"
		" capture_id FROM capture_t WHERE " STORE_SAME_RUN "))",
		"DELETE FROM connection_t WHERE capture_id IN (SELECT"
		" capture_id FROM capture_t WHERE " STORE_SAME_RUN ")",
		"DELETE FROM limit_evidence_t WHERE capture_id IN (SELECT"
		" capture_id FROM capture_t WHERE " STORE_SAME_RUN ")",
		"DELETE FROM capture_span_t WHERE capture_id IN (SELECT"
		" capture_id FROM capture_t WHERE " STORE_SAME_RUN ")",
		"DELETE FROM packet_index_t WHERE capture_id IN (SELECT"
		" capture_id FROM capture_t WHERE " STORE_SAME_RUN ")",
		"DELETE FROM capture_file_t WHERE capture_id IN (SELECT"
		" capture_id FROM capture_t WHERE " STORE_SAME_RUN ")",
		"DELETE FROM capture_t WHERE " STORE_SAME_RUN,
	};
	size_t i;

	for (i = 0; i < sizeof del / sizeof del[0]; i++)
		if (store_run(s, del[i], sha, 0, s->capture_id) != 0)
			return -1;
	return 0;
}

static int
store_cap_begin(void *ctx, const struct capture_info *ci)
{
	struct store     *s = ctx;
	struct store_bind b;
	sqlite3_stmt     *st = NULL;

	s->failed = 0;
	s->error[0] = '\0';
	if (s->readonly || s->in_capture) {
		store_fail(s, "cannot start a capture here");
		return -1;
	}
	/* The row that says "an analysis started", on its own. */
	if (store_begin(s) != 0) {
		s->failed = 1;
		wsa_warn("%s", s->error);
		return -1;
	}
	if (sqlite3_prepare_v2(s->db, "INSERT INTO capture_t (name, path,"
	    " sha256, size, linktype, options, analyzed_at, complete) VALUES"
	    " (?,?,?,?,?,?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), 0)", -1, &st,
	    NULL) != SQLITE_OK) {
		store_fail(s, "%s", sqlite3_errmsg(s->db));
		goto fail;
	}
	b_init(&b, s, st);
	b_text(&b, ci->name);
	b_text(&b, ci->path);
	b_raw_text(&b, ci->sha256);
	b_u64(&b, ci->size);
	b_i64(&b, ci->linktype);
	if (ci->options[0] != '\0')
		b_text(&b, ci->options);
	else
		b_null(&b);
	store_step(s, st);
	sqlite3_finalize(st);
	st = NULL;
	if (s->failed)
		goto fail;
	s->capture_id = sqlite3_last_insert_rowid(s->db);
	if (store_exec(s, "COMMIT") != 0 || store_begin(s) != 0) {
		s->failed = 1;
		wsa_warn("%s", s->error);
		goto fail;
	}
	s->in_capture = 1;
	s->nslots = 0;
	/* Inside the write lock, so no other run takes the same ids. */
	if (sqlite3_prepare_v2(s->db, "SELECT coalesce(max(connection_id), 0)"
	    " FROM connection_t", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		store_fail(s, "%s", sqlite3_errmsg(s->db));
		goto fail;
	}
	s->conn_base = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if (ci->sha256[0] != '\0' && store_delete_sha(s, ci->sha256) != 0)
		goto fail;
	return 0;
fail:
	sqlite3_finalize(st);
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->in_capture = 0;
	return -1;
}

int
store_frame_flags(const struct ws_frame *f)
{
	return (f->fin & 1) << FRAME_B_FIN |
	    (f->rsv & FRAME_RSV_MASK) << FRAME_B_RSV |
	    (f->masked & 1) << FRAME_B_MASKED |
	    (f->truncated & 1) << FRAME_B_TRUNCATED |
	    (f->non_minimal & 1) << FRAME_B_NON_MINIMAL;
}

int
store_message_flags(const struct ws_message *m)
{
	return (m->compressed & 1) << MSG_B_COMPRESSED |
	    (m->incomplete & 1) << MSG_B_INCOMPLETE |
	    (m->headless & 1) << MSG_B_HEADLESS |
	    (m->gap & 1) << MSG_B_GAP |
	    (m->undecoded & 1) << MSG_B_UNDECODED |
	    (m->too_big & 1) << MSG_B_TOO_BIG |
	    (m->inflate_capped & 1) << MSG_B_INFLATE_CAPPED;
}

static void
store_frame(void *ctx, uint64_t conn_id, int sender, const struct ws_frame *f)
{
	struct store     *s = ctx;
	struct store_bind b;
	int               close;

	if (!s->in_capture || s->failed)
		return;
	close = f->opcode == WS_OP_CLOSE && f->close_code >= 0;
	b_init(&b, s, s->st[ST_FRAME]);
	b_i64(&b, s->conn_base + (int64_t)conn_id);
	b_i64(&b, sender);
	b_u64(&b, f->index);
	b_u64(&b, f->first_pkt);
	b_u64(&b, f->last_pkt);
	b_i64(&b, f->ts.sec);
	b_i64(&b, f->ts.nsec);
	b_i64(&b, store_frame_flags(f));
	b_i64(&b, f->opcode);
	b_i64(&b, (int64_t)f->payload_len);   /* all 64 bits, see the schema */
	if (f->truncated)
		b_u64(&b, f->seen_len);
	else
		b_null(&b);
	b_u64(&b, f->message_id);
	b_u64(&b, f->offset);
	b_opt(&b, f->masked, (int64_t)f->mask[0] << 24 | f->mask[1] << 16 |
	    f->mask[2] << 8 | f->mask[3]);
	b_blob(&b, f->hdr, f->hdr_len < sizeof f->hdr ? f->hdr_len :
	    sizeof f->hdr);
	/*
	 * A whole uncompressed message in one frame: its bytes are the
	 * message's prefix, stored once (the frames view joins them back).
	 */
	if (f->prefix != NULL && f->prefix_len > 0 &&
	    !(f->fin && f->opcode != WS_OP_CONT && (f->rsv & WS_RSV1) == 0 &&
	    !f->truncated))
		b_blob(&b, f->prefix, f->prefix_len);
	else
		b_null(&b);
	b_opt(&b, close, f->close_code);
	if (close) {
		b_blob(&b, f->close_reason, f->close_reason_len);
		b_bytes_text(&b, f->close_reason, f->close_reason_len);
	} else {
		b_null(&b);
		b_null(&b);
	}
	/* The session lists them only for a frame over several packets. */
	b_raw_text(&b, f->packets);
	b_raw_text(&b, f->tls_records);
	store_step(s, s->st[ST_FRAME]);
}

static void
store_message(void *ctx, uint64_t conn_id, int sender,
    const struct ws_message *m)
{
	struct store     *s = ctx;
	struct store_bind b;

	if (!s->in_capture || s->failed)
		return;
	b_init(&b, s, s->st[ST_MESSAGE]);
	b_i64(&b, s->conn_base + (int64_t)conn_id);
	b_i64(&b, sender);
	b_u64(&b, m->id);
	b_i64(&b, m->opcode);
	b_i64(&b, store_message_flags(m));
	b_i64(&b, m->utf8_valid);
	b_opt(&b, !m->utf8_valid, (int64_t)m->utf8_error_at);
	b_u64(&b, m->frames);
	b_u64(&b, m->wire_size);
	b_u64(&b, m->decoded_size);
	b_u64(&b, m->first_pkt);
	b_u64(&b, m->last_pkt);
	b_u64(&b, m->first_frame);
	b_u64(&b, m->last_frame);
	b_i64(&b, m->ts.sec);
	b_i64(&b, m->ts.nsec);
	b_i64(&b, m->end_ts.sec);
	b_i64(&b, m->end_ts.nsec);
	if (m->prefix != NULL && m->prefix_len > 0)
		b_blob(&b, m->prefix, m->prefix_len);
	else
		b_null(&b);
	store_step(s, s->st[ST_MESSAGE]);
}

static void
store_finding(void *ctx, const struct finding *fi)
{
	struct store      *s = ctx;
	struct store_bind  b;
	const struct rule *r;
	size_t             rlen;

	if (!s->in_capture || s->failed)
		return;
	/* A close has no rule of its own: explain it by what provoked it. */
	r = rule_get(fi->rule != RULE_NONE ? fi->rule : fi->offending_rule);
	b_init(&b, s, s->st[ST_FINDING]);
	b_i64(&b, s->capture_id);
	b_opt(&b, fi->conn_id != 0, s->conn_base + (int64_t)fi->conn_id);
	b_raw_text(&b, (unsigned)fi->kind < sizeof store_kind_names /
	    sizeof store_kind_names[0] ? store_kind_names[fi->kind] : "other");
	b_raw_text(&b, finding_class_names[(unsigned)fi->class < FINDING_CLASSES ?
	    fi->class : CLASS_OTHER]);
	b_opt(&b, fi->code >= 0, fi->code);
	b_opt(&b, fi->sender >= 0, fi->sender);
	b_raw_text(&b, rule_name(fi->rule));
	b_opt(&b, fi->packet != 0, (int64_t)fi->packet);
	b_opt(&b, fi->frame_index >= 0, fi->frame_index);
	b_i64(&b, fi->time.sec);
	b_i64(&b, fi->time.nsec);
	if (fi->explanation[0] != '\0')
		b_text(&b, fi->explanation);
	else
		b_raw_text(&b, r != NULL ? r->explanation : NULL);
	if (fi->detail[0] != '\0')
		b_text(&b, fi->detail);
	else
		b_null(&b);
	if (fi->kind == FINDING_CLOSE) {
		rlen = fi->reason_len < sizeof fi->reason ? fi->reason_len :
		    sizeof fi->reason - 1;
		b_blob(&b, fi->reason, rlen);
		b_bytes_text(&b, fi->reason, rlen);
		b_i64(&b, fi->answered);
	} else {
		b_null(&b);
		b_null(&b);
		b_null(&b);
	}
	b_opt(&b, fi->has_offending, (int64_t)fi->offending_packet);
	b_opt(&b, fi->has_offending && fi->offending_frame_index >= 0,
	    fi->offending_frame_index);
	b_opt(&b, fi->has_offending && fi->offending_sender >= 0,
	    fi->offending_sender);
	b_raw_text(&b, fi->has_offending ? rule_name(fi->offending_rule) : NULL);
	if (fi->has_limit) {
		b_u64(&b, fi->limit_min);
		b_u64(&b, fi->limit_max);
	} else {
		b_null(&b);
		b_null(&b);
	}
	b_opt(&b, fi->limit_from_reason >= 0, fi->limit_from_reason);
	if (fi->matching_profiles[0] != '\0')
		b_text(&b, fi->matching_profiles);
	else
		b_null(&b);
	b_raw_text(&b, r != NULL ? r->section : NULL);
	b_raw_text(&b, fi->cause[0] != '\0' ? fi->cause : r != NULL ?
	    r->cause : NULL);
	b_raw_text(&b, fi->remedy[0] != '\0' ? fi->remedy : NULL);
	b_opt(&b, fi->remedy_limit > 0, (int64_t)fi->remedy_limit);
	b_raw_text(&b, limit_source_names[fi->remedy_source]);
	b_raw_text(&b, limit_basis_names[fi->limit_basis]);
	b_raw_text(&b, fi->tolerance != TOL_CARRIED_ON ? NULL :
	    fi->sender == ROLE_CLIENT ? "server" : "client");
	store_step(s, s->st[ST_FINDING]);
	if (fi->update_slot > 0 && !s->failed)
		store_slot(s, fi->update_slot,
		    sqlite3_last_insert_rowid(s->db));
}

/* The row a finding with an update_slot went to, for its update. */
static void
store_slot(struct store *s, uint64_t slot, int64_t rowid)
{
	size_t n;

	if (slot > s->nslots) {
		n = s->nslots ? s->nslots : 16;
		while (n < slot)
			n *= 2;
		s->slots = xrealloc(s->slots, n * sizeof *s->slots);
		memset(s->slots + s->nslots, 0,
		    (n - s->nslots) * sizeof *s->slots);
		s->nslots = n;
	}
	s->slots[slot - 1] = rowid;
}

static void
store_finding_update(void *ctx, const struct finding *fi)
{
	struct store *s = ctx;

	if (!s->in_capture || s->failed || fi->update_slot == 0 ||
	    fi->update_slot > s->nslots || s->slots[fi->update_slot - 1] == 0)
		return;
	(void)store_limits_update(s, s->slots[fi->update_slot - 1], fi, 0);
}

int
store_limits_update(struct store *s, int64_t finding_id,
    const struct finding *fi, int escaped)
{
	struct store_bind b;

	b_init(&b, s, s->st[ST_UPDATE]);
	store_bind_limits(&b, fi, escaped);
	b_i64(&b, finding_id);
	store_step(s, s->st[ST_UPDATE]);
	return s->failed ? -1 : 0;
}

/* Display text: escaped here, or escaped already (read from a database). */
static void
b_shown(struct store_bind *b, const char *t, int escaped)
{
	if (t == NULL || t[0] == '\0')
		b_null(b);
	else if (escaped)
		b_raw_text(b, t);
	else
		b_text(b, t);
}

/* The columns the bounds pass changes, as ST_UPDATE lists them. */
static void
store_bind_limits(struct store_bind *b, const struct finding *fi,
    int escaped)
{
	b_shown(b, fi->detail, escaped);
	b_opt(b, fi->has_offending, (int64_t)fi->offending_packet);
	b_opt(b, fi->has_offending && fi->offending_frame_index >= 0,
	    fi->offending_frame_index);
	b_opt(b, fi->has_limit, (int64_t)fi->limit_min);
	b_opt(b, fi->has_limit, (int64_t)fi->limit_max);
	b_shown(b, fi->matching_profiles, escaped);
	b_raw_text(b, fi->remedy[0] != '\0' ? fi->remedy : NULL);
	b_opt(b, fi->remedy_limit > 0, (int64_t)fi->remedy_limit);
	b_raw_text(b, limit_source_names[fi->remedy_source]);
}

static void
store_limits_row(void *ctx, const struct limits_row *row)
{
	struct store         *s = ctx;
	const struct finding *fi = row->f;

	if (!s->in_capture || s->failed)
		return;
	/* A close the store did not keep has no row to point at. */
	if (fi != NULL && (fi->update_slot == 0 ||
	    fi->update_slot > s->nslots || s->slots[fi->update_slot - 1] == 0))
		return;
	(void)store_limits_write(s, s->capture_id, fi != NULL ?
	    s->slots[fi->update_slot - 1] : 0, row, 0);
}

int
store_limits_write(struct store *s, int64_t capture_id, int64_t finding_id,
    const struct limits_row *row, int escaped)
{
	struct store_bind     b;
	const struct finding *fi = row->f;

	b_init(&b, s, s->st[ST_LIMITS]);
	b_i64(&b, capture_id);
	if (fi == NULL) {
		b_null(&b);
		b_raw_text(&b, row->text);
		b_null(&b);
		b_null(&b);
		b_null(&b);
	} else {
		b_i64(&b, finding_id);
		b_raw_text(&b, row->text);
		b_shown(&b, fi->detail, escaped);
		b_shown(&b, fi->matching_profiles, escaped);
		b_raw_text(&b, fi->remedy[0] != '\0' ? fi->remedy : NULL);
	}
	store_step(s, s->st[ST_LIMITS]);
	return s->failed ? -1 : 0;
}

/* "request target,user-agent; response server": values cut at their bound. */
static void
store_headers_cut(struct store_bind *b, const struct http_head *rq,
    const struct http_head *rs)
{
	char   out[256];
	size_t n = 0;

	if (rq != NULL && rq->truncated) {
		n = (size_t)snprintf(out, sizeof out, "request ");
		n += http_head_cut_names(rq, out + n, sizeof out - n);
	}
	if (rs != NULL && rs->truncated && n + 16 < sizeof out) {
		n += (size_t)snprintf(out + n, sizeof out - n, "%sresponse ",
		    n ? "; " : "");
		n += http_head_cut_names(rs, out + n, sizeof out - n);
	}
	if (n == 0)
		b_null(b);
	else
		b_raw_text(b, out);
}

static void
store_conn_end(void *ctx, const struct conn_summary *cs)
{
	struct store           *s = ctx;
	struct store_bind       b;
	const struct http_head *rq = cs->request, *rs = cs->response;
	const struct hs_result *hs = cs->handshake;
	char                    issues[512];
	size_t                  n = 0;
	int                     i, accept_ok = 1;

	if (!s->in_capture || s->failed)
		return;
	issues[0] = '\0';
	for (i = 0; hs != NULL && i < hs->nissues && i < 16; i++) {
		if (hs->issues[i].rule == RULE_NONE)
			continue;
		if (hs->issues[i].rule == RULE_BAD_ACCEPT_KEY)
			accept_ok = 0;
		if (n < sizeof issues)
			n += (size_t)snprintf(issues + n, sizeof issues - n,
			    "%s%s", n ? "," : "", rule_name(hs->issues[i].rule));
	}
	b_init(&b, s, s->st[ST_CONN]);
	b_i64(&b, s->conn_base + (int64_t)cs->id);
	b_i64(&b, s->capture_id);
	b_u64(&b, cs->id);
	b_text(&b, cs->client);
	b_text(&b, cs->server);
	b_i64(&b, cs->first_ts.sec);
	b_i64(&b, cs->first_ts.nsec);
	b_i64(&b, cs->last_ts.sec);
	b_i64(&b, cs->last_ts.nsec);
	b_u64(&b, cs->first_pkt);
	b_u64(&b, cs->last_pkt);
	b_i64(&b, cs->websocket);
	b_i64(&b, cs->handshake_seen);
	b_i64(&b, cs->midstream);
	b_i64(&b, cs->role_guessed);
	b_text(&b, rq != NULL ? rq->method : NULL);
	b_text(&b, rq != NULL ? rq->target : NULL);
	b_text(&b, rq != NULL ? rq->host : NULL);
	b_text(&b, rq != NULL ? rq->origin : NULL);
	b_text(&b, rq != NULL ? rq->user_agent : NULL);
	b_text(&b, rq != NULL ? rq->ws_version : NULL);
	b_text(&b, rq != NULL ? rq->protocol : NULL);
	b_text(&b, rq != NULL ? rq->extensions : NULL);
	b_opt(&b, rs != NULL, rs != NULL ? rs->status : 0);
	b_text(&b, rs != NULL ? rs->reason : NULL);
	b_text(&b, rs != NULL ? rs->server : NULL);
	b_text(&b, rs != NULL ? rs->accept : NULL);
	b_opt(&b, hs != NULL && rq != NULL && rs != NULL, accept_ok);
	b_opt(&b, hs != NULL, hs != NULL ? hs->upgraded : 0);
	b_opt(&b, hs != NULL, hs != NULL ? hs->deflate : 0);
	b_text(&b, hs != NULL ? hs->subprotocol : NULL);
	b_text(&b, hs != NULL ? hs->extensions : NULL);
	b_raw_text(&b, cs->extensions_state);
	b_raw_text(&b, hs != NULL ? issues : NULL);
	for (i = 0; i < 2; i++)
		b_u64(&b, cs->bytes[i]);
	for (i = 0; i < 2; i++)
		b_u64(&b, cs->frames[i]);
	for (i = 0; i < 2; i++)
		b_u64(&b, cs->messages[i]);
	for (i = 0; i < 2; i++)
		b_u64(&b, cs->gaps[i]);
	for (i = 0; i < 2; i++)
		b_u64(&b, cs->gap_bytes[i]);
	for (i = 0; i < 2; i++)
		b_opt(&b, cs->close_code[i] >= 0, cs->close_code[i]);
	/* The exact reason bytes are in frames; these are for display. */
	for (i = 0; i < 2; i++) {
		if (cs->close_code[i] >= 0)
			b_bytes_text(&b, cs->close_reason[i],
			    cs->close_reason_len[i] < sizeof cs->close_reason[i] ?
			    cs->close_reason_len[i] : sizeof cs->close_reason[i]);
		else
			b_null(&b);
	}
	b_raw_text(&b, cs->verdict);
	b_raw_text(&b, cs->tcp_end);
	b_opt(&b, cs->ended_by >= 0, cs->ended_by);
	b_opt(&b, cs->end_packet != 0, (int64_t)cs->end_packet);
	for (i = 0; i < 2; i++) {
		if (cs->stack[i][0] != '\0')
			b_raw_text(&b, cs->stack[i]);
		else
			b_null(&b);
	}
	/* Evidence quotes header values from the wire: escaped like them. */
	for (i = 0; i < 2; i++) {
		if (cs->stack_evidence[i][0] != '\0')
			b_text(&b, cs->stack_evidence[i]);
		else
			b_null(&b);
	}
	store_headers_cut(&b, rq, rs);
	for (i = 0; i < 2; i++)
		b_u64(&b, cs->pings[i]);
	for (i = 0; i < 2; i++)
		b_u64(&b, cs->ping_answers[i]);
	for (i = 0; i < 2; i++)
		b_u64(&b, cs->pings_unanswered[i]);
	for (i = 0; i < 2; i++)
		b_real(&b, cs->ping_answers[i] ? cs->ping_rtt_min[i] : -1);
	for (i = 0; i < 2; i++)
		b_real(&b, cs->ping_answers[i] ? cs->ping_rtt_median[i] : -1);
	for (i = 0; i < 2; i++)
		b_real(&b, cs->ping_answers[i] ? cs->ping_rtt_max[i] : -1);
	b_real(&b, cs->has_idle ? cs->idle_before_end : -1);
	b_real(&b, cs->has_idle ? cs->idle_data_before_end : -1);
	/* SNI and ALPN are the peer's bytes: escaped like headers. */
	b_raw_text(&b, cs->tls_version);
	b_raw_text(&b, cs->tls_cipher[0] != '\0' ? cs->tls_cipher : NULL);
	b_text(&b, cs->tls_version != NULL ? cs->tls_sni : NULL);
	b_text(&b, cs->tls_version != NULL ? cs->tls_alpn : NULL);
	b_opt(&b, cs->tls_version != NULL, cs->tls_decrypted);
	b_text(&b, cs->tls_keylog[0] != '\0' ? cs->tls_keylog : NULL);
	store_step(s, s->st[ST_CONN]);
}

/*
 * A connection that never reached conn_end (the analysis stopped early)
 * still gets a row, so its frames and findings keep their foreign keys.
 */
static int
store_orphans(struct store *s)
{
	static const char *const from[] = { "frame_t", "message_t",
	    "finding_t" };
	char   sql[512];
	size_t i;

	for (i = 0; i < sizeof from / sizeof from[0]; i++) {
		/* One lookup per connection, not one per row. */
		snprintf(sql, sizeof sql, "INSERT INTO connection_t"
		    " (connection_id, capture_id, conn_no, tcp_end) SELECT"
		    " o.connection_id, ?1, o.connection_id - ?2, 'not-ended'"
		    " FROM (SELECT DISTINCT connection_id FROM %s WHERE"
		    " connection_id > ?2) o WHERE NOT EXISTS (SELECT 1 FROM"
		    " connection_t c WHERE c.connection_id = o.connection_id)",
		    from[i]);
		if (store_run(s, sql, NULL, s->capture_id, s->conn_base) != 0)
			return -1;
	}
	return 0;
}

/* Where every CAPTURE_CHECKPOINT_EVERY-th packet of each file is. */
static int
store_cap_index(struct store *s, const struct capture_set_info *si)
{
	const struct capture_checkpoint *k;
	struct store_bind                b;
	sqlite3_stmt                    *st = NULL;
	size_t                           i, j;

	if (sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO packet_index_t"
	    " (capture_id, file_index, packet, t_sec, t_nsec, file_offset)"
	    " VALUES (?,?,?,?,?,?)", -1, &st, NULL) != SQLITE_OK) {
		store_fail(s, "%s", sqlite3_errmsg(s->db));
		return -1;
	}
	for (i = 0; i < si->nfiles && !s->failed; i++) {
		for (j = 0; j < si->files[i].ncheckpoints && !s->failed; j++) {
			k = &si->files[i].checkpoints[j];
			sqlite3_reset(st);
			b_init(&b, s, st);
			b_i64(&b, s->capture_id);
			b_u64(&b, i);
			b_u64(&b, k->number);
			b_i64(&b, k->ts.sec);
			b_i64(&b, k->ts.nsec);
			b_u64(&b, k->offset);
			store_step(s, st);
		}
	}
	sqlite3_finalize(st);
	return s->failed ? -1 : 0;
}

/* The capture's files, and for a set of several its spans. */
static int
store_cap_files(struct store *s, const struct capture_summary *cs)
{
	const struct capture_set_info *si = cs->set;
	const struct capture_set_file *f;
	struct store_bind              b;
	sqlite3_stmt                  *st = NULL;
	size_t                         i;

	if (si == NULL)
		return 0;
	if (sqlite3_prepare_v2(s->db, "INSERT INTO capture_file_t (capture_id,"
	    " file_index, name, path, sha256, size, linktype, first_sec,"
	    " first_nsec, last_sec, last_nsec, first_packet, packets, error)"
	    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", -1, &st, NULL) !=
	    SQLITE_OK) {
		store_fail(s, "%s", sqlite3_errmsg(s->db));
		return -1;
	}
	for (i = 0; i < si->nfiles && !s->failed; i++) {
		f = &si->files[i];
		sqlite3_reset(st);
		b_init(&b, s, st);
		b_i64(&b, s->capture_id);
		b_u64(&b, i);
		b_text(&b, f->name);
		b_text(&b, f->path);
		if (f->sha256[0] != '\0')
			b_raw_text(&b, f->sha256);
		else
			b_null(&b);
		b_u64(&b, f->size);
		b_i64(&b, f->linktype);
		b_opt(&b, f->seen, f->first.sec);
		b_opt(&b, f->seen, f->first.nsec);
		b_opt(&b, f->seen, f->last.sec);
		b_opt(&b, f->seen, f->last.nsec);
		b_opt(&b, f->first_ordinal != 0, (int64_t)f->first_ordinal);
		b_u64(&b, f->packets);
		if (f->error[0] != '\0')
			b_bytes_text(&b, f->error, strnlen(f->error,
			    sizeof f->error));
		else
			b_null(&b);
		store_step(s, st);
	}
	sqlite3_finalize(st);
	if (s->failed || store_cap_index(s, si) != 0)
		return -1;
	if (si->nfiles < 2)
		return 0;
	if (sqlite3_prepare_v2(s->db, "INSERT INTO capture_span_t (capture_id,"
	    " ordinal, file_index, number, count) VALUES (?,?,?,?,?)", -1, &st,
	    NULL) != SQLITE_OK) {
		store_fail(s, "%s", sqlite3_errmsg(s->db));
		return -1;
	}
	for (i = 0; i < si->nspans && !s->failed; i++) {
		sqlite3_reset(st);
		b_init(&b, s, st);
		b_i64(&b, s->capture_id);
		b_u64(&b, si->spans[i].ordinal);
		b_u64(&b, si->spans[i].file);
		b_u64(&b, si->spans[i].number);
		b_u64(&b, si->spans[i].count);
		store_step(s, st);
	}
	sqlite3_finalize(st);
	return s->failed ? -1 : 0;
}

static int
store_cap_end(void *ctx, const struct capture_summary *cs)
{
	struct store     *s = ctx;
	struct store_bind b;
	sqlite3_stmt     *st = NULL;
	const uint64_t    counts[] = {
		cs->packets, cs->bytes, cs->tcp_packets, cs->fragments,
		cs->not_tcp, cs->short_pkts, cs->malformed, cs->truncated_pkts,
		cs->connections, cs->ws_connections, cs->frames, cs->messages,
		cs->findings, cs->gaps, cs->gap_bytes, cs->conflicts,
		cs->cap_flows, cs->cap_idle, cs->cap_ooo_dir, cs->cap_ooo_total,
		cs->peak_live, cs->peak_ooo_bytes, cs->cap_inflate,
		cs->unchecked, cs->unchecked_bytes, cs->cap_bounds,
		cs->packets_matched
	};
	size_t            i;

	if (!s->in_capture)
		return -1;
	if (s->failed || store_orphans(s) != 0)
		goto fail;
	if (sqlite3_prepare_v2(s->db, "UPDATE capture_t SET complete = ?,"
	    " error = ?, conn_base = ?, packets = ?, bytes = ?,"
	    " tcp_packets = ?, fragments = ?, not_tcp = ?, short_packets = ?,"
	    " malformed = ?, truncated_packets = ?, connections = ?,"
	    " ws_connections = ?, frames = ?, messages = ?, findings = ?,"
	    " gaps = ?, gap_bytes = ?, conflicts = ?, cap_flows = ?,"
	    " cap_idle = ?, cap_ooo_dir = ?, cap_ooo_total = ?,"
	    " peak_live = ?, peak_ooo_bytes = ?, cap_inflate = ?,"
	    " unchecked = ?, unchecked_bytes = ?, cap_bounds = ?,"
	    " packets_matched = ?, files = ?, duplicates = ? WHERE"
	    " capture_id = ?", -1, &st,
	    NULL) != SQLITE_OK) {
		store_fail(s, "%s", sqlite3_errmsg(s->db));
		goto fail;
	}
	b_init(&b, s, st);
	b_i64(&b, cs->complete ? 1 : 0);
	if (cs->complete || cs->error[0] == '\0')
		b_null(&b);
	else
		b_bytes_text(&b, cs->error, strnlen(cs->error,
		    sizeof cs->error));
	b_i64(&b, s->conn_base);
	for (i = 0; i < sizeof counts / sizeof counts[0]; i++)
		b_u64(&b, counts[i]);
	/* files and duplicates: NULL without a set (the view says 1 and 0). */
	b_opt(&b, cs->set != NULL, cs->set != NULL ? (int64_t)cs->set->nfiles :
	    0);
	b_opt(&b, cs->set != NULL, cs->set != NULL ?
	    (int64_t)cs->set->duplicates : 0);
	b_i64(&b, s->capture_id);
	store_step(s, st);
	sqlite3_finalize(st);
	st = NULL;
	if (s->failed || store_cap_files(s, cs) != 0)
		goto fail;
	if (cs->sha256[0] != '\0' && store_late_sha(s, cs->sha256) != 0)
		goto fail;
	if (cs->size > 0 && store_run(s, "UPDATE capture_t SET size = ?2"
	    " WHERE capture_id = ?1", NULL, s->capture_id,
	    (int64_t)cs->size) != 0)
		goto fail;
	if (store_exec(s, "COMMIT") != 0) {
		s->failed = 1;
		wsa_warn("%s", s->error);
		goto fail;
	}
	s->in_capture = 0;
	return 0;
fail:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->in_capture = 0;
	/* Keep the reason on the row that stays (complete = 0). */
	if (sqlite3_prepare_v2(s->db, "UPDATE capture_t SET error = ? WHERE"
	    " capture_id = ?", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, s->error, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, s->capture_id);
		sqlite3_step(st);
		sqlite3_finalize(st);
	}
	return -1;
}
