/*
 * store-migrate: the schema's history, and the steps that replay it on a
 * database an earlier release wrote.
 *
 * Invariants:
 * - store_steps[i] makes schema version i + 1: one step per version, so
 *   a STORE_SCHEMA_VERSION without its step does not compile.
 * - A step's columns are added only where missing (ALTER TABLE ... ADD
 *   COLUMN). Versions 1 and 2 gained columns after their first release
 *   without a bump, so a database of version N may lack some of step N's
 *   columns: the step that made a database's own version runs again when
 *   one is missing. The columns of one table are listed in the order of
 *   store_tables (store.c), so an upgraded table equals a new one.
 * - Each step first drops the views the current schema defines, so no view
 *   holds back what it does; the step that makes the current version
 *   creates them again. A run killed between two steps leaves a version
 *   below the current one, which the next open migrates on.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "store.h"
#include "store-migrate.h"

struct store_step {
	const char *const *columns; /* "table column type", or NULL */
	const char        *sql;     /* run after the columns, or NULL */
	int              (*fn)(sqlite3 *); /* then; a SQLite result code */
};

#define STORE_COLUMNS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/*
 * A new schema version: change store_tables and store_views (store.c),
 * bump STORE_SCHEMA_VERSION, and add its row here, columns in table
 * order; tests/db gets a database written by the last commit before it.
 */
static const struct store_step store_steps[] = {
	/* 1 (20fe90f); stack fingerprints came within version 1 (0e34d11). */
	{ STORE_COLUMNS("connection_t client_stack TEXT",
	    "connection_t server_stack TEXT",
	    "connection_t client_stack_evidence TEXT",
	    "connection_t server_stack_evidence TEXT"), NULL, NULL },
	/*
	 * 2 (70bbd05); unchecked resends (acc35d2) and a frame's packet list
	 * (93a1d05) came within version 2.
	 */
	{ STORE_COLUMNS("capture_t cap_inflate INTEGER",
	    "connection_t headers_cut TEXT", "capture_t unchecked INTEGER",
	    "capture_t unchecked_bytes INTEGER", "frame_t packets TEXT"),
	    NULL, NULL },
	/* 3: limits as numbers (remedy size and source, basis), cap_bounds. */
	{ STORE_COLUMNS("capture_t cap_bounds INTEGER",
	    "finding_t remedy_limit INTEGER", "finding_t remedy_source TEXT",
	    "finding_t limit_basis TEXT"), NULL, NULL },
	/* 4: the options a capture was analysed with, packets a filter took. */
	{ STORE_COLUMNS("capture_t options TEXT",
	    "capture_t packets_matched INTEGER"), NULL, NULL },
	/*
	 * 5: capture sets (their files, spans of packets, duplicates); pings
	 * and their round trips, the quiet time before an abnormal end, a
	 * violation the receiver tolerated; TLS (wss://) connections.
	 */
	{ STORE_COLUMNS("capture_t files INTEGER",
	    "capture_t duplicates INTEGER",
	    "connection_t pings_client INTEGER",
	    "connection_t pings_server INTEGER",
	    "connection_t ping_answers_client INTEGER",
	    "connection_t ping_answers_server INTEGER",
	    "connection_t pings_unanswered_client INTEGER",
	    "connection_t pings_unanswered_server INTEGER",
	    "connection_t ping_rtt_min_client REAL",
	    "connection_t ping_rtt_min_server REAL",
	    "connection_t ping_rtt_median_client REAL",
	    "connection_t ping_rtt_median_server REAL",
	    "connection_t ping_rtt_max_client REAL",
	    "connection_t ping_rtt_max_server REAL",
	    "connection_t idle_before_end REAL",
	    "connection_t idle_data_before_end REAL",
	    "connection_t tls_version TEXT", "connection_t tls_cipher TEXT",
	    "connection_t tls_sni TEXT", "connection_t tls_alpn TEXT",
	    "connection_t tls_decrypted INTEGER",
	    "connection_t tls_keylog TEXT", "frame_t tls_records TEXT",
	    "finding_t tolerated_by TEXT"), store_file_tables, NULL },
	/* 6: the evidence of the bounds pass, for merge (limit_evidence_t). */
	{ NULL, store_limit_tables, NULL },
	/*
	 * 7: the file offsets of every CAPTURE_CHECKPOINT_EVERY-th packet
	 * (packet_index_t), for whole payloads read back from the capture.
	 */
	{ NULL, store_index_tables, NULL },
	/* 8: replays to a live server (replay_t), with what they found. */
	{ NULL, store_replay_tables, NULL },
};

_Static_assert(sizeof store_steps / sizeof store_steps[0] ==
    STORE_SCHEMA_VERSION, "one migration step per schema version");

static int store_migrate_lacks(sqlite3 *, const char *);
static int store_migrate_next(sqlite3 *, int64_t);
static int store_migrate_version(sqlite3 *, int64_t *);
static int store_migrate_drop_views(sqlite3 *);
static int store_migrate_step(sqlite3 *, int);

/* 1 when the table lacks the column of spec, 0 when it has it, -1. */
static int
store_migrate_lacks(sqlite3 *db, const char *spec)
{
	sqlite3_stmt *st;
	size_t        tlen = strcspn(spec, " ");
	const char   *col = spec + tlen + (spec[tlen] != '\0');
	int           rc;

	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM pragma_table_info(?1)"
	    " WHERE name = ?2", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, spec, (int)tlen, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, col, (int)strcspn(col, " "), SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_ROW ?
	    sqlite3_column_int64(st, 0) == 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

/* The index of the step a database of this version needs, -1 none, -2. */
static int
store_migrate_next(sqlite3 *db, int64_t version)
{
	const char *const *c;
	int                rc;

	if (version < STORE_OLDEST_VERSION || version > STORE_SCHEMA_VERSION)
		return -1;
	c = store_steps[version - 1].columns;
	for (; c != NULL && *c != NULL; c++) {
		if ((rc = store_migrate_lacks(db, *c)) != 0)
			return rc < 0 ? -2 : (int)version - 1;
	}
	return version < STORE_SCHEMA_VERSION ? (int)version : -1;
}

int
store_migrate_needed(sqlite3 *db, int64_t version)
{
	int i = store_migrate_next(db, version);

	return i == -2 ? -1 : i >= 0;
}

static int
store_migrate_version(sqlite3 *db, int64_t *version)
{
	sqlite3_stmt *st;
	int           rc;

	if ((rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st,
	    NULL)) != SQLITE_OK)
		return rc;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*version = sqlite3_column_int64(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

/* Only the views wsautopsy defines: a user's own views stay. */
static int
store_migrate_drop_views(sqlite3 *db)
{
	static const char word[] = "CREATE VIEW ";
	const char       *p;
	char              sql[128];
	size_t            n;
	int               rc;

	for (p = store_views; (p = strstr(p, word)) != NULL; p += n) {
		p += sizeof word - 1;
		n = strspn(p, "abcdefghijklmnopqrstuvwxyz_0123456789");
		snprintf(sql, sizeof sql, "DROP VIEW IF EXISTS %.*s", (int)n, p);
		if ((rc = sqlite3_exec(db, sql, NULL, NULL, NULL)) != SQLITE_OK)
			return rc;
	}
	return SQLITE_OK;
}

/* Runs store_steps[i] inside the caller's transaction. */
static int
store_migrate_step(sqlite3 *db, int i)
{
	const struct store_step *step = &store_steps[i];
	const char *const       *c;
	char                     sql[256];
	size_t                   tlen;
	int                      rc;

	if ((rc = store_migrate_drop_views(db)) != SQLITE_OK)
		return rc;
	for (c = step->columns; c != NULL && *c != NULL; c++) {
		if ((rc = store_migrate_lacks(db, *c)) < 0)
			return sqlite3_errcode(db);
		if (rc == 0)
			continue;
		tlen = strcspn(*c, " ");
		snprintf(sql, sizeof sql, "ALTER TABLE %.*s ADD COLUMN %s",
		    (int)tlen, *c, *c + tlen + 1);
		if ((rc = sqlite3_exec(db, sql, NULL, NULL, NULL)) != SQLITE_OK)
			return rc;
	}
	if (step->sql != NULL &&
	    (rc = sqlite3_exec(db, step->sql, NULL, NULL, NULL)) != SQLITE_OK)
		return rc;
	if (step->fn != NULL && (rc = step->fn(db)) != SQLITE_OK)
		return rc;
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", i + 1);
	if ((rc = sqlite3_exec(db, sql, NULL, NULL, NULL)) != SQLITE_OK)
		return rc;
	if (i + 1 == STORE_SCHEMA_VERSION)
		return sqlite3_exec(db, store_views, NULL, NULL, NULL);
	return SQLITE_OK;
}

int
store_migrate(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	int64_t version = 0;
	int     i, rc;

	for (;;) {
		if ((rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL,
		    NULL)) != SQLITE_OK ||
		    (rc = store_migrate_version(db, &version)) != SQLITE_OK)
			break;
		if (version > STORE_SCHEMA_VERSION) {
			snprintf(err, errlen, "%s: wsautopsy database schema"
			    " version %" PRId64 "; this wsautopsy reads versions"
			    " %d to %d (made by a newer wsautopsy)", path,
			    version, STORE_OLDEST_VERSION, STORE_SCHEMA_VERSION);
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
		if ((i = store_migrate_next(db, version)) == -2) {
			rc = sqlite3_errcode(db);
			break;
		}
		if (i == -1) {
			if ((rc = sqlite3_exec(db, "COMMIT", NULL, NULL,
			    NULL)) == SQLITE_OK)
				return 0;
			break;
		}
		if ((rc = store_migrate_step(db, i)) != SQLITE_OK ||
		    (rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL)) !=
		    SQLITE_OK)
			break;
	}
	if ((rc & 0xff) == SQLITE_BUSY)
		snprintf(err, errlen, "%s: database in use by another wsautopsy"
		    " run", path);
	else
		snprintf(err, errlen, "%s: cannot upgrade the database from"
		    " schema version %" PRId64 ": %s", path, version,
		    sqlite3_errmsg(db));
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}
