/*
 * store: the SQLite database, written as a sink and read by report and
 * browse. Its views are the public SQL interface, documented in
 * wsautopsy-db(5); the tables behind them may change with the schema
 * version.
 */
#ifndef STORE_H
#define STORE_H

#include <sqlite3.h>

#include "sink.h"

#define STORE_SCHEMA_VERSION 8

/*
 * A packet as a user finds it, in SQL over the tables: "file:number" within a set of several
 * files, the plain number otherwise (no spans are stored for one file).
 * The first test does not depend on the row, so SQLite makes it once per
 * query: a database of single files pays no lookup per packet column.
 * PKT names its table (message_t.first_packet): inside, capture_file_t's
 * own first_packet would take a bare name.
 */
#define STORE_PACKET_AT(cap, pkt) \
	"CASE WHEN EXISTS (SELECT 1 FROM capture_span_t) THEN" \
	" coalesce((SELECT fl.name || ':' || (s.number + " pkt \
	" - s.ordinal) FROM capture_span_t s JOIN capture_file_t fl ON" \
	" fl.capture_id = s.capture_id AND fl.file_index = s.file_index" \
	" WHERE s.capture_id = " cap " AND s.ordinal <= " pkt \
	" ORDER BY s.ordinal DESC LIMIT 1), " pkt ") ELSE " pkt " END"
#define STORE_FRAME_CAPTURE "(SELECT fc.capture_id FROM connection_t fc" \
	" WHERE fc.connection_id = frame_t.connection_id)"
#define STORE_MESSAGE_CAPTURE "(SELECT mc.capture_id FROM connection_t mc" \
	" WHERE mc.connection_id = message_t.connection_id)"

/* PRAGMA application_id of every wsautopsy database: "WSAU". */
#define STORE_APPLICATION_ID 0x57534155

/* How long a writer waits for another writer before giving up (ms). */
#define STORE_BUSY_MS 3000

struct store;

/*
 * Opens or creates the database. Refuses (NULL, one line in err naming the
 * file) a file that is not SQLite, a SQLite database not made by wsautopsy
 * (PRAGMA application_id), a schema version it cannot read (PRAGMA
 * user_version newer than STORE_SCHEMA_VERSION), an unwritable path, a
 * database locked by another writer (after STORE_BUSY_MS, "in use by
 * another wsautopsy run"). A database of an earlier schema is migrated
 * (store-migrate.c) in place. readonly: never creates or changes the file
 * (report, browse); an earlier schema is migrated in a copy in memory.
 */
struct store *store_open(const char *path, int readonly, char *err,
	    size_t errlen);
/* An analysis still open (no capture_end) is rolled back. */
void	 store_close(struct store *);
/* Removes a database file and what SQLite may leave beside it. */
void	 store_unlink(const char *path);

/*
 * The sink. ctx is a struct store *. One capture at a time: capture_begin
 * commits a captures row with complete = 0 on its own, then everything up
 * to capture_end is one transaction, so a run that dies leaves at most
 * that row behind. A capture whose SHA-256 is already stored replaces it.
 * capture_begin and capture_end return -1 on failure with the reason in
 * store_error() (already printed with wsa_warn).
 */
extern const struct sink_ops store_sink_ops;

/*
 * What the sink's finding_update and limits_row write, for a capture
 * written otherwise (merge): a finding's columns the bounds pass changes,
 * and a row of the pass's evidence (finding_id that of row->f's close).
 * escaped: the finding's texts were read from a database, escaped
 * already (esc_wire is applied once). -1 when it failed (said with
 * wsa_warn, kept in store_error()).
 */
int	 store_limits_update(struct store *, int64_t finding_id,
	    const struct finding *, int escaped);
int	 store_limits_write(struct store *, int64_t capture_id,
	    int64_t finding_id, const struct limits_row *, int escaped);

sqlite3	*store_db(struct store *);
const char *store_path(const struct store *);
/*
 * The connection_id of a stable address CAPTURE:N (N the connection's
 * number within the capture; CAPTURE its name or the start of its
 * SHA-256, 8 hex digits at least), the same on every analysis of those
 * bytes. -1 with err set when it names none or more than one.
 */
int64_t     store_connection_address(struct store *, const char *,
		char *err, size_t errlen);
/* The last error, one line naming the file; "" when none. */
const char *store_error(const struct store *);

/* The flags columns of frame_t and message_t (flags.h). */
int store_frame_flags(const struct ws_frame *);
int store_message_flags(const struct ws_message *);

#endif
