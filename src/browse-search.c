/*
 * browse-search: the payload search every list shares. It reads only
 * the stored prefixes (unmasked, inflated), never the capture, so a
 * match beyond a prefix is not seen: the status line counts those
 * messages and names the command that reads them whole.
 *
 * The order is (connection, wire order): message_t's connection_id,
 * first_packet, direction and message_id. A blob makes instr() compare
 * bytes, as stored.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "browse.h"

#define BSR_ORDER "m.connection_id, m.first_packet, m.direction, m.message_id"

static int	 bsr_step(struct browse *, int64_t, const struct browse_wkey *,
		    int, int, int, struct browse_hit *);
static int64_t	 bsr_prefix_only(struct browse *);

/* One query of the search: after here (or from any end when all). */
static int
bsr_step(struct browse *b, int64_t conn, const struct browse_wkey *here,
    int dir, int within, int all, struct browse_hit *hit)
{
	sqlite3_stmt *st;
	const char   *text = browse_search_text(b), *desc = dir < 0 ?
		    " DESC" : "";
	char          sql[1024];
	int           rc = 0;

	snprintf(sql, sizeof sql, "SELECT m.connection_id, m.first_packet,"
	    " m.direction, m.message_id, m.first_frame FROM message_t m"
	    " WHERE (?6 OR (" BSR_ORDER ") %s (?1, ?2, ?3, ?4)) AND (?7 = 0"
	    " OR m.connection_id = ?1) AND instr(m.payload_prefix, ?5) > 0"
	    " ORDER BY m.connection_id%s, m.first_packet%s, m.direction%s,"
	    " m.message_id%s LIMIT 1", dir > 0 ? ">" : dir < 0 ? "<" : ">=",
	    desc, desc, desc, desc);
	if (browse_prepare(b, sql, &st) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, conn);
	sqlite3_bind_int64(st, 2, here->packet);
	sqlite3_bind_int(st, 3, here->dir);
	sqlite3_bind_int64(st, 4, here->index);
	sqlite3_bind_blob(st, 5, text, (int)strlen(text), SQLITE_STATIC);
	sqlite3_bind_int(st, 6, all);
	sqlite3_bind_int(st, 7, within);
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
	int rc;

	*wrapped = 0;
	if ((rc = bsr_step(b, conn, here, dir, within, 0, hit)) != 0 ||
	    within)
		return rc;
	*wrapped = 1;
	return bsr_step(b, conn, here, dir, 0, 1, hit);
}

/* The messages longer than their prefix that the prefix does not match. */
static int64_t
bsr_prefix_only(struct browse *b)
{
	sqlite3_stmt *st;
	const char   *text = browse_search_text(b);
	int64_t       n = 0;

	if (browse_prepare(b, "SELECT count(*) FROM message_t WHERE"
	    " length(payload_prefix) < decoded_size AND"
	    " instr(payload_prefix, ?1) = 0", &st) != 0)
		return 0;
	sqlite3_bind_blob(st, 1, text, (int)strlen(text), SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = (int64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

void
browse_payload_say(struct browse *b, const struct browse_hit *hit,
    int wrapped)
{
	const char *text = browse_search_text(b);
	int64_t     cut = bsr_prefix_only(b);
	char        tail[200] = "";

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
