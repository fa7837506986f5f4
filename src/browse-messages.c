/*
 * browse-messages: a connection as a conversation. Its messages (control
 * frames included) in wire order, both directions interleaved, one entry
 * each: a line of direction, time, size and type, the payload wrapped
 * after it over as many lines as the width needs, up to BM_LINES.
 *
 * Like the frame timeline the list is never loaded whole: the directions
 * merge on the message_order index (browse-wire.c) and only the entries
 * around the screen are fetched. Entries take one line or more, so the
 * list's rows are messages and the screen holds as many as fit.
 *
 * / searches the stored payloads (unmasked, inflated) of every
 * connection, n and N go on in (connection, wire order): a match in
 * another connection opens that connection's message view in place of
 * this one.
 */
#include "config.h"

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif

#include <curses.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "browse.h"
#include "escape.h"
#include "flags.h"
#include "json-indent.h"
#include "store.h"
#include "subproto.h"
#include "utf8.h"
#include "wsautopsy.h"

#define BM_CACHE_MAX 256
#define BM_LINES     4        /* payload lines of an entry */
#define BM_PAYLOAD   65536    /* stored bytes an entry holds to draw */
#define BM_UNIT      64       /* the longest escape of one character */

/*
 * The payload as shown: inflated when the message was compressed and
 * decoded, else as stored.
 */
#define BM_COLUMNS \
	"m.message_id, m.first_packet, m.t_sec + m.t_nsec / 1e9, m.opcode," \
	" m.flags, m.decoded_size, length(m.payload_prefix)," \
	" substr(m.payload_prefix, 1, " FLAG_STR(BM_PAYLOAD) ")," \
	" m.first_frame, m.last_frame, m.payload_prefix IS NULL," \
	" CASE WHEN m.opcode = 1 AND length(m.payload_prefix) <= " \
	FLAG_STR(BM_PAYLOAD) " AND json_valid(CAST(m.payload_prefix AS" \
	" TEXT)) THEN json(CAST(m.payload_prefix AS TEXT)) END," \
	" ws_proto(" SUBPROTO_ARGS("c", "m") ")," \
	" ws_proto_note(" SUBPROTO_ARGS("c", "m") ")"

struct bm_row {
	struct browse_wkey        k;        /* index: the message_id */
	double                    time;
	int                       opcode, flags, unstored;
	int64_t                   size, stored, first_frame, last_frame;
	uint8_t                  *payload;  /* at most BM_PAYLOAD bytes */
	size_t                    n;
	char                     *json;     /* minified, when it is JSON */
	char                     *proto;    /* sub-protocol summary, note */
	const struct browse_mark *mark;
};

struct bm {
	struct browse      *b;
	sqlite3            *db;
	int64_t             conn, capture;
	int                 files;     /* of the capture: >1 a capture set */
	struct browse_wire  w;
	struct browse_list  l;
	struct bm_row      *cache;
	int64_t             cstart;
	int                 cn;
	struct browse_mark *marks;
	int                 nmarks, marks_cut;
	int                 pretty;    /* J: JSON indented */
	int                 rows, cols;
	sqlite3_stmt       *st_page;
};

/* Lines of an entry's payload being laid out (out NULL: only counted). */
struct bm_wrap {
	struct browse_text *out;
	int                 attr, avail, maxl, lines, cols, full;
	char                cur[BROWSE_TEXT_MAX];
	size_t              len;
};

static const struct browse_key bm_keys[] = {
	{ '\r', "Enter", BCMD_ENTER, 0, "open the message's first frame" },
	{ '\n', NULL, BCMD_ENTER, 0, NULL },
	{ KEY_ENTER, NULL, BCMD_ENTER, 0, NULL },
	{ 's', "s", BCMD_SAVE, 0,
	  "save the message's payload (the bytes stored) to a file" },
	{ 'y', "y", BCMD_WSFILTER, 0,
	  "a Wireshark display filter for the message's packets" },
	{ 'Y', "Y", BCMD_WSFILTER, 1,
	  "a Wireshark display filter for the connection's packets" },
	{ 'J', "J", BCMD_JSON, 0,
	  "text that is JSON: indented or as sent (here J is not the next item)" },
	{ ']', "]", BCMD_NEXT_FINDING, 0, "next message with a finding" },
	{ '[', "[", BCMD_PREV_FINDING, 0, "previous message with a finding" },
	{ '/', "/", BCMD_SEARCH, 0,
	  "search the stored payloads of every connection (inflated)" },
	{ 'n', "n", BCMD_NEXT, 0, "next message that matches, across connections" },
	{ 'N', "N", BCMD_PREV, 0, "previous message that matches" },
	{ 0, "", BCMD_NONE, 0, NULL }
};

static void	*bm_init(struct browse *, const void *);
static void	 bm_free(void *);
static void	 bm_draw(void *, int, int);
static void	 bm_key(void *, enum browse_cmd, int);
static void	 bm_resize(void *, int, int);
static void	 bm_status(void *, char *, size_t);
static void	 bm_help(void *, struct browse_text *, int);
static char	*bm_proto_line(sqlite3_stmt *, int, int);
static void	 bm_row_free(struct bm_row *);
static void	 bm_cache_clear(struct bm *);
static int	 bm_fetch_dir(struct bm *, int, int64_t, int, struct bm_row *);
static void	 bm_fetch(struct bm *);
static const struct bm_row *bm_at(struct bm *, int64_t);
static int	 bm_prefix_cols(struct bm *);
static int	 bm_layout(struct bm *, const struct bm_row *,
		    struct browse_text *);
static void	 bm_wrap_flush(struct bm_wrap *);
static int	 bm_wrap_put(struct bm_wrap *, const char *, int);
static void	 bm_wrap_bytes(struct bm_wrap *, const uint8_t *, size_t, int,
		    size_t *);
static void	 bm_json_line(void *, const char *);
static void	 bm_fit(void *);
static void	 bm_page_down(void *);
static void	 bm_draw_entry(struct bm *, int, const struct bm_row *, int,
		    int, int);
static void	 bm_draw_hits(struct bm *, int, int, int, const char *, int);
static void	 bm_select(struct bm *, const struct browse_wkey *);
static int	 bm_frame_message(struct bm *, int, int64_t,
		    struct browse_wkey *);
static void	 bm_jump_finding(void *, int);
static void	 bm_packet(void *);
static void	 bm_search(void *, int);
static void	 bm_save(struct bm *);
static void	 bm_filter(struct bm *, int);
static int	 bm_packets(struct bm *, const struct bm_row *, char *, size_t);
static int	 bm_addr_filter(const char *, char *, size_t);

static const struct browse_list_ops bm_list_ops = {
	"search payloads, all connections: ", bm_search, NULL, bm_page_down,
	bm_fit, bm_jump_finding, bm_packet
};

const struct browse_view browse_messages_view = {
	"messages", bm_keys, "Enter:frame s:save y:filter J:json /:search",
	bm_init, bm_free, bm_draw, bm_key, bm_resize,
	bm_status, bm_help, NULL
};

static void *
bm_init(struct browse *b, const void *arg)
{
	const struct browse_msg_ref *r = arg;
	struct bm                   *v = xcalloc(1, sizeof *v);
	sqlite3_stmt                *st;
	struct browse_wkey           k;

	v->b = b;
	v->db = browse_db(b);
	v->conn = r->conn;
	v->cache = xcalloc(BM_CACHE_MAX, sizeof *v->cache);
	if (browse_wire_open(b, &v->w, v->conn, "message_t", "message_id") !=
	    0 || subproto_register(v->db) != SQLITE_OK ||
	    browse_prepare(b, "SELECT " BM_COLUMNS " FROM message_t m"
	    " JOIN connection_t c ON c.connection_id = m.connection_id"
	    " WHERE m.connection_id = ?1 AND m.direction = ?2 AND"
	    " m.message_id >= ?3 ORDER BY m.message_id LIMIT ?4",
	    &v->st_page) != 0 ||
	    browse_prepare(b, "SELECT c.capture_id, coalesce(k.files, 1) FROM"
	    " connection_t c JOIN capture_t k ON k.capture_id = c.capture_id"
	    " WHERE c.connection_id = ?1", &st) != 0) {
		bm_free(v);
		return NULL;
	}
	sqlite3_bind_int64(st, 1, v->conn);
	if (sqlite3_step(st) == SQLITE_ROW) {
		v->capture = sqlite3_column_int64(st, 0);
		v->files = sqlite3_column_int(st, 1);
	}
	sqlite3_finalize(st);
	v->l.n = v->w.n[0] + v->w.n[1];
	v->marks = browse_marks_load(b, v->conn, &v->nmarks, &v->marks_cut);
	if (r->msg != NULL)
		v->l.sel = browse_wire_position(&v->w, r->msg);
	else if (r->frame != NULL && bm_frame_message(v, r->frame->dir,
	    r->frame->index, &k) == 0)
		/* The message that holds the frame selected in the timeline. */
		v->l.sel = browse_wire_position(&v->w, &k);
	return v;
}

/*
 * The sub-protocol's summary of a message and its note (subproto.h), one
 * line escaped for the terminal; NULL when it is none of them.
 */
static char *
bm_proto_line(sqlite3_stmt *st, int summary, int note)
{
	const char *s = (const char *)sqlite3_column_text(st, summary);
	const char *n = (const char *)sqlite3_column_text(st, note);
	char        raw[1024], out[2048];

	if (s == NULL && n == NULL)
		return NULL;
	snprintf(raw, sizeof raw, "%s%s%s%s", s != NULL ? s : "",
	    s != NULL && n != NULL ? " " : "", n != NULL ? "! " : "",
	    n != NULL ? n : "");
	esc_terminal_str(raw, out, sizeof out);
	return xstrdup(out);
}

static void
bm_row_free(struct bm_row *r)
{
	free(r->payload);
	free(r->json);
	free(r->proto);
	r->payload = NULL;
	r->json = NULL;
	r->proto = NULL;
}

static void
bm_cache_clear(struct bm *v)
{
	int i;

	for (i = 0; i < v->cn; i++)
		bm_row_free(&v->cache[i]);
	v->cn = 0;
}

static void
bm_free(void *p)
{
	struct bm *v = p;

	bm_cache_clear(v);
	sqlite3_finalize(v->w.st);
	sqlite3_finalize(v->st_page);
	free(v->marks);
	free(v->cache);
	free(v);
}

static int
bm_fetch_dir(struct bm *v, int dir, int64_t from, int want, struct bm_row *r)
{
	sqlite3_stmt *st = v->st_page;
	const void   *p;
	int           n = 0, k;

	sqlite3_bind_int64(st, 1, v->conn);
	sqlite3_bind_int(st, 2, dir);
	sqlite3_bind_int64(st, 3, from);
	sqlite3_bind_int(st, 4, want);
	while (n < want && sqlite3_step(st) == SQLITE_ROW) {
		memset(&r[n], 0, sizeof r[n]);
		r[n].k.index = (int64_t)sqlite3_column_int64(st, 0);
		r[n].k.packet = (int64_t)sqlite3_column_int64(st, 1);
		r[n].k.dir = dir;
		r[n].time = sqlite3_column_double(st, 2);
		r[n].opcode = sqlite3_column_int(st, 3);
		r[n].flags = sqlite3_column_int(st, 4);
		r[n].size = (int64_t)sqlite3_column_int64(st, 5);
		r[n].stored = (int64_t)sqlite3_column_int64(st, 6);
		p = sqlite3_column_blob(st, 7);
		r[n].n = (size_t)sqlite3_column_bytes(st, 7);
		r[n].payload = xmalloc(r[n].n + 1);
		if (r[n].n > 0)
			memcpy(r[n].payload, p, r[n].n);
		r[n].first_frame = (int64_t)sqlite3_column_int64(st, 8);
		r[n].last_frame = (int64_t)sqlite3_column_int64(st, 9);
		r[n].unstored = sqlite3_column_int(st, 10);
		if (sqlite3_column_type(st, 11) != SQLITE_NULL)
			r[n].json = xstrdup(browse_col_text(st, 11));
		r[n].proto = bm_proto_line(st, 12, 13);
		/* Marked: a frame a finding names is one of its own. */
		for (k = 0; k < v->nmarks; k++)
			if (v->marks[k].k.dir == dir &&
			    v->marks[k].k.index >= r[n].first_frame &&
			    v->marks[k].k.index <= r[n].last_frame) {
				r[n].mark = &v->marks[k];
				break;
			}
		n++;
	}
	sqlite3_reset(st);
	return n;
}

/* Fetches the entries around the screen when they are not cached. */
static void
bm_fetch(struct bm *v)
{
	struct bm_row *r[2];
	int64_t        c[2], start, end;
	int            want, got[2], i[2], j, d;

	end = v->l.top + v->l.rows < v->l.n ? v->l.top + v->l.rows : v->l.n;
	if (v->l.n == 0 || (v->cn > 0 && v->l.top >= v->cstart &&
	    end <= v->cstart + v->cn && v->l.sel >= v->cstart &&
	    v->l.sel < v->cstart + v->cn))
		return;
	bm_cache_clear(v);
	want = v->l.rows * 3 < BM_CACHE_MAX ? v->l.rows * 3 : BM_CACHE_MAX;
	start = v->l.top - v->l.rows > 0 ? v->l.top - v->l.rows : 0;
	browse_wire_split(&v->w, start, c);
	for (d = 0; d < 2; d++) {
		r[d] = xcalloc((size_t)want, sizeof *r[d]);
		got[d] = bm_fetch_dir(v, d, c[d], want, r[d]);
		i[d] = 0;
	}
	for (j = 0; j < want && (i[0] < got[0] || i[1] < got[1]); j++) {
		d = i[1] >= got[1] || (i[0] < got[0] &&
		    browse_wkey_cmp(&r[0][i[0]].k, &r[1][i[1]].k) < 0) ? 0 : 1;
		v->cache[j] = r[d][i[d]++];
	}
	/* What the merge did not take is freed. */
	for (d = 0; d < 2; d++) {
		for (; i[d] < got[d]; i[d]++)
			bm_row_free(&r[d][i[d]]);
		free(r[d]);
	}
	v->cstart = start;
	v->cn = j;
}

static const struct bm_row *
bm_at(struct bm *v, int64_t i)
{
	if (i < v->cstart || i >= v->cstart + v->cn)
		return NULL;
	return &v->cache[i - v->cstart];
}

/* The columns before the payload: mark, direction, time, size, type. */
static int
bm_prefix_cols(struct bm *v)
{
	return 2 + 3 + (v->cols < 100 ? 12 : 15) + (browse_days() ? 11 : 0) +
	    1 + 8 + 1 + 6 + 1;
}

static void
bm_wrap_flush(struct bm_wrap *w)
{
	if (w->out != NULL)
		browse_text_add(w->out, w->attr, "%s", w->cur);
	w->lines++;
	w->len = 0;
	w->cols = 0;
	w->cur[0] = '\0';
}

/* One escaped character of width cols on the line, or a new line; -1 full. */
static int
bm_wrap_put(struct bm_wrap *w, const char *s, int cols)
{
	size_t n = strlen(s);

	if (w->full)
		return -1;
	if (w->len > 0 && (w->cols + cols > w->avail ||
	    w->len + n + 1 > sizeof w->cur)) {
		if (w->lines + 1 >= w->maxl) {
			w->full = 1;
			return -1;
		}
		bm_wrap_flush(w);
	}
	memcpy(w->cur + w->len, s, n + 1);
	w->len += n;
	w->cols += cols;
	return 0;
}

/*
 * Bytes a character at a time: text escaped as esc_wire escapes it (as
 * wsautopsy messages prints it), anything else as browse_bytes shows
 * bytes. *used: the bytes that went on the lines.
 */
static void
bm_wrap_bytes(struct bm_wrap *w, const uint8_t *p, size_t n, int text,
    size_t *used)
{
	char   unit[BM_UNIT];
	size_t i = 0, len;

	while (i < n) {
		len = 1;
		if (text && p[i] >= 0xc2 && p[i] <= 0xf4) {
			len = p[i] < 0xe0 ? 2 : p[i] < 0xf0 ? 3 : 4;
			if (len > n - i || utf8_check(p + i, len) >= 0)
				len = 1;
		}
		if (text)
			esc_wire(p + i, len, unit, sizeof unit);
		else
			browse_bytes(p + i, len, unit, sizeof unit);
		if (bm_wrap_put(w, unit, len > 1 ? browse_width(unit) :
		    (int)strlen(unit)) != 0)
			break;
		i += len;
	}
	*used = i;
}

static void
bm_json_line(void *arg, const char *line)
{
	struct bm_wrap *w = arg;
	size_t          i, len;
	char            unit[8];

	if (w->full)
		return;
	if (w->len > 0 || w->lines > 0) {
		if (w->lines + 1 >= w->maxl) {
			w->full = 1;
			return;
		}
		bm_wrap_flush(w);
	}
	/* Already escaped: cut between characters only. */
	for (i = 0; line[i] != '\0'; i += len) {
		for (len = 1; len < sizeof unit - 1 &&
		    ((unsigned char)line[i + len] & 0xc0) == 0x80; len++)
			;
		memcpy(unit, line + i, len);
		unit[len] = '\0';
		if (bm_wrap_put(w, unit, len > 1 ? browse_width(unit) : 1) != 0)
			return;
	}
}

/*
 * The payload lines of an entry (out, when not NULL, gets them); returns
 * how many lines the entry takes. The last says what is not shown.
 */
static int
bm_layout(struct bm *v, const struct bm_row *r, struct browse_text *out)
{
	struct bm_wrap w;
	char           note[160];
	size_t         used = 0, off = 0;
	int64_t        more;
	int            code;

	memset(&w, 0, sizeof w);
	w.out = out;
	w.avail = v->cols - bm_prefix_cols(v);
	if (w.avail < 16)
		w.avail = 16;
	w.maxl = BM_LINES;
	note[0] = '\0';
	/* The sub-protocol's reading first, on a line of its own. */
	if (r->proto != NULL) {
		if (out != NULL)
			browse_text_add(out, A_BOLD, "%s", r->proto);
		w.lines++;
	}
	if (r->unstored)
		snprintf(note, sizeof note, "(payload not stored)");
	else if (v->pretty && r->json != NULL) {
		/* A JSON page: up to the screen less the entry's head. */
		w.maxl = v->l.rows > BM_LINES + 1 ? v->l.rows - 1 : BM_LINES;
		json_indent_lines(r->json, strlen(r->json), bm_json_line, &w);
		if (w.full)
			snprintf(note, sizeof note, "... more lines (J: as sent)");
		used = r->n;
	} else {
		if (r->opcode == 8 && r->n >= 2) {
			/* A close: its code, then its reason as text. */
			code = r->payload[0] << 8 | r->payload[1];
			snprintf(note, sizeof note, "%d ", code);
			bm_wrap_put(&w, note, (int)strlen(note));
			note[0] = '\0';
			off = 2;
		}
		bm_wrap_bytes(&w, r->payload + off, r->n - off,
		    r->opcode == 1 || r->opcode == 8, &used);
		used += off;
	}
	more = r->size - (int64_t)used;
	if (note[0] == '\0' && more > 0)
		snprintf(note, sizeof note, "... %" PRId64 " more byte%s%s",
		    more, more == 1 ? "" : "s", used == r->n && r->stored <
		    r->size ? ", not stored (analyze --payload-cap)" : "");
	if (w.len > 0 || w.lines == 0)
		bm_wrap_flush(&w);
	if (note[0] != '\0') {
		if (out != NULL)
			browse_text_add(out, A_DIM, "%s", note);
		w.lines++;
	}
	return w.lines;
}

/* Scrolls down until the selected entry is on screen whole, or on top. */
static void
bm_fit(void *p)
{
	struct bm *v = p;
	const struct bm_row *r;
	int64_t              i;
	int                  used;

	browse_list_fit(&v->l);
	bm_fetch(v);
	for (;;) {
		used = 0;
		for (i = v->l.top; i <= v->l.sel; i++) {
			if ((r = bm_at(v, i)) == NULL)
				return;
			used += bm_layout(v, r, NULL);
		}
		if (used <= v->l.rows || v->l.top >= v->l.sel)
			return;
		v->l.top++;
	}
}

/* The first entry not whole on screen goes on top, selected. */
static void
bm_page_down(void *p)
{
	struct bm *v = p;
	const struct bm_row *r;
	int64_t              i;
	int                  used = 0;

	bm_fetch(v);
	for (i = v->l.top; i < v->l.n; i++) {
		if ((r = bm_at(v, i)) == NULL)
			break;
		used += bm_layout(v, r, NULL);
		if (used > v->l.rows)
			break;
	}
	if (i == v->l.top)
		i++;
	v->l.top = v->l.sel = i < v->l.n ? i : v->l.n - 1;
	browse_list_fit(&v->l);
}

static void
bm_draw(void *p, int rows, int cols)
{
	struct bm           *v = p;
	const struct bm_row *r;
	int64_t              i;
	int                  y = 1, tw = cols < 100 ? 12 : 15;
	char                 zone[40], t[48];

	if (browse_days())
		tw += 11;
	attron(A_BOLD);
	browse_zone(v->cache != NULL && v->cn > 0 ? v->cache[0].time : 0,
	    zone, sizeof zone);
	snprintf(t, sizeof t, "time %s", zone);
	browse_putf(0, 0, cols, "  dir %-*s %8s %-6s payload (connection %"
	    PRId64 ")", tw, t, "size", "type", v->conn);
	attroff(A_BOLD);
	bm_fetch(v);
	for (i = v->l.top; i < v->l.n && y < rows; i++) {
		if ((r = bm_at(v, i)) == NULL)
			break;
		bm_draw_entry(v, y, r, rows - y, cols, i == v->l.sel);
		y += bm_layout(v, r, NULL);
	}
	if (v->l.n == 0)
		browse_put(y, 2, cols - 2, "no WebSocket messages");
}

/* An entry from row y, at most rows rows. */
static void
bm_draw_entry(struct bm *v, int y, const struct bm_row *r, int rows,
    int cols, int sel)
{
	struct browse_text t;
	size_t             i;
	int                tw = cols < 100 ? 12 : 15, x0, attr, dattr;
	char               tm[48], size[24];

	memset(&t, 0, sizeof t);
	bm_layout(v, r, &t);
	if (browse_days())
		tw += 11;
	if (sel) {
		attron(A_REVERSE);
		for (i = 0; i < t.n && (int)i < rows; i++) {
			move(y + (int)i, 0);
			hline(' ', cols);
		}
	}
	browse_time_fmt(r->time, browse_days(), 0, tm, sizeof tm);
	tm[tw] = '\0';
	snprintf(size, sizeof size, "%" PRId64, r->size);
	if (strlen(size) > 8)
		browse_size(r->size, size, sizeof size);
	attr = r->mark != NULL ? browse_class_attr(r->mark->cls) :
	    (int)A_NORMAL;
	if (r->mark != NULL && attr == (int)A_NORMAL)
		attr = A_BOLD;
	dattr = browse_dir_attr(r->k.dir);
	attron(dattr);
	x0 = browse_putf(y, 0, cols, "%c %s %-*s %8s %-6s ",
	    r->mark != NULL ? '*' : ' ', r->k.dir == 0 ? "->" : "<-", tw, tm,
	    size, browse_opcode_name(r->opcode));
	attroff(dattr);
	if (r->mark != NULL) {
		attron(attr);
		browse_put(y, 0, 1, "*");
		attroff(attr);
	}
	x0 = bm_prefix_cols(v) < x0 ? x0 : bm_prefix_cols(v);
	for (i = 0; i < t.n && (int)i < rows; i++) {
		attron(t.lines[i].attr | dattr);
		browse_put(y + (int)i, x0, cols - x0, t.lines[i].text);
		attroff(t.lines[i].attr | dattr);
		if (sel)
			bm_draw_hits(v, y + (int)i, x0, cols, t.lines[i].text,
			    t.lines[i].attr | dattr);
	}
	if (sel)
		attroff(A_REVERSE);
	browse_text_clear(&t);
}

/*
 * The search's text where a line of the selected entry shows it, bold
 * and underlined (a match cut by the wrap is not).
 */
static void
bm_draw_hits(struct bm *v, int y, int x0, int cols, const char *text,
    int attr)
{
	const char *search = browse_search_text(v->b);
	char        pat[BROWSE_TEXT_MAX], pre[BROWSE_TEXT_MAX];
	const char *q;
	size_t      n;
	int         x;

	if (search[0] == '\0')
		return;
	/* As the entry shows text: escaped by esc_wire. */
	n = esc_wire((const uint8_t *)search, strlen(search),
	    pat, sizeof pat);
	for (q = text; n > 0 && (q = strstr(q, pat)) != NULL; q += n) {
		snprintf(pre, sizeof pre, "%.*s", (int)(q - text), text);
		x = x0 + browse_width(pre);
		attron(attr | A_BOLD | A_UNDERLINE);
		browse_put(y, x, cols - x, pat);
		attroff(attr | A_BOLD | A_UNDERLINE);
	}
}

static void
bm_select(struct bm *v, const struct browse_wkey *k)
{
	v->l.sel = browse_wire_position(&v->w, k);
	if (v->l.sel < v->l.top || v->l.sel >= v->l.top + v->l.rows)
		v->l.top = v->l.sel;
	bm_fit(v);
}

/* The message that holds frame index of direction dir; -1 if none. */
static int
bm_frame_message(struct bm *v, int dir, int64_t index, struct browse_wkey *k)
{
	sqlite3_stmt *st;
	int           rc = -1;

	if (browse_prepare(v->b, "SELECT m.first_packet, m.message_id FROM frame_t f"
	    " JOIN message_t m ON m.connection_id = f.connection_id AND"
	    " m.direction = f.direction AND m.message_id = f.message_id WHERE"
	    " f.connection_id = ?1 AND f.direction = ?2 AND f.frame_index ="
	    " ?3", &st) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, v->conn);
	sqlite3_bind_int(st, 2, dir);
	sqlite3_bind_int64(st, 3, index);
	if (sqlite3_step(st) == SQLITE_ROW) {
		k->packet = (int64_t)sqlite3_column_int64(st, 0);
		k->dir = dir;
		k->index = (int64_t)sqlite3_column_int64(st, 1);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

static void
bm_jump_finding(void *p, int dir)
{
	struct bm *v = p;
	struct browse_wkey k;
	int64_t            pos, best = -1;
	int                i, found = -1;

	for (i = 0; i < v->nmarks; i++) {
		if (bm_frame_message(v, v->marks[i].k.dir, v->marks[i].k.index,
		    &k) != 0)
			continue;
		pos = browse_wire_position(&v->w, &k);
		if ((dir > 0 && pos > v->l.sel && (best < 0 || pos < best)) ||
		    (dir < 0 && pos < v->l.sel && pos >= best)) {
			best = pos;
			found = i;
		}
	}
	if (found < 0) {
		browse_message(v->b, "no %s message with a finding%s",
		    dir > 0 ? "later" : "earlier", v->marks_cut ?
		    " among the first 4096 findings" : "");
		return;
	}
	v->l.sel = best;
	if (v->l.sel < v->l.top || v->l.sel >= v->l.top + v->l.rows)
		v->l.top = v->l.sel;
	bm_fit(v);
	browse_message(v->b, "%s %s", v->marks[found].cls,
	    v->marks[found].rule);
}

/*
 * A packet of this connection's capture: the message holding the frame
 * that carries it when it is ours, else its connection.
 */
static void
bm_packet(void *p)
{
	struct bm *v = p;
	struct browse_frame_ref ref;
	struct browse_wkey      k;
	int64_t                 pkt;

	if (browse_packet_prompt(v->b, v->capture, &pkt) != 0 ||
	    browse_packet_find(v->b, v->capture, pkt, &ref) < 0)
		return;
	if (ref.conn != v->conn) {
		browse_message(v->b, "packet %s: connection %" PRId64,
		    browse_packet_said(v->b), ref.conn);
		browse_goto(v->b, &ref, 0);
		return;
	}
	if (ref.index < 0 || bm_frame_message(v, ref.dir, ref.index, &k) != 0) {
		browse_message(v->b, "packet %s carries no message",
		    browse_packet_said(v->b));
		return;
	}
	bm_select(v, &k);
}

/*
 * The shared payload search from the selected message: a match here
 * selects it, one in another connection opens that connection's message
 * view in place of this one.
 */
static void
bm_search(void *p, int dir)
{
	struct bm           *v = p;
	const struct bm_row *r;
	struct browse_wkey   here = { -1, -1, -1 };
	struct browse_hit    hit;
	int                  wrapped, rc;

	bm_fetch(v);
	if ((r = bm_at(v, v->l.sel)) != NULL)
		here = r->k;
	if ((rc = browse_payload_find(v->b, v->conn, &here, dir, 0, &hit,
	    &wrapped)) < 0)
		return;
	browse_payload_say(v->b, rc ? &hit : NULL, wrapped);
	if (rc == 0)
		return;
	if (hit.conn == v->conn)
		bm_select(v, &hit.k);
	else
		browse_payload_open(v->b, &hit);
}

/* The payload stored of the message, to a file named after it. */
static void
bm_save(struct bm *v)
{
	const struct bm_row *r;
	sqlite3_stmt        *st;
	FILE                *f;
	const void          *p;
	size_t               n;
	int64_t              size;
	char                 path[512], q[600], cut[64];
	int                  ok;

	bm_fetch(v);
	if ((r = bm_at(v, v->l.sel)) == NULL || r->unstored) {
		browse_message(v->b, "no payload stored to save");
		return;
	}
	cut[0] = '\0';
	if (r->stored < r->size)
		snprintf(cut, sizeof cut, "-first-%" PRId64 "-of-%" PRId64,
		    r->stored, r->size);
	snprintf(path, sizeof path, "c%" PRId64 "-%04" PRId64 "-%s-%s%s.%s",
	    v->conn, r->k.index, r->k.dir ? "server" : "client",
	    browse_opcode_name(r->opcode), cut, r->json != NULL ? "json" :
	    r->opcode == 1 ? "txt" : "bin");
	snprintf(q, sizeof q, "save %s payload to: ", cut[0] != '\0' ?
	    "the stored prefix of the" : "the");
	if (browse_prompt_edit(v->b, q, path, sizeof path) != 0)
		return;
	if (access(path, F_OK) == 0) {
		snprintf(q, sizeof q, "%s exists: overwrite it? (y/n)", path);
		if (!browse_confirm(v->b, q)) {
			browse_message(v->b, "not saved");
			return;
		}
	}
	/* The bytes as stored, whole, not the entry's copy. */
	if (browse_prepare(v->b, "SELECT payload_prefix, decoded_size FROM message_t"
	    " WHERE connection_id = ?1 AND direction = ?2 AND message_id = ?3",
	    &st) != 0)
		return;
	sqlite3_bind_int64(st, 1, v->conn);
	sqlite3_bind_int(st, 2, r->k.dir);
	sqlite3_bind_int64(st, 3, r->k.index);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		browse_message(v->b, "the message is gone from the database");
		return;
	}
	p = sqlite3_column_blob(st, 0);
	n = (size_t)sqlite3_column_bytes(st, 0);
	size = (int64_t)sqlite3_column_int64(st, 1);
	if ((f = fopen(path, "wb")) == NULL) {
		sqlite3_finalize(st);
		browse_message(v->b, "%s: %s", path, strerror(errno));
		return;
	}
	ok = (n == 0 || fwrite(p, 1, n, f) == n);
	if (fclose(f) != 0)
		ok = 0;
	sqlite3_finalize(st);
	if (!ok)
		browse_message(v->b, "%s: %s", path, strerror(errno));
	else if ((int64_t)n < size)
		browse_message(v->b, "saved %zu of %" PRId64 " bytes (all"
		    " stored) to %s", n, size, path);
	else
		browse_message(v->b, "saved %zu bytes to %s", n, path);
}

/*
 * The message's packets as a display filter on frame.number, in the file
 * holding them; -1 (said) when there are none or they span files.
 */
static int
bm_packets(struct bm *v, const struct bm_row *r, char *out, size_t len)
{
	sqlite3_stmt *st;
	char          file[300] = "", item[300], *colon, *dash, *end;
	const char   *list, *p, *comma;
	long long     a, b, lo = -1, hi = -1;
	size_t        o = 0;
	int           ranges = 0, rc = 0;
	char          set[BROWSE_TEXT_MAX] = "";

	/* A frame over several packets lists them; else its one packet. */
	if (browse_prepare(v->b, "SELECT coalesce(f.packets, " STORE_PACKET_AT("?4",
	    "f.packet") ") FROM frame_t f WHERE f.connection_id = ?1 AND"
	    " f.direction = ?2 AND f.message_id = ?3 ORDER BY f.frame_index",
	    &st) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, v->conn);
	sqlite3_bind_int(st, 2, r->k.dir);
	sqlite3_bind_int64(st, 3, r->k.index);
	sqlite3_bind_int64(st, 4, v->capture);
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		list = browse_col_text(st, 0);
		for (p = list; rc == 0 && *p != '\0'; p = comma + 1) {
			comma = strchr(p, ',');
			snprintf(item, sizeof item, "%.*s", (int)(comma != NULL ?
			    (size_t)(comma - p) : strlen(p)), p);
			if ((colon = strrchr(item, ':')) != NULL) {
				*colon = '\0';
				if (file[0] == '\0')
					snprintf(file, sizeof file, "%s", item);
				else if (strcmp(file, item) != 0) {
					browse_message(v->b, "the message's"
					    " packets span the files %s and %s:"
					    " a filter is for one", file, item);
					rc = -1;
					break;
				}
			}
			a = strtoll(colon != NULL ? colon + 1 : item, &end, 10);
			b = a;
			if ((dash = strchr(end, '-')) != NULL)
				b = strtoll(dash + 1, NULL, 10);
			/* Runs that touch make one. */
			if (lo >= 0 && a <= hi + 1) {
				hi = b > hi ? b : hi;
			} else {
				if (lo >= 0 && o < sizeof set)
					o += (size_t)snprintf(set + o, sizeof set -
					    o, "%s%lld..%lld", ranges++ ? ", " : "",
					    lo, hi);
				lo = a;
				hi = b;
			}
			if (comma == NULL)
				break;
		}
	}
	sqlite3_finalize(st);
	if (rc != 0)
		return -1;
	if (lo < 0) {
		browse_message(v->b, "no packet of this message is known");
		return -1;
	}
	if (ranges == 0 && lo == hi)
		snprintf(out, len, "frame.number == %lld", lo);
	else if (ranges == 0)
		snprintf(out, len, "frame.number >= %lld && frame.number <= %lld",
		    lo, hi);
	else {
		if (o < sizeof set)
			snprintf(set + o, sizeof set - o, ", %lld..%lld", lo, hi);
		snprintf(out, len, "frame.number in {%s}", set);
	}
	if (file[0] != '\0' && v->files > 1) {
		/* Wireshark opens one file of a set: the one to open. */
		snprintf(item, sizeof item, "in %s: ", file);
		if (strlen(item) + strlen(out) < len) {
			memmove(out + strlen(item), out, strlen(out) + 1);
			memcpy(out, item, strlen(item));
		}
	}
	return 0;
}

/* "ip.addr == A && tcp.port == P" from "A:P" or "[A]:P"; -1 if neither. */
static int
bm_addr_filter(const char *ep, char *out, size_t len)
{
	const char *colon = strrchr(ep, ':');
	char        addr[128];
	size_t      n;

	if (colon == NULL)
		return -1;
	n = (size_t)(colon - ep);
	if (n >= 2 && ep[0] == '[' && ep[n - 1] == ']') {
		ep++;
		n -= 2;
	}
	snprintf(addr, sizeof addr, "%.*s", (int)n, ep);
	snprintf(out, len, "%s == %s && tcp.port == %s", strchr(addr, ':') !=
	    NULL ? "ipv6.addr" : "ip.addr", addr, colon + 1);
	return 0;
}

/*
 * y: the packets of the message; Y: the connection's (its endpoints,
 * within its first and last packet when one file holds both).
 */
static void
bm_filter(struct bm *v, int conn)
{
	const struct bm_row *r;
	sqlite3_stmt        *st;
	char                 f[BROWSE_TEXT_MAX], a[200], b[200], range[160];
	const char          *first, *last, *cf, *cl;

	bm_fetch(v);
	if (!conn) {
		if ((r = bm_at(v, v->l.sel)) == NULL ||
		    bm_packets(v, r, f, sizeof f) != 0)
			return;
		snprintf(a, sizeof a, "Wireshark display filter: the packets"
		    " of %s message %" PRId64 "%s", r->k.dir ? "server" :
		    "client", r->k.index, v->files > 1 ? " (open the file"
		    " named)" : "");
		browse_popup(v->b, a, f);
		return;
	}
	if (browse_prepare(v->b, "SELECT client, server, first_packet, last_packet"
	    " FROM connections WHERE connection_id = ?1", &st) != 0)
		return;
	sqlite3_bind_int64(st, 1, v->conn);
	if (sqlite3_step(st) != SQLITE_ROW ||
	    bm_addr_filter(browse_col_text(st, 0), a, sizeof a) != 0 ||
	    bm_addr_filter(browse_col_text(st, 1), b, sizeof b) != 0) {
		sqlite3_finalize(st);
		browse_message(v->b, "no TCP endpoints known for connection %"
		    PRId64, v->conn);
		return;
	}
	first = browse_col_text(st, 2);
	last = browse_col_text(st, 3);
	range[0] = '\0';
	cf = strrchr(first, ':');
	cl = strrchr(last, ':');
	/* Packets are FILE:NUMBER in a set: a range only within one file. */
	if (cf == NULL && cl == NULL)
		snprintf(range, sizeof range, " && frame.number >= %s &&"
		    " frame.number <= %s", first, last);
	else if (cf != NULL && cl != NULL && cf - first == cl - last &&
	    strncmp(first, last, (size_t)(cf - first)) == 0)
		snprintf(range, sizeof range, "in %.*s: ", (int)(cf - first),
		    first);
	if (range[0] == 'i') {
		snprintf(f, sizeof f, "%s%s && %s && frame.number >= %s &&"
		    " frame.number <= %s", range, a, b, cf + 1, cl + 1);
	} else
		snprintf(f, sizeof f, "%s && %s%s", a, b, range);
	sqlite3_finalize(st);
	snprintf(a, sizeof a, "Wireshark display filter: the packets of"
	    " connection %" PRId64, v->conn);
	browse_popup(v->b, a, f);
}

static void
bm_key(void *p, enum browse_cmd cmd, int arg)
{
	struct bm              *v = p;
	const struct bm_row    *r;
	struct browse_frame_ref ref;

	if (browse_list_key(v->b, &v->l, &bm_list_ops, v, cmd))
		return;
	switch (cmd) {
	case BCMD_ENTER:
		bm_fetch(v);
		if ((r = bm_at(v, v->l.sel)) == NULL)
			break;
		ref.conn = v->conn;
		ref.dir = r->k.dir;
		ref.index = r->first_frame;
		ref.packet = r->k.packet;
		browse_push(v->b, &browse_frame_view, &ref);
		break;
	case BCMD_SAVE:
		bm_save(v);
		break;
	case BCMD_WSFILTER:
		bm_filter(v, arg);
		break;
	case BCMD_JSON:
		v->pretty = !v->pretty;
		bm_fit(v);
		browse_message(v->b, "JSON %s", v->pretty ? "indented" :
		    "as sent");
		break;
	default:
		break;
	}
}

static void
bm_resize(void *p, int rows, int cols)
{
	struct bm *v = p;

	v->rows = rows;
	v->cols = cols;
	v->l.rows = rows - 1 > 1 ? rows - 1 : 1;
	bm_cache_clear(v);
	bm_fit(v);
}

static void
bm_status(void *p, char *buf, size_t len)
{
	struct bm           *v = p;
	const struct bm_row *r;

	bm_fetch(v);
	if ((r = bm_at(v, v->l.sel)) == NULL) {
		snprintf(buf, len, "messages of connection %" PRId64, v->conn);
		return;
	}
	/* The message as messages numbers it; the entry, from 1. */
	snprintf(buf, len, "connection %" PRId64 " %s message %"
	    PRId64 " (%" PRId64 "/%" PRId64 ")%s", v->conn, r->k.dir ?
	    "server" : "client", r->k.index, v->l.sel + 1, v->l.n,
	    r->stored < r->size && !r->unstored ? " prefix stored" : "");
	if (r->mark != NULL && strlen(buf) < len)
		snprintf(buf + strlen(buf), len - strlen(buf), " [%s %s]",
		    r->mark->cls, r->mark->rule);
}

static void
bm_help(void *p, struct browse_text *t, int cols)
{
	struct bm *v = p;

	browse_rules_text(t, v->db, cols, "connection_id = ?1", v->conn, 0, 0);
}
