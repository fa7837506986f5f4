/*
 * full-payload: whole message payloads, read back from the capture.
 *
 * The database holds each message's first bytes (analyze --payload-cap).
 * Whole payloads come from the capture itself: the files at the paths
 * the database recorded, refused unless their size and SHA-256 are what
 * was analysed (the SHA-256 read only when a file was written since, or
 * asked for), read from the last packet offset kept at or before the
 * chosen connections' first packets (packet_index_t) through the same
 * decoding as analyze, only the packets of those connections, up to
 * their last packets.
 */
#ifndef FULL_PAYLOAD_H
#define FULL_PAYLOAD_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "cmd.h"

/*
 * --verify, for every command that reads a capture again from what a
 * database recorded (messages --full, export, replay DB): hash the whole
 * file even when its size and time say it was not written since.
 */
#define FULL_PAYLOAD_VERIFY (CMD_LONG + 200)
extern const struct cmd_option full_payload_verify_options[];

/*
 * The payloads read back, in a TEMP table of the open database: key =
 * message_t's; payload = the whole decoded payload (unmasked, inflated,
 * reassembled); truncated = 1 when it was cut at a size bound. Readers
 * take coalesce(fp.payload, m.payload_prefix) with LEFT JOIN
 * temp.full_payload fp USING (connection_id, direction, message_id).
 */
#define FULL_PAYLOAD_DDL "CREATE TEMP TABLE IF NOT EXISTS full_payload" \
	" (connection_id INTEGER NOT NULL, direction INTEGER NOT NULL," \
	" message_id INTEGER NOT NULL, payload BLOB, truncated INTEGER NOT" \
	" NULL DEFAULT 0, PRIMARY KEY (connection_id, direction, message_id))"

/*
 * Creates temp.full_payload (empty) if missing, on a connection opened
 * read-only too (PRAGMA query_only is lifted for the moment: the TEMP
 * table is the connection's own). SQLITE_OK or an error code.
 */
int full_payload_table(sqlite3 *db);

/* The default bound of one payload read back (messages --max-payload). */
#define FULL_PAYLOAD_MAX_DEFAULT (UINT64_C(64) << 20)

/*
 * Fills temp.full_payload with every message of the connections conn_ids
 * (connection_id values of capture capture_id; NULL with nconn 0: all of
 * its connections), each payload cut at max_payload bytes (at most 64
 * MiB). verify: hash every file (capture_hash_check). 0, or -1 with one
 * line in err: a file missing or changed, options the database recorded
 * that do not read back, a key log the analysis used gone, a damaged
 * capture.
 */
int full_payload_fill(sqlite3 *db, int64_t capture_id,
    const int64_t *conn_ids, size_t nconn, uint64_t max_payload, int verify,
    char *err, size_t errlen);

/*
 * The files of capture capture_id, in set order, as they can be read
 * again: each where the database recorded it, or (a relative path that is
 * not there) beside the database; each checked by capture_hash_check
 * (verify: always hashed). *paths is the caller's to free with
 * capture_set_expand_free. 0, or -1 with one line in err.
 */
int full_payload_files(sqlite3 *db, int64_t capture_id, int verify,
    char ***paths, size_t *n, char *err, size_t errlen);

struct analysis_opts;
/*
 * The options capture capture_id was analysed with, as its options column
 * records them, read through analyze's own option table into o (the
 * defaults first); *words keeps their text (the caller's to free). 0, or
 * -1 with one line in err: text analyze would not take.
 */
int full_payload_opts(sqlite3 *db, int64_t capture_id,
    struct analysis_opts *o, char **words, char *err, size_t errlen);

#endif
