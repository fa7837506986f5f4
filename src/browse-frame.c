/*
 * browse-frame: one frame. Every header field decoded with the raw header
 * bytes, the findings that name the frame, the stored payload prefix as a
 * hex dump (unmasked, and masked as on the wire when a key was sent), and
 * as text, JSON pretty-printed when it parses.
 *
 * The view is a list of text lines built for the screen width; the dumps
 * are bounded by BF_DUMP_MAX bytes whatever the stored prefix holds.
 */
#include "config.h"

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif

#include <curses.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "browse.h"
#include "store.h"
#include "escape.h"
#include "flags.h"
#include "rules.h"
#include "wsautopsy.h"

#define BF_DUMP_MAX  (64 * 1024)
#define BF_JSON_MAX  2000       /* lines of pretty-printed JSON */
#define BF_JSON_DEPTH 64
/* The findings naming the frame, as its own or as the one that provoked. */
#define BF_MINE \
	"connection_id = ?1 AND ((sender = ?2 AND frame_index = ?3) OR" \
	" (offending_sender = ?2 AND offending_frame_index = ?3))"

struct bf {
	struct browse          *b;
	sqlite3                *db;
	struct browse_frame_ref ref;
	int64_t                 capture;
	struct browse_text      t;
	struct browse_list      l;
	int                     found;
	sqlite3_stmt           *msg;  /* while building: the frame's message, bf_message() */
	int                     binary;  /* its message is not text */
	char                    search[128];
};

/* Columns of bf_message(). */
enum { BFM_COMPRESSED, BFM_UNDECODED, BFM_DECODED, BFM_FIRST_FRAME,
    BFM_LAST_FRAME, BFM_PREFIX, BFM_FRAMES, BFM_FIRST_PACKET,
    BFM_LAST_PACKET, BFM_OPCODE };

struct bf_json {
	const uint8_t *p;
	size_t         n, i;
};

static const struct browse_key bf_keys[] = {
	{ '/', "/", BCMD_SEARCH, 0, "search the page (header, findings, hex, text)" },
	{ 'n', "n", BCMD_NEXT, 0, "next match" },
	{ 'N', "N", BCMD_PREV, 0, "previous match" },
	{ 0, "", BCMD_NONE, 0, NULL }
};

static void	*bf_init(struct browse *, const void *);
static void	 bf_free(void *);
static void	 bf_draw(void *, int, int);
static void	 bf_key(void *, enum browse_cmd, int);
static void	 bf_resize(void *, int, int);
static void	 bf_packet(struct bf *);
static void	 bf_status(void *, char *, size_t);
static void	 bf_help(void *, struct browse_text *, int);
static void	 bf_build(struct bf *, int);
static void	 bf_header(struct bf *, sqlite3_stmt *, int);
static void	 bf_packets(struct bf *, sqlite3_stmt *, int);
static void	 bf_shared(struct bf *, int64_t, int64_t, const char *,
		    const char *, int);
static int	 bf_findings_stmt(struct bf *, const char *, sqlite3_stmt **);
static void	 bf_findings(struct bf *, int);
static void	 bf_label(struct bf *, int, int, const char *,
		    const char *);
static void	 bf_dump(struct bf *, const uint8_t *, size_t, uint32_t, int);
static sqlite3_stmt *bf_message(struct bf *, int64_t);
static int	 bf_inflated(struct bf *, sqlite3_stmt *, int);
static void	 bf_text(struct bf *, const char *, const uint8_t *, size_t,
		    double,
		    int);
static const char *bf_escaped_newline(const char *);
static void	 bf_json_ws(struct bf_json *);
static int	 bf_json_value(struct bf_json *, int);
static int	 bf_json_string(struct bf_json *);
static void	 bf_json_pretty(struct bf *, const uint8_t *, size_t);

const struct browse_view browse_frame_view = {
	"frame", bf_keys, "", bf_init, bf_free, bf_draw, bf_key, bf_resize,
	bf_status, bf_help, NULL
};

static void *
bf_init(struct browse *b, const void *arg)
{
	struct bf    *v = xcalloc(1, sizeof *v);
	sqlite3_stmt *st;

	v->b = b;
	v->db = browse_db(b);
	v->ref = *(const struct browse_frame_ref *)arg;
	if (sqlite3_prepare_v2(v->db, "SELECT capture_id FROM connection_t"
	    " WHERE connection_id = ?1", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, v->ref.conn);
		if (sqlite3_step(st) == SQLITE_ROW)
			v->capture = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	return v;
}

static void
bf_free(void *p)
{
	struct bf *v = p;

	browse_text_clear(&v->t);
	free(v);
}

static void
bf_build(struct bf *v, int cols)
{
	sqlite3_stmt  *st;
	const uint8_t *pre;
	size_t         n;
	uint32_t       key;

	browse_text_clear(&v->t);
	v->found = 0;
	/*
	 * packet = ?4 (the ordinal frame_t keeps) lets the lookup use the
	 * frame_packet index; the view's packet and last_packet are for
	 * display (file:number in a capture set), frame_t's for comparing.
	 */
	if (sqlite3_prepare_v2(v->db, "SELECT v.direction, v.frame_index,"
	    " v.packet, v.last_packet, v.time_text, v.fin, v.rsv, v.opcode,"
	    " v.masked, v.payload_length, v.close_code, v.close_reason,"
	    " v.message_id, v.\"offset\", v.header, v.mask_key, v.payload_prefix,"
	    " v.truncated, v.seen_length, v.non_minimal, v.packets, t.packet,"
	    " t.last_packet, v.tls_records FROM frame_t t JOIN frames v ON"
	    " v.connection_id ="
	    " t.connection_id AND v.frame_index = t.frame_index AND"
	    " v.direction = ?2 WHERE t.packet = ?4 AND t.connection_id = ?1 AND"
	    " t.direction = (?2 = 'server') AND t.frame_index = ?3", -1, &st,
	    NULL) != SQLITE_OK) {
		browse_text_add(&v->t, 0, "database: %s",
		    sqlite3_errmsg(v->db));
		return;
	}
	sqlite3_bind_int64(st, 1, v->ref.conn);
	sqlite3_bind_text(st, 2, v->ref.dir ? "server" : "client", -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, v->ref.index);
	sqlite3_bind_int64(st, 4, v->ref.packet);
	if (sqlite3_step(st) != SQLITE_ROW) {
		browse_text_add(&v->t, 0, "frame not found");
		sqlite3_finalize(st);
		return;
	}
	v->found = 1;
	v->msg = bf_message(v, sqlite3_column_int64(st, 12));
	/* A continuation frame is of its message's kind. */
	v->binary = (sqlite3_column_int(st, 7) == 0 && v->msg != NULL ?
	    sqlite3_column_int(v->msg, BFM_OPCODE) :
	    sqlite3_column_int(st, 7)) != 1;
	bf_header(v, st, cols);
	bf_findings(v, cols);
	pre = sqlite3_column_blob(st, 16);
	n = (size_t)sqlite3_column_bytes(st, 16);
	key = (uint32_t)sqlite3_column_int64(st, 15);
	browse_text_add(&v->t, 0, "%s", "");
	browse_text_add(&v->t, A_BOLD, "payload: %.0f bytes, %zu stored%s",
	    sqlite3_column_double(st, 9), n, n > BF_DUMP_MAX ?
	    " (the dumps show the first 64K)" : "");
	if (n > BF_DUMP_MAX)
		n = BF_DUMP_MAX;
	if (pre != NULL && n > 0) {
		browse_text_add(&v->t, A_BOLD, "unmasked%s:", v->msg != NULL &&
		    sqlite3_column_int(v->msg, BFM_COMPRESSED) ?
		    " (compressed, as sent)" : "");
		bf_dump(v, pre, n, 0, 0);
		if (sqlite3_column_int(st, 8)) {
			browse_text_add(&v->t, A_BOLD, "masked (as on the wire,"
			    " key %08x):", key);
			bf_dump(v, pre, n, key, 1);
		}
		if (!bf_inflated(v, st, cols))
			bf_text(v, "", pre, n, sqlite3_column_double(st, 9),
			    cols);
	}
	sqlite3_finalize(st);
	sqlite3_finalize(v->msg);
	v->msg = NULL;
}

/* The row of the frame's message (columns BFM_*), or NULL. */
static sqlite3_stmt *
bf_message(struct bf *v, int64_t id)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(v->db, "SELECT flags & "
	    FLAG_STR(MSG_F_COMPRESSED) ", (flags >> " FLAG_STR(MSG_B_UNDECODED)
	    ") & 1,"
	    " decoded_size, first_frame, last_frame, payload_prefix, frames, "
	    STORE_PACKET_AT(STORE_MESSAGE_CAPTURE, "message_t.first_packet") ", "
	    STORE_PACKET_AT(STORE_MESSAGE_CAPTURE, "message_t.last_packet")
	    ", opcode FROM message_t WHERE"
	    " connection_id = ?1"
	    " AND direction = ?2 AND message_id = ?3", -1, &st, NULL) !=
	    SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(st, 1, v->ref.conn);
	sqlite3_bind_int(st, 2, v->ref.dir);
	sqlite3_bind_int64(st, 3, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

/*
 * A compressed message's text is its inflated bytes, which the message
 * keeps; the frame's own bytes are the compressed ones (the dumps above).
 * Returns 1 when it showed them.
 */
static int
bf_inflated(struct bf *v, sqlite3_stmt *frame, int cols)
{
	sqlite3_stmt  *st = v->msg;
	const uint8_t *p;
	char           label[256];
	int64_t        first, last;

	if (st == NULL || !sqlite3_column_int(st, BFM_COMPRESSED))
		return 0;
	first = (int64_t)sqlite3_column_int64(st, BFM_FIRST_FRAME);
	last = (int64_t)sqlite3_column_int64(st, BFM_LAST_FRAME);
	if (sqlite3_column_int(st, BFM_UNDECODED) ||
	    (p = sqlite3_column_blob(st, BFM_PREFIX)) == NULL) {
		browse_text_add(&v->t, 0, "%s", "");
		browse_text_add(&v->t, A_BOLD, "message %" PRId64 " is"
		    " compressed and could not be inflated; its bytes as sent"
		    " are above", (int64_t)sqlite3_column_int64(frame, 12));
		return 1;
	}
	if (first == last)
		snprintf(label, sizeof label, "inflated with permessage-deflate:"
		    " %" PRId64 " bytes decoded, %d stored",
		    (int64_t)sqlite3_column_int64(st, BFM_DECODED),
		    sqlite3_column_bytes(st, BFM_PREFIX));
	else
		snprintf(label, sizeof label, "inflated with permessage-deflate,"
		    " message %" PRId64 " of frames %" PRId64 "-%" PRId64 ": %"
		    PRId64 " bytes decoded, %d stored",
		    (int64_t)sqlite3_column_int64(frame, 12), first, last,
		    (int64_t)sqlite3_column_int64(st, BFM_DECODED),
		    sqlite3_column_bytes(st, BFM_PREFIX));
	bf_text(v, label, p, (size_t)sqlite3_column_bytes(st, BFM_PREFIX),
	    sqlite3_column_double(st, BFM_DECODED), cols);
	return 1;
}

static void
bf_header(struct bf *v, sqlite3_stmt *st, int cols)
{
	const uint8_t *h = sqlite3_column_blob(st, 14);
	int            hn = sqlite3_column_bytes(st, 14), i, op, rsv;
	char           hex[64], buf[512], when[64];
	size_t         o = 0;
	uint64_t       len = (uint64_t)sqlite3_column_double(st, 9);

	op = sqlite3_column_int(st, 7);
	rsv = sqlite3_column_int(st, 6);
	browse_text_add(&v->t, A_BOLD, "%s frame %" PRId64 " of connection %"
	    PRId64 ", message %" PRId64, v->ref.dir ? "server -> client" :
	    "client -> server", v->ref.index, v->ref.conn,
	    (int64_t)sqlite3_column_int64(st, 12));
	/* Local time to read, the stored seconds to compare exactly. */
	browse_time_fmt(atof(browse_col_text(st, 4)), 1, 1, when, sizeof when);
	browse_text_add(&v->t, 0, "time %s (epoch %s)   stream offset %"
	    PRId64, when, browse_col_text(st, 4),
	    (int64_t)sqlite3_column_int64(st, 13));
	bf_packets(v, st, cols);
	for (i = 0; h != NULL && i < hn && o + 4 < sizeof hex; i++)
		o += (size_t)snprintf(hex + o, sizeof hex - o, "%s%02x",
		    i ? " " : "", h[i]);
	hex[o] = '\0';
	browse_text_add(&v->t, 0, "%s", "");
	browse_text_add(&v->t, A_BOLD, "header bytes: %s", hex);
	browse_text_add(&v->t, 0, "  FIN     %d   %s", sqlite3_column_int(st, 5),
	    sqlite3_column_int(st, 5) ? "final fragment" :
	    "more fragments follow");
	/* rsv as stored: RSV1 is 4, RSV3 is 1 (the header's bit order). */
	browse_text_add(&v->t, 0, "  RSV1-3  %d%d%d %s", rsv >> 2 & 1,
	    rsv >> 1 & 1, rsv & 1, rsv == 0 ? "" : rsv == 4 ?
	    "RSV1: compressed (permessage-deflate) when negotiated" :
	    "reserved bits set");
	browse_text_add(&v->t, 0, "  opcode  0x%x %s%s", op,
	    browse_opcode_name(op), (op > 2 && op < 8) || op > 10 ?
	    " (reserved)" : "");
	browse_text_add(&v->t, 0, "  MASK    %d   %s", sqlite3_column_int(st, 8),
	    sqlite3_column_int(st, 8) ? "masked (client to server)" :
	    "not masked");
	browse_text_add(&v->t, 0, "  length  %" PRIu64 "   %s-bit length%s",
	    len, hn >= 10 && h != NULL && (h[1] & 0x7f) == 127 ? "64" :
	    hn >= 4 && h != NULL && (h[1] & 0x7f) == 126 ? "16" : "7",
	    sqlite3_column_int(st, 19) ? ", not minimal" : "");
	if (sqlite3_column_int(st, 8))
		browse_text_add(&v->t, 0, "  mask key %08x",
		    (uint32_t)sqlite3_column_int64(st, 15));
	if (sqlite3_column_int(st, 17))
		browse_text_add(&v->t, 0, "  truncated: %" PRId64 " payload bytes"
		    " captured", (int64_t)sqlite3_column_int64(st, 18));
	if (sqlite3_column_type(st, 10) != SQLITE_NULL) {
		snprintf(buf, sizeof buf, "  close code %d, reason \"%s\"",
		    sqlite3_column_int(st, 10), browse_col_text(st, 11));
		browse_text_wrap(&v->t, 0, "", cols, buf);
	}
}

/*
 * The packets that carried the frame. The database records the packet of
 * the first header byte and of the last payload byte; the packets between
 * are counted, not listed, as some may belong to the other direction or
 * to other connections.
 */
static void
bf_packets(struct bf *v, sqlite3_stmt *st, int cols)
{
	sqlite3_stmt *m;
	int64_t       first, last;
	char          buf[512];

	char          a[96], b[96];

	first = (int64_t)sqlite3_column_int64(st, 21);
	last = (int64_t)sqlite3_column_int64(st, 22);
	/* As the user finds them: file:number in a capture set. */
	snprintf(a, sizeof a, "%s", browse_col_text(st, 2));
	snprintf(b, sizeof b, "%s", browse_col_text(st, 3));
	if (sqlite3_column_type(st, 22) == SQLITE_NULL || last <= first)
		snprintf(buf, sizeof buf, "carried by packet %s (the"
		    " header and the whole payload)", a);
	else if (strchr(browse_col_text(st, 20), ',') != NULL ||
	    strchr(browse_col_text(st, 20), '-') != NULL)
		snprintf(buf, sizeof buf, "carried by packets %s (%s"
		    " the first header byte, %s the last payload byte%s)",
		    browse_col_text(st, 20), a, b,
		    strstr(browse_col_text(st, 20), "...") != NULL ?
		    "; \"...\": packets no longer remembered" : "");
	else
		snprintf(buf, sizeof buf, "carried by packets %s-%s: %s the"
		    " first header byte, %s the last payload byte", a, b, a, b);
	browse_text_wrap(&v->t, 0, "", cols, buf);
	if (sqlite3_column_type(st, 23) != SQLITE_NULL) {
		snprintf(buf, sizeof buf, "held by TLS record%s %s of its "
		    "direction", strchr(browse_col_text(st, 23), '-') != NULL ?
		    "s" : "", browse_col_text(st, 23));
		browse_text_wrap(&v->t, 0, "", cols, buf);
	}
	bf_shared(v, first, last, a, b, cols);
	if ((m = v->msg) != NULL && sqlite3_column_int(m, BFM_FRAMES) > 1) {
		snprintf(a, sizeof a, "%s", browse_col_text(m,
		    BFM_FIRST_PACKET));
		snprintf(buf, sizeof buf, "its message %" PRId64 ": %d frames"
		    " (%" PRId64 "-%" PRId64 ") in packets %s-%s",
		    (int64_t)sqlite3_column_int64(st, 12),
		    sqlite3_column_int(m, BFM_FRAMES),
		    (int64_t)sqlite3_column_int64(m, BFM_FIRST_FRAME),
		    (int64_t)sqlite3_column_int64(m, BFM_LAST_FRAME), a,
		    browse_col_text(m, BFM_LAST_PACKET));
		browse_text_wrap(&v->t, 0, "", cols, buf);
	}
}

/*
 * The frames of the same direction that share the first or the last
 * packet: a TCP segment carries one direction of one connection, so these
 * are exact. Frames of a direction are in stream order, so the ones that
 * share a packet are next to this one; the look stops 1000 frames away.
 * first and last are compared, fname and lname shown.
 */
static void
bf_shared(struct bf *v, int64_t first, int64_t last, const char *fname,
    const char *lname, int cols)
{
	sqlite3_stmt *st;
	char          part[2][96], buf[512];
	int           side, n;

	if (sqlite3_prepare_v2(v->db, "SELECT min(frame_index),"
	    " max(frame_index), count(*) FROM frame_t WHERE connection_id = ?1"
	    " AND direction = ?2 AND ((?5 = 0 AND frame_index BETWEEN ?3 - 1000"
	    " AND ?3 - 1 AND last_packet = ?4) OR (?5 = 1 AND frame_index"
	    " BETWEEN ?3 + 1 AND ?3 + 1000 AND packet = ?4))", -1, &st, NULL)
	    != SQLITE_OK)
		return;
	for (side = 0; side < 2; side++) {
		part[side][0] = '\0';
		sqlite3_bind_int64(st, 1, v->ref.conn);
		sqlite3_bind_int(st, 2, v->ref.dir);
		sqlite3_bind_int64(st, 3, v->ref.index);
		sqlite3_bind_int64(st, 4, side == 0 ? first : last);
		sqlite3_bind_int(st, 5, side);
		if (sqlite3_step(st) == SQLITE_ROW &&
		    (n = sqlite3_column_int(st, 2)) > 0) {
			if (n == 1)
				snprintf(part[side], sizeof part[side], "frame %"
				    PRId64, (int64_t)sqlite3_column_int64(st, 0));
			else
				snprintf(part[side], sizeof part[side], "frames %"
				    PRId64 "-%" PRId64,
				    (int64_t)sqlite3_column_int64(st, 0),
				    (int64_t)sqlite3_column_int64(st, 1));
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	if (first == last && (part[0][0] != '\0' || part[1][0] != '\0')) {
		snprintf(buf, sizeof buf, "packet %s also carries %s %s%s"
		    "%s", fname, v->ref.dir ? "server" : "client", part[0],
		    part[0][0] != '\0' && part[1][0] != '\0' ? " and " : "",
		    part[1]);
		browse_text_wrap(&v->t, 0, "", cols, buf);
		return;
	}
	for (side = 0; side < 2 && first != last; side++) {
		if (part[side][0] == '\0')
			continue;
		snprintf(buf, sizeof buf, "packet %s also carries %s"
		    " %s", side == 0 ? fname : lname, v->ref.dir ? "server" :
		    "client", part[side]);
		browse_text_wrap(&v->t, 0, "", cols, buf);
	}
}

/* A statement on the findings naming the frame (?1 connection, ?2 ?3). */
static int
bf_findings_stmt(struct bf *v, const char *sql, sqlite3_stmt **st)
{
	if (sqlite3_prepare_v2(v->db, sql, -1, st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(*st, 1, v->ref.conn);
	sqlite3_bind_text(*st, 2, v->ref.dir ? "server" : "client", -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(*st, 3, v->ref.index);
	return 0;
}

/* "label: text", or nothing when the database holds no text for it. */
static void
bf_label(struct bf *v, int attr, int cols, const char *label,
    const char *text)
{
	char buf[BROWSE_TEXT_MAX];

	if (text[0] == '\0')
		return;
	snprintf(buf, sizeof buf, "%s: %s", label, text);
	browse_text_wrap(&v->t, attr, "  ", cols, buf);
}

/* The findings that name this frame, as their own or as the provoker. */
static void
bf_findings(struct bf *v, int cols)
{
	sqlite3_stmt      *st;
	const struct rule *r;
	const char        *rule, *cls;
	char               buf[BROWSE_TEXT_MAX];
	int                attr;

	if (bf_findings_stmt(v, "SELECT kind, class, rule, offending_rule,"
	    " explanation, section, cause, remedy, detail, sender = ?2 AND"
	    " frame_index = ?3 FROM findings WHERE " BF_MINE " ORDER BY time"
	    " LIMIT 50", &st) != 0)
		return;
	while (sqlite3_step(st) == SQLITE_ROW) {
		cls = browse_col_text(st, 1);
		attr = browse_class_attr(cls);
		rule = sqlite3_column_int(st, 9) &&
		    browse_col_text(st, 2)[0] != '\0' ?
		    browse_col_text(st, 2) : browse_col_text(st, 3);
		r = rule_find(rule);
		browse_text_add(&v->t, 0, "%s", "");
		browse_text_add(&v->t, attr | A_BOLD, "finding %s %s%s%s%s",
		    cls, browse_col_text(st, 0), rule[0] != '\0' ? ": " : "",
		    rule,
		    sqlite3_column_int(st, 9) ? "" : " (this frame provoked it)");
		/*
		 * The rule's words, then the finding's own when the rule
		 * table knew it (a close without a rule has only its own).
		 */
		snprintf(buf, sizeof buf, "%s%s%s%s", r != NULL ?
		    r->explanation : browse_col_text(st, 4),
		    browse_col_text(st, 5)[0] != '\0' ? " (" : "",
		    browse_col_text(st, 5),
		    browse_col_text(st, 5)[0] != '\0' ? ")" : "");
		browse_text_wrap(&v->t, attr, "  ", cols, buf);
		if (r != NULL && sqlite3_column_int(st, 9))
			browse_text_wrap(&v->t, attr, "  ", cols,
			    browse_col_text(st, 4));
		if (browse_col_text(st, 8)[0] != '\0')
			browse_text_wrap(&v->t, attr, "  ", cols,
			    browse_col_text(st, 8));
		bf_label(v, attr, cols, "cause", browse_col_text(st, 6));
		bf_label(v, attr, cols, "remedy", browse_col_text(st, 7));
	}
	sqlite3_finalize(st);
}

/* 16 bytes a line: offset, hex, and the printable ASCII beside. */
static void
bf_dump(struct bf *v, const uint8_t *p, size_t n, uint32_t key, int masked)
{
	char    hex[64], asc[20];
	size_t  i, j;
	uint8_t c;

	for (i = 0; i < n; i += 16) {
		for (j = 0; j < 16; j++) {
			if (i + j >= n) {
				memcpy(hex + j * 3, "   ", 3);
				asc[j] = ' ';
				continue;
			}
			c = p[i + j];
			if (masked)
				c ^= (uint8_t)(key >> (8 * (3 - (i + j) % 4)));
			snprintf(hex + j * 3, 4, "%02x ", c);
			asc[j] = c >= 0x20 && c < 0x7f ? (char)c : '.';
		}
		hex[48] = '\0';
		asc[16] = '\0';
		browse_text_add(&v->t, 0, "  %06zx  %s |%s|", i, hex, asc);
	}
}

/*
 * label: what the bytes are, when not the frame's payload as sent; whole:
 * how many bytes they are the first of. Every stored byte is shown, on as
 * many lines as it takes (the view scrolls), and a prefix says so.
 */
static void
bf_text(struct bf *v, const char *label, const uint8_t *p, size_t n,
    double whole, int cols)
{
	struct bf_json j = { p, n, 0 };
	char          *esc, what[300], line[BROWSE_TEXT_MAX], one[8];
	size_t         len = n * 4 + 16, i, o, k;
	int            avail = cols - 2;
	char          *s, *nl, c;

	snprintf(what, sizeof what, "%s", label);
	if ((double)n < whole)
		snprintf(what + strlen(what), sizeof what - strlen(what),
		    "%sthe stored prefix: the first %zu of %.0f bytes",
		    label[0] != '\0' ? "; " : "", n, whole);
	browse_text_add(&v->t, 0, "%s", "");
	if (v->binary) {
		/* Bytes, not text: never decoded as UTF-8. */
		browse_text_add(&v->t, A_BOLD, "bytes (%s%sbinary, escaped):",
		    what, what[0] != '\0' ? "; " : "");
		if (avail < 8)
			avail = 8;
		if (avail > (int)sizeof line - 1)
			avail = (int)sizeof line - 1;
		/* Lines as wide as the screen; an escape is never cut. */
		for (i = o = 0; i < n; i++) {
			k = browse_bytes(p + i, 1, one, sizeof one);
			if (o + k > (size_t)avail) {
				line[o] = '\0';
				browse_text_add(&v->t, 0, "  %s", line);
				o = 0;
			}
			memcpy(line + o, one, k);
			o += k;
		}
		line[o] = '\0';
		if (o > 0)
			browse_text_add(&v->t, 0, "  %s", line);
		return;
	}
	bf_json_ws(&j);
	if (j.i < n && bf_json_value(&j, 0) == 0 && (bf_json_ws(&j),
	    j.i == n)) {
		browse_text_add(&v->t, A_BOLD, "text (%s%sJSON):", what,
		    what[0] != '\0' ? "; " : "");
		bf_json_pretty(v, p, n);
		return;
	}
	browse_text_add(&v->t, A_BOLD, "text (%s%sescaped):", what,
	    what[0] != '\0' ? "; " : "");
	esc = xmalloc(len);
	/* A backslash from the wire reads doubled, so "\\x1b" is an ESC. */
	esc_wire(p, n, esc, len);
	/* Wrap at the escaped newlines so lines read as sent. */
	for (s = esc; *s != '\0'; s = nl) {
		nl = (char *)bf_escaped_newline(s);
		c = *nl;
		*nl = '\0';
		browse_text_wrap(&v->t, 0, "  ", cols, s);
		*nl = c;
	}
	free(esc);
}

/* Just past the next escaped newline (a "\\n" that is not "\\\\" then
 * "n"), or the end of s. */
static const char *
bf_escaped_newline(const char *s)
{
	while (*s != '\0') {
		if (s[0] == '\\' && s[1] == 'n')
			return s + 2;
		s += s[0] == '\\' && s[1] != '\0' ? 2 : 1;
	}
	return s;
}

static void
bf_json_ws(struct bf_json *j)
{
	while (j->i < j->n && (j->p[j->i] == ' ' || j->p[j->i] == '\t' ||
	    j->p[j->i] == '\n' || j->p[j->i] == '\r'))
		j->i++;
}

static int
bf_json_string(struct bf_json *j)
{
	if (j->i >= j->n || j->p[j->i] != '"')
		return -1;
	for (j->i++; j->i < j->n; j->i++) {
		if (j->p[j->i] == '\\')
			j->i++;
		else if (j->p[j->i] == '"') {
			j->i++;
			return 0;
		} else if (j->p[j->i] < 0x20)
			return -1;
	}
	return -1;
}

/* A syntax check, tolerant of number forms; 0 when one value parses. */
static int
bf_json_value(struct bf_json *j, int depth)
{
	uint8_t c;
	int     first = 1;

	if (depth > BF_JSON_DEPTH || (bf_json_ws(j), j->i >= j->n))
		return -1;
	c = j->p[j->i];
	if (c == '"')
		return bf_json_string(j);
	if (c == '{' || c == '[') {
		j->i++;
		for (;;) {
			bf_json_ws(j);
			if (j->i < j->n && j->p[j->i] == (c == '{' ? '}' : ']') &&
			    first) {
				j->i++;
				return 0;
			}
			if (c == '{' && (bf_json_ws(j), bf_json_string(j) != 0 ||
			    (bf_json_ws(j), j->i >= j->n || j->p[j->i++] != ':')))
				return -1;
			if (bf_json_value(j, depth + 1) != 0)
				return -1;
			bf_json_ws(j);
			if (j->i >= j->n)
				return -1;
			if (j->p[j->i] == ',') {
				j->i++;
				first = 0;
				continue;
			}
			if (j->p[j->i++] != (c == '{' ? '}' : ']'))
				return -1;
			return 0;
		}
	}
	if (j->i + 4 <= j->n && (memcmp(j->p + j->i, "true", 4) == 0 ||
	    memcmp(j->p + j->i, "null", 4) == 0)) {
		j->i += 4;
		return 0;
	}
	if (j->i + 5 <= j->n && memcmp(j->p + j->i, "false", 5) == 0) {
		j->i += 5;
		return 0;
	}
	if (c == '-' || (c >= '0' && c <= '9')) {
		while (j->i < j->n && strchr("+-.eE0123456789", j->p[j->i]) !=
		    NULL && j->p[j->i] != '\0')
			j->i++;
		return 0;
	}
	return -1;
}

/* Indents by nesting; strings are copied whole, then escaped per line. */
static void
bf_json_pretty(struct bf *v, const uint8_t *p, size_t n)
{
	uint8_t line[BROWSE_TEXT_MAX];
	char    esc[BROWSE_TEXT_MAX];
	size_t  i, o = 0;
	int     depth = 0, instr = 0, lines = 0, k;

#define BF_FLUSH() do {							\
	esc_terminal(line, o, esc, sizeof esc);				\
	if (o > 0 && lines++ < BF_JSON_MAX)				\
		browse_text_add(&v->t, 0, "  %s", esc);			\
	o = 0;								\
	for (k = 0; k < depth * 2 && o < sizeof line - 1; k++)		\
		line[o++] = ' ';					\
} while (0)

	for (i = 0; i < n; i++) {
		uint8_t c = p[i];

		if (o >= sizeof line - 8)
			BF_FLUSH();
		if (instr) {
			line[o++] = c;
			if (c == '\\' && i + 1 < n)
				line[o++] = p[++i];
			else if (c == '"')
				instr = 0;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
			continue;
		if (c == '"')
			instr = 1;
		if (c == '}' || c == ']') {
			depth--;
			BF_FLUSH();
		}
		line[o++] = c;
		if (c == ':')
			line[o++] = ' ';
		if (c == '{' || c == '[') {
			depth++;
			BF_FLUSH();
		} else if (c == ',')
			BF_FLUSH();
	}
	BF_FLUSH();
	if (lines > BF_JSON_MAX)
		browse_text_add(&v->t, 0, "  ... %d more lines",
		    lines - BF_JSON_MAX);
#undef BF_FLUSH
}

static void
bf_draw(void *p, int rows, int cols)
{
	struct bf *v = p;

	browse_text_draw(&v->t, &v->l, rows, cols);
}

static void
bf_key(void *p, enum browse_cmd cmd, int arg)
{
	struct bf *v = p;

	(void)arg;
	if (cmd == BCMD_PACKET)
		bf_packet(v);
	else if (!browse_text_search(v->b, &v->t, &v->l, v->search,
	    sizeof v->search, cmd))
		browse_text_scroll(&v->l, cmd);
}

/* Opens the frame carrying a packet of this frame's capture. */
static void
bf_packet(struct bf *v)
{
	struct browse_frame_ref ref;
	int64_t                 pkt;

	if (browse_packet_prompt(v->b, v->capture, &pkt) != 0)
		return;
	switch (browse_packet_find(v->b, v->capture, pkt, &ref)) {
	case 1:
		browse_message(v->b, "packet %s: %s frame %" PRId64
		    " of connection %" PRId64, browse_packet_said(v->b),
		    ref.dir ? "server" :
		    "client", ref.index, ref.conn);
		browse_goto(v->b, &ref, 1);
		break;
	case 0:
		browse_message(v->b, "packet %s carries no frame; it"
		    " is in connection %" PRId64, browse_packet_said(v->b),
		    ref.conn);
		break;
	default:
		break;
	}
}

static void
bf_resize(void *p, int rows, int cols)
{
	struct bf *v = p;

	bf_build(v, cols);
	v->l.n = (int64_t)v->t.n;
	v->l.rows = rows;
	browse_list_fit(&v->l);
}

static void
bf_status(void *p, char *buf, size_t len)
{
	struct bf *v = p;

	snprintf(buf, len, "frame %s %" PRId64 " of connection %" PRId64
	    "  lines %" PRId64 "-%" PRId64 "/%" PRId64, v->ref.dir ? "server" :
	    "client", v->ref.index, v->ref.conn, v->l.n ? v->l.top + 1 : 0,
	    v->l.top + v->l.rows < v->l.n ? v->l.top + v->l.rows : v->l.n,
	    v->l.n);
}

/* The rules the frame's findings name, for ?. */
static void
bf_help(void *p, struct browse_text *t, int cols)
{
	struct bf *v = p;

	browse_rules_text(t, v->db, cols, BF_MINE, v->ref.conn, v->ref.dir,
	    v->ref.index);
}
