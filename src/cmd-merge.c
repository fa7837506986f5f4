/*
 * wsautopsy merge: the databases of the shards of a capture (analyze
 * --shard K/N) made into one whose content is a single run's.
 *
 * The databases are read through their tables, attached one at a time
 * (SQLite attaches ten at once), twice: a first pass plans (which captures,
 * which shards, every connection's first packet) and refuses what cannot
 * be merged before anything is written; a second copies the rows with
 * their new ids. Connections are numbered again by first packet, as one
 * run numbers them, and the capture-end bounds pass runs again over the
 * evidence of every shard (size-limits.h). The output is written under a
 * temporary name and renamed when complete.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture-set.h"
#include "cmd.h"
#include "escape.h"
#include "size-limits.h"
#include "store.h"

/* A capture of one input database that goes into a merged capture. */
struct merge_part {
	int      db;          /* index of its database */
	int64_t  capture_id;  /* there */
	int64_t  finding_off; /* added to its finding ids */
	uint8_t *shards;      /* its shards (bit K - 1); NULL for a whole run */
};

/* A capture of the output: every run of the same bytes and options. */
struct merge_cap {
	char              *sha256;
	char              *options;   /* without --shard; NULL the defaults */
	char              *name;      /* escaped, for messages */
	uint32_t           n;         /* shards of; 0 analysed whole */
	uint8_t           *held;      /* shards held (bit K - 1); NULL whole */
	int64_t            id;        /* capture_id in the output */
	struct merge_part *parts;
	size_t             nparts;
	struct limits     *limits;
	int64_t           *slot_fid;  /* finding_id of each kept close */
	size_t             nslots;
	int                partial;   /* some shards are missing */
};

struct merge {
	struct store     *out;
	sqlite3          *db;
	char *const      *paths;
	int               ndb;
	struct merge_cap *caps;
	size_t            ncaps;
	/*
	 * While one part's evidence is read: its connection numbers, old
	 * and new, by old (bsearch: a hostile database's numbers may be
	 * anything).
	 */
	uint64_t        (*conn_no)[2];
	size_t            nconn, conn_cap;
	struct merge_cap *cur;
	int               failed;
};

/* The most shards analyze cuts a capture into. */
#define MERGE_SHARDS_MAX 65536

static int  cmd_merge_exec(struct cmd_args *);
static int  merge_check(const char *);
static int64_t merge_version(struct merge *, int);
static int  merge_attach(struct merge *, int);
static void merge_detach(struct merge *);
static int  merge_exec(struct merge *, const char *);
static int  merge_sql_fail(struct merge *, const char *);
static int  merge_shard_opt(const char *, char **, uint8_t **, uint32_t *);
static int  merge_plan(struct merge *, int);
static int  merge_plan_capture(struct merge *, int, int64_t, const char *,
    const char *, const char *);
static int  merge_number(struct merge *);
static int  merge_copy(struct merge *, const char *, const char *const *,
    const char *, int, const struct merge_part *);
static int  merge_capture_row(struct merge *, struct merge_cap *,
    const struct merge_part *, int);
static int  merge_part(struct merge *, struct merge_cap *,
    struct merge_part *, int);
static int  merge_evidence(struct merge *, struct merge_cap *,
    const struct merge_part *);
static uint64_t merge_conn(void *, uint64_t);
static int  merge_bounds(struct merge *, struct merge_cap *);
static void merge_update(void *, const struct finding *);
static void merge_limits_row(void *, const struct limits_row *);
static char *merge_shard_list(const uint8_t *, const uint8_t *, uint32_t);
static uint32_t merge_shard_common(const uint8_t *, const uint8_t *,
    uint32_t);
static void merge_partial(struct merge_cap *);
static void merge_free(struct merge *);
static const char *merge_text(sqlite3_stmt *, int);

static const struct cmd_option merge_options[] = {
	{ .name = "output", .key = 'o', .arg = "FILE",
	  .help = "the database to write (required); it must not exist "
	    "unless --force",
	  .doc = "The database to write; required.\n"
	    "It is written under a temporary name beside it and renamed when\n"
	    "complete, so a merge that fails leaves nothing there.\n"
	    "An existing file is refused unless\n"
	    ".BR \\-\\-force ." },
	{ .name = "force", .key = 'f',
	  .help = "replace FILE when it exists" },
	{ 0 }
};

const struct cmd_entry cmd_merge_entry = {
	.name = "merge",
	.summary = "merge the databases of shards (analyze --shard) into one",
	.usage = "-o FILE DATABASE...",
	.about = "Combine databases written by analyze, typically the shards "
	    "of one capture set analysed with --shard K/N on many cores or "
	    "hosts, into one database whose content equals a single run's: "
	    "the shards of a capture become one capture, its connections "
	    "numbered again by first packet, and the end-of-capture bounds of "
	    "each server's size limit computed again from every shard. A "
	    "capture found whole in more than one database is kept once.",
	.notes = "Databases must be of this wsautopsy's schema version. Two "
	    "copies of one shard, or shards of one capture cut into different "
	    "numbers of shards, are refused.",
	.options = merge_options,
	.args = { 1, -1 },
	.exec = cmd_merge_exec
};

/*
 * The capture's columns each shard counts for its own connections: summed.
 * The others (packets, bytes, files...) every shard counts alike. A peak
 * (peak_live, peak_ooo_bytes) summed is the most one run could have had.
 */
static const char *const merge_summed[] = {
	"connections", "ws_connections", "frames", "messages", "findings",
	"gaps", "gap_bytes", "conflicts", "cap_flows", "cap_idle",
	"cap_ooo_dir", "cap_ooo_total", "peak_live", "peak_ooo_bytes",
	"cap_inflate", "unchecked", "unchecked_bytes", "cap_bounds", NULL
};

static const struct sink_ops merge_sink_ops = {
	.finding_update = merge_update,
	.limits_row = merge_limits_row,
};

/* 0 when path is a wsautopsy database (the store's checks and words). */
static int
merge_check(const char *path)
{
	struct store *s;
	char          err[1024];

	if ((s = store_open(path, 1, err, sizeof err)) == NULL) {
		wsa_warn("%s", err);
		return -1;
	}
	store_close(s);
	return 0;
}

/* The attached database's schema version as written; -1 on error. */
static int64_t
merge_version(struct merge *m, int i)
{
	sqlite3_stmt *st;
	int64_t       v = -1;

	if (sqlite3_prepare_v2(m->db, "PRAGMA shard.user_version", -1, &st,
	    NULL) != SQLITE_OK)
		return merge_sql_fail(m, m->paths[i]);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (v < 0)
		return merge_sql_fail(m, m->paths[i]);
	return v;
}

static int
merge_sql_fail(struct merge *m, const char *what)
{
	wsa_warn("%s: %s", what, sqlite3_errmsg(m->db));
	m->failed = 1;
	return -1;
}

static int
merge_exec(struct merge *m, const char *sql)
{
	if (sqlite3_exec(m->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return merge_sql_fail(m, store_path(m->out));
	return 0;
}

static int
merge_attach(struct merge *m, int i)
{
	sqlite3_stmt *st;
	int           rc;

	if (sqlite3_prepare_v2(m->db, "ATTACH ?1 AS shard", -1, &st, NULL) !=
	    SQLITE_OK)
		return merge_sql_fail(m, m->paths[i]);
	sqlite3_bind_text(st, 1, m->paths[i], -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return merge_sql_fail(m, m->paths[i]);
	if (merge_exec(m, "BEGIN") != 0) {
		merge_detach(m);
		return -1;
	}
	return 0;
}

static void
merge_detach(struct merge *m)
{
	(void)sqlite3_exec(m->db, "COMMIT", NULL, NULL, NULL);
	(void)sqlite3_exec(m->db, "DETACH shard", NULL, NULL, NULL);
}

/* Shard K (1-based) is in the set. */
#define MERGE_HAS(set, k) (((set)[((k) - 1) / 8] >> (((k) - 1) % 8)) & 1)

/*
 * The options without their "--shard LIST/N" (analyze writes "K/N" last; a
 * merge of some shards writes a LIST of K and K-L): *base (NULL for none
 * left), the set of shards (N bits) and N. 0 without --shard, 1 with, -1
 * when it is malformed.
 */
static int
merge_shard_opt(const char *opts, char **base, uint8_t **set, uint32_t *n)
{
	static const char word[] = "--shard ";
	const char       *at = NULL, *p, *slash;
	unsigned long     k, l, total;
	char             *end;
	size_t            len;

	*base = NULL;
	*set = NULL;
	*n = 0;
	if (opts == NULL)
		return 0;
	for (p = opts; (p = strstr(p, word)) != NULL; p++)
		if (p == opts || p[-1] == ' ')
			at = p;
	if (at == NULL || (slash = strchr(at, '/')) == NULL ||
	    strchr(slash, ' ') != NULL) {
		*base = opts[0] != '\0' ? xstrdup(opts) : NULL;
		return 0;
	}
	if (slash[1] < '0' || slash[1] > '9')
		return -1;
	total = strtoul(slash + 1, &end, 10);
	if (*end != '\0' || total < 1 || total > MERGE_SHARDS_MAX)
		return -1;
	*set = xcalloc((total + 7) / 8, 1);
	for (p = at + sizeof word - 1; p < slash; p = end + 1) {
		if (*p < '0' || *p > '9')
			goto bad;
		k = l = strtoul(p, &end, 10);
		if (*end == '-') {
			if (end[1] < '0' || end[1] > '9')
				goto bad;
			l = strtoul(end + 1, &end, 10);
		}
		if ((end != slash && *end != ',') || k < 1 || l < k ||
		    l > total)
			goto bad;
		for (; k <= l; k++)
			(*set)[(k - 1) / 8] |= (uint8_t)(1u << ((k - 1) % 8));
		if (end == slash)
			break;
	}
	*n = (uint32_t)total;
	len = (size_t)(at - opts);
	while (len > 0 && opts[len - 1] == ' ')
		len--;
	if (len > 0) {
		*base = xmalloc(len + 1);
		memcpy(*base, opts, len);
		(*base)[len] = '\0';
	}
	return 1;
bad:
	free(*set);
	*set = NULL;
	return -1;
}

/* "1-3,5" of the shards in both a and b (b NULL: in a); malloc'd. */
static char *
merge_shard_list(const uint8_t *a, const uint8_t *b, uint32_t n)
{
	char    *out = xmalloc((size_t)n * 14 + 1);
	size_t   at = 0;
	uint32_t k, l;

	out[0] = '\0';
	for (k = 1; k <= n; k++) {
		if (!MERGE_HAS(a, k) || (b != NULL && !MERGE_HAS(b, k)))
			continue;
		for (l = k; l < n && MERGE_HAS(a, l + 1) &&
		    (b == NULL || MERGE_HAS(b, l + 1)); l++)
			;
		at += (size_t)sprintf(out + at, l > k ? "%s%u-%u" : "%s%u",
		    at ? "," : "", (unsigned)k, (unsigned)l);
		k = l;
	}
	return out;
}

/*
 * A capture missing shards keeps "--shard LIST/N" in its options: it is
 * not a single run's, and merging it with the others later completes it.
 */
static void
merge_partial(struct merge_cap *c)
{
	char    *list, *o;
	size_t   len;
	uint32_t k;

	for (k = 1; k <= c->n && MERGE_HAS(c->held, k); k++)
		;
	if (c->n == 0 || k > c->n)
		return;
	c->partial = 1;
	list = merge_shard_list(c->held, NULL, c->n);
	len = (c->options != NULL ? strlen(c->options) : 0) + strlen(list) + 32;
	o = xmalloc(len);
	snprintf(o, len, "%s%s--shard %s/%u", c->options != NULL ?
	    c->options : "", c->options != NULL ? " " : "", list,
	    (unsigned)c->n);
	free(list);
	free(c->options);
	c->options = o;
}

/* The first shard in both sets; 0 none. */
static uint32_t
merge_shard_common(const uint8_t *a, const uint8_t *b, uint32_t n)
{
	uint32_t k;

	for (k = 1; k <= n; k++)
		if (MERGE_HAS(a, k) && MERGE_HAS(b, k))
			return k;
	return 0;
}

static int
merge_plan_capture(struct merge *m, int i, int64_t id, const char *sha,
    const char *opts, const char *name)
{
	struct merge_cap  *c = NULL;
	struct merge_part *p;
	char              *base, *list, a[256], b[64], ename[256];
	uint8_t           *set;
	uint32_t           n, j;
	size_t             k;
	int                sharded;

	/* Names from the database reach the terminal escaped. */
	esc_terminal_str(name, ename, sizeof ename);
	if ((sharded = merge_shard_opt(opts, &base, &set, &n)) < 0) {
		esc_terminal_str(opts, a, sizeof a);
		wsa_warn("%s: capture %s: options '%s' name no shards K/N",
		    m->paths[i], ename, a);
		return -1;
	}
	for (k = 0; k < m->ncaps; k++) {
		c = &m->caps[k];
		if (strcmp(c->sha256, sha) == 0 && (c->options == NULL ?
		    base == NULL : base != NULL && strcmp(c->options, base) == 0))
			break;
	}
	if (k == m->ncaps) {
		m->caps = xrealloc(m->caps, (m->ncaps + 1) * sizeof *m->caps);
		c = &m->caps[m->ncaps++];
		memset(c, 0, sizeof *c);
		c->sha256 = xstrdup(sha);
		c->options = base;
		c->name = xstrdup(ename);
		c->n = n;
		c->held = n > 0 ? xcalloc((n + 7) / 8, 1) : NULL;
		c->id = (int64_t)m->ncaps;
		c->limits = limits_new();
	} else {
		free(base);
		/* Analysed whole twice: the same content, kept once. */
		if (c->n == 0 && !sharded)
			return 0;
		if (c->n != n) {
			free(set);
			snprintf(a, sizeof a, "cut in %u shards", (unsigned)n);
			snprintf(b, sizeof b, "cut in %u shards", (unsigned)c->n);
			wsa_warn("%s: capture %s is %s here but %s in %s",
			    m->paths[i], ename, n == 0 ? "whole" : a, c->n == 0 ?
			    "whole" : b, m->paths[c->parts[0].db]);
			return -1;
		}
		if (merge_shard_common(c->held, set, n) != 0) {
			for (k = 0; k < c->nparts; k++)
				if (merge_shard_common(c->parts[k].shards, set,
				    n) != 0)
					break;
			list = merge_shard_list(c->parts[k].shards, set, n);
			wsa_warn("%s: shard %s/%u of capture %s is in %s too",
			    m->paths[i], list, (unsigned)n, ename,
			    m->paths[c->parts[k].db]);
			free(list);
			free(set);
			return -1;
		}
	}
	for (j = 0; j < (n + 7) / 8; j++)
		c->held[j] |= set[j];
	c->parts = xrealloc(c->parts, (c->nparts + 1) * sizeof *c->parts);
	p = &c->parts[c->nparts++];
	memset(p, 0, sizeof *p);
	p->db = i;
	p->capture_id = id;
	p->shards = set;
	return 0;
}

/* First pass over database i: its captures and their connections. */
static int
merge_plan(struct merge *m, int i)
{
	sqlite3_stmt *st, *ins;
	size_t        k, j;
	int           rc;

	if (sqlite3_prepare_v2(m->db, "SELECT capture_id, sha256, options, name"
	    " FROM shard.capture_t ORDER BY capture_id", -1, &st, NULL) !=
	    SQLITE_OK)
		return merge_sql_fail(m, m->paths[i]);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (merge_plan_capture(m, i, sqlite3_column_int64(st, 0),
		    merge_text(st, 1), (const char *)sqlite3_column_text(st, 2),
		    merge_text(st, 3)) != 0) {
			sqlite3_finalize(st);
			m->failed = 1;
			return -1;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return merge_sql_fail(m, m->paths[i]);
	if (sqlite3_prepare_v2(m->db, "INSERT INTO temp.conn_map SELECT ?1,"
	    " connection_id, ?2, capture_id, first_packet, conn_no FROM"
	    " shard.connection_t WHERE capture_id = ?3", -1, &ins, NULL) !=
	    SQLITE_OK)
		return merge_sql_fail(m, m->paths[i]);
	for (k = 0; k < m->ncaps; k++) {
		for (j = 0; j < m->caps[k].nparts; j++) {
			if (m->caps[k].parts[j].db != i)
				continue;
			sqlite3_reset(ins);
			sqlite3_bind_int(ins, 1, i);
			sqlite3_bind_int64(ins, 2, m->caps[k].id);
			sqlite3_bind_int64(ins, 3, m->caps[k].parts[j].capture_id);
			if (sqlite3_step(ins) != SQLITE_DONE) {
				sqlite3_finalize(ins);
				return merge_sql_fail(m, m->paths[i]);
			}
		}
	}
	sqlite3_finalize(ins);
	return 0;
}

/*
 * Every connection's new number within its capture, by first packet as
 * one run numbers them, and its new id: the captures' connections follow
 * each other, as they do when one run stores them in turn.
 */
static int
merge_number(struct merge *m)
{
	return merge_exec(m, "INSERT INTO temp.conn_new SELECT db, old_id,"
	    " old_cap, cap, row_number() OVER (PARTITION BY cap ORDER BY"
	    " first_packet IS NULL, first_packet, db, old_no), row_number()"
	    " OVER (ORDER BY cap, first_packet IS NULL, first_packet, db,"
	    " old_no) FROM temp.conn_map");
}

/*
 * INSERT INTO main.table every column of shard.table x (the output's
 * columns, read from it: the schema is written once, in store.c), those
 * named in over (pairs of column and expression) replaced. Parameters: ?1
 * the database, ?2 the new capture_id, ?3 the part's capture_id, ?4 its
 * finding offset, ?5 the new capture's options.
 */
static int
merge_copy(struct merge *m, const char *table, const char *const *over,
    const char *tail, int i, const struct merge_part *p)
{
	sqlite3_stmt *st;
	const char   *col, *expr;
	char         *cols = NULL, *sel = NULL, *sql;
	size_t        k, clen = 0, slen = 0;
	int           rc;

	if (sqlite3_prepare_v2(m->db, "SELECT name FROM pragma_table_info(?1,"
	    " 'main') ORDER BY cid", -1, &st, NULL) != SQLITE_OK)
		return merge_sql_fail(m, store_path(m->out));
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		col = (const char *)sqlite3_column_text(st, 0);
		expr = NULL;
		for (k = 0; over[k] != NULL; k += 2)
			if (strcmp(over[k], col) == 0)
				expr = over[k + 1];
		cols = xrealloc(cols, clen + strlen(col) + 3);
		clen += (size_t)sprintf(cols + clen, "%s%s", clen ? ", " : "",
		    col);
		sel = xrealloc(sel, slen + strlen(col) + (expr != NULL ?
		    strlen(expr) : 0) + 6);
		slen += (size_t)sprintf(sel + slen, "%s%s%s", slen ? ", " : "",
		    expr != NULL ? expr : "x.", expr != NULL ? "" : col);
	}
	sqlite3_finalize(st);
	if (cols == NULL)
		return merge_sql_fail(m, table);
	sql = xmalloc(clen + slen + strlen(table) * 2 + strlen(tail) + 64);
	sprintf(sql, "INSERT INTO main.%s (%s) SELECT %s FROM shard.%s x %s",
	    table, cols, sel, table, tail);
	free(cols);
	free(sel);
	rc = sqlite3_prepare_v2(m->db, sql, -1, &st, NULL);
	free(sql);
	if (rc != SQLITE_OK)
		return merge_sql_fail(m, m->paths[i]);
	for (k = 1; k <= (size_t)sqlite3_bind_parameter_count(st); k++) {
		switch (k) {
		case 1: sqlite3_bind_int(st, 1, i); break;
		case 2: sqlite3_bind_int64(st, 2, m->cur->id); break;
		case 3: sqlite3_bind_int64(st, 3, p->capture_id); break;
		case 4: sqlite3_bind_int64(st, 4, p->finding_off); break;
		case 5:
			if (m->cur->options != NULL)
				sqlite3_bind_text(st, 5, m->cur->options, -1,
				    SQLITE_STATIC);
			break;
		}
	}
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return merge_sql_fail(m, m->paths[i]);
	return 0;
}

/*
 * The capture's row: the first part's, then each other part's per-shard
 * counts added (merge_summed) and the earliest completeness kept.
 */
static int
merge_capture_row(struct merge *m, struct merge_cap *c,
    const struct merge_part *p, int first)
{
	static const char *const over[] = {
		"capture_id", "?2", "options", "?5",
		"conn_base", "(SELECT count(*) FROM temp.conn_new WHERE"
		    " cap < ?2)", NULL
	};
	sqlite3_stmt *st;
	char          sql[2048];
	size_t        n, k;
	int           rc;

	if (first)
		return merge_copy(m, "capture_t", over, "WHERE x.capture_id ="
		    " ?3", p->db, p);
	n = (size_t)snprintf(sql, sizeof sql, "UPDATE main.capture_t SET"
	    " complete = min(complete, (SELECT complete FROM shard.capture_t"
	    " WHERE capture_id = ?2)), error = coalesce(error, (SELECT error"
	    " FROM shard.capture_t WHERE capture_id = ?2)), analyzed_at ="
	    " max(analyzed_at, (SELECT analyzed_at FROM shard.capture_t WHERE"
	    " capture_id = ?2))");
	for (k = 0; merge_summed[k] != NULL; k++)
		n += (size_t)snprintf(sql + n, sizeof sql - n, ", %s = %s +"
		    " (SELECT %s FROM shard.capture_t WHERE capture_id = ?2)",
		    merge_summed[k], merge_summed[k], merge_summed[k]);
	snprintf(sql + n, sizeof sql - n, " WHERE capture_id = ?1");
	if (sqlite3_prepare_v2(m->db, sql, -1, &st, NULL) != SQLITE_OK)
		return merge_sql_fail(m, m->paths[p->db]);
	sqlite3_bind_int64(st, 1, c->id);
	sqlite3_bind_int64(st, 2, p->capture_id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : merge_sql_fail(m, m->paths[p->db]);
}

/* Second pass: one part's rows, with their new ids. */
static int
merge_part(struct merge *m, struct merge_cap *c, struct merge_part *p,
    int first)
{
	static const char *const conn_over[] = {
		"connection_id", "n.id", "capture_id", "?2", "conn_no", "n.no",
		NULL
	};
	static const char *const rows_over[] = { "connection_id", "n.id", NULL };
	static const char *const find_over[] = {
		"finding_id", "x.finding_id + ?4", "capture_id", "?2",
		"connection_id", "n.id", NULL
	};
	static const char *const cap_over[] = { "capture_id", "?2", NULL };
	static const char *const replay_over[] = {
		"replay_id", "NULL", "capture_id", "?2", "connection_id",
		"n.id", "conn_no", "coalesce(n.no, x.conn_no)", NULL
	};
	static const char join[] = "JOIN temp.conn_new n ON n.db = ?1 AND"
	    " n.old_id = x.connection_id AND n.old_cap = ?3";
	sqlite3_stmt *st;
	int           rc;

	m->cur = c;
	/* Finding ids follow the output's: they are rowids. */
	if (sqlite3_prepare_v2(m->db, "SELECT (SELECT coalesce(max(finding_id),"
	    " 0) FROM main.finding_t) - (SELECT coalesce(min(finding_id), 1) -"
	    " 1 FROM shard.finding_t WHERE capture_id = ?1)", -1, &st, NULL) !=
	    SQLITE_OK)
		return merge_sql_fail(m, m->paths[p->db]);
	sqlite3_bind_int64(st, 1, p->capture_id);
	rc = sqlite3_step(st);
	p->finding_off = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return merge_sql_fail(m, m->paths[p->db]);
	if (merge_capture_row(m, c, p, first) != 0 ||
	    merge_copy(m, "connection_t", conn_over, join, p->db, p) != 0 ||
	    merge_copy(m, "frame_t", rows_over, join, p->db, p) != 0 ||
	    merge_copy(m, "message_t", rows_over, join, p->db, p) != 0 ||
	    merge_copy(m, "finding_t", find_over, "LEFT JOIN temp.conn_new n"
	    " ON n.db = ?1 AND n.old_id = x.connection_id WHERE x.capture_id ="
	    " ?3", p->db, p) != 0 ||
	    merge_copy(m, "replay_t", replay_over, "LEFT JOIN temp.conn_new n"
	    " ON n.db = ?1 AND n.old_id = x.connection_id AND n.old_cap = ?3"
	    " WHERE x.capture_id = ?3", p->db, p) != 0)
		return -1;
	/* What every shard read alike: the files once. */
	if (first && (merge_copy(m, "capture_file_t", cap_over, "WHERE"
	    " x.capture_id = ?3", p->db, p) != 0 || merge_copy(m,
	    "capture_span_t", cap_over, "WHERE x.capture_id = ?3", p->db,
	    p) != 0 || merge_copy(m, "packet_index_t", cap_over, "WHERE"
	    " x.capture_id = ?3", p->db, p) != 0))
		return -1;
	return merge_evidence(m, c, p);
}

/* A connection number of the part being read, as the merge numbers it. */
static uint64_t
merge_conn(void *ctx, uint64_t no)
{
	struct merge *m = ctx;
	size_t        lo = 0, hi = m->nconn, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (m->conn_no[mid][0] == no)
			return m->conn_no[mid][1];
		if (m->conn_no[mid][0] < no)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* The part's evidence of the bounds pass, into its capture's. */
static int
merge_evidence(struct merge *m, struct merge_cap *c, const struct merge_part *p)
{
	sqlite3_stmt  *st;
	struct finding f;
	const char    *t;
	int            rc;

	/* Its connection numbers, old to new. */
	if (sqlite3_prepare_v2(m->db, "SELECT m.old_no, n.no FROM temp.conn_map"
	    " m JOIN temp.conn_new n ON n.db = m.db AND n.old_id = m.old_id"
	    " WHERE m.db = ?1 AND m.old_cap = ?2 ORDER BY m.old_no", -1, &st,
	    NULL) != SQLITE_OK)
		return merge_sql_fail(m, m->paths[p->db]);
	sqlite3_bind_int(st, 1, p->db);
	sqlite3_bind_int64(st, 2, p->capture_id);
	m->nconn = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (m->nconn == m->conn_cap) {
			m->conn_cap = m->conn_cap ? 2 * m->conn_cap : 256;
			m->conn_no = xrealloc(m->conn_no, m->conn_cap *
			    sizeof *m->conn_no);
		}
		m->conn_no[m->nconn][0] = (uint64_t)sqlite3_column_int64(st, 0);
		m->conn_no[m->nconn++][1] =
		    (uint64_t)sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return merge_sql_fail(m, m->paths[p->db]);
	if (sqlite3_prepare_v2(m->db, "SELECT finding_id, evidence, detail,"
	    " matching_profiles, remedy FROM shard.limit_evidence_t WHERE"
	    " capture_id = ?1 ORDER BY rowid", -1, &st, NULL) != SQLITE_OK)
		return merge_sql_fail(m, m->paths[p->db]);
	sqlite3_bind_int64(st, 1, p->capture_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		t = (const char *)sqlite3_column_text(st, 1);
		if (sqlite3_column_type(st, 0) == SQLITE_NULL) {
			if (t == NULL || limits_import(c->limits, t, NULL,
			    merge_conn, m) != 0)
				break;
			continue;
		}
		memset(&f, 0, sizeof f);
		snprintf(f.detail, sizeof f.detail, "%s", merge_text(st, 2));
		snprintf(f.matching_profiles, sizeof f.matching_profiles, "%s",
		    merge_text(st, 3));
		snprintf(f.remedy, sizeof f.remedy, "%s", merge_text(st, 4));
		if (t == NULL || limits_import(c->limits, t, &f, merge_conn,
		    m) != 0)
			break;
		if (f.update_slot > c->nslots) {
			c->slot_fid = xrealloc(c->slot_fid, f.update_slot * 2 *
			    sizeof *c->slot_fid);
			c->nslots = f.update_slot * 2;
		}
		c->slot_fid[f.update_slot - 1] = sqlite3_column_int64(st, 0) +
		    p->finding_off;
		/* As first stored: the pass over every shard decides anew. */
		if (store_limits_update(m->out, c->slot_fid[f.update_slot - 1],
		    &f, 1) != 0) {
			m->failed = 1;
			break;
		}
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW && !m->failed) {
		wsa_warn("%s: capture %s: bounds evidence this wsautopsy does"
		    " not read", m->paths[p->db], c->name);
		m->failed = 1;
	} else if (rc != SQLITE_DONE && !m->failed)
		return merge_sql_fail(m, m->paths[p->db]);
	return m->failed ? -1 : 0;
}

static void
merge_update(void *ctx, const struct finding *f)
{
	struct merge *m = ctx;

	if (f->update_slot == 0 || f->update_slot > m->cur->nslots)
		return;
	if (store_limits_update(m->out, m->cur->slot_fid[f->update_slot - 1],
	    f, 1) != 0)
		m->failed = 1;
}

static void
merge_limits_row(void *ctx, const struct limits_row *row)
{
	struct merge *m = ctx;
	int64_t       fid = 0;

	if (row->f != NULL) {
		if (row->f->update_slot == 0 ||
		    row->f->update_slot > m->cur->nslots)
			return;
		fid = m->cur->slot_fid[row->f->update_slot - 1];
	}
	if (store_limits_write(m->out, m->cur->id, fid, row, 1) != 0)
		m->failed = 1;
}

/*
 * The bounds pass over every shard's evidence, its packets named as the
 * analysis names them (file:number within a set of several files).
 */
static int
merge_bounds(struct merge *m, struct merge_cap *c)
{
	struct capture_set_info si;
	sqlite3_stmt           *st;
	uint64_t                cap_hits;
	size_t                  k;

	memset(&si, 0, sizeof si);
	if (sqlite3_prepare_v2(m->db, "SELECT name FROM capture_file_t WHERE"
	    " capture_id = ?1 ORDER BY file_index", -1, &st, NULL) != SQLITE_OK)
		return merge_sql_fail(m, store_path(m->out));
	sqlite3_bind_int64(st, 1, c->id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		si.files = xrealloc(si.files, (si.nfiles + 1) *
		    sizeof *si.files);
		memset(&si.files[si.nfiles], 0, sizeof *si.files);
		si.files[si.nfiles++].path = xstrdup((const char *)
		    sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	for (k = 0; k < si.nfiles; k++)
		si.files[k].name = si.files[k].path;
	if (sqlite3_prepare_v2(m->db, "SELECT ordinal, file_index, number,"
	    " count FROM capture_span_t WHERE capture_id = ?1 ORDER BY ordinal",
	    -1, &st, NULL) != SQLITE_OK)
		return merge_sql_fail(m, store_path(m->out));
	sqlite3_bind_int64(st, 1, c->id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		si.spans = xrealloc(si.spans, (si.nspans + 1) *
		    sizeof *si.spans);
		si.spans[si.nspans].ordinal = (uint64_t)sqlite3_column_int64(st, 0);
		si.spans[si.nspans].file = (uint32_t)sqlite3_column_int64(st, 1);
		si.spans[si.nspans].number = (uint64_t)sqlite3_column_int64(st, 2);
		si.spans[si.nspans].count = (uint64_t)sqlite3_column_int64(st, 3);
		if (si.spans[si.nspans].file < si.nfiles)
			si.nspans++;
	}
	sqlite3_finalize(st);
	m->cur = c;
	capture_set_naming_info(&si);
	limits_finish(c->limits, &merge_sink_ops, m, &cap_hits);
	limits_export(c->limits, &merge_sink_ops, m);
	capture_set_naming_info(NULL);
	for (k = 0; k < si.nfiles; k++)
		free(si.files[k].path);
	free(si.files);
	free(si.spans);
	return m->failed ? -1 : 0;
}

/* A text column; "" for NULL. */
static const char *
merge_text(sqlite3_stmt *st, int col)
{
	const char *t = (const char *)sqlite3_column_text(st, col);

	return t != NULL ? t : "";
}

static void
merge_free(struct merge *m)
{
	size_t k, j;

	for (k = 0; k < m->ncaps; k++) {
		free(m->caps[k].sha256);
		free(m->caps[k].options);
		free(m->caps[k].name);
		for (j = 0; j < m->caps[k].nparts; j++)
			free(m->caps[k].parts[j].shards);
		free(m->caps[k].parts);
		free(m->caps[k].held);
		free(m->caps[k].slot_fid);
		limits_free(m->caps[k].limits);
	}
	free(m->caps);
	free(m->conn_no);
}

static int
cmd_merge_exec(struct cmd_args *args)
{
	struct merge  m;
	const char   *out = NULL;
	char          err[1024], *held, *tmp;
	int64_t       v, v0 = 0;
	size_t        k, j;
	int           force = 0, i, fd, status = EXIT_INPUT;

	for (i = 0; i < args->nopts; i++) {
		if (args->opts[i].opt->key == 'o')
			out = args->opts[i].value;
		else if (args->opts[i].opt->key == 'f')
			force = 1;
	}
	if (out == NULL)
		return cmd_usage_error(args->entry, "name the database to write"
		    " with -o");
	if (!force && access(out, F_OK) == 0) {
		wsa_warn("%s: exists; --force replaces it", out);
		return EXIT_INPUT;
	}
	for (i = 0; i < args->argc; i++)
		if (merge_check(args->argv[i]) != 0)
			return EXIT_INPUT;
	if ((fd = wsa_temp_file(out, ".merging", &tmp)) < 0) {
		wsa_warn("%s: %s", out, strerror(errno));
		return EXIT_INPUT;
	}
	close(fd);
	memset(&m, 0, sizeof m);
	m.paths = args->argv;
	m.ndb = args->argc;
	if ((m.out = store_open(tmp, 0, err, sizeof err)) == NULL) {
		wsa_warn("%s", err);
		free(tmp);
		return EXIT_INPUT;
	}
	m.db = store_db(m.out);
	if (merge_exec(&m, "PRAGMA synchronous = OFF;"
	    " CREATE TEMP TABLE conn_map (db INTEGER, old_id INTEGER,"
	    " cap INTEGER, old_cap INTEGER, first_packet INTEGER,"
	    " old_no INTEGER);"
	    " CREATE TEMP TABLE conn_new (db INTEGER, old_id INTEGER,"
	    " old_cap INTEGER, cap INTEGER, no INTEGER, id INTEGER,"
	    " PRIMARY KEY (db, old_id)) WITHOUT ROWID") != 0)
		goto done;
	/* One schema version, this one's, before anything is written. */
	for (i = 0; i < m.ndb && !m.failed; i++) {
		if (merge_attach(&m, i) != 0 || (v = merge_version(&m, i)) < 0)
			break;
		if (i == 0)
			v0 = v;
		if (v != v0) {
			wsa_warn("%s: schema version %" PRId64 ", but %s has %"
			    PRId64 ": merge databases of one version", m.paths[i],
			    v, m.paths[0], v0);
			m.failed = 1;
		} else if (v == STORE_SCHEMA_VERSION)
			(void)merge_plan(&m, i);
		merge_detach(&m);
	}
	if (!m.failed && v0 != STORE_SCHEMA_VERSION) {
		wsa_warn("%s: schema version %" PRId64 "; merge reads version %d"
		    " only (analyze the shards with this wsautopsy)", m.paths[0],
		    v0, STORE_SCHEMA_VERSION);
		m.failed = 1;
	}
	for (k = 0; k < m.ncaps; k++)
		merge_partial(&m.caps[k]);
	if (m.failed || merge_exec(&m, "CREATE INDEX temp.conn_map_part ON"
	    " conn_map(db, old_cap)") != 0 || merge_number(&m) != 0)
		goto done;
	for (i = 0; i < m.ndb && !m.failed; i++) {
		if (merge_attach(&m, i) != 0)
			break;
		for (k = 0; k < m.ncaps && !m.failed; k++)
			for (j = 0; j < m.caps[k].nparts && !m.failed; j++) {
				if (m.caps[k].parts[j].db != i)
					continue;
				(void)merge_part(&m, &m.caps[k],
				    &m.caps[k].parts[j], j == 0);
			}
		merge_detach(&m);
	}
	if (m.failed || merge_exec(&m, "BEGIN") != 0)
		goto done;
	for (k = 0; k < m.ncaps && !m.failed; k++)
		(void)merge_bounds(&m, &m.caps[k]);
	if (m.failed || merge_exec(&m, "COMMIT") != 0)
		goto done;
	for (k = 0; k < m.ncaps; k++) {
		if (!m.caps[k].partial)
			continue;
		held = merge_shard_list(m.caps[k].held, NULL, m.caps[k].n);
		wsa_warn("%s: capture %s: shards %s of %u only (its options say"
		    " --shard %s/%u)", out, m.caps[k].name, held,
		    (unsigned)m.caps[k].n, held, (unsigned)m.caps[k].n);
		free(held);
	}
	status = EXIT_OK;
done:
	merge_free(&m);
	store_close(m.out);
	if (status == EXIT_OK && rename(tmp, out) != 0) {
		wsa_warn("%s: %s", out, strerror(errno));
		status = EXIT_INPUT;
	}
	if (status != EXIT_OK)
		store_unlink(tmp);
	free(tmp);
	return status;
}
