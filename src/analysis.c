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
#include "capture.h"
#include "keylog.h"
#include "size-limits.h"
#include "analysis-int.h"
#include "session.h"

static void analysis_progress(void *, const struct pipeline_stats *,
		uint64_t, uint64_t);
static void analysis_secrets(struct analysis *, const char *);

/*
 * The pcapng Decryption Secrets Blocks (editcap --inject-secrets), which
 * libpcap does not hand over: read by a walk of the file's blocks.
 */
#if defined(__has_include)
#if __has_include("pcapng-secrets.h")
#include "pcapng-secrets.h"
#define ANALYSIS_DSB 1

struct analysis_dsb {
	struct analysis *an;
	char             source[600];
};

static int
analysis_dsb_key(void *arg, uint32_t type, const uint8_t *data, size_t len)
{
	struct analysis_dsb *d = arg;

	if (type == PCAPNG_SECRETS_TLS_KEYLOG)
		keylog_add(d->an->keylog, d->source, data, len);
	return 0;
}
#endif
#endif

/* A capture's own TLS keys, from a file (standard input is not read twice). */
static void
analysis_secrets(struct analysis *an, const char *path)
{
#ifdef ANALYSIS_DSB
	struct analysis_dsb d;
	char                err[600];

	if (strcmp(path, "-") == 0)
		return;
	d.an = an;
	snprintf(d.source, sizeof d.source, "%s (decryption secrets block)",
	    path);
	if (pcapng_secrets_walk(path, analysis_dsb_key, &d, err, sizeof err) < 0)
		wsa_warn("%s", err);
#else
	(void)an;
	(void)path;
#endif
}

void
analysis_opts_default(struct analysis_opts *o)
{
	memset(o, 0, sizeof *o);
	flow_limits_default(&o->flow);
	ws_config_default(&o->ws);
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
	char                 v[300];
	size_t               n = 0, i, j;

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
		/* Quoted for a shell: a ' inside reads '\''. */
		for (i = 0, j = 0; o->filter[i] != '\0' && j + 5 < sizeof v; i++) {
			if (o->filter[i] == '\'') {
				memcpy(v + j, "'\\''", 4);
				j += 4;
			} else
				v[j++] = o->filter[i];
		}
		v[j] = '\0';
		n = snprintf(out, len, "-f '%s'", v) < (int)len ? strlen(out) :
		    len - 1;
	}
	for (i = 0; i < (size_t)o->n_ws_ports; i++) {
		snprintf(v, sizeof v, "%u", (unsigned)o->ws_ports[i]);
		n = analysis_opt_cat(out, len, n, "--ws-port", v);
	}
	for (i = 0; i < (size_t)o->n_keylogs; i++)
		n = analysis_opt_cat(out, len, n, "--keylog", o->keylogs[i]);
	for (i = 0; i < sizeof nums / sizeof nums[0]; i++) {
		if (nums[i].val == nums[i].def)
			continue;
		snprintf(v, sizeof v, "%" PRIu64, nums[i].val);
		n = analysis_opt_cat(out, len, n, nums[i].name, v);
	}
	if (o->ws.strict)
		analysis_opt_cat(out, len, n, "--strict", NULL);
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

void
analysis_free(struct analysis *an)
{
	if (an == NULL)
		return;
	free(an->shared.scratch);
	limits_free(an->limits);
	keylog_free(an->keylog);
	free(an);
}

/* Live counts for the caller's progress line. */
static void
analysis_progress(void *arg, const struct pipeline_stats *ps, uint64_t off,
    uint64_t size)
{
	struct analysis *an = arg;

	an->sum->connections = flow_table_stats(an->ft)->conns;
	an->progress(an->progress_ctx, ps, off, size);
}

enum pipeline_result
analysis_run(struct analysis *an, const char *path, volatile int *stop,
    pipeline_progress_cb *progress, void *cbctx, struct capture_summary *sum,
    char *err, size_t errlen)
{
	struct capture_info      ci;
	struct flow_table       *ft;
	struct pipeline_stats    ps;
	const struct flow_stats *fs;
	enum pipeline_result     r;
	const char              *slash;
	struct capture          *cap;
	struct capture_hash         hash;
	int                      hashing = 0, hashed = 0;

	memset(sum, 0, sizeof *sum);
	limits_reset(an->limits);
	analysis_secrets(an, path);
	an->sum = sum;
	/* Standard input is hashed as a file is: its identity is its bytes. */
	if (!an->opts.no_hash)
		hashing = capture_hash_start(&hash);
	cap = hashing ? capture_open_tap(path, an->opts.filter, capture_hash_tap,
	    &hash, err, errlen) : capture_open(path, an->opts.filter, err,
	    errlen);
	if (cap == NULL) {
		if (hashing)
			capture_hash_end(&hash, 0);
		return PIPELINE_OPEN_FAILED;
	}
	if (pipeline_linktype_ok(cap, path, err, errlen) != 0) {
		capture_close(cap);
		if (hashing)
			capture_hash_end(&hash, 0);
		return PIPELINE_OPEN_FAILED;
	}
	memset(&ci, 0, sizeof ci);
	ci.path = path;
	ci.size = capture_size(cap);
	ci.linktype = capture_linktype(cap);
	analysis_opts_describe(&an->opts, ci.options, sizeof ci.options);
	slash = strrchr(path, '/');
	ci.name = slash != NULL ? slash + 1 : path;
	/* Named by where it came from until (unless) the hash is known. */
	if (!hashing)
		snprintf(ci.sha256, sizeof ci.sha256, "unhashed:%.54s", path);
	if (an->sink->capture_begin != NULL &&
	    an->sink->capture_begin(an->sink_ctx, &ci) != 0) {
		snprintf(err, errlen, "%s: the database refused the capture",
		    path);
		capture_close(cap);
		if (hashing)
			capture_hash_end(&hash, 0);
		return PIPELINE_OPEN_FAILED;
	}
	ft = flow_table_new(&an->opts.flow, &session_stream_ops, an);
	an->ft = ft;
	an->progress = progress;
	an->progress_ctx = cbctx;
	r = pipeline_run_open(cap, ft, &ps, progress != NULL ?
	    analysis_progress : NULL, an, stop, err, errlen);
	an->ft = NULL;
	/* The hash is of the whole file, however far the analysis got. */
	hashed = hashing && capture_tap_rest(cap) == 0;
	/* A pipe's size is known once it was read. */
	if (ci.size == 0)
		sum->size = capture_bytes_read(cap);
	capture_close(cap);
	flow_finish(ft);
	fs = flow_table_stats(ft);
	sum->packets = ps.packets;
	sum->packets_matched = ps.matched;
	sum->bytes = ps.bytes;
	sum->tcp_packets = ps.pkt.kinds[PKT_TCP];
	sum->fragments = ps.pkt.kinds[PKT_FRAGMENT];
	sum->not_tcp = ps.pkt.kinds[PKT_NOT_TCP];
	sum->short_pkts = ps.pkt.kinds[PKT_SHORT];
	sum->malformed = ps.pkt.kinds[PKT_MALFORMED];
	sum->truncated_pkts = ps.pkt.truncated;
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
	if (hashing) {
		capture_hash_end(&hash, hashed);
		if (hash.ok)
			memcpy(sum->sha256, hash.hex, sizeof sum->sha256);
		else
			snprintf(sum->sha256, sizeof sum->sha256,
			    "unhashed:%.54s", path);
	}
	/* Every connection has ended: bound each server's limit by all. */
	limits_finish(an->limits, an->sink, an->sink_ctx, &sum->cap_bounds);
	if (an->sink->capture_end != NULL &&
	    an->sink->capture_end(an->sink_ctx, sum) != 0 && r == PIPELINE_OK) {
		snprintf(err, errlen, "%s: the database could not store the "
		    "analysis", path);
		r = PIPELINE_DAMAGED;
	}
	return r;
}
