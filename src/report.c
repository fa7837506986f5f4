/*
 * report: the findings of a database as text, JSON lines or CSV.
 *
 * Everything printed that came from the database goes through escape.c:
 * the database may hold any bytes a peer sent, and it may itself be a
 * file someone else made.
 */
#include "config.h"

#include <inttypes.h>
#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "escape.h"
#include "report.h"
#include "rules.h"

#define REPORT_TEXT_MAX 4096
#define REPORT_BUFS     8     /* escaped strings alive in one printf */

/*
 * The filters every query shares: ?1 class list, ?2 connection, ?3
 * capture, ?5 the captures after this id (analyze --report). A class list is matched as ",a,b," against ",class,".
 */
#define REPORT_FILTER \
	" (?1 IS NULL OR instr(',' || ?1 || ',', ',' || class || ',') > 0)" \
	" AND (?2 IS NULL OR connection_id = ?2)" \
	" AND (?3 IS NULL OR capture = ?3) AND (?5 IS NULL OR capture_id > ?5)"

#define REPORT_ORDER " ORDER BY capture_id, connection_id, time, finding_id"

/* The timeline's text: a bar this wide at most, in an 80-column line. */
#define REPORT_BAR_MAX  30
#define REPORT_LINE_MAX 80

struct report {
	struct store             *s;
	sqlite3                  *db;
	const struct report_opts *o;
	FILE                     *out;
	int                       color;
	int                       failed;
	char                      classes[256];
	char                      buf[REPORT_BUFS][REPORT_TEXT_MAX];
	unsigned                  next;
};

enum report_col {
	RC_CAPTURE, RC_CONN, RC_CLIENT, RC_SERVER, RC_KIND, RC_CLASS, RC_CODE,
	RC_SENDER, RC_RULE, RC_PACKET, RC_FRAME, RC_TIME, RC_EXPLANATION,
	RC_OFF_PACKET, RC_OFF_FRAME, RC_OFF_SENDER, RC_OFF_RULE, RC_LIMIT_MIN,
	RC_LIMIT_MAX, RC_PROFILES, RC_CAUSE, RC_REMEDY, RC_SECTION, RC_DETAIL,
	RC_REASON, RC_LIMIT_REASON, RC_ANSWERED, RC_CLIENT_STACK,
	RC_SERVER_STACK, RC_HEADERS_CUT, RC_TOLERATED_BY, RC_TOLERATED_STACK,
	RC_PINGS, RC_TLS, RC_GROUP_N, RC_GROUP_TOTAL
};

/*
 * A connection's pings per side, one line; NULL when none went either way
 * (or the database predates them).
 */
#define REPORT_PINGS_SIDE(side) \
	"printf('" side " %d sent, %d answered, %d unanswered', " \
	"c.pings_" side ", c.ping_answers_" side ", c.pings_unanswered_" \
	side ") || CASE WHEN c.ping_rtt_min_" side " IS NOT NULL THEN " \
	"printf(', round trip min/median/max %.1f/%.1f/%.1f ms'," \
	" c.ping_rtt_min_" side \
	", c.ping_rtt_median_" side ", c.ping_rtt_max_" side ") ELSE '' END"
#define REPORT_PINGS \
	" (SELECT CASE WHEN coalesce(c.pings_client, 0) + coalesce(" \
	"c.pings_server, 0) > 0 THEN " REPORT_PINGS_SIDE("client") " || '; ' || " \
	REPORT_PINGS_SIDE("server") " END FROM connection_t c" \
	" WHERE c.connection_id = findings.connection_id)"

/*
 * A server's 1009 closes are one incident told once: the first in full,
 * the rest counted (report_limits gives the server's combined limit).
 */
#define REPORT_1009_GROUP \
	" class = '1009' AND kind = 'close' AND sender = 'server'"


static int64_t      report_i64(sqlite3_stmt *, int);
static void         report_bind(sqlite3_stmt *, const struct report_opts *,
			const char *);
static int          report_prepare(struct report *, const char *,
			sqlite3_stmt **, const char *);
static int64_t      report_width(int64_t, int64_t);
static int          report_utf8(void);
static void         report_timeline_label(char *, size_t, int64_t, int64_t,
			int);
static void         report_timeline_text(struct report *);
static void         report_timeline_jsonl(struct report *);
static int          report_done(struct report *, sqlite3_stmt *, int);
static const char  *report_col(struct report *, sqlite3_stmt *, int);
static const char  *report_esc(struct report *, const char *);
static const char  *report_paint(struct report *, const char *);
static const char  *report_hex(struct report *, const void *, int);
static void         report_list_norm(const char *, char *, size_t);
static void         report_captures(struct report *);
static void         report_counts(struct report *);
static void         report_servers(struct report *);
static void         report_codes(struct report *);
static void         report_limits(struct report *);
static void         report_frame(struct report *, int64_t, const char *,
			int64_t, const char *);
static void         report_incident(struct report *, sqlite3_stmt *);
static void         report_text(struct report *);
static void         report_open(struct report *);
static void         report_pings(struct report *);
static void         report_jsonl(struct report *);
static void         report_csv_value(struct report *, sqlite3_stmt *, int);
static void         report_csv(struct report *);
static int          report_fail_on(struct report *);
static int          report_missing(struct report *);

/* sqlite3_int64 is long long; the formats here use int64_t. */
static int64_t
report_i64(sqlite3_stmt *st, int col)
{
	return (int64_t)sqlite3_column_int64(st, col);
}

void
report_opts_default(struct report_opts *o)
{
	memset(o, 0, sizeof *o);
	o->format = REPORT_TEXT;
	o->connection_id = -1;
	o->color = -1;
	o->after_capture = -1;
}

/* "a, b,c" -> "a,b,c" */
static void
report_list_norm(const char *in, char *out, size_t len)
{
	size_t n = 0;

	for (; *in != '\0' && n + 1 < len; in++)
		if (*in != ' ' && *in != '\t')
			out[n++] = *in;
	out[n] = '\0';
}

int
report_classes_check(const char *list, char *bad, size_t badlen)
{
	char  norm[256], *p, *next;
	int   i;

	if (strlen(list) >= sizeof norm) {
		snprintf(bad, badlen, "(list too long)");
		return -1;
	}
	report_list_norm(list, norm, sizeof norm);
	for (p = norm; p != NULL; p = next) {
		if ((next = strchr(p, ',')) != NULL)
			*next++ = '\0';
		for (i = 0; i < FINDING_CLASSES; i++)
			if (strcmp(p, finding_class_names[i]) == 0)
				break;
		if (i == FINDING_CLASSES) {
			esc_terminal_str(p, bad, badlen);
			return -1;
		}
	}
	return 0;
}

/* Prepares sql and binds the filters (classes: a list or NULL). */
static int
report_prepare(struct report *r, const char *sql, sqlite3_stmt **st,
    const char *classes)
{
	if (sqlite3_prepare_v2(r->db, sql, -1, st, NULL) != SQLITE_OK) {
		wsa_warn("%s: cannot read the database: %s", store_path(r->s),
		    sqlite3_errmsg(r->db));
		r->failed = 1;
		*st = NULL;
		return -1;
	}
	report_bind(*st, r->o, classes);
	return 0;
}

/* Binds the filters: ?1 the classes (a normalised list or NULL), ?2, ?3. */
static void
report_bind(sqlite3_stmt *st, const struct report_opts *o,
    const char *classes)
{
	if (classes != NULL)
		sqlite3_bind_text(st, 1, classes, -1, SQLITE_STATIC);
	if (o->connection_id >= 0)
		sqlite3_bind_int64(st, 2, o->connection_id);
	if (o->capture != NULL)
		sqlite3_bind_text(st, 3, o->capture, -1, SQLITE_STATIC);
	if (o->after_capture >= 0)
		sqlite3_bind_int64(st, 5, o->after_capture);
}

/*
 * The smallest round width, in milliseconds, that cuts lo..hi into at
 * most REPORT_TIMELINE_MAX buckets aligned on multiples of it.
 */
static int64_t
report_width(int64_t lo, int64_t hi)
{
	static const int64_t widths[] = { 1, 2, 5, 10, 20, 50, 100, 200, 500,
	    1000, 2000, 5000, 10000, 15000, 30000, 60000, 120000, 300000,
	    600000, 900000, 1800000, 3600000, 7200000, 10800000, 21600000,
	    43200000, 86400000, 7 * 86400000LL, 30 * 86400000LL,
	    365 * 86400000LL };
	size_t  i;
	int64_t w = 0;

	for (i = 0; i < sizeof widths / sizeof widths[0]; i++) {
		w = widths[i];
		if (hi / w - lo / w < REPORT_TIMELINE_MAX)
			return w;
	}
	while (hi / w - lo / w >= REPORT_TIMELINE_MAX)
		w *= 10;
	return w;
}

void
report_width_text(int64_t width_ms, char *buf, size_t len)
{
	if (width_ms % 1000 != 0)
		snprintf(buf, len, "%" PRId64 " ms", width_ms);
	else if (width_ms % 3600000 == 0)
		snprintf(buf, len, "%" PRId64 " h", width_ms / 3600000);
	else if (width_ms % 60000 == 0)
		snprintf(buf, len, "%" PRId64 " min", width_ms / 60000);
	else
		snprintf(buf, len, "%" PRId64 " s", width_ms / 1000);
}

int
report_timeline(sqlite3 *db, const struct report_opts *o,
    struct report_timeline *t)
{
	sqlite3_stmt      *st;
	char               classes[256];
	const char        *cl = NULL;
	int64_t            lo, hi, i;
	int                rc;
	enum finding_class fc;

	memset(t, 0, sizeof *t);
	if (o->classes != NULL) {
		report_list_norm(o->classes, classes, sizeof classes);
		cl = classes;
	}
	/* The span: every connection and finding the class filter aside. */
	if (sqlite3_prepare_v2(db, "SELECT min(lo), max(hi) FROM (SELECT"
	    " CAST(first_time * 1000 AS INTEGER) AS lo, CAST(last_time * 1000"
	    " AS INTEGER) AS hi FROM connections WHERE first_time IS NOT NULL"
	    " AND (?2 IS NULL OR connection_id = ?2) AND (?3 IS NULL OR"
	    " capture = ?3) AND (?5 IS NULL OR capture_id > ?5) UNION ALL"
	    " SELECT" REPORT_FINDING_MS "," REPORT_FINDING_MS " FROM findings"
	    " WHERE time IS NOT NULL AND (?2 IS NULL OR connection_id = ?2)"
	    " AND (?3 IS NULL OR capture = ?3) AND (?5 IS NULL OR capture_id >"
	    " ?5))", -1, &st, NULL) != SQLITE_OK)
		return -1;
	report_bind(st, o, NULL);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		return -1;
	}
	if (sqlite3_column_type(st, 0) == SQLITE_NULL) {
		sqlite3_finalize(st);
		return 0;
	}
	lo = (int64_t)sqlite3_column_int64(st, 0);
	hi = (int64_t)sqlite3_column_int64(st, 1);
	sqlite3_finalize(st);
	if (hi < lo)
		hi = lo;
	t->width_ms = report_width(lo, hi);
	t->n = (int)(hi / t->width_ms - lo / t->width_ms + 1);
	for (i = 0; i < t->n; i++)
		t->b[i].start_ms = (lo / t->width_ms + i) * t->width_ms;
	if (sqlite3_prepare_v2(db, "SELECT" REPORT_FINDING_MS " / ?4, class,"
	    " count(*) FROM findings WHERE" REPORT_FILTER " AND time IS NOT"
	    " NULL GROUP BY 1, 2", -1, &st, NULL) != SQLITE_OK)
		return -1;
	report_bind(st, o, cl);
	sqlite3_bind_int64(st, 4, t->width_ms);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		i = (int64_t)sqlite3_column_int64(st, 0) - lo / t->width_ms;
		fc = finding_class_find((const char *)sqlite3_column_text(st,
		    1));
		if (i < 0 || i >= t->n || fc >= FINDING_CLASSES)
			continue;
		t->b[i].counts[fc] += (int64_t)sqlite3_column_int64(st, 2);
		t->b[i].total += (int64_t)sqlite3_column_int64(st, 2);
		if (t->b[i].total > t->max_total)
			t->max_total = t->b[i].total;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* 1 when the locale's charset is UTF-8: the block characters draw. */
static int
report_utf8(void)
{
	const char *cs;

	setlocale(LC_CTYPE, "");
	cs = nl_langinfo(CODESET);
	return cs != NULL && (strcmp(cs, "UTF-8") == 0 ||
	    strcmp(cs, "utf8") == 0);
}

/* A bucket's start, in UTC, as precise as its width needs. */
static void
report_timeline_label(char *buf, size_t len, int64_t ms, int64_t width,
    int days)
{
	time_t    sec = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&sec, &tm);
	if (width < 1000)
		snprintf(buf, len, "%02d:%02d:%02d.%03d", tm.tm_hour,
		    tm.tm_min, tm.tm_sec, (int)(ms % 1000));
	else if (!days)
		snprintf(buf, len, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min,
		    tm.tm_sec);
	else
		snprintf(buf, len, "%04d-%02d-%02d %02d:%02d", tm.tm_year +
		    1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
}

/*
 * One line per bucket: its start, a bar as long as its findings (one
 * segment per class, coloured by class when colour is on), the total and
 * as many of the counts per class as fit in 80 columns.
 */
static void
report_timeline_text(struct report *r)
{
	static const char *const ansi[CLASS_COUNT] = {
#define REPORT_TL_ANSI(e, name, rank, sort, ansi, pair, attr, mono, key) \
		[CLASS_##e] = ansi,
		CLASS_LIST(REPORT_TL_ANSI)
#undef REPORT_TL_ANSI
	};
	struct report_timeline t;
	const char            *block;
	char                   label[64], first[64], item[64];
	int64_t                seg, cum;
	int                    i, c, k, bar, col, days, utf8;

	if (report_timeline(r->db, r->o, &t) != 0) {
		report_done(r, NULL, SQLITE_ERROR);
		return;
	}
	if (t.n == 0) {
		fprintf(r->out, "Timeline: nothing with a time\n\n");
		return;
	}
	utf8 = report_utf8();
	block = utf8 ? "\u2588" : "#";
	days = t.b[0].start_ms / 86400000 !=
	    (t.b[t.n - 1].start_ms + t.width_ms - 1) / 86400000;
	report_timeline_label(first, sizeof first, t.b[0].start_ms, 86400000,
	    1);
	report_width_text(t.width_ms, item, sizeof item);
	fprintf(r->out, "Timeline: findings per %s from %s UTC\n", item,
	    first);
	for (i = 0; i < t.n; i++) {
		report_timeline_label(label, sizeof label, t.b[i].start_ms,
		    t.width_ms, days);
		/* A quiet stretch of three buckets or more is one line. */
		for (k = i; k < t.n && t.b[k].total == 0; k++)
			;
		if (k - i >= 3) {
			fprintf(r->out, "  %s %*s (%d buckets without findings)"
			    "\n", label, REPORT_BAR_MAX, "", k - i);
			i = k - 1;
			continue;
		}
		fprintf(r->out, "  %s ", label);
		col = 3 + (int)strlen(label);
		bar = 0;
		cum = 0;
		for (c = 0; c < FINDING_CLASSES; c++) {
			if (t.b[i].counts[c] == 0)
				continue;
			/*
			 * Each class ends where its running sum does, so the
			 * bar is as long as the total; a class present shows
			 * one cell at least.
			 */
			cum += t.b[i].counts[c];
			seg = (cum * REPORT_BAR_MAX + t.max_total - 1) /
			    t.max_total - bar;
			if (seg < 1)
				seg = 1;
			if (r->color)
				fprintf(r->out, "\033[%sm", ansi[c]);
			for (k = 0; k < seg; k++)
				fputs(block, r->out);
			if (r->color)
				fputs("\033[0m", r->out);
			bar += (int)seg;
		}
		col += bar;
		col += fprintf(r->out, "%*s %" PRId64, bar < REPORT_BAR_MAX ?
		    REPORT_BAR_MAX - bar : 0, "", t.b[i].total);
		for (c = 0; c < FINDING_CLASSES; c++) {
			if (t.b[i].counts[c] == 0)
				continue;
			snprintf(item, sizeof item, " %s:%" PRId64,
			    finding_class_names[c], t.b[i].counts[c]);
			if (col + (int)strlen(item) > REPORT_LINE_MAX - 2) {
				fputs(" +", r->out);
				break;
			}
			fprintf(r->out, " %s", report_paint(r,
			    finding_class_names[c]));
			fprintf(r->out, ":%" PRId64, t.b[i].counts[c]);
			col += (int)strlen(item);
		}
		fputc('\n', r->out);
	}
	fputc('\n', r->out);
}

/* Binds milliseconds as the JSON number of seconds, all three decimals. */
static void
report_bind_ms(sqlite3_stmt *st, int i, int64_t ms)
{
	char num[32];

	snprintf(num, sizeof num, "%" PRId64 ".%03" PRId64, ms / 1000,
	    ms % 1000);
	sqlite3_bind_text(st, i, num, -1, SQLITE_TRANSIENT);
}

/*
 * One object per bucket: its start and width in seconds, the counts; each
 * line built by SQLite's json_object.
 */
static void
report_timeline_jsonl(struct report *r)
{
	struct report_timeline t;
	sqlite3_stmt          *st = NULL;
	sqlite3_str           *q;
	char                  *sql;
	int                    i, c, rc = SQLITE_DONE;

	if (report_timeline(r->db, r->o, &t) != 0) {
		report_done(r, NULL, SQLITE_ERROR);
		return;
	}
	q = sqlite3_str_new(r->db);
	sqlite3_str_appendall(q, "SELECT json_object('start', json(?1),"
	    " 'width', json(?2), 'total', ?3, 'counts', json_object(");
	for (c = 0; c < FINDING_CLASSES; c++)
		sqlite3_str_appendf(q, "%s%Q, ?%d", c ? ", " : "",
		    finding_class_names[c], c + 4);
	sqlite3_str_appendall(q, "))");
	if ((sql = sqlite3_str_finish(q)) == NULL) {
		report_done(r, NULL, SQLITE_NOMEM);
		return;
	}
	if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK)
		rc = SQLITE_ERROR;
	sqlite3_free(sql);
	for (i = 0; i < t.n && rc == SQLITE_DONE; i++) {
		sqlite3_reset(st);
		report_bind_ms(st, 1, t.b[i].start_ms);
		report_bind_ms(st, 2, t.width_ms);
		sqlite3_bind_int64(st, 3, t.b[i].total);
		for (c = 0; c < FINDING_CLASSES; c++)
			sqlite3_bind_int64(st, c + 4, t.b[i].counts[c]);
		if ((rc = sqlite3_step(st)) != SQLITE_ROW)
			break;
		fprintf(r->out, "%s\n", (const char *)sqlite3_column_text(st,
		    0));
		rc = SQLITE_DONE;
	}
	report_done(r, st, rc);
}

/* Finalizes after stepping; a step that ended in error fails the run. */
static int
report_done(struct report *r, sqlite3_stmt *st, int rc)
{
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		wsa_warn("%s: cannot read the database: %s", store_path(r->s),
		    sqlite3_errmsg(r->db));
		r->failed = 1;
	}
	sqlite3_finalize(st);
	return r->failed ? -1 : 0;
}

/* Column text, escaped for the terminal; "" for NULL. */
static const char *
report_col(struct report *r, sqlite3_stmt *st, int col)
{
	char *b = r->buf[r->next++ % REPORT_BUFS];

	if (sqlite3_column_type(st, col) == SQLITE_NULL) {
		b[0] = '\0';
		return b;
	}
	esc_terminal(sqlite3_column_text(st, col),
	    (size_t)sqlite3_column_bytes(st, col), b, REPORT_TEXT_MAX);
	return b;
}

/* A string from the command line, escaped for the terminal. */
static const char *
report_esc(struct report *r, const char *str)
{
	char *b = r->buf[r->next++ % REPORT_BUFS];

	esc_terminal_str(str, b, REPORT_TEXT_MAX);
	return b;
}

/* A class name, in colour when colour is on. */
static const char *
report_paint(struct report *r, const char *class)
{
	static const char *const ansi[CLASS_COUNT] = {
#define REPORT_ANSI(e, name, rank, sort, ansi, pair, attr, mono, key) \
		[CLASS_##e] = ansi,
		CLASS_LIST(REPORT_ANSI)
#undef REPORT_ANSI
	};
	char              *b = r->buf[r->next++ % REPORT_BUFS];
	const char        *c;
	enum finding_class fc = finding_class_find(class);

	if (!r->color)
		return class;
	if (fc < CLASS_COUNT)
		c = ansi[fc];
	else if (class[0] >= '0' && class[0] <= '9')
		c = "1;31";     /* a close code */
	else
		c = "1;33";
	snprintf(b, REPORT_TEXT_MAX, "\033[%sm%s\033[0m", c, class);
	return b;
}

static const char *
report_hex(struct report *r, const void *p, int n)
{
	char          *b = r->buf[r->next++ % REPORT_BUFS];
	const uint8_t *u = p;
	size_t         len = 0;
	int            i;

	b[0] = '\0';
	for (i = 0; i < n && len + 4 < REPORT_TEXT_MAX; i++)
		len += (size_t)snprintf(b + len, REPORT_TEXT_MAX - len,
		    "%s%02x", i ? " " : "", u[i]);
	return b;
}

static void
report_captures(struct report *r)
{
	sqlite3_stmt *st;
	int           rc, n = 0;

	static const char *const caps[] = { "flows", "idle",
	    "out-of-order per direction", "out-of-order total", "inflate" };
	const char              *sep;
	int                      i;

	if (report_prepare(r, "SELECT capture, sha256, complete, error,"
	    " connections, ws_connections, frames, findings, cap_flows,"
	    " cap_idle, cap_ooo_dir, cap_ooo_total, cap_inflate,"
	    " (SELECT count(*) FROM connections c WHERE c.capture_id ="
	    " captures.capture_id AND tls_version IS NOT NULL AND tls_keylog"
	    " IS NULL), (SELECT count(*) FROM connections c WHERE"
	    " c.capture_id = captures.capture_id AND tls_alpn = 'h2') FROM"
	    " captures"
	    " WHERE (?3 IS NULL OR capture = ?3) AND (?5 IS NULL OR"
	    " capture_id > ?5) ORDER BY capture_id", &st,
	    NULL) != 0)
		return;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n++;
		fprintf(r->out, "capture %s: %" PRId64 " connection%s (%"
		    PRId64 " WebSocket), %" PRId64 " frame%s, %" PRId64
		    " finding%s\n", report_col(r, st, 0), report_i64(st, 4),
		    report_i64(st, 4) == 1 ? "" : "s", report_i64(st, 5),
		    report_i64(st, 6), report_i64(st, 6) == 1 ? "" : "s",
		    report_i64(st, 7), report_i64(st, 7) == 1 ? "" : "s");
		fprintf(r->out, "  sha256 %s\n", report_col(r, st, 1));
		/* What a cap cut short is missing from everything below. */
		for (i = 0, sep = "  caps hit: "; i < 5; i++) {
			if (report_i64(st, 8 + i) == 0)
				continue;
			fprintf(r->out, "%s%s %" PRId64, sep, caps[i],
			    report_i64(st, 8 + i));
			sep = ", ";
		}
		if (sep[0] == ',')
			fprintf(r->out, "\n");
		if (report_i64(st, 13) > 0)
			fprintf(r->out, "  %" PRId64 " TLS connection%s without "
			    "keys (--keylog FILE)\n", report_i64(st, 13),
			    report_i64(st, 13) == 1 ? "" : "s");
		if (report_i64(st, 14) > 0)
			fprintf(r->out, "  %" PRId64 " HTTP/2 connection%s (ALPN "
			    "h2), not decoded\n", report_i64(st, 14),
			    report_i64(st, 14) == 1 ? "" : "s");
		if (sqlite3_column_int(st, 2) == 0)
			fprintf(r->out, "  %s: %s\n",
			    report_paint(r, "INCOMPLETE"),
			    sqlite3_column_type(st, 3) == SQLITE_NULL ?
			    "the analysis did not finish" :
			    report_col(r, st, 3));
	}
	if (report_done(r, st, rc) == 0 && n == 0)
		fprintf(r->out, "no captures%s%s\n", r->o->capture != NULL ?
		    " named " : "", r->o->capture != NULL ?
		    report_esc(r, r->o->capture) : "");
}

static void
report_counts(struct report *r)
{
	sqlite3_stmt *st;
	int           rc, any = 0;

	if (report_prepare(r, "SELECT class, count(*) FROM findings WHERE"
	    REPORT_FILTER " GROUP BY class ORDER BY count(*) DESC, class",
	    &st, r->classes[0] ? r->classes : NULL) != 0)
		return;
	fprintf(r->out, "\nFindings by class:\n");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		fprintf(r->out, "  %-12s %8" PRId64 "\n",
		    report_paint(r, report_col(r, st, 0)),
		    report_i64(st, 1));
		any = 1;
	}
	if (!any)
		fprintf(r->out, "  none\n");
	report_done(r, st, rc);
}

static void
report_servers(struct report *r)
{
	sqlite3_stmt *st;
	char          last[REPORT_TEXT_MAX] = "";
	int           rc, first = 1;

	if (report_prepare(r, "SELECT coalesce(server, '-'), class,"
	    " count(*) FROM findings WHERE" REPORT_FILTER " GROUP BY 1, 2"
	    " ORDER BY 1, 3 DESC, 2", &st,
	    r->classes[0] ? r->classes : NULL) != 0)
		return;
	fprintf(r->out, "\nBy server:\n");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *server = report_col(r, st, 0);

		if (first || strcmp(server, last) != 0) {
			fprintf(r->out, "%s  %-24s", first ? "" : "\n", server);
			snprintf(last, sizeof last, "%s", server);
			first = 0;
		}
		fprintf(r->out, " %s %" PRId64, report_paint(r,
		    report_col(r, st, 1)), report_i64(st, 2));
	}
	fprintf(r->out, first ? "  none\n" : "\n");
	report_done(r, st, rc);
}

static void
report_codes(struct report *r)
{
	sqlite3_stmt *st;
	int           rc, any = 0;

	if (report_prepare(r, "SELECT code, coalesce(sender, '?'), count(*)"
	    " FROM findings WHERE" REPORT_FILTER " AND kind = 'close'"
	    " GROUP BY 1, 2 ORDER BY 1, 2", &st,
	    r->classes[0] ? r->classes : NULL) != 0)
		return;
	fprintf(r->out, "\nCloses by code:\n");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_type(st, 0) == SQLITE_NULL)
			fprintf(r->out, "  %-6s", "none");
		else
			fprintf(r->out, "  %-6d", sqlite3_column_int(st, 0));
		fprintf(r->out, " sent by %-6s %8" PRId64 "\n",
		    report_col(r, st, 1), report_i64(st, 2));
		any = 1;
	}
	if (!any)
		fprintf(r->out, "  none\n");
	report_done(r, st, rc);
}

/*
 * One size limit per server: every server-sent 1009 close bounds the same
 * limit, so the server's is at least the largest limit_min and at most the
 * smallest limit_max. When those cross, the connections disagree (two
 * limits behind one address: paths, configurations, a proxy) and no single
 * number is given.
 */
static void
report_limits(struct report *r)
{
	sqlite3_stmt *st;
	char          profiles[512];
	int64_t       lo, hi;
	int           rc, any = 0;

	if (report_prepare(r, "SELECT coalesce(server, '-'), count(*),"
	    " max(limit_min), min(limit_max), min(remedy_limit),"
	    " group_concat(DISTINCT remedy_source) FROM findings WHERE"
	    REPORT_FILTER " AND" REPORT_1009_GROUP " AND limit_min IS NOT NULL"
	    " GROUP BY 1 ORDER BY 2 DESC, 1", &st,
	    r->classes[0] ? r->classes : NULL) != 0)
		return;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!any++)
			fprintf(r->out, "\nSize limits by server (its 1009 "
			    "closes combined):\n");
		lo = report_i64(st, 2);
		hi = report_i64(st, 3);
		fprintf(r->out, "  %-24s %" PRId64 " close%s: ",
		    report_col(r, st, 0), report_i64(st, 1),
		    report_i64(st, 1) == 1 ? "" : "s");
		if (lo > hi) {
			fprintf(r->out, "the connections disagree: one took %"
			    PRId64 " bytes, another refused past %" PRId64
			    "; no single limit fits\n", lo, hi);
			continue;
		}
		fprintf(r->out, "limit between %" PRId64 " and %" PRId64
		    " bytes", lo, hi);
		if (sqlite3_column_type(st, 4) != SQLITE_NULL)
			fprintf(r->out, "; keep messages to %" PRId64 " bytes"
			    " (%s)", report_i64(st, 4), report_col(r, st, 5));
		profile_match((uint64_t)lo, (uint64_t)hi, -1, NULL, profiles,
		    sizeof profiles);
		if (profiles[0] != '\0')
			fprintf(r->out, "; consistent with %s", profiles);
		fprintf(r->out, "\n");
	}
	report_done(r, st, rc);
}

/*
 * One frame's position, time and header bytes. frame_t is read rather
 * than the frames view so that the (connection, direction, index) index
 * serves the lookup.
 */
static void
report_frame(struct report *r, int64_t conn, const char *sender,
    int64_t index, const char *label)
{
	sqlite3_stmt *st;
	int           rc;

	if (sqlite3_prepare_v2(r->db, "SELECT "
	    STORE_PACKET_AT(STORE_FRAME_CAPTURE, "frame_t.packet") ", printf('%d.%09d',"
	    " t_sec, t_nsec), header, opcode, payload_length FROM frame_t"
	    " WHERE connection_id = ?1 AND direction = ?2 AND frame_index = ?3",
	    -1, &st, NULL) != SQLITE_OK) {
		report_done(r, NULL, SQLITE_ERROR);
		return;
	}
	sqlite3_bind_int64(st, 1, conn);
	sqlite3_bind_int(st, 2, strcmp(sender, "server") == 0);
	sqlite3_bind_int64(st, 3, index);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		fprintf(r->out, "  %-10s %s frame %" PRId64 ", packet %s",
		    label, sender, index, report_col(r, st, 0));
		fprintf(r->out, ", time %s, opcode %d, length %" PRId64 "\n",
		    report_col(r, st, 1), sqlite3_column_int(st, 3),
		    report_i64(st, 4));
		fprintf(r->out, "  %-10s %s\n", "header", report_hex(r,
		    sqlite3_column_blob(st, 2), sqlite3_column_bytes(st, 2)));
	} else
		fprintf(r->out, "  %-10s %s frame %" PRId64 " (not stored)\n",
		    label, sender, index);
	report_done(r, st, rc);
}

/* One block per finding that is not a normal close or a mere echo. */
static void
report_incident(struct report *r, sqlite3_stmt *st)
{
	int64_t conn = report_i64(st, RC_CONN);
	char    kind[32], sender[32];
	int     close;

	/* Copies: the escaped-string buffers are reused below. */
	snprintf(kind, sizeof kind, "%s", report_col(r, st, RC_KIND));
	snprintf(sender, sizeof sender, "%s", report_col(r, st, RC_SENDER));
	close = strcmp(kind, "close") == 0;

	/* A class that is also the kind (handshake) is said once. */
	fprintf(r->out, "\n== %s%s%s, connection %" PRId64 ": client %s,"
	    " server %s (capture %s)\n", report_paint(r, report_col(r, st,
	    RC_CLASS)), strcmp(report_col(r, st, RC_CLASS), kind) != 0 ? " " :
	    "", strcmp(report_col(r, st, RC_CLASS), kind) != 0 ? kind : "",
	    conn, report_col(r, st, RC_CLIENT), report_col(r, st, RC_SERVER),
	    report_col(r, st, RC_CAPTURE));
	if (close) {
		fprintf(r->out, "  %-10s %s sent %s \"%s\" at packet %s, time"
		    " %s (%s)\n", "close", sender, report_col(r, st, RC_CODE),
		    report_col(r, st, RC_REASON), report_col(r, st, RC_PACKET),
		    report_col(r, st, RC_TIME),
		    sqlite3_column_int(st, RC_ANSWERED) ? "answered the peer's"
		    " close" : "started the closing handshake");
		if (sqlite3_column_type(st, RC_OFF_FRAME) != SQLITE_NULL) {
			report_frame(r, conn, report_col(r, st, RC_OFF_SENDER),
			    report_i64(st, RC_OFF_FRAME),
			    "offending");
			fprintf(r->out, "  %-10s %s\n", "rule",
			    report_col(r, st, RC_OFF_RULE));
		} else
			fprintf(r->out, "  %-10s none visible\n", "offending");
	} else {
		fprintf(r->out, "  %-10s %s by %s at packet %s, time %s\n",
		    "rule", report_col(r, st, RC_RULE), sender[0] ? sender :
		    "?", report_col(r, st, RC_PACKET),
		    report_col(r, st, RC_TIME));
		if (sqlite3_column_type(st, RC_FRAME) != SQLITE_NULL)
			report_frame(r, conn, sender,
			    report_i64(st, RC_FRAME), "frame");
	}
	fprintf(r->out, "  %-10s %s", "why", report_col(r, st,
	    RC_EXPLANATION));
	if (sqlite3_column_type(st, RC_SECTION) != SQLITE_NULL)
		fprintf(r->out, " [%s]", report_col(r, st, RC_SECTION));
	fprintf(r->out, "\n");
	if (sqlite3_column_type(st, RC_DETAIL) != SQLITE_NULL)
		fprintf(r->out, "  %-10s %s\n", "detail",
		    report_col(r, st, RC_DETAIL));
	if (sqlite3_column_type(st, RC_CAUSE) != SQLITE_NULL)
		fprintf(r->out, "  %-10s %s\n", "cause",
		    report_col(r, st, RC_CAUSE));
	if (sqlite3_column_type(st, RC_REMEDY) != SQLITE_NULL)
		fprintf(r->out, "  %-10s %s\n", "remedy",
		    report_col(r, st, RC_REMEDY));
	if (sqlite3_column_type(st, RC_LIMIT_MIN) != SQLITE_NULL) {
		fprintf(r->out, "  %-10s between %s and %s bytes", "limit",
		    report_col(r, st, RC_LIMIT_MIN),
		    report_col(r, st, RC_LIMIT_MAX));
		if (sqlite3_column_type(st, RC_LIMIT_REASON) != SQLITE_NULL)
			fprintf(r->out, "; the reason states %s",
			    report_col(r, st, RC_LIMIT_REASON));
		if (sqlite3_column_type(st, RC_PROFILES) != SQLITE_NULL)
			fprintf(r->out, "; consistent with %s",
			    report_col(r, st, RC_PROFILES));
		fprintf(r->out, "\n");
	}
	if (sqlite3_column_type(st, RC_CLIENT_STACK) != SQLITE_NULL ||
	    sqlite3_column_type(st, RC_SERVER_STACK) != SQLITE_NULL)
		fprintf(r->out, "  %-10s client %s, server %s\n", "stacks",
		    sqlite3_column_type(st, RC_CLIENT_STACK) != SQLITE_NULL ?
		    report_col(r, st, RC_CLIENT_STACK) : "unknown",
		    sqlite3_column_type(st, RC_SERVER_STACK) != SQLITE_NULL ?
		    report_col(r, st, RC_SERVER_STACK) : "unknown");
	if (sqlite3_column_type(st, RC_HEADERS_CUT) != SQLITE_NULL)
		fprintf(r->out, "  %-10s %s: longer than kept, shown shortened\n",
		    "cut", report_col(r, st, RC_HEADERS_CUT));
	if (sqlite3_column_type(st, RC_TOLERATED_BY) != SQLITE_NULL) {
		fprintf(r->out, "  %-10s by the %s", "tolerated",
		    report_col(r, st, RC_TOLERATED_BY));
		if (sqlite3_column_type(st, RC_TOLERATED_STACK) != SQLITE_NULL)
			fprintf(r->out, " (%s)", report_col(r, st,
			    RC_TOLERATED_STACK));
		fprintf(r->out, ": it carried on; a stricter stack fails the "
		    "connection here\n");
	}
	if (sqlite3_column_type(st, RC_PINGS) != SQLITE_NULL)
		fprintf(r->out, "  %-10s %s\n", "pings",
		    report_col(r, st, RC_PINGS));
	if (sqlite3_column_type(st, RC_TLS) != SQLITE_NULL)
		fprintf(r->out, "  %-10s %s\n", "tls", report_col(r, st, RC_TLS));
}

static void
report_text(struct report *r)
{
	sqlite3_stmt *st;
	int           rc, n = 0;

	fprintf(r->out, "wsautopsy report: %s\n\n", report_esc(r,
	    store_path(r->s)));
	report_timeline_text(r);
	if (r->o->timeline)
		return;
	report_captures(r);
	report_counts(r);
	report_servers(r);
	report_codes(r);
	report_limits(r);
	if (r->failed || report_prepare(r, "SELECT capture, connection_id,"
	    " client, server, kind, class, code, sender, rule, packet,"
	    " frame_index, time_text, explanation, offending_packet,"
	    " offending_frame_index, offending_sender, offending_rule,"
	    " limit_min, limit_max, matching_profiles, cause, remedy, section,"
	    " detail, reason, limit_from_reason, answered, client_stack,"
	    " server_stack, (SELECT headers_cut FROM connection_t c"
	    " WHERE c.connection_id = findings.connection_id),"
	    " tolerated_by, tolerated_stack," REPORT_PINGS ","
	    " (SELECT tls_version || coalesce(' ' || tls_cipher, '') ||"
	    " coalesce(', SNI ' || nullif(tls_sni, ''), '') ||"
	    " coalesce(', ALPN ' || nullif(tls_alpn, ''), '') ||"
	    " CASE WHEN tls_decrypted = 1 THEN ', decrypted with the secrets"
	    " of ' || tls_keylog WHEN tls_keylog IS NOT NULL THEN ', not"
	    " decrypted with the secrets of ' || tls_keylog ELSE ', no keys"
	    " (--keylog FILE)' END FROM connection_t c WHERE"
	    " c.connection_id = findings.connection_id),"
	    " CASE WHEN" REPORT_1009_GROUP " THEN row_number() OVER (PARTITION"
	    " BY (" REPORT_1009_GROUP "), server ORDER BY capture_id,"
	    " connection_id, time, finding_id) END, count(*) OVER (PARTITION"
	    " BY (" REPORT_1009_GROUP "), server)"
	    " FROM findings WHERE"
	    REPORT_FILTER " AND class <> 'normal'"
	    /* A close that only echoes the peer's code tells nothing new. */
	    " AND NOT (kind = 'close' AND answered = 1 AND"
	    " offending_packet IS NULL)" REPORT_ORDER, &st,
	    r->classes[0] ? r->classes : NULL) != 0)
		return;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n++;
		if (sqlite3_column_type(st, RC_GROUP_N) != SQLITE_NULL &&
		    report_i64(st, RC_GROUP_N) > 1)
			continue;
		report_incident(r, st);
		if (sqlite3_column_type(st, RC_GROUP_N) != SQLITE_NULL &&
		    report_i64(st, RC_GROUP_TOTAL) > 1)
			fprintf(r->out, "  %-10s %" PRId64 " more 1009 closes "
			    "from this server, not shown one by one (see Size "
			    "limits by server; --connection shows one)\n",
			    "and", report_i64(st, RC_GROUP_TOTAL) - 1);
	}
	if (report_done(r, st, rc) == 0 && n == 0)
		fprintf(r->out, "\nNo incidents.\n");
	if (!r->failed && r->classes[0] == '\0') {
		report_open(r);
		report_pings(r);
	}
}

/*
 * A connection still open when the capture ended is a state, not a
 * finding: listed with the last frame seen, the point the capture stopped.
 */
#define REPORT_OPEN_MAX 20
static void
report_open(struct report *r)
{
	sqlite3_stmt *st;
	int           rc, n = 0;

	if (report_prepare(r, "SELECT c.connection_id, c.client, c.server,"
	    " c.capture, CASE f.direction WHEN 0 THEN 'client' ELSE 'server'"
	    " END, f.frame_index, "
	    STORE_PACKET_AT("c.capture_id", "f.packet") " FROM connections c"
	    " LEFT JOIN"
	    " frame_t f ON f.rowid = (SELECT rowid FROM frame_t WHERE"
	    " connection_id = c.connection_id ORDER BY packet DESC, t_sec"
	    " DESC, t_nsec DESC, direction DESC, frame_index DESC LIMIT 1)"
	    " WHERE c.websocket = 1 AND c.tcp_end = 'open' AND ?1 IS NULL"
	    " AND (?2 IS NULL OR c.connection_id = ?2) AND (?3 IS NULL OR"
	    " c.capture = ?3) AND (?5 IS NULL OR c.capture_id > ?5)"
	    " ORDER BY c.capture_id, c.connection_id",
	    &st, NULL) != 0)
		return;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n++ == 0)
			fprintf(r->out, "\nOpen when the capture ended:\n");
		if (n > REPORT_OPEN_MAX)
			continue;
		fprintf(r->out, "  connection %" PRId64 ": client %s, server"
		    " %s (capture %s)", report_i64(st, 0), report_col(r, st,
		    1), report_col(r, st, 2), report_col(r, st, 3));
		if (sqlite3_column_type(st, 5) != SQLITE_NULL)
			fprintf(r->out, ", last frame: %s frame %" PRId64
			    ", packet %s", report_col(r, st, 4),
			    report_i64(st, 5), report_col(r, st, 6));
		fprintf(r->out, "\n");
	}
	if (report_done(r, st, rc) == 0 && n > REPORT_OPEN_MAX)
		fprintf(r->out, "  ... and %d more\n", n - REPORT_OPEN_MAX);
}

/* Every connection that pinged: its pings and round trips per side. */
static void
report_pings(struct report *r)
{
	sqlite3_stmt *st;
	int           rc, n = 0;

	if (report_prepare(r, "SELECT c.connection_id, c.client, c.server,"
	    " c.capture," REPORT_PINGS_SIDE("client") "," REPORT_PINGS_SIDE(
	    "server") " FROM connections c WHERE coalesce(c.pings_client, 0) +"
	    " coalesce(c.pings_server, 0) > 0 AND ?1 IS NULL"
	    " AND (?2 IS NULL OR c.connection_id = ?2) AND (?3 IS NULL OR"
	    " c.capture = ?3) AND (?5 IS NULL OR c.capture_id > ?5)"
	    " ORDER BY c.capture_id, c.connection_id", &st, NULL) != 0)
		return;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n++ == 0)
			fprintf(r->out, "\nPings:\n");
		if (n > REPORT_OPEN_MAX)
			continue;
		fprintf(r->out, "  connection %" PRId64 ": client %s, server"
		    " %s (capture %s)\n    %s\n", report_i64(st, 0),
		    report_col(r, st, 1), report_col(r, st, 2), report_col(r,
		    st, 3), report_col(r, st, 4));
		fprintf(r->out, "    %s\n", report_col(r, st, 5));
	}
	if (report_done(r, st, rc) == 0 && n > REPORT_OPEN_MAX)
		fprintf(r->out, "  ... and %d more\n", n - REPORT_OPEN_MAX);
}

/*
 * One object per finding, keys exactly the findings view's columns, each
 * line built by SQLite's json_object: a blob is its hex, a number keeps
 * its 17 digits (times to the microsecond), a non-finite one is null. The view's text is terminal-safe already (the store keeps
 * display columns escaped), so JSON's own escaping is all it needs.
 */
static void
report_jsonl(struct report *r)
{
	sqlite3_stmt *st;
	sqlite3_str  *q;
	char         *sql;
	int           rc, i, n;

	if (sqlite3_prepare_v2(r->db, "SELECT * FROM findings LIMIT 0", -1,
	    &st, NULL) != SQLITE_OK) {
		report_done(r, NULL, SQLITE_ERROR);
		return;
	}
	q = sqlite3_str_new(r->db);
	sqlite3_str_appendall(q, "SELECT json_object(");
	n = sqlite3_column_count(st);
	for (i = 0; i < n; i++)
		sqlite3_str_appendf(q, "%s%Q, CASE typeof(\"%w\") WHEN 'blob'"
		    " THEN lower(hex(\"%w\")) WHEN 'real' THEN CASE WHEN"
		    " abs(\"%w\") <= 1.7976931348623157e308 THEN"
		    " json(printf('%%!.17g', \"%w\")) END"
		    " ELSE \"%w\" END", i ? ", " : "", sqlite3_column_name(st,
		    i), sqlite3_column_name(st, i), sqlite3_column_name(st, i),
		    sqlite3_column_name(st, i), sqlite3_column_name(st, i),
		    sqlite3_column_name(st, i));
	sqlite3_finalize(st);
	sqlite3_str_appendall(q, ") FROM findings WHERE" REPORT_FILTER
	    REPORT_ORDER);
	if ((sql = sqlite3_str_finish(q)) == NULL) {
		report_done(r, NULL, SQLITE_NOMEM);
		return;
	}
	rc = report_prepare(r, sql, &st, r->classes[0] ? r->classes : NULL);
	sqlite3_free(sql);
	if (rc != 0)
		return;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fprintf(r->out, "%s\n", (const char *)sqlite3_column_text(st,
		    0));
	report_done(r, st, rc);
}

static void
report_csv_value(struct report *r, sqlite3_stmt *st, int col)
{
	char  *b = r->buf[0];
	double d;

	switch (sqlite3_column_type(st, col)) {
	case SQLITE_INTEGER:
		fprintf(r->out, "%" PRId64, report_i64(st, col));
		break;
	case SQLITE_FLOAT:
		d = sqlite3_column_double(st, col);
		if (isfinite(d))
			fprintf(r->out, "%.17g", d);
		break;
	case SQLITE_TEXT:
		esc_csv(sqlite3_column_text(st, col),
		    (size_t)sqlite3_column_bytes(st, col), b, REPORT_TEXT_MAX);
		fputs(b, r->out);
		break;
	case SQLITE_BLOB:
		fputs(report_hex(r, sqlite3_column_blob(st, col),
		    sqlite3_column_bytes(st, col)), r->out);
		break;
	default:
		break;
	}
}

/* RFC 4180: a header row, CRLF line ends. */
static void
report_csv(struct report *r)
{
	sqlite3_stmt *st;
	char          name[256];
	int           rc, i, n, tcol = -1, ttext = -1;

	if (report_prepare(r, "SELECT * FROM findings WHERE" REPORT_FILTER
	    REPORT_ORDER, &st, r->classes[0] ? r->classes : NULL) != 0)
		return;
	n = sqlite3_column_count(st);
	for (i = 0; i < n; i++) {
		const char *c = sqlite3_column_name(st, i);

		if (strcmp(c, "time") == 0)
			tcol = i;
		else if (strcmp(c, "time_text") == 0)
			ttext = i;
		esc_csv((const uint8_t *)c, strlen(c), name, sizeof name);
		fprintf(r->out, "%s%s", i ? "," : "", name);
	}
	fputs("\r\n", r->out);
	/*
	 * A double holds a time to about a microsecond: the time column is
	 * written as time_text's exact decimal, not as the float's noise.
	 */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < n; i++) {
			if (i)
				fputc(',', r->out);
			report_csv_value(r, st, i == tcol && ttext >= 0 ?
			    ttext : i);
		}
		fputs("\r\n", r->out);
	}
	report_done(r, st, rc);
}

/*
 * 1 when findings of the --fail-on classes or rules exist among those the
 * report shows (every filter applies, --class too), -1 on error.
 */
static int
report_fail_on(struct report *r)
{
	sqlite3_stmt *st;
	char          list[256];
	int64_t       n = 0;
	int           rc;

	report_list_norm(r->o->fail_on, list, sizeof list);
	if (report_prepare(r, "SELECT count(*) FROM findings WHERE"
	    REPORT_FILTER " AND (instr(',' || ?4 || ',', ',' || class || ',')"
	    " > 0 OR instr(',' || ?4 || ',', ',' || rule || ',') > 0 OR"
	    " instr(',' || ?4 || ',', ',' || offending_rule || ',') > 0)", &st,
	    r->classes[0] ? r->classes : NULL) != 0)
		return -1;
	sqlite3_bind_text(st, 4, list, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		n = report_i64(st, 0);
	if (report_done(r, st, rc) != 0)
		return -1;
	return n > 0;
}

/*
 * A filter that names a connection or capture the database lacks is an
 * error, not an empty report: 1 (said on stderr) when one is missing.
 */
static int
report_missing(struct report *r)
{
	sqlite3_stmt *st;
	int           rc, found = 0;

	if (r->o->connection_id < 0 && r->o->capture == NULL)
		return 0;
	if (report_prepare(r, "SELECT (?2 IS NULL OR EXISTS (SELECT 1 FROM"
	    " connections WHERE connection_id = ?2 AND (?3 IS NULL OR capture"
	    " = ?3))) AND (?3 IS NULL OR EXISTS (SELECT 1 FROM captures WHERE"
	    " capture = ?3))", &st, NULL) != 0)
		return 1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		found = sqlite3_column_int(st, 0);
	if (report_done(r, st, rc) != 0)
		return 1;
	if (found)
		return 0;
	if (r->o->connection_id >= 0 && r->o->capture != NULL)
		wsa_warn("%s: no connection %" PRId64 " in a capture named %s",
		    store_path(r->s), r->o->connection_id, r->o->capture);
	else if (r->o->connection_id >= 0)
		wsa_warn("%s: no connection %" PRId64, store_path(r->s),
		    r->o->connection_id);
	else
		wsa_warn("%s: no capture named %s", store_path(r->s),
		    r->o->capture);
	return 1;
}

int
report_run(struct store *s, const struct report_opts *o, FILE *out)
{
	struct report *r;
	int            status = EXIT_OK, fail;
	const char    *nc;

	r = xcalloc(1, sizeof *r);
	r->s = s;
	r->db = store_db(s);
	r->o = o;
	r->out = out;
	r->color = o->color;
	if (r->color < 0) {
		nc = getenv("NO_COLOR");
		r->color = isatty(fileno(out)) && (nc == NULL || *nc == '\0');
	}
	if (o->classes != NULL)
		report_list_norm(o->classes, r->classes, sizeof r->classes);
	if (report_missing(r) != 0) {
		free(r);
		return EXIT_INPUT;
	}
	switch (o->format) {
	case REPORT_JSONL:
		if (o->timeline)
			report_timeline_jsonl(r);
		else
			report_jsonl(r);
		break;
	case REPORT_CSV:
		report_csv(r);
		break;
	default:
		report_text(r);
		break;
	}
	if (!r->failed && o->fail_on != NULL) {
		fail = report_fail_on(r);
		if (fail > 0)
			status = EXIT_FINDINGS;
	}
	if (r->failed)
		status = EXIT_INPUT;
	fflush(out);
	free(r);
	return status;
}
