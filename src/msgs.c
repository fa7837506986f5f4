/*
 * msgs: the choice of messages and their wire order, shared by messages
 * and export (msgs.h).
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "msgs.h"
#include "utf8.h"
#include "wsautopsy.h"

static void msgs_utf8_text(sqlite3_context *, int, sqlite3_value **);
static void msgs_base64(sqlite3_context *, int, sqlite3_value **);

const struct cmd_option msgs_select_options[] = {
	{ .name = "connection", .key = 'i', .arg = "CONN",
	  .help = "only these connections: connection_id or CAPTURE:N, "
	    "comma-separated or repeated",
	  .doc = "Only these connections: each a connection_id or a stable\n"
	    "address CAPTURE:N (as\n"
	    ".B report\n"
	    ".B \\-i\n"
	    "takes it); a comma-separated list, or the option repeated." },
	{ .name = "capture", .key = 'C', .arg = "NAME",
	  .help = "only this capture (its file name)" },
	{ 0 }
};

/* wsa_utf8_text(blob): 1 when the bytes are UTF-8 text a JSON string holds. */
static void
msgs_utf8_text(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const uint8_t *p = sqlite3_value_blob(argv[0]);
	int            n = sqlite3_value_bytes(argv[0]);

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
		sqlite3_result_int(ctx, 0);
		return;
	}
	sqlite3_result_int(ctx, (n == 0 || memchr(p, 0, (size_t)n) == NULL) &&
	    utf8_check(p, (size_t)n) < 0);
}

/* base64(blob): RFC 4648 with padding, no line breaks. */
static void
msgs_base64(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const unsigned char *p = sqlite3_value_blob(argv[0]);
	int                  n = sqlite3_value_bytes(argv[0]);
	unsigned char       *out;

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	/* n is at most SQLite's length limit (below 2^31): no overflow. */
	out = xmalloc((size_t)n / 3 * 4 + 5);
	n = EVP_EncodeBlock(out, p != NULL ? p : (const unsigned char *)"", n);
	sqlite3_result_text(ctx, (const char *)out, n, free);
}

int
msgs_sql_functions(sqlite3 *db)
{
	if (sqlite3_create_function(db, "wsa_utf8_text", 1, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC, NULL, msgs_utf8_text, NULL, NULL) !=
	    SQLITE_OK || sqlite3_create_function(db, "base64", 1, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC, NULL, msgs_base64, NULL, NULL) != SQLITE_OK)
		return -1;
	return 0;
}

int
msgs_add_conns(struct store *s, char **conns, const char *list, char *err,
    size_t errlen)
{
	sqlite3_stmt *st;
	char          item[256], *end;
	const char   *p, *comma;
	size_t        len, have;
	long long     id;
	int           found;

	for (p = list; ; p = comma + 1) {
		comma = strchr(p, ',');
		len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		snprintf(item, sizeof item, "%.*s", (int)len, p);
		if (strchr(item, ':') != NULL) {
			if ((id = store_connection_address(s, item, err,
			    errlen)) < 0)
				return -1;
		} else {
			errno = 0;
			id = strtoll(item, &end, 10);
			if (errno != 0 || item[0] == '\0' || *end != '\0' ||
			    id < 0) {
				snprintf(err, errlen, "bad connection id '%s'",
				    item);
				return -1;
			}
			if (sqlite3_prepare_v2(store_db(s), "SELECT 1 FROM"
			    " connections WHERE connection_id = ?", -1, &st,
			    NULL) != SQLITE_OK) {
				snprintf(err, errlen, "%s",
				    sqlite3_errmsg(store_db(s)));
				return -1;
			}
			sqlite3_bind_int64(st, 1, id);
			found = sqlite3_step(st) == SQLITE_ROW;
			sqlite3_finalize(st);
			if (!found) {
				snprintf(err, errlen, "no connection %lld", id);
				return -1;
			}
		}
		have = *conns != NULL ? strlen(*conns) : 0;
		*conns = xrealloc(*conns, have + 32);
		snprintf(*conns + (have > 0 ? have - 1 : 0), 32, "%s%lld]",
		    have > 0 ? "," : "[", id);
		if (comma == NULL)
			return 0;
	}
}

int
msgs_check_capture(struct store *s, const char *name)
{
	sqlite3_stmt *st;
	int           found;

	if (sqlite3_prepare_v2(store_db(s), "SELECT 1 FROM captures WHERE"
	    " capture = ?", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found ? 0 : -1;
}
