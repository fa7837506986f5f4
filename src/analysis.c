/*
 * analysis: the driver of one capture's analysis. It opens the capture
 * (tapped for its hash), runs it through the flow table into the
 * sessions, fills the capture's summary, and only once every connection
 * has ended bounds the servers' limits, before the sink hears the
 * capture's end.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture-hash.h"
#include "capture-set.h"
#include "keylog.h"
#include "size-limits.h"
#include "analysis-int.h"
#include "session.h"
#include "workers.h"

static void analysis_progress(void *, const struct pipeline_stats *,
		uint64_t, uint64_t);
static void analysis_secrets(struct analysis *, const char *, char *, size_t);
static void analysis_secrets_said(const struct capture_set_info *,
		const char *const *, size_t, char (*)[600]);

/*
 * A capture's own TLS keys, in its pcapng Decryption Secrets Blocks
 * (editcap --inject-secrets), which libpcap does not hand over: from a
 * file (standard input is not read twice). A damaged block structure leaves its message in err, said only
 * when the capture's reader did not name the damage itself.
 */
static void
analysis_secrets(struct analysis *an, const char *path, char *err,
    size_t errlen)
{
	err[0] = '\0';
	/* One that cannot be opened is named once, by the capture's reader. */
	if (strcmp(path, "-") != 0 &&
	    keylog_load_dsb(an->keylog, path, err, errlen) != -1)
		err[0] = '\0';
}

/* The secrets walks' messages of files the reader read without damage. */
static void
analysis_secrets_said(const struct capture_set_info *si,
    const char *const *paths, size_t n, char (*errs)[600])
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (errs[i][0] == '\0')
			continue;
		for (j = 0; j < si->nfiles; j++)
			if (strcmp(si->files[j].path, paths[i]) == 0 &&
			    si->files[j].read && si->files[j].error[0] == '\0')
				wsa_warn("%s", errs[i]);
	}
}

void
analysis_opts_default(struct analysis_opts *o)
{
	memset(o, 0, sizeof *o);
	flow_limits_default(&o->flow);
	ws_config_default(&o->ws);
}

/* s quoted for a shell, in single quotes: a ' inside reads '\''. */
static void
analysis_opt_quote(const char *s, char *v, size_t len)
{
	size_t i, j = 0;

	v[j++] = '\'';
	for (i = 0; s[i] != '\0' && j + 6 < len; i++) {
		if (s[i] == '\'') {
			memcpy(v + j, "'\\''", 4);
			j += 4;
		} else
			v[j++] = s[i];
	}
	v[j++] = '\'';
	v[j] = '\0';
}

/* Appends " --name value" (or " --name") to out. */
static size_t
analysis_opt_cat(char *out, size_t len, size_t n, const char *name,
    const char *value)
{
	int k;

	if (n >= len)
		return n;
	k = snprintf(out + n, len - n, "%s%s%s%s", n ? " " : "", name,
	    value != NULL ? " " : "", value != NULL ? value : "");
	return k < 0 ? n : n + (size_t)k >= len ? len - 1 : n + (size_t)k;
}

void
analysis_opts_describe(const struct analysis_opts *o, char *out, size_t len)
{
	struct analysis_opts d;
	char                 v[600];
	size_t               n = 0, i;

	analysis_opts_default(&d);
	const struct {
		const char *name;
		uint64_t    val, def;
	} nums[] = {
		{ "--max-frame", o->ws.max_frame, d.ws.max_frame },
		{ "--max-message", o->ws.max_message, d.ws.max_message },
		{ "--max-inflate", o->ws.max_inflate, d.ws.max_inflate },
		{ "--max-flows", o->flow.max_flows, d.flow.max_flows },
		{ "--idle-timeout", o->flow.idle_timeout, d.flow.idle_timeout },
		{ "--ooo-per-dir", o->flow.ooo_per_dir, d.flow.ooo_per_dir },
		{ "--ooo-total", o->flow.ooo_total, d.flow.ooo_total },
	};

	out[0] = '\0';
	if (o->filter != NULL && o->filter[0] != '\0') {
		analysis_opt_quote(o->filter, v, sizeof v);
		n = analysis_opt_cat(out, len, n, "-f", v);
	}
	for (i = 0; i < (size_t)o->n_ws_ports; i++) {
		snprintf(v, sizeof v, "%u", (unsigned)o->ws_ports[i]);
		n = analysis_opt_cat(out, len, n, "--ws-port", v);
	}
	for (i = 0; i < (size_t)o->n_keylogs; i++) {
		analysis_opt_quote(o->keylogs[i], v, sizeof v);
		n = analysis_opt_cat(out, len, n, "--keylog", v);
	}
	for (i = 0; i < sizeof nums / sizeof nums[0]; i++) {
		if (nums[i].val == nums[i].def)
			continue;
		snprintf(v, sizeof v, "%" PRIu64, nums[i].val);
		n = analysis_opt_cat(out, len, n, nums[i].name, v);
	}
	if (o->ws.strict)
		n = analysis_opt_cat(out, len, n, "--strict", NULL);
	if (o->flow.shards > 1) {
		snprintf(v, sizeof v, "%u/%u", (unsigned)o->flow.shard + 1,
		    (unsigned)o->flow.shards);
		analysis_opt_cat(out, len, n, "--shard", v);
	}
}

struct analysis *
analysis_new(const struct analysis_opts *o, const struct sink_ops *sink,
    void *sink_ctx)
{
	struct analysis *an = xcalloc(1, sizeof *an);
	char             err[600];
	int              i;

	an->opts = *o;
	an->sink = sink;
	an->sink_ctx = sink_ctx;
	an->shared.scratch_len = 65536;
	an->shared.scratch = xmalloc(an->shared.scratch_len);
	an->limits = limits_new();
	an->keylog = keylog_new();
	for (i = 0; i < o->n_keylogs; i++)
		if (keylog_load_file(an->keylog, o->keylogs[i], err,
		    sizeof err) != 0)
			wsa_warn("%s", err);
	return an;
}

const char *
analysis_name(const struct analysis *an)
{
	return an->name;
}

void
analysis_free(struct analysis *an)
{
	if (an == NULL)
		return;
	free(an->shared.scratch);
	limits_free(an->limits);
	capture_set_free(an->set);
	keylog_free(an->keylog);
	free(an);
}

/* Live counts for the caller's progress line. */
static void
analysis_progress(void *arg, const struct pipeline_stats *ps, uint64_t off,
    uint64_t size)
{
	struct analysis *an = arg;

	an->sum->connections = an->workers != NULL ?
	    workers_connections(an->workers) : flow_table_stats(an->ft)->conns;
	an->progress(an->progress_ctx, ps, off, size);
}

struct analysis_reread {
	struct flow_table *ft;
	analysis_keep_fn  *keep;
	void              *ctx;
	volatile int       stop;
};

/* pipeline_packet_fn: a packet the re-read keeps goes to the flows. */
static void
analysis_reread_packet(void *arg, const struct packet *p)
{
	struct analysis_reread *rr = arg;
	int                     k = rr->keep(rr->ctx, p);

	if (k > 0)
		flow_input(rr->ft, p);
	else if (k < 0)
		rr->stop = 1;
}

enum pipeline_result
analysis_reread(struct analysis *an, struct capture_set *set,
    const char *const *paths, size_t n, analysis_keep_fn *keep,
    flow_id_fn *ids, void *ctx, char *err, size_t errlen)
{
	struct capture_summary sum;
	struct pipeline_stats  ps;
	struct analysis_reread rr;
	enum pipeline_result   r;
	char                   why[600];
	size_t                 i;

	memset(&sum, 0, sizeof sum);
	for (i = 0; i < n; i++)
		analysis_secrets(an, paths[i], why, sizeof why);
	an->sum = &sum;
	memset(&rr, 0, sizeof rr);
	rr.keep = keep;
	rr.ctx = ctx;
	an->ft = rr.ft = flow_table_new(&an->opts.flow, &session_stream_ops,
	    an);
	flow_table_ids(rr.ft, ids, ctx);
	r = pipeline_run_packets(set, analysis_reread_packet, &rr, &ps, NULL,
	    NULL, &rr.stop, err, errlen);
	/* Stopped past the last packet wanted: not an interruption. */
	if (r == PIPELINE_INTERRUPTED)
		r = PIPELINE_OK;
	flow_finish(rr.ft);
	flow_table_free(rr.ft);
	an->ft = NULL;
	an->sum = NULL;
	return r;
}

enum pipeline_result
analysis_run(struct analysis *an, const char *path, volatile int *stop,
    pipeline_progress_cb *progress, void *cbctx, struct capture_summary *sum,
    char *err, size_t errlen)
{
	return analysis_run_set(an, &path, 1, NULL, NULL, NULL, stop,
	    progress, cbctx, sum, err, errlen);
}

/*
 * The set's name: its label's last component, else its one file's name,
 * else its first and last files' ("ring_00000.pcap..ring_00004.pcap").
 */
static void
analysis_set_name(const struct capture_set_info *si, const char *label,
    char *name, size_t namelen, char *path, size_t pathlen)
{
	const char *first = si->files[0].path, *slash;
	size_t      end;

	if (label != NULL) {
		snprintf(path, pathlen, "%s", label);
		end = strlen(path);
		while (end > 1 && path[end - 1] == '/')
			path[--end] = '\0';
		slash = strrchr(path, '/');
		snprintf(name, namelen, "%s", slash != NULL && slash[1] != '\0' ?
		    slash + 1 : path);
		return;
	}
	if (si->nfiles == 1) {
		snprintf(path, pathlen, "%s", first);
		snprintf(name, namelen, "%s", si->files[0].name);
		return;
	}
	slash = strrchr(first, '/');
	if (slash == NULL)
		snprintf(path, pathlen, ".");
	else
		snprintf(path, pathlen, "%.*s", (int)(slash - first) ? (int)(slash -
		    first) : 1, first);
	snprintf(name, namelen, "%s..%s", si->files[0].name,
	    si->files[si->nfiles - 1].name);
}

/*
 * A set's identity: the SHA-256 of its files' SHA-256s, one per line in
 * set order; one file's is the file's own.
 */
static int
analysis_set_sha(const struct capture_set_info *si, char *hex)
{
	char  *list;
	size_t i;
	int    rc;

	for (i = 0; i < si->nfiles; i++)
		if (si->files[i].sha256[0] == '\0')
			return -1;
	if (si->nfiles == 1) {
		memcpy(hex, si->files[0].sha256, 65);
		return 0;
	}
	list = xmalloc(65 * si->nfiles);
	for (i = 0; i < si->nfiles; i++) {
		memcpy(list + 65 * i, si->files[i].sha256, 64);
		list[65 * i + 64] = '\n';
	}
	rc = capture_hash_bytes(list, 65 * si->nfiles, hex);
	free(list);
	return rc;
}

enum pipeline_result
analysis_run_set(struct analysis *an, const char *const *paths, size_t n,
    const char *label, capture_set_warn_fn *warn, void *warnctx,
    volatile int *stop, pipeline_progress_cb *progress, void *cbctx,
    struct capture_summary *sum, char *err, size_t errlen)
{
	struct capture_info      ci;
	struct flow_table       *ft = NULL;
	struct pipeline_stats    ps;
	struct flow_stats        fs_all;
	const struct flow_stats *fs = &fs_all;
	const struct capture_set_info *si;
	enum pipeline_result     r;
	struct capture_set      *set;
	char                     path[4096];
	size_t                   i;
	char                   (*dsb_errs)[600];

	memset(sum, 0, sizeof *sum);
	limits_reset(an->limits);
	dsb_errs = xcalloc(n, sizeof *dsb_errs);
	for (i = 0; i < n; i++)
		analysis_secrets(an, paths[i], dsb_errs[i], sizeof dsb_errs[i]);
	an->sum = sum;
	capture_set_free(an->set);
	/* Standard input is hashed as a file is: its identity is its bytes. */
	an->set = set = capture_set_open(paths, n, an->opts.filter,
	    !an->opts.no_hash, warn, warnctx, err, errlen);
	if (set == NULL) {
		free(dsb_errs);
		return PIPELINE_OPEN_FAILED;
	}
	si = capture_set_files(set);
	memset(&ci, 0, sizeof ci);
	analysis_set_name(si, label, an->name, sizeof an->name, path,
	    sizeof path);
	ci.path = path;
	ci.name = an->name;
	ci.size = capture_set_size(set);
	ci.linktype = si->files[0].linktype;
	analysis_opts_describe(&an->opts, ci.options, sizeof ci.options);
	/* Named by where it came from until (unless) the hash is known. */
	if (an->opts.no_hash)
		snprintf(ci.sha256, sizeof ci.sha256, "unhashed:%.54s", path);
	if (an->sink->capture_begin != NULL &&
	    an->sink->capture_begin(an->sink_ctx, &ci) != 0) {
		snprintf(err, errlen, "%s: the database refused the capture",
		    path);
		capture_set_free(set);
		an->set = NULL;
		free(dsb_errs);
		return PIPELINE_OPEN_FAILED;
	}
	capture_set_naming(set);
	an->progress = progress;
	an->progress_ctx = cbctx;
	if (an->opts.jobs > 1) {
		an->workers = workers_start(an, an->opts.jobs);
		r = pipeline_run_packets(set, workers_input, an->workers, &ps,
		    progress != NULL ? analysis_progress : NULL, an, stop, err,
		    errlen);
		/* Done decoding before the set's files are closed. */
		workers_finish(an->workers, sum, &fs_all);
		an->workers = NULL;
	} else {
		an->ft = ft = flow_table_new(&an->opts.flow,
		    &session_stream_ops, an);
		r = pipeline_run_set(set, ft, &ps, progress != NULL ?
		    analysis_progress : NULL, an, stop, err, errlen);
	}
	/* The hash is of every whole file, however far the analysis got. */
	si = capture_set_finish(set);
	sum->set = si;
	analysis_secrets_said(si, paths, n, dsb_errs);
	free(dsb_errs);
	/* A pipe's size is known once it was read. */
	if (ci.size == 0)
		sum->size = capture_set_size(set);
	if (ft != NULL) {
		flow_finish(ft);
		fs = flow_table_stats(ft);
	}
	sum->packets = ps.packets;
	sum->packets_matched = ps.matched;
	sum->bytes = ps.bytes;
	sum->tcp_packets = ps.pkt.kinds[PKT_TCP];
	sum->fragments = ps.pkt.kinds[PKT_FRAGMENT];
	sum->not_tcp = ps.pkt.kinds[PKT_NOT_TCP];
	sum->short_pkts = ps.pkt.kinds[PKT_SHORT];
	sum->malformed = ps.pkt.kinds[PKT_MALFORMED];
	sum->truncated_pkts = ps.pkt.truncated;
	sum->duplicates = si->duplicates;
	sum->connections = fs->conns;
	sum->gaps = fs->gaps;
	sum->gap_bytes = fs->gap_bytes;
	sum->conflicts = fs->conflicts;
	sum->unchecked = fs->unchecked;
	sum->unchecked_bytes = fs->unchecked_bytes;
	sum->cap_flows = fs->evicted_lru;
	sum->cap_idle = fs->evicted_idle;
	sum->cap_ooo_dir = fs->ooo_dir_hits;
	sum->cap_ooo_total = fs->ooo_total_hits;
	sum->peak_live = fs->live_max;
	sum->peak_ooo_bytes = fs->ooo_bytes_max;
	sum->complete = r == PIPELINE_OK;
	if (r == PIPELINE_INTERRUPTED)
		snprintf(err, errlen, "%s: interrupted after packet %llu",
		    path, (unsigned long long)ps.packets);
	if (r != PIPELINE_OK)
		snprintf(sum->error, sizeof sum->error, "%s", err);
	flow_table_free(ft);
	an->ft = NULL;
	if (!an->opts.no_hash && analysis_set_sha(si, sum->sha256) != 0)
		snprintf(sum->sha256, sizeof sum->sha256, "unhashed:%.54s",
		    path);
	/* Every connection has ended: bound each server's limit by all. */
	limits_finish(an->limits, an->sink, an->sink_ctx, &sum->cap_bounds);
	limits_export(an->limits, an->sink, an->sink_ctx);
	if (an->sink->capture_end != NULL &&
	    an->sink->capture_end(an->sink_ctx, sum) != 0 && r == PIPELINE_OK) {
		snprintf(err, errlen, "%s: the database could not store the "
		    "analysis", path);
		r = PIPELINE_DAMAGED;
	}
	capture_set_naming(NULL);
	return r;
}
