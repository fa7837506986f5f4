/*
 * browse-connections: the first view, one line per connection.
 *
 * Nothing loads every row: the filtered count and the counts per class
 * come from aggregate queries, and only the rows on screen plus a margin
 * are fetched (LIMIT/OFFSET in the current order). A move that leaves the
 * cached window fetches a new one.
 */
#include "config.h"

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif

#include <curses.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "browse.h"
#include "report.h"
#include "rules.h"
#include "wsautopsy.h"

#define BCS_CACHE_MAX 512

struct bcs_row {
	int64_t id;
	double  time;
	char    client[64], server[64], host[128], path[256];
	int     ext, proto;
	int64_t frames, bytes;
	int     close[2];
	char    verdict[16];
	int     match;
	int64_t capture;
	char    cname[64];
};

/* The columns shown and their widths, from bcs_layout. */
struct bcs_layout {
	int time_w;            /* 12 with milliseconds, 8 without, 0 none;
				  11 more with the date */
	int both;              /* client -> server, or the client alone */
	int ends_w, hp_w;      /* endpoints, host/path */
	int ext, frames, bytes;
};

struct bcs {
	struct browse     *b;
	sqlite3           *db;
	int                sort;       /* index in bcs_sorts */
	int                cls;        /* index in bcs_classes */
	int                only_matches;
	struct browse_list l;
	struct bcs_row    *cache;
	int64_t            cstart;
	int                cn;
	int64_t            counts[9];  /* per bcs_classes entry; [0] all */
	int64_t            ncaptures;
	int64_t            capture;    /* the first; the selection's rules */
	char               title[128];
	struct bcs_layout  lay;
	/* The report's timeline, read once: the sparkline of the header. */
	struct report_timeline tl;
	int                bucket;     /* the cursor's; -1 none */
	int                only_bucket;
	char               zone[40];   /* of the times: "UTC", "CET/CEST" */
};

/* The class order (CLASS_LIST's sort); a verdict it does not know is 5. */
#define BCS_WHEN(e, name, rank, sort, ansi, pair, attr, mono, key) \
	" WHEN '" name "' THEN " #sort
static const struct {
	const char *name;
	const char *order;
} bcs_sorts[] = {
	{ "time", "first_time, connection_id" },
	{ "class", "CASE verdict" CLASS_LIST(BCS_WHEN) " ELSE 5 END,"
	    " first_time, connection_id" },
	{ "bytes", "bytes DESC, connection_id" },
};
#define BCS_NSORTS ((int)(sizeof bcs_sorts / sizeof bcs_sorts[0]))

/*
 * Number key n selects entry n - 1: 1 all, then the verdicts CLASS_LIST
 * gives a KEY; its REST gathers the rest.
 */
#define BCS_CLASS(e, name, rank, sort, ansi, pair, attr, mono, key) \
	BCS_CLASS_##key(name)
#define BCS_CLASS_KEY(n, help)  [(n) - 1] = BCS_CLASS_NAME
#define BCS_CLASS_REST(n, help) [(n) - 1] = BCS_CLASS_NAME
#define BCS_CLASS_NOKEY         BCS_CLASS_DROP
#define BCS_CLASS_NAME(name)    name,
#define BCS_CLASS_DROP(name)
static const char *const bcs_classes[] = {
	"all",
	CLASS_LIST(BCS_CLASS)
};
#define BCS_NCLASSES ((int)(sizeof bcs_classes / sizeof bcs_classes[0]))
/* The verdicts a key other than 1 and REST's names. */
#define BCS_KNOWN_ROW(e, name, rank, sort, ansi, pair, attr, mono, key) \
	BCS_KNOWN_##key(name)
#define BCS_KNOWN_KEY(n, help)  BCS_KNOWN_NAME
#define BCS_KNOWN_REST(n, help) BCS_CLASS_DROP
#define BCS_KNOWN_NOKEY         BCS_CLASS_DROP
#define BCS_KNOWN_NAME(name)    ",'" name "'"
/* 'all' is no verdict: it only opens the list. */
#define BCS_KNOWN "('all'" CLASS_LIST(BCS_KNOWN_ROW) ")"

/*
 * ?1 class (NULL all), ?2 1: the classes no number key names, ?3 search
 * text, ?4 1: only matches, ?7 and ?8 the timeline bucket whose findings
 * a connection needs (milliseconds, as the report cuts them; ?7 NULL: no
 * bucket). ?5 and ?6 are the queries' own.
 */
#define BCS_MATCH \
	"(?3 IS NOT NULL AND (instr(lower(coalesce(client, '') || ' ' ||" \
	" coalesce(server, '') || ' ' || coalesce(host, '') ||" \
	" coalesce(path, '') || ' ' || coalesce(verdict, '') || ' ' ||" \
	" coalesce(close_client, '') || ' ' || coalesce(close_server, '') ||" \
	" ' ' || coalesce(capture, '')), lower(?3)) > 0 OR EXISTS (SELECT 1" \
	" FROM findings f WHERE f.connection_id = connections.connection_id" \
	" AND instr(lower(f.class || ' ' || coalesce(f.code, '') || ' ' ||" \
	" coalesce(f.rule, '') || ' ' || coalesce(f.offending_rule, '')), " \
	" lower(?3)) > 0)))"
/*
 * A class key takes every connection with a finding of that class, not
 * only those whose verdict (the worst of them) it is.
 */
#define BCS_WHERE \
	" WHERE (?1 IS NULL OR verdict = ?1 OR connection_id IN (SELECT" \
	" connection_id FROM findings WHERE class = ?1)) AND (?2 = 0 OR" \
	" coalesce(verdict, '') NOT IN " BCS_KNOWN ") AND (?4 = 0 OR " \
	BCS_MATCH ") AND (?7 IS NULL OR connection_id IN (SELECT" \
	" connection_id FROM findings WHERE time IS NOT NULL AND" \
	REPORT_FINDING_MS " >= ?7 AND" REPORT_FINDING_MS " < ?8))"

/* The keys 1 to 9 take rows BCS_KEY_AT(1) to BCS_KEY_AT(9), in order. */
#define BCS_KEY_AT(n) (3 + (n))
#define BCS_KEY(e, name, rank, sort, ansi, pair, attr, mono, key) \
	BCS_KEY_##key
#define BCS_KEY_KEY(n, help) \
	[BCS_KEY_AT(n)] = { '0' + (n), #n, BCMD_CLASS, (n) - 1, help },
#define BCS_KEY_REST BCS_KEY_KEY
#define BCS_KEY_NOKEY
static const struct browse_key bcs_keys[] = {
	{ '\r', "Enter", BCMD_ENTER, 0, "open the selected connection" },
	{ '\n', NULL, BCMD_ENTER, 0, NULL },
	{ KEY_ENTER, NULL, BCMD_ENTER, 0, NULL },
	{ 's', "s", BCMD_SORT, 0, "sort by time, class, bytes (cycles)" },
	[BCS_KEY_AT(1)] = { '1', "1", BCMD_CLASS, 0, "all connections" },
	CLASS_LIST(BCS_KEY)
	[BCS_KEY_AT(10)] =
	{ '/', "/", BCMD_SEARCH, 0, "search endpoints, host, path, capture, verdict,"
	  " close codes, finding classes and rule ids (any case), and the"
	  " stored payloads (inflated, as typed): a payload match opens the"
	  " message" },
	{ 'n', "n", BCMD_NEXT, 0, "next match (in a message view: the next"
	  " message, across connections)" },
	{ 'N', "N", BCMD_PREV, 0, "previous match" },
	{ '&', "&", BCMD_FILTER, 0, "show only the connections whose own text"
	  " matches (toggle)" },
	{ ']', "] [", BCMD_BUCKET, 1,
	  "timeline: the cursor to the next, previous time bucket" },
	{ '[', NULL, BCMD_BUCKET, -1, NULL },
	{ '}', "} {", BCMD_BUCKET, 2,
	  "timeline: the next, previous bucket with findings" },
	{ '{', NULL, BCMD_BUCKET, -2, NULL },
	{ 't', "t", BCMD_BUCKET_ONLY, 0, "show only the connections with"
	  " findings in the bucket under the cursor (toggle)" },
	{ 0, NULL, BCMD_NONE, 0, NULL }
};

static void	*bcs_init(struct browse *, const void *);
static void	 bcs_free(void *);
static void	 bcs_draw(void *, int, int);
static void	 bcs_key(void *, enum browse_cmd, int);
static void	 bcs_resize(void *, int, int);
static void	 bcs_status(void *, char *, size_t);
static void	 bcs_reveal(void *, int64_t);
static int	 bcs_select(struct bcs *, int64_t);
static int	 bcs_prepare(struct bcs *, const char *, const char *,
		    sqlite3_stmt **);
static void	 bcs_bind(struct bcs *, sqlite3_stmt *);
static int	 bcs_counts(struct bcs *);
static void	 bcs_reload(struct bcs *);
static void	 bcs_fetch(struct bcs *);
static void	 bcs_row(struct bcs_row *, sqlite3_stmt *);
static void	 bcs_layout(struct bcs *, int);
static void	 bcs_draw_head(struct bcs *, int);
static void	 bcs_draw_spark(struct bcs *, int);
static void	 bcs_bucket_time(const struct bcs *, int64_t, char *,
		    size_t);
static void	 bcs_bucket_text(struct bcs *, int, char *, size_t);
static void	 bcs_bucket_move(struct bcs *, int);
static void	 bcs_bucket_only(struct bcs *);
static void	 bcs_draw_row(struct bcs *, int, const struct bcs_row *, int,
		    int);
static void	 bcs_find(void *, int);
static void	 bcs_searched(void *);
static void	 bcs_packet(void *);
static int64_t	 bcs_rank(struct bcs *, int64_t);

static const struct browse_list_ops bcs_list_ops = {
	"search (payloads too): ", bcs_find, bcs_searched, NULL, NULL, NULL,
	bcs_packet
};

const struct browse_view browse_connections_view = {
	"connections", bcs_keys,
	"Enter:open 1-9:class s:sort /:search []:bucket",
	bcs_init, bcs_free, bcs_draw, bcs_key,
	bcs_resize, bcs_status, NULL, bcs_reveal
};

static void *
bcs_init(struct browse *b, const void *arg)
{
	struct bcs *v = xcalloc(1, sizeof *v);

	(void)arg;
	v->b = b;
	v->db = browse_db(b);
	v->cache = xcalloc(BCS_CACHE_MAX, sizeof *v->cache);
	v->bucket = -1;
	if (bcs_counts(v) != 0) {
		bcs_free(v);
		return NULL;
	}
	bcs_reload(v);
	return v;
}

static void
bcs_free(void *p)
{
	struct bcs *v = p;

	free(v->cache);
	free(v);
}

static int
bcs_prepare(struct bcs *v, const char *head, const char *tail,
    sqlite3_stmt **st)
{
	char sql[8192];

	snprintf(sql, sizeof sql, "%s%s", head, tail);
	if (sqlite3_prepare_v2(v->db, sql, -1, st, NULL) != SQLITE_OK) {
		browse_message(v->b, "database: %s", sqlite3_errmsg(v->db));
		*st = NULL;
		return -1;
	}
	return 0;
}

static void
bcs_bind(struct bcs *v, sqlite3_stmt *st)
{
	const char *search = browse_search_text(v->b);

	if (v->cls > 0 && v->cls < BCS_NCLASSES - 1)
		sqlite3_bind_text(st, 1, bcs_classes[v->cls], -1,
		    SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 1);
	sqlite3_bind_int(st, 2, v->cls == BCS_NCLASSES - 1);
	if (search[0] != '\0')
		sqlite3_bind_text(st, 3, search, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 3);
	sqlite3_bind_int(st, 4, v->only_matches && search[0] != '\0');
	if (v->only_bucket && v->bucket >= 0) {
		sqlite3_bind_int64(st, 7, v->tl.b[v->bucket].start_ms);
		sqlite3_bind_int64(st, 8, v->tl.b[v->bucket].start_ms +
		    v->tl.width_ms);
	} else
		sqlite3_bind_null(st, 7);
}

/* Counts per class for the header: one aggregate on the verdict index. */
static int
bcs_counts(struct bcs *v)
{
	sqlite3_stmt      *st;
	struct report_opts o;
	const char        *c;
	char               a[16], z[16];
	int                i;

	/* A connection counts once in each class it has a finding of. */
	if (bcs_prepare(v, "SELECT c, count(*) FROM (SELECT verdict AS c,"
	    " connection_id FROM connections UNION SELECT class,"
	    " connection_id FROM findings WHERE connection_id IS NOT NULL)"
	    " GROUP BY c", "", &st) != 0) {
		/* Not a wsautopsy database, or a damaged one. */
		return -1;
	}
	memset(v->counts, 0, sizeof v->counts);
	while (sqlite3_step(st) == SQLITE_ROW) {
		c = browse_col_text(st, 0);
		for (i = 1; i < BCS_NCLASSES - 1; i++)
			if (strcmp(c, bcs_classes[i]) == 0)
				break;
		v->counts[i] += sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (bcs_prepare(v, "SELECT count(*) FROM connection_t", "", &st) != 0)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v->counts[0] = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	v->title[0] = '\0';
	if (bcs_prepare(v, "SELECT capture, count(*) OVER (), capture_id FROM"
	    " captures ORDER BY capture_id LIMIT 1", "", &st) != 0)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		v->ncaptures = sqlite3_column_int64(st, 1);
		v->capture = sqlite3_column_int64(st, 2);
		snprintf(v->title, sizeof v->title, "%s",
		    browse_col_text(st, 0));
	}
	sqlite3_finalize(st);
	/* The zone the list's times are in, two when the span crosses a change. */
	v->zone[0] = '\0';
	if (bcs_prepare(v, "SELECT min(first_sec), max(last_sec) FROM"
	    " connection_t", "", &st) != 0)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL) {
		browse_zone(sqlite3_column_double(st, 0), a, sizeof a);
		browse_zone(sqlite3_column_double(st, 1), z, sizeof z);
		snprintf(v->zone, sizeof v->zone, "%s%s%s", a,
		    strcmp(a, z) != 0 ? "/" : "", strcmp(a, z) != 0 ? z : "");
	}
	sqlite3_finalize(st);
	/* The report's buckets, all classes: `report --timeline`'s. */
	report_opts_default(&o);
	if (report_timeline(v->db, &o, &v->tl) != 0)
		memset(&v->tl, 0, sizeof v->tl);
	return 0;
}

/* The filter or the order changed: count again and refetch. */
static void
bcs_reload(struct bcs *v)
{
	sqlite3_stmt *st;

	v->l.n = 0;
	v->cn = 0;
	if (bcs_prepare(v, "SELECT count(*) FROM connections", BCS_WHERE,
	    &st) != 0)
		return;
	bcs_bind(v, st);
	if (sqlite3_step(st) == SQLITE_ROW)
		v->l.n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	browse_list_fit(&v->l);
}

static void
bcs_row(struct bcs_row *r, sqlite3_stmt *st)
{
	int i;

	r->id = sqlite3_column_int64(st, 0);
	r->time = sqlite3_column_double(st, 1);
	snprintf(r->client, sizeof r->client, "%s", browse_col_text(st, 2));
	snprintf(r->server, sizeof r->server, "%s", browse_col_text(st, 3));
	snprintf(r->host, sizeof r->host, "%s", browse_col_text(st, 4));
	snprintf(r->path, sizeof r->path, "%s", browse_col_text(st, 5));
	r->proto = browse_col_text(st, 6)[0] != '\0';
	r->ext = browse_col_text(st, 7)[0] != '\0';
	r->frames = sqlite3_column_int64(st, 8);
	r->bytes = sqlite3_column_int64(st, 9);
	for (i = 0; i < 2; i++)
		r->close[i] = sqlite3_column_type(st, 10 + i) == SQLITE_NULL ?
		    -1 : sqlite3_column_int(st, 10 + i);
	snprintf(r->verdict, sizeof r->verdict, "%s", browse_col_text(st, 12));
	r->match = sqlite3_column_int(st, 13);
	r->capture = sqlite3_column_int64(st, 14);
	snprintf(r->cname, sizeof r->cname, "%s", browse_col_text(st, 15));
}

/* Fetches the rows around the screen when they are not cached. */
static void
bcs_fetch(struct bcs *v)
{
	sqlite3_stmt *st;
	char          tail[4096];
	int64_t       start, end;
	int           want;

	end = v->l.top + v->l.rows < v->l.n ? v->l.top + v->l.rows : v->l.n;
	if (v->l.n == 0 || (v->cn > 0 && v->l.top >= v->cstart &&
	    end <= v->cstart + v->cn))
		return;
	want = v->l.rows * 3 < BCS_CACHE_MAX ? v->l.rows * 3 : BCS_CACHE_MAX;
	start = v->l.top - v->l.rows;
	if (start < 0)
		start = 0;
	snprintf(tail, sizeof tail, "%s ORDER BY %s LIMIT ?5 OFFSET ?6",
	    BCS_WHERE, bcs_sorts[v->sort].order);
	v->cn = 0;
	v->cstart = start;
	if (bcs_prepare(v, "SELECT connection_id, first_time, client, server,"
	    " host, path, subprotocol, extensions, frames, bytes, close_client,"
	    " close_server, verdict, " BCS_MATCH ", capture_id, capture FROM"
	    " connections", tail,
	    &st) != 0)
		return;
	bcs_bind(v, st);
	sqlite3_bind_int(st, 5, want);
	sqlite3_bind_int64(st, 6, start);
	while (v->cn < want && sqlite3_step(st) == SQLITE_ROW)
		bcs_row(&v->cache[v->cn++], st);
	sqlite3_finalize(st);
}

/*
 * Columns for the width. Everything fits from 100 columns; narrower, the
 * columns that matter least go first: the extensions flag, the server
 * (the Host header names it), the time's fraction, frames, bytes, time.
 */
static void
bcs_layout(struct bcs *v, int cols)
{
	struct bcs_layout *L = &v->lay;
	int                step, fixed, flex, want;

	for (step = 0;; step++) {
		L->ext = step < 1;
		L->both = step < 2;
		L->time_w = step < 3 ? 12 : step < 6 ? 8 : 0;
		/* A database of several days dates every time. */
		if (L->time_w > 0 && browse_days())
			L->time_w += 11;
		L->frames = step < 4;
		L->bytes = step < 5;
		fixed = (L->time_w > 0 ? L->time_w + 1 : 0) + (L->ext ? 2 : 0) +
		    (L->frames ? 7 : 0) + (L->bytes ? 7 : 0) + 10 + 9;
		flex = cols - fixed - 2;
		if (flex >= (L->both ? 34 : 21) + 16 || step == 6)
			break;
	}
	/*
	 * The endpoints their longest, host/path the rest up to 80; the
	 * verdict, last, has what is left: 9 columns hold every class but
	 * application, which gets 11 when host/path can spare them.
	 */
	want = L->both ? 47 : 23;
	L->ends_w = flex - 16 < want ? flex - 16 : want;
	if (L->ends_w < (L->both ? 34 : 21))
		L->ends_w = flex / 2;
	L->hp_w = flex - L->ends_w;
	if (L->hp_w >= 18)
		L->hp_w -= 2;     /* the verdict's 11 columns */
	if (L->hp_w > 80)
		L->hp_w = 80;
	if (L->ends_w < 1)
		L->ends_w = 1;
	if (L->hp_w < 1)
		L->hp_w = 1;
}

/* The capture, the count and the counts per class (the zeros go first). */
static void
bcs_draw_head(struct bcs *v, int cols)
{
	char buf[64], counts[512], title[200];
	int  c, x, all, nz = 0, tw;

	if (v->ncaptures > 1 && v->l.sel >= v->cstart &&
	    v->l.sel < v->cstart + v->cn)
		snprintf(title, sizeof title, "%s (of %" PRId64 " captures)",
		    v->cache[v->l.sel - v->cstart].cname, v->ncaptures);
	else
		snprintf(title, sizeof title, "%s", v->title);
	for (all = 1; all >= 0; all--) {
		snprintf(counts, sizeof counts, "  %" PRId64 " connection%s ",
		    v->counts[0], v->counts[0] == 1 ? "" : "s");
		for (c = 1; c < BCS_NCLASSES; c++)
			if (all || v->counts[c] > 0) {
				snprintf(buf, sizeof buf, " %s:%" PRId64,
				    bcs_classes[c], v->counts[c]);
				strncat(counts, buf, sizeof counts -
				    strlen(counts) - 1);
			}
		if (browse_width(title) + browse_width(counts) <= cols)
			break;
	}
	tw = cols - browse_width(counts);
	if (tw < 12)
		tw = 12;
	x = browse_put_ell(0, 0, tw, title);
	x = browse_putf(0, x, cols - x, "  %" PRId64 " connection%s ",
	    v->counts[0], v->counts[0] == 1 ? "" : "s");
	for (c = 1; c < BCS_NCLASSES && x < cols; c++) {
		if (all <= 0 && v->counts[c] == 0)
			continue;
		nz++;
		attron(browse_class_attr(bcs_classes[c]));
		snprintf(buf, sizeof buf, " %s:%" PRId64, bcs_classes[c],
		    v->counts[c]);
		x = browse_put(0, x, cols - x, buf);
		attroff(browse_class_attr(bcs_classes[c]));
	}
	if (nz == 0 && all <= 0)
		browse_put(0, x, cols - x, " (no findings)");
}

/*
 * The second header row: the report's timeline as a sparkline, one cell
 * per bucket, as high as its findings against the fullest bucket's (eighths,
 * rounded up: a bucket with findings is never blank), in the colour of its
 * most frequent class; the cursor's cell reversed. Between bars, so an
 * empty bucket at either end still shows. Narrower than the buckets, the
 * cells around the cursor, a cut end marked < or >.
 */
static void
bcs_draw_spark(struct bcs *v, int cols)
{
	static const char *const blocks[8] = { "\u2581", "\u2582", "\u2583",
	    "\u2584", "\u2585", "\u2586", "\u2587", "\u2588" };
	static const char ascii[] = "._:-=+*#";
	const struct report_timeline *t = &v->tl;
	char    per[32], head[64], from[80], zone[16], cell[8];
	int     i, c, best, level, x, avail, off, utf8, attr;
	int64_t most;

	if (t->n == 0) {
		browse_put(1, 0, cols, "timeline: nothing with a time");
		return;
	}
	utf8 = MB_CUR_MAX > 1 && wcwidth(L'\u2588') == 1;
	report_width_text(t->width_ms, per, sizeof per);
	snprintf(head, sizeof head, "findings per %s ", per);
	bcs_bucket_time(v, t->b[0].start_ms, from, sizeof from);
	browse_zone((double)t->b[0].start_ms / 1000, zone, sizeof zone);
	snprintf(from + strlen(from), sizeof from - strlen(from), " %s", zone);
	x = 0;
	if ((int)strlen(head) + t->n + 2 <= cols)
		x = browse_put(1, 0, cols, head);
	avail = cols - x - 2;
	if (avail < 1)
		return;
	off = 0;
	if (t->n > avail && v->bucket >= avail)
		off = v->bucket - avail + 1;
	x = browse_put(1, x, 1, off > 0 ? "<" : "|");
	for (i = off; i < t->n && i - off < avail; i++) {
		most = 0;
		best = -1;
		for (c = 0; c < FINDING_CLASSES; c++)
			if (t->b[i].counts[c] > most) {
				most = t->b[i].counts[c];
				best = c;
			}
		level = t->max_total > 0 ? (int)((t->b[i].total * 8 +
		    t->max_total - 1) / t->max_total) : 0;
		if (level == 0)
			snprintf(cell, sizeof cell, " ");
		else if (utf8)
			snprintf(cell, sizeof cell, "%s", blocks[level - 1]);
		else
			snprintf(cell, sizeof cell, "%c", ascii[level - 1]);
		attr = best >= 0 ? browse_class_attr(finding_class_names[best]) :
		    (int)A_NORMAL;
		if (i == v->bucket)
			attr |= A_REVERSE;
		attron(attr);
		x = browse_put(1, x, 1, cell);
		attroff(attr);
	}
	x = browse_put(1, x, 1, i < t->n ? ">" : "|");
	if (x + 1 + (int)strlen(from) <= cols)
		browse_put(1, x + 1, cols - x - 1, from);
}

/* A bucket's edge, as precise as the width needs: seconds or ms. */
static void
bcs_bucket_time(const struct bcs *v, int64_t ms, char *buf, size_t len)
{
	browse_time_fmt((double)ms / 1000, browse_days(), 0, buf, len);
	buf[strlen(buf) - (v->tl.width_ms % 1000 == 0 ? 7 : 3)] = '\0';
}

/* "00:00:00.500-00:00:00.550 UTC, 2 findings": the bucket's range. */
static void
bcs_bucket_text(struct bcs *v, int i, char *buf, size_t len)
{
	const struct report_timeline *t = &v->tl;
	char a[48], z[48], zone[16];

	bcs_bucket_time(v, t->b[i].start_ms, a, sizeof a);
	bcs_bucket_time(v, t->b[i].start_ms + t->width_ms, z, sizeof z);
	browse_zone((double)t->b[i].start_ms / 1000, zone, sizeof zone);
	snprintf(buf, len, "%s-%s %s, %" PRId64 " finding%s", a, z, zone,
	    t->b[i].total, t->b[i].total == 1 ? "" : "s");
}

/*
 * ] and [ move the cursor one bucket, } and { to the next or previous one
 * with findings; from no cursor, the first or the last. The filter, when
 * on, follows the cursor.
 */
static void
bcs_bucket_move(struct bcs *v, int arg)
{
	const struct report_timeline *t = &v->tl;
	int dir = arg > 0 ? 1 : -1, i;

	if (t->n == 0) {
		browse_message(v->b, "no timeline: nothing has a time");
		return;
	}
	i = v->bucket < 0 ? (dir > 0 ? -1 : t->n) : v->bucket;
	do
		i += dir;
	while ((arg == 2 || arg == -2) && i >= 0 && i < t->n &&
	    t->b[i].total == 0);
	if (i < 0 || i >= t->n) {
		browse_message(v->b, "%s", arg == 2 || arg == -2 ?
		    (dir > 0 ? "no findings after this bucket" :
		    "no findings before this bucket") : dir > 0 ?
		    "the last bucket" : "the first bucket");
		return;
	}
	v->bucket = i;
	if (v->only_bucket) {
		v->l.sel = v->l.top = 0;
		bcs_reload(v);
	}
}

/* t: only the connections with findings in the cursor's bucket, or all. */
static void
bcs_bucket_only(struct bcs *v)
{
	if (!v->only_bucket && v->bucket < 0) {
		bcs_bucket_move(v, 2);
		if (v->bucket < 0)
			return;
	}
	v->only_bucket = !v->only_bucket;
	v->l.sel = v->l.top = 0;
	bcs_reload(v);
}

static void
bcs_draw(void *p, int rows, int cols)
{
	struct bcs *v = p;
	int64_t     i;
	int         y;

	bcs_fetch(v);
	bcs_draw_head(v, cols);
	bcs_draw_spark(v, cols);
	attron(A_BOLD);
	bcs_draw_row(v, 2, NULL, cols, 0);
	attroff(A_BOLD);
	for (i = v->l.top; i < v->l.n && (y = (int)(i - v->l.top) + 3) < rows;
	    i++) {
		if (i < v->cstart || i >= v->cstart + v->cn)
			break;
		bcs_draw_row(v, y, &v->cache[i - v->cstart], cols,
		    i == v->l.sel);
	}
	if (v->l.n == 0)
		browse_put(3, 2, cols - 2, "no connection matches");
}

/* One line in the columns of bcs_layout; r NULL draws the headings. */
static void
bcs_draw_row(struct bcs *v, int y, const struct bcs_row *r, int cols,
    int sel)
{
	const struct bcs_layout *L = &v->lay;
	char t[48], ep[160], hp[400], fr[16], by[16], cl[24], a[8], s[8];
	int  x = 0, attr;

	if (r == NULL) {
		/* The zone in the heading when it fits, as a date does. */
		snprintf(t, sizeof t, "time (%s)", v->zone);
		if (v->zone[0] == '\0' || (int)strlen(t) > L->time_w)
			snprintf(t, sizeof t, "time");
		snprintf(ep, sizeof ep, "%s", L->both ? "client -> server" :
		    "client");
		snprintf(hp, sizeof hp, "host/path");
		snprintf(fr, sizeof fr, "frames");
		snprintf(by, sizeof by, "bytes");
		snprintf(cl, sizeof cl, "cli/srv");
	} else {
		browse_time_fmt(r->time, browse_days(), 0, t, sizeof t);
		t[L->time_w] = '\0';
		if (L->both)
			snprintf(ep, sizeof ep, "%s -> %s", r->client,
			    r->server);
		else
			snprintf(ep, sizeof ep, "%s", r->client);
		/* Without a Host header the server stands in for it. */
		if (r->host[0] == '\0' && !L->both)
			snprintf(hp, sizeof hp, "%s", r->server);
		else
			snprintf(hp, sizeof hp, "%s%s", r->host, r->path);
		snprintf(fr, sizeof fr, "%" PRId64, r->frames);
		browse_size(r->bytes, by, sizeof by);
		snprintf(a, sizeof a, "%d", r->close[0]);
		snprintf(s, sizeof s, "%d", r->close[1]);
		snprintf(cl, sizeof cl, "%4s/%-4s", r->close[0] < 0 ? "-" : a,
		    r->close[1] < 0 ? "-" : s);
	}
	if (sel) {
		attron(A_REVERSE);
		move(y, 0);
		hline(' ', cols);
	}
	if (L->time_w > 0) {
		browse_put(y, x, L->time_w, t);
		x += L->time_w + 1;
	}
	browse_put_ell(y, x, L->ends_w, ep);
	x += L->ends_w + 1;
	if (r != NULL && r->match)
		attron(A_UNDERLINE);
	browse_put_ell(y, x, L->hp_w, hp);
	if (r != NULL && r->match)
		attroff(A_UNDERLINE);
	x += L->hp_w + 1;
	if (L->ext) {
		browse_put(y, x, 1, r == NULL ? "E" : r->ext && r->proto ?
		    "+" : r->ext ? "x" : r->proto ? "p" : " ");
		x += 2;
	}
	if (L->frames) {
		browse_putf(y, x, 6, "%6s", fr);
		x += 7;
	}
	if (L->bytes) {
		browse_putf(y, x, 6, "%6s", by);
		x += 7;
	}
	browse_putf(y, x, 9, "%-9s", cl);
	x += 10;
	attr = r != NULL ? browse_class_attr(r->verdict) : (int)A_NORMAL;
	attron(attr);
	browse_put_ell(y, x, cols - x, r == NULL ? "verdict" : r->verdict);
	attroff(attr);
	if (sel)
		attroff(A_REVERSE);
}

static void
bcs_key(void *p, enum browse_cmd cmd, int arg)
{
	struct bcs            *v = p;
	struct browse_conn_ref c;

	if (browse_list_key(v->b, &v->l, &bcs_list_ops, v, cmd))
		return;
	switch (cmd) {
	case BCMD_ENTER:
		bcs_fetch(v);
		if (v->l.sel >= v->cstart && v->l.sel < v->cstart + v->cn) {
			c.conn = v->cache[v->l.sel - v->cstart].id;
			c.select = NULL;
			browse_push(v->b, &browse_connection_view, &c);
		}
		break;
	case BCMD_SORT:
		v->sort = (v->sort + 1) % BCS_NSORTS;
		v->l.sel = v->l.top = 0;
		bcs_reload(v);
		break;
	case BCMD_CLASS:
		v->cls = arg;
		v->l.sel = v->l.top = 0;
		bcs_reload(v);
		break;
	case BCMD_FILTER:
		if (browse_search_text(v->b)[0] == '\0') {
			browse_message(v->b, "search with / first");
			break;
		}
		v->only_matches = !v->only_matches;
		v->l.sel = v->l.top = 0;
		bcs_reload(v);
		break;
	case BCMD_BUCKET:
		bcs_bucket_move(v, arg);
		break;
	case BCMD_BUCKET_ONLY:
		bcs_bucket_only(v);
		break;
	default:
		break;
	}
}

/*
 * Moves to the next (dir 1), previous (-1) or first from here (0)
 * connection that matches, in the list's order: by its own text
 * (BCS_MATCH, any case) or by a stored payload of one of its messages
 * (bytes as typed). A connection that matches by a payload only opens
 * its message view on the first message (N: the last) that holds it.
 */
static void
bcs_find(void *p, int dir)
{
	struct bcs       *v = p;
	sqlite3_stmt     *st;
	struct browse_wkey here = { INT64_MAX, 2, INT64_MAX };
	struct browse_hit hit;
	char              head[4096], tail[4096];
	int64_t           from = v->l.sel, lo, hi, rn = -1, conn = -1;
	int               own = 0, wrapped = 0, pass;

	/*
	 * The rows after (before) the selection first, then the rest: a
	 * match there wrapped. One query, so the messages holding the text
	 * are read once, in one pass over the table (a look-up per
	 * connection would read them in its order, all over the file).
	 */
	lo = dir < 0 ? 0 : dir > 0 ? from + 1 : from;
	hi = dir < 0 ? from - 1 : v->l.n;
	/* Order as the list, so the match found is where it is shown. */
	snprintf(head, sizeof head, "SELECT rn, cid, m, rn NOT BETWEEN ?5 AND"
	    " ?6 FROM (SELECT row_number() OVER (ORDER BY %s) - 1 AS rn,"
	    " connection_id AS cid, %s AS m FROM connections",
	    bcs_sorts[v->sort].order, BCS_MATCH);
	snprintf(tail, sizeof tail, "%s) WHERE m OR cid IN (SELECT"
	    " connection_id FROM message_t WHERE instr(payload_prefix, CAST(?3"
	    " AS BLOB)) > 0) ORDER BY rn BETWEEN ?5 AND ?6 DESC, rn %s"
	    " LIMIT 1", BCS_WHERE, dir < 0 ? "DESC" : "ASC");
	if (bcs_prepare(v, head, tail, &st) != 0)
		return;
	bcs_bind(v, st);
	sqlite3_bind_int64(st, 5, lo);
	sqlite3_bind_int64(st, 6, hi);
	if (sqlite3_step(st) == SQLITE_ROW) {
		rn = sqlite3_column_int64(st, 0);
		conn = sqlite3_column_int64(st, 1);
		own = sqlite3_column_int(st, 2);
		wrapped = sqlite3_column_int(st, 3) && dir != 0;
	}
	sqlite3_finalize(st);
	if (rn < 0) {
		browse_message(v->b, "no match for '%s' (nor in a stored"
		    " payload)", browse_search_text(v->b));
		return;
	}
	v->l.sel = rn;
	browse_list_fit(&v->l);
	if (wrapped)
		browse_message(v->b, "search wrapped");
	if (dir >= 0)
		here.packet = here.dir = here.index = -1;
	if (own || browse_payload_find(v->b, conn, &here, dir < 0 ? -1 : 0,
	    1, &hit, &pass) != 1)
		return;
	browse_payload_say(v->b, &hit, wrapped);
	browse_payload_open(v->b, &hit);
}

/* / changed the search: the matches shown, or all when it was cleared. */
static void
bcs_searched(void *p)
{
	struct bcs *v = p;

	if (browse_search_text(v->b)[0] == '\0')
		v->only_matches = 0;
	bcs_reload(v);
}

/* The position of a connection in the list as filtered and sorted; -1. */
static int64_t
bcs_rank(struct bcs *v, int64_t id)
{
	sqlite3_stmt *st;
	char          head[4096];
	int64_t       rn = -1;

	snprintf(head, sizeof head, "SELECT rn FROM (SELECT connection_id,"
	    " row_number() OVER (ORDER BY %s) - 1 AS rn FROM connections",
	    bcs_sorts[v->sort].order);
	if (bcs_prepare(v, head, BCS_WHERE ") WHERE connection_id = ?5", &st)
	    != 0)
		return -1;
	bcs_bind(v, st);
	sqlite3_bind_int64(st, 5, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		rn = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rn;
}

/* The connection holding a packet of the selected connection's capture. */
static void
bcs_packet(void *p)
{
	struct bcs *v = p;
	struct browse_frame_ref ref;
	int64_t                 pkt, capture = v->capture;

	bcs_fetch(v);
	if (v->l.sel >= v->cstart && v->l.sel < v->cstart + v->cn)
		capture = v->cache[v->l.sel - v->cstart].capture;
	if (browse_packet_prompt(v->b, capture, &pkt) != 0)
		return;
	if (browse_packet_find(v->b, capture, pkt, &ref) < 0)
		return;
	if (bcs_select(v, ref.conn) != 0) {
		browse_message(v->b, "packet %s is in connection %" PRId64
		    ", hidden by the filter (1 shows all)",
		    browse_packet_said(v->b), ref.conn);
		return;
	}
	browse_message(v->b, "packet %s: connection %" PRId64,
	    browse_packet_said(v->b), ref.conn);
}

/* Selects the connection; -1 when the filter hides it. */
static int
bcs_select(struct bcs *v, int64_t conn)
{
	int64_t rn;

	if ((rn = bcs_rank(v, conn)) < 0)
		return -1;
	v->l.sel = rn;
	browse_list_fit(&v->l);
	return 0;
}

static void
bcs_reveal(void *p, int64_t conn)
{
	bcs_select(p, conn);
}

static void
bcs_resize(void *p, int rows, int cols)
{
	struct bcs *v = p;

	bcs_layout(v, cols);
	v->l.rows = rows > 4 ? rows - 3 : 1;
	browse_list_fit(&v->l);
	v->cn = 0;
}

static void
bcs_status(void *p, char *buf, size_t len)
{
	struct bcs *v = p;
	const char *search = browse_search_text(v->b);
	char        bucket[160] = "";

	if (v->bucket >= 0) {
		bucket[0] = ' ';
		bcs_bucket_text(v, v->bucket, bucket + 1, sizeof bucket - 1);
		if (v->only_bucket)
			strncat(bucket, " (only)", sizeof bucket -
			    strlen(bucket) - 1);
	}
	snprintf(buf, len, "connections %" PRId64 "/%" PRId64 " [%s] sort:%s"
	    "%s%s%s%s", v->l.n ?
	    v->l.sel + 1 : 0, v->l.n, bcs_classes[v->cls],
	    bcs_sorts[v->sort].name, search[0] != '\0' ? " /" : "", search,
	    v->only_matches ? " (only)" : "", bucket);
}
