/*
 * browse-connection: one connection. The handshake and a verdict box on
 * top, then the frames of both directions merged in wire order.
 *
 * A connection may hold millions of frames, so the timeline is never
 * loaded whole: the directions merge in wire order by point lookups on
 * the frame_order index of frame_t (browse-wire.c; the frames view hides
 * the direction code that index is on). Only the rows on screen plus a
 * margin are fetched.
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
#include "escape.h"
#include "flags.h"
#include "rules.h"
#include "store.h"
#include "wsautopsy.h"

#define BC_CACHE_MAX 512
/*
 * A compressed message's first frame previews the message's inflated
 * bytes (compressed, and not left undecoded); its frames' own prefixes
 * hold the compressed bytes as sent.
 */
#define BC_INFLATED \
	"((m.flags & (" FLAG_STR(MSG_F_COMPRESSED) "|" \
	FLAG_STR(MSG_F_UNDECODED) ")) = " FLAG_STR(MSG_F_COMPRESSED) \
	" AND f.frame_index = m.first_frame AND" \
	" m.payload_prefix IS NOT NULL)"

/* The bytes a frame's row previews (frame f, its message m). */
#define BC_PREVIEW \
	"substr(CASE WHEN " BC_INFLATED " THEN m.payload_prefix ELSE" \
	" coalesce(f.payload_prefix, m.payload_prefix) END, 1, 160)"
#define BC_FROM \
	" FROM frame_t f LEFT JOIN message_t m" \
	" ON m.connection_id = f.connection_id AND m.direction =" \
	" f.direction AND m.message_id = f.message_id WHERE" \
	" f.connection_id = ?1 AND f.direction = ?2"

/*
 * The pings and quiet time of the head (bc_keepalive): columns of its
 * row of connections, the first at BC_KEEPALIVE_COL.
 */
#define BC_KEEPALIVE \
	"pings_client, ping_answers_client, pings_unanswered_client," \
	" printf('%.1f/%.1f/%.1f', ping_rtt_min_client," \
	" ping_rtt_median_client, ping_rtt_max_client)," \
	" pings_server, ping_answers_server, pings_unanswered_server," \
	" printf('%.1f/%.1f/%.1f', ping_rtt_min_server," \
	" ping_rtt_median_server, ping_rtt_max_server)," \
	" ping_rtt_min_client IS NULL, ping_rtt_min_server IS NULL," \
	" printf('%.1f', idle_before_end), printf('%.1f'," \
	" idle_data_before_end), coalesce(idle_before_end < 1, 1)"
#define BC_KEEPALIVE_COL 34

struct bc_row {
	struct browse_wkey k;
	int64_t       last_packet;
	double        time;
	int           flags, opcode, close_code;
	int           inflated, compressed;
	uint64_t      len;
	char          preview[640];
	char          at[80];     /* its packet as shown: file:number in a set */
	const struct browse_mark *mark;
};


struct bc {
	struct browse     *b;
	sqlite3           *db;
	int64_t            conn, capture;
	int                at_width;  /* of file:number in a set; 0 one file */
	double             t0;
	struct browse_wire w;       /* the frames of both directions */
	struct browse_list l;
	struct bc_row     *cache;
	int64_t            cstart;
	int                cn;
	struct browse_mark    *marks;
	int                nmarks, marks_cut;
	struct browse_text head;
	int                head_rows, hide_head, rel_time;
	int                rows, cols;
	sqlite3_stmt      *st_page, *st_find[2];
};

static const struct browse_key bc_keys[] = {
	{ '\r', "Enter", BCMD_ENTER, 0, "open the selected frame" },
	{ '\n', NULL, BCMD_ENTER, 0, NULL },
	{ KEY_ENTER, NULL, BCMD_ENTER, 0, NULL },
	{ ']', "]", BCMD_NEXT_FINDING, 0, "next frame with a finding" },
	{ '[', "[", BCMD_PREV_FINDING, 0, "previous frame with a finding" },
	{ 't', "t", BCMD_TIME, 0, "time: absolute or since the connection began" },
	{ 'h', "h", BCMD_HEADER, 0, "hide or show the handshake and verdict" },
	{ '/', "/", BCMD_SEARCH, 0, "search the payloads (as previewed, inflated)" },
	{ 'n', "n", BCMD_NEXT, 0, "next frame that matches" },
	{ 'N', "N", BCMD_PREV, 0, "previous frame that matches" },
	{ 'm', "m", BCMD_MESSAGES, 0,
	  "the messages, one an entry (the selected frame's selected)" },
	{ 0, "", BCMD_NONE, 0, NULL }
};

static void	*bc_init(struct browse *, const void *);
static void	 bc_free(void *);
static void	 bc_draw(void *, int, int);
static void	 bc_key(void *, enum browse_cmd, int);
static void	 bc_resize(void *, int, int);
static void	 bc_status(void *, char *, size_t);
static void	 bc_help(void *, struct browse_text *, int);
static void	 bc_fetch(struct bc *);
static int	 bc_fetch_dir(struct bc *, int, int64_t, int, struct bc_row *);
static void	 bc_build_head(struct bc *, int);
static void	 bc_verdict(struct bc *, int, const char *);
static void	 bc_keepalive(struct bc *, sqlite3_stmt *, int);
static void	 bc_field(char *, size_t, const char *, const char *);
static void	 bc_draw_row(struct bc *, int, const struct bc_row *, int);
static const struct bc_row *bc_selected(struct bc *);
static void	 bc_jump_finding(void *, int);
static void	 bc_packet(void *);
static void	 bc_search(void *, int);
static int	 bc_find_dir(struct bc *, int, int64_t, int, struct browse_wkey *);

static const struct browse_list_ops bc_list_ops = {
	"search payloads: ", bc_search, NULL, NULL, NULL, bc_jump_finding,
	bc_packet
};

const struct browse_view browse_connection_view = {
	"connection", bc_keys, "Enter:frame m:msgs ]/[:finding /:search",
	bc_init, bc_free, bc_draw, bc_key, bc_resize,
	bc_status, bc_help, NULL
};

static void *
bc_init(struct browse *b, const void *arg)
{
	const struct browse_conn_ref *c;
	struct bc                    *v = xcalloc(1, sizeof *v);
	sqlite3_stmt                 *st;
	struct browse_wkey                 k;

	v->b = b;
	v->db = browse_db(b);
	c = arg;
	v->conn = c->conn;
	v->cache = xcalloc(BC_CACHE_MAX, sizeof *v->cache);
	if (browse_wire_open(b, &v->w, v->conn, "frame_t", "frame_index") != 0 ||
	    browse_prepare(b, "SELECT f.frame_index, f.packet, f.last_packet,"
	    " f.t_sec + f.t_nsec / 1e9, f.flags, f.opcode, f.payload_length,"
	    " " BC_PREVIEW ","
	    " f.close_code, f.close_reason_text, " BC_INFLATED ","
	    " coalesce(m.flags & " FLAG_STR(MSG_F_COMPRESSED) ", 0),"
	    " coalesce(m.opcode, f.opcode), " STORE_PACKET_AT("(SELECT"
	    " capture_id FROM connection_t WHERE connection_id = ?1)",
	    "f.packet") BC_FROM " AND f.frame_index >= ?3"
	    " ORDER BY f.frame_index LIMIT ?4", &v->st_page) != 0 ||
	    /*
	     * A text in a preview, in one direction from an index on or
	     * before it: a walk of this connection's frames on the
	     * frame_order index that stops at the first match.
	     */
	    browse_prepare(b, "SELECT f.frame_index, f.packet" BC_FROM " AND"
	    " f.frame_index >= ?3 AND instr(" BC_PREVIEW ", ?4) > 0"
	    " ORDER BY f.frame_index LIMIT 1", &v->st_find[1]) != 0 ||
	    browse_prepare(b, "SELECT f.frame_index, f.packet" BC_FROM " AND"
	    " f.frame_index < ?3 AND instr(" BC_PREVIEW ", ?4) > 0"
	    " ORDER BY f.frame_index DESC LIMIT 1", &v->st_find[0]) != 0 ||
	    browse_prepare(b, "SELECT first_time, capture_id FROM connections"
	    " WHERE connection_id = ?1", &st) != 0) {
		bc_free(v);
		return NULL;
	}
	sqlite3_bind_int64(st, 1, v->conn);
	if (sqlite3_step(st) == SQLITE_ROW) {
		v->t0 = sqlite3_column_double(st, 0);
		v->capture = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	/* A set's packets are file:number: the column takes the longest. */
	if (browse_prepare(v->b, "SELECT max(length(name)) + 7 FROM capture_file_t"
	    " WHERE capture_id = ?1 AND (SELECT files FROM capture_t WHERE"
	    " capture_id = ?1) > 1", &st) == 0) {
		sqlite3_bind_int64(st, 1, v->capture);
		if (sqlite3_step(st) == SQLITE_ROW)
			v->at_width = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	v->l.n = v->w.n[0] + v->w.n[1];
	v->marks = browse_marks_load(b, v->conn, &v->nmarks, &v->marks_cut);
	if (c->select != NULL) {
		k.packet = c->select->packet;
		k.dir = c->select->dir;
		k.index = c->select->index;
		v->l.sel = browse_wire_position(&v->w, &k);
	}
	return v;
}

static void
bc_free(void *p)
{
	struct bc *v = p;

	sqlite3_finalize(v->w.st);
	sqlite3_finalize(v->st_page);
	sqlite3_finalize(v->st_find[0]);
	sqlite3_finalize(v->st_find[1]);
	browse_text_clear(&v->head);
	free(v->marks);
	free(v->cache);
	free(v);
}

static int
bc_fetch_dir(struct bc *v, int dir, int64_t from, int want, struct bc_row *r)
{
	sqlite3_stmt        *st = v->st_page;
	const unsigned char *p;
	int                  n = 0, len;

	sqlite3_bind_int64(st, 1, v->conn);
	sqlite3_bind_int(st, 2, dir);
	sqlite3_bind_int64(st, 3, from);
	sqlite3_bind_int(st, 4, want);
	while (n < want && sqlite3_step(st) == SQLITE_ROW) {
		memset(&r[n], 0, sizeof r[n]);
		r[n].k.index = (int64_t)sqlite3_column_int64(st, 0);
		r[n].k.packet = (int64_t)sqlite3_column_int64(st, 1);
		r[n].k.dir = dir;
		r[n].last_packet = (int64_t)sqlite3_column_int64(st, 2);
		r[n].time = sqlite3_column_double(st, 3);
		r[n].flags = sqlite3_column_int(st, 4);
		r[n].opcode = sqlite3_column_int(st, 5);
		r[n].len = (uint64_t)sqlite3_column_int64(st, 6);
		p = sqlite3_column_blob(st, 7);
		len = sqlite3_column_bytes(st, 7);
		r[n].close_code = sqlite3_column_type(st, 8) == SQLITE_NULL ?
		    -1 : sqlite3_column_int(st, 8);
		r[n].inflated = sqlite3_column_int(st, 10);
		r[n].compressed = sqlite3_column_int(st, 11);
		snprintf(r[n].at, sizeof r[n].at, "%s", browse_col_text(st, 13));
		if (r[n].close_code >= 0)
			snprintf(r[n].preview, sizeof r[n].preview, "%d %s",
			    r[n].close_code, browse_col_text(st, 9));
		else if (p != NULL && sqlite3_column_int(st, 12) == 1)
			esc_wire(p, (size_t)len, r[n].preview,
			    sizeof r[n].preview);
		else if (p != NULL)
			/* Binary and control payloads: bytes, not text. */
			browse_bytes(p, (size_t)len, r[n].preview,
			    sizeof r[n].preview);
		n++;
	}
	sqlite3_reset(st);
	return n;
}

/* Fetches the rows around the screen when they are not cached. */
static void
bc_fetch(struct bc *v)
{
	struct bc_row *r[2];
	int64_t        c[2], start, end;
	int            want, got[2], i[2], j, d, k;

	end = v->l.top + v->l.rows < v->l.n ? v->l.top + v->l.rows : v->l.n;
	if (v->l.n == 0 || (v->cn > 0 && v->l.top >= v->cstart &&
	    end <= v->cstart + v->cn))
		return;
	want = v->l.rows * 3 < BC_CACHE_MAX ? v->l.rows * 3 : BC_CACHE_MAX;
	start = v->l.top - v->l.rows > 0 ? v->l.top - v->l.rows : 0;
	browse_wire_split(&v->w, start, c);
	for (d = 0; d < 2; d++) {
		r[d] = xcalloc((size_t)want, sizeof *r[d]);
		got[d] = bc_fetch_dir(v, d, c[d], want, r[d]);
		i[d] = 0;
	}
	for (j = 0; j < want && (i[0] < got[0] || i[1] < got[1]); j++) {
		d = i[1] >= got[1] || (i[0] < got[0] &&
		    browse_wkey_cmp(&r[0][i[0]].k, &r[1][i[1]].k) < 0) ? 0 : 1;
		v->cache[j] = r[d][i[d]++];
		v->cache[j].mark = NULL;
		for (k = 0; k < v->nmarks; k++)
			if (browse_wkey_cmp(&v->marks[k].k, &v->cache[j].k) == 0) {
				v->cache[j].mark = &v->marks[k];
				break;
			}
	}
	v->cstart = start;
	v->cn = j;
	free(r[0]);
	free(r[1]);
}

/* The handshake and the verdict box, wrapped to the width. */
static void
bc_build_head(struct bc *v, int cols)
{
	sqlite3_stmt *st;
	char          buf[BROWSE_TEXT_MAX];
	const char   *verdict;
	int           bold = A_BOLD;

	browse_text_clear(&v->head);
	if (browse_prepare(v->b, "SELECT connection_id, capture, client, server,"
	    " handshake_seen, midstream, method, path, host, origin,"
	    " user_agent, ws_version, request_protocols, request_extensions,"
	    " status, status_reason, server_header, accept, accept_ok,"
	    " subprotocol, extensions, extensions_state, handshake_issues,"
	    " verdict, tcp_end, ended_by, close_client, close_server,"
	    " tls_version, tls_cipher, tls_sni, tls_alpn, tls_decrypted,"
	    " tls_keylog, " BC_KEEPALIVE " FROM connections WHERE"
	    " connection_id = ?1", &st) != 0)
		return;
	sqlite3_bind_int64(st, 1, v->conn);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		browse_text_add(&v->head, 0, "connection %" PRId64 " is not in"
		    " the database", v->conn);
		return;
	}
	verdict = browse_col_text(st, 23);
	snprintf(buf, sizeof buf, "connection %" PRId64 "  %s -> %s  %s"
	    "  verdict %s  tcp %s", v->conn, browse_col_text(st, 2),
	    browse_col_text(st, 3), browse_col_text(st, 1), verdict,
	    browse_col_text(st, 24));
	browse_text_wrap(&v->head, bold, "", cols, buf);
	if (sqlite3_column_type(st, 28) != SQLITE_NULL) {
		snprintf(buf, sizeof buf, "tls %s", browse_col_text(st, 28));
		bc_field(buf, sizeof buf, "cipher", browse_col_text(st, 29));
		bc_field(buf, sizeof buf, "SNI", browse_col_text(st, 30));
		bc_field(buf, sizeof buf, "ALPN", browse_col_text(st, 31));
		bc_field(buf, sizeof buf, sqlite3_column_int(st, 32) ?
		    "decrypted with" : "not decrypted; keys from",
		    browse_col_text(st, 33));
		if (sqlite3_column_type(st, 33) == SQLITE_NULL)
			bc_field(buf, sizeof buf, "not decrypted",
			    "no keys (--keylog FILE)");
		browse_text_wrap(&v->head, 0, "", cols, buf);
	}
	if (!sqlite3_column_int(st, 4)) {
		browse_text_add(&v->head, 0, "  no handshake captured%s",
		    sqlite3_column_int(st, 5) ? " (picked up mid-stream)" :
		    "");
	} else {
		snprintf(buf, sizeof buf, "-> %s %s HTTP/1.1", browse_col_text(st,
		    6), browse_col_text(st, 7));
		bc_field(buf, sizeof buf, "Host", browse_col_text(st, 8));
		bc_field(buf, sizeof buf, "Origin", browse_col_text(st, 9));
		bc_field(buf, sizeof buf, "User-Agent", browse_col_text(st, 10));
		bc_field(buf, sizeof buf, "Sec-WebSocket-Version",
		    browse_col_text(st, 11));
		bc_field(buf, sizeof buf, "Sec-WebSocket-Protocol",
		    browse_col_text(st, 12));
		bc_field(buf, sizeof buf, "Sec-WebSocket-Extensions",
		    browse_col_text(st, 13));
		browse_text_wrap(&v->head, 0, "", cols, buf);
		snprintf(buf, sizeof buf, "<- HTTP/1.1 %s %s",
		    browse_col_text(st, 14), browse_col_text(st, 15));
		bc_field(buf, sizeof buf, "Server", browse_col_text(st, 16));
		bc_field(buf, sizeof buf, "Sec-WebSocket-Protocol",
		    browse_col_text(st, 19));
		bc_field(buf, sizeof buf, "Sec-WebSocket-Extensions",
		    browse_col_text(st, 20));
		bc_field(buf, sizeof buf, "Sec-WebSocket-Accept",
		    browse_col_text(st, 17));
		bc_field(buf, sizeof buf, "accept check",
		    sqlite3_column_type(st, 18) == SQLITE_NULL ? "not made" :
		    sqlite3_column_int(st, 18) ? "correct" : "WRONG");
		bc_field(buf, sizeof buf, "issues", browse_col_text(st, 22));
		browse_text_wrap(&v->head, 0, "", cols, buf);
	}
	bc_keepalive(v, st, cols);
	snprintf(buf, sizeof buf, "%s", verdict);
	sqlite3_finalize(st);
	bc_verdict(v, cols, buf);
}

/*
 * Pings per side, and the quiet time before an abnormal end when it lasted
 * a second or more, when there are any (a database before schema 5 has
 * neither), from the BC_KEEPALIVE columns of the head's row.
 */
static void
bc_keepalive(struct bc *v, sqlite3_stmt *st, int cols)
{
	char          buf[BROWSE_TEXT_MAX];
	size_t        n = 0;
	int           side, c = BC_KEEPALIVE_COL;

	buf[0] = '\0';
	for (side = 0; side < 2; side++) {
		if (sqlite3_column_int(st, c + 4 * side) == 0 || n >= sizeof buf)
			continue;
		n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s pings %d,"
		    " answered %d, unanswered %d%s%s%s", n ? "; " : "pings: ",
		    side ? "server" : "client",
		    sqlite3_column_int(st, c + 4 * side),
		    sqlite3_column_int(st, c + 4 * side + 1),
		    sqlite3_column_int(st, c + 4 * side + 2),
		    sqlite3_column_int(st, c + 8 + side) ? "" : ", round trip ",
		    sqlite3_column_int(st, c + 8 + side) ? "" :
		    browse_col_text(st, c + 4 * side + 3),
		    sqlite3_column_int(st, c + 8 + side) ? "" : " ms");
	}
	if (n > 0)
		browse_text_wrap(&v->head, 0, "", cols, buf);
	if (!sqlite3_column_int(st, c + 12)) {
		snprintf(buf, sizeof buf, "idle %s s before the abnormal end"
		    " (%s s since the last data frame)",
		    browse_col_text(st, c + 10), browse_col_text(st, c + 11));
		browse_text_wrap(&v->head, 0, "", cols, buf);
	}
}

/* Appends "  Name: value" when there is a value. */
static void
bc_field(char *buf, size_t len, const char *name, const char *value)
{
	size_t n = strlen(buf);

	if (value[0] != '\0' && n < len)
		snprintf(buf + n, len - n, "  %s: %s", name, value);
}

/* The verdict box: the finding that decided the verdict, explained. */
static void
bc_verdict(struct bc *v, int cols, const char *verdict)
{
	sqlite3_stmt      *st;
	const struct rule *r;
	const char        *rule;
	char               buf[BROWSE_TEXT_MAX];
	int                attr = browse_class_attr(verdict), w = cols - 2;

	if (browse_prepare(v->b, "SELECT kind, class, rule, offending_rule,"
	    " explanation, section, offending_sender, offending_frame_index,"
	    " offending_packet, limit_min, limit_max, matching_profiles, cause,"
	    " remedy, detail, reason, sender, code, count(*) OVER ()"
	    " FROM findings WHERE connection_id = ?1 ORDER BY class = ?2 DESC,"
	    " kind = 'close' DESC, time LIMIT 1", &st) != 0)
		return;
	sqlite3_bind_int64(st, 1, v->conn);
	sqlite3_bind_text(st, 2, verdict, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		browse_text_add(&v->head, attr, "[ verdict %s: no finding ]",
		    verdict);
		return;
	}
	rule = browse_col_text(st, 2)[0] != '\0' ? browse_col_text(st, 2) :
	    browse_col_text(st, 3);
	r = rule_find(rule);
	browse_text_add(&v->head, attr | A_BOLD, "+-- verdict %s: %s %s%s%s",
	    verdict, browse_col_text(st, 0), rule, rule[0] != '\0' ? "  " : "",
	    browse_col_text(st, 5));
	browse_text_wrap(&v->head, attr, "| ", w, browse_col_text(st, 4));
	if (r != NULL && strstr(browse_col_text(st, 4), r->explanation) ==
	    NULL)
		browse_text_wrap(&v->head, attr, "| ", w, r->explanation);
	if (sqlite3_column_type(st, 8) != SQLITE_NULL) {
		snprintf(buf, sizeof buf, "offending frame: %s frame %" PRId64
		    " (packet %s)", browse_col_text(st, 6),
		    (int64_t)sqlite3_column_int64(st, 7), browse_col_text(st, 8));
		browse_text_wrap(&v->head, attr, "| ", w, buf);
	}
	if (browse_col_text(st, 14)[0] != '\0')
		browse_text_wrap(&v->head, attr, "| ", w, browse_col_text(st, 14));
	if (sqlite3_column_type(st, 9) != SQLITE_NULL) {
		/* No profile matched: no label with nothing after it. */
		snprintf(buf, sizeof buf, "inferred limit: %" PRId64 " to %"
		    PRId64 " bytes%s%s",
		    (int64_t)sqlite3_column_int64(st, 9), (int64_t)sqlite3_column_int64(st, 10),
		    browse_col_text(st, 11)[0] != '\0' ?
		    "; matching profiles: " : "", browse_col_text(st, 11));
		browse_text_wrap(&v->head, attr, "| ", w, buf);
	}
	if (browse_col_text(st, 12)[0] != '\0') {
		snprintf(buf, sizeof buf, "cause: %s", browse_col_text(st, 12));
		browse_text_wrap(&v->head, attr, "| ", w, buf);
	}
	if (browse_col_text(st, 13)[0] != '\0') {
		snprintf(buf, sizeof buf, "remedy: %s", browse_col_text(st, 13));
		browse_text_wrap(&v->head, attr, "| ", w, buf);
	}
	if (sqlite3_column_int(st, 18) > 1)
		browse_text_add(&v->head, attr, "| %d findings in all: ] and"
		    " [ walk the frames they name", sqlite3_column_int(st, 18));
	browse_text_add(&v->head, attr, "+--");
	sqlite3_finalize(st);
}

static void
bc_draw(void *p, int rows, int cols)
{
	struct bc         *v = p;
	struct browse_list hl;
	int                y, hr;
	int64_t            i;

	hr = v->hide_head ? 0 : v->head_rows;
	hl.n = hl.rows = hr;
	hl.sel = hl.top = 0;
	browse_text_draw(&v->head, &hl, hr, cols);
	y = (size_t)hr < v->head.n ? hr : (int)v->head.n;
	if (hr > 0 && (size_t)hr < v->head.n)
		browse_put(y - 1, cols - 14, 14, "  (h: hide)");
	attron(A_BOLD);
	bc_draw_row(v, y++, NULL, cols);
	attroff(A_BOLD);
	bc_fetch(v);
	for (i = v->l.top; i < v->l.n && y < rows; i++, y++) {
		if (i < v->cstart || i >= v->cstart + v->cn)
			break;
		if (i == v->l.sel) {
			attron(A_REVERSE);
			move(y, 0);
			hline(' ', cols);
		}
		bc_draw_row(v, y, &v->cache[i - v->cstart], cols);
		if (i == v->l.sel)
			attroff(A_REVERSE);
	}
	if (v->l.n == 0)
		browse_put(y, 2, cols - 2, "no WebSocket frames");
}

static void
bc_draw_row(struct bc *v, int y, const struct bc_row *r, int cols)
{
	/* Under 100 columns: milliseconds, and a finding's class alone. */
	int  narrow = cols < 100, tw = narrow ? 12 : 15, pw = narrow ? 7 : 8;
	int  lw = narrow ? 8 : 10, attr, x, days = browse_days();
	char t[48], fl[8], len[24], zone[40];

	/* A database of several days dates every time. */
	if (days)
		tw += 11;
	if (v->at_width > pw)
		pw = v->at_width;
	if (r == NULL) {
		browse_zone(v->t0, zone, sizeof zone);
		snprintf(t, sizeof t, "time %s", zone);
		browse_putf(y, 0, cols, "  dir %-*s %*s %-6s %-5s %*s  payload",
		    tw, v->rel_time ? "since start" : t, pw, "packet",
		    "opcode", "flags", lw, "length");
		return;
	}
	if (v->rel_time)
		snprintf(t, sizeof t, "+%.6f", r->time - v->t0);
	else {
		browse_time_fmt(r->time, days, 0, t, sizeof t);
		t[tw] = '\0';
	}
	snprintf(fl, sizeof fl, "%c%c%c%c%c", r->flags & FRAME_F_FIN ? 'F' :
	    '-', r->flags & FRAME_F_RSV1 ? '1' : '-',
	    r->flags & FRAME_F_RSV2 ? '2' : '-',
	    r->flags & FRAME_F_RSV3 ? '3' : '-',
	    r->flags & FRAME_F_MASKED ? 'M' : '-');
	snprintf(len, sizeof len, "%" PRIu64, r->len);
	if ((int)strlen(len) > lw)
		browse_size(r->len > (uint64_t)INT64_MAX ? INT64_MAX :
		    (int64_t)r->len, len, sizeof len);
	attr = r->mark != NULL ? browse_class_attr(r->mark->cls) : (int)A_NORMAL;
	if (r->mark != NULL && attr == (int)A_NORMAL)
		attr = A_BOLD;
	attron(attr);
	x = browse_putf(y, 0, cols, "%c %s %-*s %*s %-6s %-5s %*s  ",
	    r->mark != NULL ? '*' : ' ', r->k.dir == 0 ? "->" : "<-", tw, t,
	    pw, r->at, browse_opcode_name(r->opcode), fl, lw, len);
	if (r->mark != NULL)
		x = browse_putf(y, x, cols - x, "[%s%s%s] ", r->mark->cls,
		    narrow ? "" : " ", narrow ? "" : r->mark->rule);
	attroff(attr);
	/* Say which bytes the preview shows when they are not as sent. */
	if (r->inflated || (r->compressed && r->close_code < 0)) {
		attron(A_DIM);
		x = browse_put(y, x, cols - x, r->inflated ? "inflated: " :
		    "compressed: ");
		attroff(A_DIM);
	}
	browse_put_ell(y, x, cols - x, r->preview);
}

static const struct bc_row *
bc_selected(struct bc *v)
{
	bc_fetch(v);
	if (v->l.sel < v->cstart || v->l.sel >= v->cstart + v->cn)
		return NULL;
	return &v->cache[v->l.sel - v->cstart];
}

static void
bc_jump_finding(void *p, int dir)
{
	struct bc *v = p;
	const struct bc_row *r = bc_selected(v);
	struct browse_wkey        here = { -1, -1, -1 };
	int                  k, found = -1;

	if (r != NULL)
		here = r->k;
	for (k = 0; k < v->nmarks; k++) {
		if (dir > 0 && browse_wkey_cmp(&v->marks[k].k, &here) > 0) {
			found = k;
			break;
		}
		if (dir < 0 && browse_wkey_cmp(&v->marks[k].k, &here) < 0)
			found = k;
	}
	if (found < 0) {
		browse_message(v->b, "no %s frame with a finding%s",
		    dir > 0 ? "later" : "earlier", v->marks_cut ?
		    " among the first 4096 findings" : "");
		return;
	}
	v->l.sel = browse_wire_position(&v->w, &v->marks[found].k);
	browse_list_fit(&v->l);
	browse_message(v->b, "%s %s", v->marks[found].cls,
	    v->marks[found].rule);
}

/*
 * The frame carrying a packet of this connection's capture: selected when
 * it is one of ours, else its connection opened in place of this one.
 * A packet of ours that carries no frame selects the frame before it.
 */
static void
bc_packet(void *p)
{
	struct bc *v = p;
	struct browse_frame_ref ref;
	struct browse_wkey           k;
	int64_t                 pkt, pos;
	int                     found;

	if (browse_packet_prompt(v->b, v->capture, &pkt) != 0)
		return;
	if ((found = browse_packet_find(v->b, v->capture, pkt, &ref)) < 0)
		return;
	if (ref.conn != v->conn) {
		browse_message(v->b, "packet %s: connection %" PRId64,
		    browse_packet_said(v->b), ref.conn);
		browse_goto(v->b, &ref, 0);
		return;
	}
	k.packet = pkt;
	k.dir = 2;
	k.index = 0;
	if (found) {
		k.packet = ref.packet;
		k.dir = ref.dir;
		k.index = ref.index;
	}
	if ((pos = browse_wire_position(&v->w, &k)) == 0 && !found) {
		browse_message(v->b, "packet %s is before the first"
		    " frame", browse_packet_said(v->b));
		return;
	}
	v->l.sel = found ? pos : pos - 1;
	browse_list_fit(&v->l);
	if (!found)
		browse_message(v->b, "packet %s carries no frame; the"
		    " frame before it", browse_packet_said(v->b));
}

/*
 * The first frame of direction dir at index from or after (fwd), or the
 * last one before from, whose preview holds the search; 0 when found.
 */
static int
bc_find_dir(struct bc *v, int dir, int64_t from, int fwd, struct browse_wkey *k)
{
	sqlite3_stmt *st = v->st_find[fwd];
	int           rc = -1;

	sqlite3_bind_int64(st, 1, v->conn);
	sqlite3_bind_int(st, 2, dir);
	sqlite3_bind_int64(st, 3, from);
	/* A blob: instr() then compares bytes, as stored. */
	sqlite3_bind_blob(st, 4, browse_search_text(v->b),
	    (int)strlen(browse_search_text(v->b)), SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		k->index = (int64_t)sqlite3_column_int64(st, 0);
		k->packet = (int64_t)sqlite3_column_int64(st, 1);
		k->dir = dir;
		rc = 0;
	}
	sqlite3_reset(st);
	return rc;
}

/*
 * Selects the next (dir 1), previous (-1) or first from the selection
 * (0) frame whose payload preview holds the search, in wire order,
 * wrapping at the ends.
 */
static void
bc_search(void *p, int dir)
{
	struct bc *v = p;
	const struct bc_row *r = bc_selected(v);
	struct browse_wkey        here = { -1, -1, -1 }, k[2], *best = NULL;
	int64_t              from;
	int                  d, wrap, fwd = dir >= 0;

	if (r != NULL)
		here = r->k;
	for (wrap = 0; wrap < 2 && best == NULL; wrap++)
		for (d = 0; d < 2; d++) {
			from = wrap ? (fwd ? 0 : v->w.n[d]) : here.packet < 0 ?
			    0 : browse_wire_before(&v->w, d, &here);
			/* n starts past the selected frame, / at it. */
			if (!wrap && dir > 0 && d == here.dir)
				from++;
			if (bc_find_dir(v, d, from, fwd, &k[d]) != 0)
				continue;
			if (best == NULL || (fwd ? browse_wkey_cmp(&k[d], best) < 0 :
			    browse_wkey_cmp(&k[d], best) > 0))
				best = &k[d];
		}
	if (best == NULL) {
		browse_message(v->b, "no payload holds '%s'",
		    browse_search_text(v->b));
		return;
	}
	if (wrap > 1)
		browse_message(v->b, "search wrapped");
	v->l.sel = browse_wire_position(&v->w, best);
	browse_list_fit(&v->l);
}

static void
bc_key(void *p, enum browse_cmd cmd, int arg)
{
	struct bc              *v = p;
	const struct bc_row    *r;
	struct browse_frame_ref ref;
	struct browse_msg_ref   m;

	(void)arg;
	if (browse_list_key(v->b, &v->l, &bc_list_ops, v, cmd))
		return;
	/* The selected frame, what Enter and m open. */
	if ((r = bc_selected(v)) != NULL) {
		ref.conn = v->conn;
		ref.dir = r->k.dir;
		ref.index = r->k.index;
		ref.packet = r->k.packet;
	}
	switch (cmd) {
	case BCMD_ENTER:
		if (r != NULL)
			browse_push(v->b, &browse_frame_view, &ref);
		break;
	case BCMD_MESSAGES:
		m.conn = v->conn;
		m.msg = NULL;
		m.frame = r != NULL ? &ref : NULL;
		browse_push(v->b, &browse_messages_view, &m);
		break;
	case BCMD_TIME:
		v->rel_time = !v->rel_time;
		break;
	case BCMD_HEADER:
		v->hide_head = !v->hide_head;
		bc_resize(v, v->rows, v->cols);
		break;
	default:
		break;
	}
}

static void
bc_resize(void *p, int rows, int cols)
{
	struct bc *v = p;
	int        max;

	v->rows = rows;
	v->cols = cols;
	bc_build_head(v, cols);
	/*
	 * The header takes at most half the screen, or what a short
	 * timeline leaves; the timeline the rest.
	 */
	max = rows - 1 - (int)(v->l.n < rows ? v->l.n : rows);
	if (max < rows / 2)
		max = rows / 2;
	v->head_rows = (int)v->head.n < max ? (int)v->head.n : max;
	v->l.rows = rows - (v->hide_head ? 0 : v->head_rows) - 1;
	if (v->l.rows < 1)
		v->l.rows = 1;
	browse_list_fit(&v->l);
	v->cn = 0;
}

static void
bc_status(void *p, char *buf, size_t len)
{
	struct bc           *v = p;
	const struct bc_row *r = bc_selected(v);

	/*
	 * The frame as the report and the frame view number it (from 0 in
	 * its direction); the row among both directions after it, from 1.
	 */
	if (r == NULL)
		snprintf(buf, len, "connection %" PRId64 " no frame", v->conn);
	else
		snprintf(buf, len, "connection %" PRId64 " %s frame %" PRId64
		    " (%" PRId64 "/%" PRId64 ")", v->conn, r->k.dir ? "server" :
		    "client", r->k.index, v->l.sel + 1, v->l.n);
}

/* The rules the connection's findings name, for ?. */
static void
bc_help(void *p, struct browse_text *t, int cols)
{
	struct bc *v = p;

	browse_rules_text(t, v->db, cols, "connection_id = ?1", v->conn, 0, 0);
}
