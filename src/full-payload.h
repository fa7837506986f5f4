/*
 * full-payload: whole message payloads (beyond the stored prefix), read
 * back from the capture into a TEMP table of an open database connection.
 * Consumers read coalesce(fp.payload, m.payload_prefix) with LEFT JOIN
 * temp.full_payload fp USING (connection_id, direction, message_id)
 * (message_t's key); truncated = 1 when the payload was cut at a size
 * bound.
 */
#ifndef FULL_PAYLOAD_H
#define FULL_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#define FULL_PAYLOAD_DDL "CREATE TEMP TABLE IF NOT EXISTS full_payload" \
	" (connection_id INTEGER NOT NULL, direction INTEGER NOT NULL," \
	" message_id INTEGER NOT NULL, payload BLOB, truncated INTEGER NOT" \
	" NULL DEFAULT 0, PRIMARY KEY (connection_id, direction, message_id))"

/* 0 ok, -1 error with one line in err. */
int full_payload_fill(sqlite3 *db, int64_t capture_id,
	const int64_t *conn_ids, size_t nconn, uint64_t max_payload,
	char *err, size_t errlen);

#endif
