/*
 * full-payload: whole payloads read back from the capture (see
 * full-payload.h). The chosen connections are found by their addresses
 * and their first and last packets; a packet goes on to the decoding
 * only when it is one of theirs, so memory holds those connections
 * alone, and the reading stops past the last of their packets.
 */
#include "config.h"

#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis-opts.h"
#include "capture-hash.h"
#include "escape.h"
#include "full-payload.h"
#include "packet.h"

const struct cmd_option full_payload_verify_options[] = {
	{ .name = "verify", .key = FULL_PAYLOAD_VERIFY,
	  .help = "hash every capture file in full before reading it, even "
	    "one of the recorded size not written since the analysis",
	  .doc = "Read the SHA\\-256 of every capture file before reading it "
	    "again.\n"
	    "Without it a file whose size is the one recorded and whose\n"
	    "modification time is before the second the analysis started\n"
	    ".RB ( analyzed_at )\n"
	    "is taken as the file analysed without reading it whole: a 20 GB\n"
	    "ring is not read to find one connection.\n"
	    "A file changed in place and given an old time back\n"
	    ".RB ( touch \\-d )\n"
	    "is caught only with\n"
	    ".BR \\-\\-verify ." },
	{ 0 }
};

/* A chosen connection, its endpoints as packets carry them. */
struct fp_conn {
	int64_t  id;
	uint64_t first, last;     /* ordinals of its first and last packets */
	int      family;
	uint8_t  addr[2][16];     /* client, server */
	uint16_t port[2];
	int      tls;
	size_t   next;            /* chain of its hash bucket, + 1; 0 end */
};

/* When the capture was analysed, in seconds since the epoch, or NULL. */
#define FP_ANALYSED "(SELECT CAST(strftime('%s', analyzed_at) AS INTEGER)" \
	" FROM capture_t WHERE capture_id = ?1)"

struct fp_file {
	char    *path;
	char    *sha256;
	uint64_t size;
	int64_t  analysed;
	struct wts last;
	int      has_last;
	struct capture_checkpoint start;  /* where the re-read begins */
	int      skip;
};

struct fp {
	sqlite3        *db;
	sqlite3_stmt   *ins;
	struct fp_conn *c;
	size_t          n;
	size_t         *bucket;   /* index + 1; 0 empty */
	size_t          nbucket;
	uint64_t        min_first, max_last;
	uint64_t        seen, kept;  /* TCP packets read, and handed on */
	int             failed;
	char            err[512];
};

static int      fp_endpoint(const char *, int *, uint8_t *, uint16_t *);
static size_t   fp_hash(int, const uint8_t *, uint16_t, const uint8_t *,
		uint16_t);
static int      fp_keep(void *, const struct packet *);
static uint64_t fp_id(void *, uint64_t);
static void     fp_message(void *, uint64_t, int, const struct ws_message *);
static int      fp_conns(struct fp *, int64_t, const int64_t *, size_t);
static int      fp_files(sqlite3 *, int64_t, struct fp_file **, size_t *,
		char *, size_t);
static int      fp_starts(sqlite3 *, int64_t, struct fp_file *, size_t,
		const struct fp *, int *);
static int      fp_has_table(sqlite3 *, const char *);
static int      fp_query_only(sqlite3 *, int);
static char    *fp_locate(sqlite3 *, const char *);

/* "1.2.3.4:80" or "[::1]:80": 0, or -1. */
static int
fp_endpoint(const char *s, int *family, uint8_t *addr, uint16_t *port)
{
	char        a[64];
	const char *colon = strrchr(s, ':');
	size_t      n;
	long        p;
	char       *end;

	if (colon == NULL)
		return -1;
	n = (size_t)(colon - s);
	if (s[0] == '[' && n >= 2 && s[n - 1] == ']') {
		s++;
		n -= 2;
		*family = 6;
	} else
		*family = 4;
	if (n >= sizeof a)
		return -1;
	memcpy(a, s, n);
	a[n] = '\0';
	p = strtol(colon + 1, &end, 10);
	if (*end != '\0' || p < 0 || p > 65535)
		return -1;
	*port = (uint16_t)p;
	memset(addr, 0, 16);
	return inet_pton(*family == 6 ? AF_INET6 : AF_INET, a, addr) == 1 ?
	    0 : -1;
}

/* The same for both directions of a connection. */
static size_t
fp_hash(int family, const uint8_t *a, uint16_t pa, const uint8_t *b,
    uint16_t pb)
{
	size_t h = (size_t)family * 31u + (size_t)(pa ^ pb) * 2654435761u;
	int    i, n = family == 6 ? 16 : 4;

	for (i = 0; i < n; i++)
		h = h * 131u + (size_t)(a[i] ^ b[i]);
	return h;
}

/* analysis_keep_fn: a packet of a chosen connection, in its span. */
static int
fp_keep(void *arg, const struct packet *p)
{
	struct fp            *fp = arg;
	const struct fp_conn *c;
	size_t                i, n = p->family == 6 ? 16 : 4;

	fp->seen++;
	if (p->number > fp->max_last)
		return -1;
	if (p->number < fp->min_first)
		return 0;
	i = fp->bucket[fp_hash(p->family, p->src, p->sport, p->dst,
	    p->dport) & (fp->nbucket - 1)];
	for (; i != 0; i = c->next) {
		c = &fp->c[i - 1];
		if (c->family != p->family || p->number < c->first ||
		    p->number > c->last)
			continue;
		if ((memcmp(c->addr[0], p->src, n) == 0 && c->port[0] ==
		    p->sport && memcmp(c->addr[1], p->dst, n) == 0 &&
		    c->port[1] == p->dport) || (memcmp(c->addr[1], p->src, n) ==
		    0 && c->port[1] == p->sport && memcmp(c->addr[0], p->dst,
		    n) == 0 && c->port[0] == p->dport)) {
			fp->kept++;
			return 1;
		}
	}
	return 0;
}

/* flow_id_fn: the database's id of the connection that starts there. */
static uint64_t
fp_id(void *arg, uint64_t first)
{
	struct fp *fp = arg;
	size_t     lo = 0, hi = fp->n, mid;

	/* fp->c is sorted by first packet. */
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (fp->c[mid].first < first)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* A connection the analysis did not start there: nobody's. */
	return lo < fp->n && fp->c[lo].first == first ? (uint64_t)fp->c[lo].id :
	    0;
}

/* The sink's message call: the payload, if message_t has the message. */
static void
fp_message(void *arg, uint64_t conn_id, int sender,
    const struct ws_message *m)
{
	struct fp *fp = arg;

	if (conn_id == 0 || fp->failed)
		return;
	sqlite3_reset(fp->ins);
	sqlite3_bind_int64(fp->ins, 1, (int64_t)conn_id);
	sqlite3_bind_int(fp->ins, 2, sender);
	sqlite3_bind_int64(fp->ins, 3, (int64_t)m->id);
	sqlite3_bind_blob(fp->ins, 4, m->prefix_len ? (const void *)m->prefix :
	    "", (int)m->prefix_len, SQLITE_STATIC);
	sqlite3_bind_int(fp->ins, 5, m->prefix_len < m->decoded_size ||
	    m->inflate_capped);
	if (sqlite3_step(fp->ins) != SQLITE_DONE) {
		snprintf(fp->err, sizeof fp->err, "full payloads: %s",
		    sqlite3_errmsg(fp->db));
		fp->failed = 1;
	}
}

static const struct sink_ops fp_sink_ops = {
	.message = fp_message,
};

/*
 * Where a stored path is now: as stored; a relative one that is not there
 * (analyze ran in another directory) is tried beside the database too.
 */
static char *
fp_locate(sqlite3 *db, const char *stored)
{
	const char *dbfile = sqlite3_db_filename(db, "main"), *slash;
	char       *near;
	size_t      n;

	if (stored[0] == '/' || stored[0] == '\0' || access(stored, F_OK) == 0 ||
	    dbfile == NULL || (slash = strrchr(dbfile, '/')) == NULL)
		return xstrdup(stored);
	n = (size_t)(slash - dbfile) + 1 + strlen(stored) + 1;
	near = xmalloc(n);
	snprintf(near, n, "%.*s/%s", (int)(slash - dbfile), dbfile, stored);
	if (access(near, F_OK) == 0)
		return near;
	free(near);
	return xstrdup(stored);
}

static int
fp_has_table(sqlite3 *db, const char *name)
{
	sqlite3_stmt *st;
	int           yes = 0;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type ="
	    " 'table' AND name = ?1", -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	yes = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return yes;
}

/* The chosen connections, sorted by first packet, and their buckets. */
static int
fp_conns(struct fp *fp, int64_t capture_id, const int64_t *ids, size_t n)
{
	sqlite3_stmt   *st;
	struct fp_conn *c;
	size_t          cap = 0, i, h;
	int             fam2;

	if (sqlite3_prepare_v2(fp->db, "SELECT connection_id, client, server,"
	    " first_packet, last_packet, tls_version IS NOT NULL FROM"
	    " connection_t WHERE capture_id = ?1 AND first_packet IS NOT NULL"
	    " AND (?2 IS NULL OR connection_id IN (SELECT value FROM"
	    " json_each(?2))) ORDER BY first_packet", -1, &st, NULL) !=
	    SQLITE_OK) {
		snprintf(fp->err, sizeof fp->err, "%s", sqlite3_errmsg(fp->db));
		return -1;
	}
	sqlite3_bind_int64(st, 1, capture_id);
	if (n > 0) {
		char  *list = xmalloc(n * 24 + 3);
		size_t k = 0;

		list[k++] = '[';
		for (i = 0; i < n; i++)
			k += (size_t)sprintf(list + k, "%s%" PRId64, i ? "," :
			    "", ids[i]);
		list[k++] = ']';
		list[k] = '\0';
		sqlite3_bind_text(st, 2, list, -1, free);
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (fp->n == cap) {
			cap = cap ? 2 * cap : 16;
			fp->c = xrealloc(fp->c, cap * sizeof *fp->c);
		}
		c = &fp->c[fp->n];
		memset(c, 0, sizeof *c);
		c->id = sqlite3_column_int64(st, 0);
		c->first = (uint64_t)sqlite3_column_int64(st, 3);
		c->last = (uint64_t)sqlite3_column_int64(st, 4);
		c->tls = sqlite3_column_int(st, 5);
		if (sqlite3_column_text(st, 1) == NULL ||
		    sqlite3_column_text(st, 2) == NULL ||
		    fp_endpoint((const char *)sqlite3_column_text(st, 1),
		    &c->family, c->addr[0], &c->port[0]) != 0 ||
		    fp_endpoint((const char *)sqlite3_column_text(st, 2),
		    &fam2, c->addr[1], &c->port[1]) != 0 || fam2 != c->family)
			continue;
		fp->n++;
	}
	sqlite3_finalize(st);
	for (fp->nbucket = 16; fp->nbucket < 2 * fp->n; fp->nbucket *= 2)
		;
	fp->bucket = xcalloc(fp->nbucket, sizeof *fp->bucket);
	fp->min_first = UINT64_MAX;
	for (i = 0; i < fp->n; i++) {
		c = &fp->c[i];
		h = fp_hash(c->family, c->addr[0], c->port[0], c->addr[1],
		    c->port[1]) & (fp->nbucket - 1);
		c->next = fp->bucket[h];
		fp->bucket[h] = i + 1;
		if (c->first < fp->min_first)
			fp->min_first = c->first;
		if (c->last > fp->max_last)
			fp->max_last = c->last;
	}
	return 0;
}

/* The capture's files, in set order (one row for a database before sets). */
static int
fp_files(sqlite3 *db, int64_t capture_id, struct fp_file **out, size_t *n,
    char *err, size_t errlen)
{
	sqlite3_stmt   *st;
	struct fp_file *f = NULL;
	size_t          k = 0;
	const char     *sql = fp_has_table(db, "capture_file_t") ?
	    "SELECT path, sha256, size, last_sec, last_nsec, " FP_ANALYSED
	    " FROM capture_file_t WHERE capture_id = ?1 UNION ALL SELECT path,"
	    " sha256, size, NULL, NULL, " FP_ANALYSED " FROM capture_t WHERE"
	    " capture_id = ?1 AND NOT EXISTS (SELECT 1 FROM capture_file_t"
	    " WHERE capture_id = ?1)" :
	    "SELECT path, sha256, size, NULL, NULL, " FP_ANALYSED " FROM"
	    " capture_t WHERE capture_id = ?1";

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_bind_int64(st, 1, capture_id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		f = xrealloc(f, (k + 1) * sizeof *f);
		memset(&f[k], 0, sizeof f[k]);
		f[k].path = fp_locate(db, sqlite3_column_text(st, 0) != NULL ?
		    (const char *)sqlite3_column_text(st, 0) : "");
		if (sqlite3_column_text(st, 1) != NULL)
			f[k].sha256 = xstrdup((const char *)
			    sqlite3_column_text(st, 1));
		f[k].size = (uint64_t)sqlite3_column_int64(st, 2);
		f[k].has_last = sqlite3_column_type(st, 3) != SQLITE_NULL;
		f[k].last.sec = sqlite3_column_int64(st, 3);
		f[k].last.nsec = (uint32_t)sqlite3_column_int64(st, 4);
		f[k].analysed = sqlite3_column_type(st, 5) == SQLITE_NULL ? -1 :
		    sqlite3_column_int64(st, 5);
		k++;
	}
	sqlite3_finalize(st);
	*out = f;
	*n = k;
	if (k == 0) {
		snprintf(err, errlen, "no capture %" PRId64 " in the database",
		    capture_id);
		return -1;
	}
	return 0;
}

static void
fp_files_free(struct fp_file *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(f[i].path);
		free(f[i].sha256);
	}
	free(f);
}

/* fp_files, each file checked by capture_hash_check. */
static int
fp_checked(sqlite3 *db, int64_t capture_id, int verify, struct fp_file **out,
    size_t *n, char *err, size_t errlen)
{
	size_t i;

	*out = NULL;
	*n = 0;
	if (fp_files(db, capture_id, out, n, err, errlen) != 0)
		return -1;
	for (i = 0; i < *n; i++)
		if (capture_hash_check((*out)[i].path, (*out)[i].size,
		    (*out)[i].sha256, (*out)[i].analysed, verify, err,
		    errlen) != 0)
			return -1;
	return 0;
}

int
full_payload_opts(sqlite3 *db, int64_t capture_id, struct analysis_opts *o,
    char **words, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	char          msg[1024];
	int           rc = 0;

	analysis_opts_default(o);
	*words = NULL;
	if (sqlite3_prepare_v2(db, "SELECT options FROM capture_t WHERE"
	    " capture_id = ?1", -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_bind_int64(st, 1, capture_id);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) !=
	    NULL && analysis_opts_stored(&cmd_analyze_entry,
	    (const char *)sqlite3_column_text(st, 0), o, words, msg,
	    sizeof msg) != 0) {
		snprintf(err, errlen, "capture %" PRId64 ": %s", capture_id,
		    msg);
		rc = -1;
	}
	sqlite3_finalize(st);
	return rc;
}

int
full_payload_files(sqlite3 *db, int64_t capture_id, int verify,
    char ***paths, size_t *n, char *err, size_t errlen)
{
	struct fp_file *f;
	size_t          k, i;

	*paths = NULL;
	*n = 0;
	if (fp_checked(db, capture_id, verify, &f, &k, err, errlen) != 0) {
		fp_files_free(f, k);
		return -1;
	}
	*paths = xcalloc(k, sizeof **paths);
	for (i = 0; i < k; i++) {
		(*paths)[i] = f[i].path;
		f[i].path = NULL;
	}
	*n = k;
	fp_files_free(f, k);
	return 0;
}

/*
 * Where each file's re-read begins: its last checkpoint before the first
 * chosen connection, by time (so the files merge as they did), or, in the
 * file of that connection's first packet, at or before that packet. A
 * file that ended before it is not read. *indexed: 0 when the database
 * kept no checkpoints (before version 7): every file from its start.
 */
static int
fp_starts(sqlite3 *db, int64_t capture_id, struct fp_file *f, size_t n,
    const struct fp *fp, int *indexed)
{
	sqlite3_stmt *st;
	struct wts    t0;
	int64_t       file0 = 0, number0 = (int64_t)fp->min_first;
	size_t        i;

	for (i = 0; i < n; i++) {
		f[i].start.number = 1;
		f[i].start.offset = 0;   /* 0: from the file's start */
	}
	*indexed = 0;
	if (!fp_has_table(db, "packet_index_t"))
		return 0;
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM packet_index_t WHERE"
	    " capture_id = ?1 LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, capture_id);
	*indexed = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	if (!*indexed)
		return 0;
	/* The first packet's file, its number there, and its time. */
	if (n > 1 && sqlite3_prepare_v2(db, "SELECT file_index, number + (?2 -"
	    " ordinal) FROM capture_span_t WHERE capture_id = ?1 AND ordinal"
	    " <= ?2 ORDER BY ordinal DESC LIMIT 1", -1, &st, NULL) ==
	    SQLITE_OK) {
		sqlite3_bind_int64(st, 1, capture_id);
		sqlite3_bind_int64(st, 2, (int64_t)fp->min_first);
		if (sqlite3_step(st) == SQLITE_ROW) {
			file0 = sqlite3_column_int64(st, 0);
			number0 = sqlite3_column_int64(st, 1);
		}
		sqlite3_finalize(st);
	}
	memset(&t0, 0, sizeof t0);
	if (sqlite3_prepare_v2(db, "SELECT min(first_sec * 1000000000 +"
	    " first_nsec) FROM connection_t WHERE capture_id = ?1 AND"
	    " first_packet = ?2", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, capture_id);
	sqlite3_bind_int64(st, 2, (int64_t)fp->min_first);
	if (sqlite3_step(st) == SQLITE_ROW) {
		t0.sec = sqlite3_column_int64(st, 0) / 1000000000;
		t0.nsec = (uint32_t)(sqlite3_column_int64(st, 0) % 1000000000);
	}
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(db, "SELECT packet, t_sec, t_nsec, file_offset"
	    " FROM packet_index_t WHERE capture_id = ?1 AND file_index = ?2"
	    " AND packet >= 1 AND file_offset > 0 AND (t_sec * 1000000000 + t_nsec < ?3 OR (file_index = ?4 AND"
	    " packet <= ?5)) ORDER BY packet DESC LIMIT 1", -1, &st, NULL) !=
	    SQLITE_OK)
		return -1;
	for (i = 0; i < n; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, capture_id);
		sqlite3_bind_int64(st, 2, (int64_t)i);
		sqlite3_bind_int64(st, 3, t0.sec * 1000000000 + t0.nsec);
		sqlite3_bind_int64(st, 4, file0);
		sqlite3_bind_int64(st, 5, number0);
		if (sqlite3_step(st) == SQLITE_ROW) {
			f[i].start.number = (uint64_t)sqlite3_column_int64(st, 0);
			f[i].start.ts.sec = sqlite3_column_int64(st, 1);
			f[i].start.ts.nsec = (uint32_t)sqlite3_column_int64(st,
			    2);
			f[i].start.offset = (uint64_t)sqlite3_column_int64(st,
			    3);
		}
		/* Its packets all came before the first one wanted. */
		if (n > 1 && (int64_t)i != file0 && f[i].has_last &&
		    (f[i].last.sec < t0.sec || (f[i].last.sec == t0.sec &&
		    f[i].last.nsec < t0.nsec)))
			f[i].skip = 1;
	}
	sqlite3_finalize(st);
	return 0;
}

/* PRAGMA query_only: 1, 0, -1 unknown. */
static int
fp_query_only(sqlite3 *db, int set)
{
	sqlite3_stmt *st;
	int           was = -1;

	if (sqlite3_prepare_v2(db, "PRAGMA query_only", -1, &st, NULL) ==
	    SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			was = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	if (set >= 0)
		(void)sqlite3_exec(db, set ? "PRAGMA query_only = 1" :
		    "PRAGMA query_only = 0", NULL, NULL, NULL);
	return was;
}

int
full_payload_table(sqlite3 *db)
{
	int was = fp_query_only(db, 0), rc;

	rc = sqlite3_exec(db, FULL_PAYLOAD_DDL, NULL, NULL, NULL);
	if (was > 0)
		fp_query_only(db, 1);
	return rc;
}

int
full_payload_fill(sqlite3 *db, int64_t capture_id, const int64_t *conn_ids,
    size_t nconn, uint64_t max_payload, int verify, char *err,
    size_t errlen)
{
	struct analysis_opts  o;
	struct analysis      *an = NULL;
	struct capture_set   *set = NULL;
	struct capture_span  *spans = NULL;
	struct fp_file       *files = NULL;
	struct fp             fp;
	sqlite3_stmt         *st;
	const char          **paths = NULL;
	const struct capture_set_info *si;
	char                 *words = NULL, name[1024];
	size_t                nfiles = 0, nspans = 0, i;
	int                   rc = -1, indexed, was;
	enum pipeline_result  r;

	memset(&fp, 0, sizeof fp);
	fp.db = db;
	err[0] = '\0';
	/* Only the TEMP table is written: the database stays as it was. */
	was = fp_query_only(db, 0);
	if (sqlite3_exec(db, FULL_PAYLOAD_DDL, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO temp.full_payload"
	    " (connection_id, direction, message_id, payload, truncated)"
	    " SELECT ?1, ?2, ?3, ?4, ?5 WHERE EXISTS (SELECT 1 FROM message_t"
	    " WHERE connection_id = ?1 AND direction = ?2 AND message_id ="
	    " ?3)", -1, &fp.ins, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "full payloads: %s", sqlite3_errmsg(db));
		if (was > 0)
			fp_query_only(db, 1);
		return -1;
	}
	if (fp_conns(&fp, capture_id, conn_ids, nconn) != 0) {
		snprintf(err, errlen, "%s", fp.err);
		goto out;
	}
	if (fp.n == 0) {
		rc = 0;
		goto out;
	}
	if (fp_checked(db, capture_id, verify, &files, &nfiles, err,
	    errlen) != 0)
		goto out;
	if (full_payload_opts(db, capture_id, &o, &words, err, errlen) != 0)
		goto out;
	err[0] = '\0';
	o.no_hash = 1;
	o.flow.shards = 0;
	o.ws.payload_cap = max_payload < WS_PAYLOAD_CAP_MAX ?
	    (size_t)max_payload : WS_PAYLOAD_CAP_MAX;
	if (fp_starts(db, capture_id, files, nfiles, &fp, &indexed) != 0)
		goto sqlfail;
	if (!indexed) {
		esc_terminal_str(files[0].path, name, sizeof name);
		wsa_warn("%s: the database keeps no packet offsets for it "
		    "(analysed before schema version 7, or from standard "
		    "input): reading the capture from its start", name);
	}
	if (nfiles > 1) {
		if (sqlite3_prepare_v2(db, "SELECT ordinal, number, count,"
		    " file_index FROM capture_span_t WHERE capture_id = ?1 ORDER"
		    " BY ordinal", -1, &st, NULL) != SQLITE_OK)
			goto sqlfail;
		sqlite3_bind_int64(st, 1, capture_id);
		while (sqlite3_step(st) == SQLITE_ROW) {
			spans = xrealloc(spans, (nspans + 1) * sizeof *spans);
			spans[nspans].ordinal = (uint64_t)sqlite3_column_int64(st,
			    0);
			spans[nspans].number = (uint64_t)sqlite3_column_int64(st,
			    1);
			spans[nspans].count = (uint64_t)sqlite3_column_int64(st,
			    2);
			spans[nspans].file = (uint32_t)sqlite3_column_int64(st,
			    3);
			nspans++;
		}
		sqlite3_finalize(st);
	}
	paths = xcalloc(nfiles, sizeof *paths);
	for (i = 0; i < nfiles; i++)
		paths[i] = files[i].path;
	set = capture_set_open(paths, nfiles, o.filter, 0, NULL, NULL, err,
	    errlen);
	if (set == NULL)
		goto out;
	si = capture_set_files(set);
	for (i = 0; i < nfiles; i++) {
		if (i >= si->nfiles || strcmp(si->files[i].path, paths[i]) != 0) {
			snprintf(err, errlen, "%s: the files of the capture set "
			    "no longer sort as they did", files[0].path);
			goto out;
		}
		/* Without a checkpoint, from the start as usual. */
		if ((files[i].skip || files[i].start.offset != 0) &&
		    capture_set_start(set, (uint32_t)i, files[i].skip ? NULL :
		    &files[i].start, err, errlen) != 0)
			goto out;
	}
	if (nfiles > 1)
		capture_set_ordinals(set, spans, nspans);
	an = analysis_new(&o, &fp_sink_ops, &fp);
	r = analysis_reread(an, set, paths, nfiles, fp_keep, fp_id, &fp, err,
	    errlen);
	if (getenv("WSAUTOPSY_DEBUG_REREAD") != NULL)
		fprintf(stderr, "full-payload: %" PRIu64 " TCP packets read, %"
		    PRIu64 " kept\n", fp.seen, fp.kept);
	if (fp.failed) {
		snprintf(err, errlen, "%s", fp.err);
		goto out;
	}
	if (r != PIPELINE_OK)
		goto out;
	err[0] = '\0';
	rc = 0;
	goto out;
sqlfail:
	snprintf(err, errlen, "full payloads: %s", sqlite3_errmsg(db));
out:
	analysis_free(an);
	capture_set_free(set);
	fp_files_free(files, nfiles);
	free(paths);
	free(spans);
	free(words);
	free(fp.c);
	free(fp.bucket);
	sqlite3_finalize(fp.ins);
	if (was > 0)
		fp_query_only(db, 1);
	return rc;
}
