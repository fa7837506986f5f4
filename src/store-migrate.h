/*
 * store-migrate: brings a database written by an earlier release up to
 * STORE_SCHEMA_VERSION, one version per transaction. Private to the store.
 */
#ifndef STORE_MIGRATE_H
#define STORE_MIGRATE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/* The oldest schema version a migration starts from. */
#define STORE_OLDEST_VERSION 1

/* The current schema's views (store.c): every migration recreates them. */
extern const char store_views[];
/* The tables of a capture's files (version 5), where missing. */
extern const char store_file_tables[];
/* The evidence of the bounds pass (version 6), where missing. */
extern const char store_limit_tables[];
/* Version 7: where the packets are in the files (packet_index_t). */
extern const char store_index_tables[];
/* Version 8: the replays to a live server (replay_t). */
extern const char store_replay_tables[];

/*
 * Whether a database at this schema version needs a migration: it is
 * older, or its release predates columns its version gained later. Only
 * reads. 1 or 0, -1 on a SQLite error (in sqlite3_errmsg).
 */
int	store_migrate_needed(sqlite3 *, int64_t version);
/*
 * Runs the steps the database needs, each in its own BEGIN IMMEDIATE
 * transaction that reads the version again, so two runs upgrading at once
 * do each step once. 0, or -1 with one line naming path in err.
 */
int	store_migrate(sqlite3 *, const char *path, char *err, size_t errlen);

#endif
