/*
 * browse-search: the payload search every list shares. It reads only
 * the stored prefixes (unmasked, inflated), never the capture, so a
 * match beyond a prefix is not seen: the status line counts those
 * messages and names the command that reads them whole.
 *
 * The order is (connection, wire order): message_t's connection_id,
 * first_packet, direction and message_id. A blob makes instr() compare
 * bytes, as stored. On 103,329 messages (1,030 connections, 90 MB of
 * prefixes) a text found in a near connection takes a few milliseconds
 * (the message_order index from the connection on); the first search of
 * a text counts its matches in one pass over the table (about 0.4 s), so
 * a text held nowhere is said at once instead of walking every
 * connection.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "browse.h"

static int	 bsr_step(struct browse *, int64_t, const struct browse_wkey *,
		    int, const char *, struct browse_hit *);
static int	 bsr_count(struct browse *, int64_t *, int64_t *);

/*
 * One query of the search, where says which messages: in conn after
 * here, in the connections after (before) conn, or any. Each but the
 * last walks the message_order index from conn and stops at the first
 * connection holding a match.
 */
static int
bsr_step(struct browse *b, int64_t conn, const struct browse_wkey *here,
    int dir, const char *where, struct browse_hit *hit)
{
	sqlite3_stmt *st;
	const char   *text = browse_search_text(b), *desc = dir < 0 ?
		    " DESC" : "";
	char          sql[1024];
	int           rc = 0;

	snprintf(sql, sizeof sql, "SELECT m.connection_id, m.first_packet,"
	    " m.direction, m.message_id, m.first_frame FROM message_t m"
	    " WHERE %s AND instr(m.payload_prefix, ?5) > 0 ORDER BY"
	    " m.connection_id%s, m.first_packet%s, m.direction%s,"
	    " m.message_id%s LIMIT 1", where, desc, desc, desc, desc);
	if (browse_prepare(b, sql, &st) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, conn);
	sqlite3_bind_int64(st, 2, here->packet);
	sqlite3_bind_int(st, 3, here->dir);
	sqlite3_bind_int64(st, 4, here->index);
	sqlite3_bind_blob(st, 5, text, (int)strlen(text), SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		hit->conn = (int64_t)sqlite3_column_int64(st, 0);
		hit->k.packet = (int64_t)sqlite3_column_int64(st, 1);
		hit->k.dir = sqlite3_column_int(st, 2);
		hit->k.index = (int64_t)sqlite3_column_int64(st, 3);
		hit->first_frame = (int64_t)sqlite3_column_int64(st, 4);
		rc = 1;
	}
	sqlite3_finalize(st);
	return rc;
}

int
browse_payload_find(struct browse *b, int64_t conn,
    const struct browse_wkey *here, int dir, int within,
    struct browse_hit *hit, int *wrapped)
{
	const char *op = dir > 0 ? ">" : dir < 0 ? "<" : ">=";
	char        where[200];
	int64_t     hits, cut;
	int         rc;

	*wrapped = 0;
	/* A text no message holds would walk every connection twice. */
	if (bsr_count(b, &hits, &cut) == 0 && hits == 0)
		return 0;
	snprintf(where, sizeof where, "m.connection_id = ?1 AND"
	    " (m.first_packet, m.direction, m.message_id) %s (?2, ?3, ?4)", op);
	if ((rc = bsr_step(b, conn, here, dir, where, hit)) != 0 || within)
		return rc;
	snprintf(where, sizeof where, "m.connection_id %s ?1", dir < 0 ?
	    "<" : ">");
	if ((rc = bsr_step(b, conn, here, dir, where, hit)) != 0)
		return rc;
	*wrapped = 1;
	return bsr_step(b, conn, here, dir, "1", hit);
}

/*
 * How many messages hold the text in their prefix, and how many longer
 * than their prefix do not: one pass over every message, so counted once
 * a text and kept for n and N. -1 when the database said no.
 */
static int
bsr_count(struct browse *b, int64_t *hits, int64_t *cut)
{
	static sqlite3 *db;
	static char     said[128];
	static int64_t  nhits, ncut;
	sqlite3_stmt   *st;
	const char     *text = browse_search_text(b);
	int             rc = -1;

	if (db == browse_db(b) && strcmp(said, text) == 0) {
		*hits = nhits;
		*cut = ncut;
		return 0;
	}
	db = NULL;
	*hits = *cut = 0;
	if (browse_prepare(b, "SELECT count(*) FILTER (WHERE instr("
	    "payload_prefix, ?1) > 0), count(*) FILTER (WHERE"
	    " length(payload_prefix) < decoded_size AND"
	    " instr(payload_prefix, ?1) = 0) FROM message_t", &st) != 0)
		return -1;
	sqlite3_bind_blob(st, 1, text, (int)strlen(text), SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*hits = nhits = (int64_t)sqlite3_column_int64(st, 0);
		*cut = ncut = (int64_t)sqlite3_column_int64(st, 1);
		db = browse_db(b);
		snprintf(said, sizeof said, "%s", text);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

void
browse_payload_say(struct browse *b, const struct browse_hit *hit,
    int wrapped)
{
	const char *text = browse_search_text(b);
	int64_t     hits, cut;
	char        tail[200] = "";

	bsr_count(b, &hits, &cut);
	if (cut > 0)
		snprintf(tail, sizeof tail, " (%" PRId64 " searched in their"
		    " stored prefix only: wsautopsy messages --full --grep)",
		    cut);
	if (hit == NULL) {
		browse_message(b, "no stored payload holds '%s'%s", text, tail);
		return;
	}
	browse_message(b, "/%s: connection %" PRId64 " %s message %" PRId64
	    "%s%s", text, hit->conn, hit->k.dir ? "server" : "client",
	    hit->k.index, wrapped ? " (search wrapped)" : "", tail);
}

void
browse_payload_open(struct browse *b, const struct browse_hit *hit)
{
	struct browse_frame_ref ref;

	ref.conn = hit->conn;
	ref.dir = hit->k.dir;
	ref.index = hit->first_frame;
	ref.packet = hit->k.packet;
	browse_goto_message(b, &ref, &hit->k);
}
