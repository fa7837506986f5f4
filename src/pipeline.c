/*
 * pipeline: capture file -> packets -> flow table.
 */
#include "config.h"

#include <string.h>

#include "capture-set.h"
#include "capture.h"
#include "pipeline.h"

int
pipeline_linktype_ok(const struct capture *cap, const char *path, char *err,
    size_t errlen)
{
	if (packet_linktype_supported(capture_linktype(cap)))
		return 0;
	snprintf(err, errlen, "%s: unsupported link type %s (%d); supported: "
	    "Ethernet, Linux cooked v1/v2, raw IP, BSD loopback", path,
	    packet_linktype_name(capture_linktype(cap)),
	    capture_linktype(cap));
	return -1;
}

enum pipeline_result
pipeline_run(const char *path, const char *filter, struct flow_table *ft,
    struct pipeline_stats *st, pipeline_progress_cb *progress, void *cbctx,
    volatile int *stop, char *err, size_t errlen)
{
	struct capture_set  *set;
	enum pipeline_result res;

	memset(st, 0, sizeof *st);
	set = capture_set_open(&path, 1, filter, 0, NULL, NULL, err, errlen);
	if (set == NULL)
		return PIPELINE_OPEN_FAILED;
	res = pipeline_run_set(set, ft, st, progress, cbctx, stop, err,
	    errlen);
	capture_set_finish(set);
	capture_set_free(set);
	return res;
}

static void
pipeline_flow(void *ft, const struct packet *p)
{
	flow_input(ft, p);
}

enum pipeline_result
pipeline_run_set(struct capture_set *set, struct flow_table *ft,
    struct pipeline_stats *st, pipeline_progress_cb *progress, void *cbctx,
    volatile int *stop, char *err, size_t errlen)
{
	return pipeline_run_packets(set, pipeline_flow, ft, st, progress,
	    cbctx, stop, err, errlen);
}

enum pipeline_result
pipeline_run_packets(struct capture_set *set, pipeline_packet_fn *to,
    void *toctx, struct pipeline_stats *st, pipeline_progress_cb *progress,
    void *cbctx, volatile int *stop, char *err, size_t errlen)
{
	struct capture_pkt  cp;
	struct packet       p;
	enum packet_kind    k;
	enum pipeline_result res = PIPELINE_OK;
	const char         *why;
	uint32_t            file;

	memset(st, 0, sizeof *st);
	while (capture_set_next(set, &cp, &file) == 1) {
		st->packets = cp.number;
		st->matched++;
		st->bytes += cp.caplen;
		k = packet_decode(cp.linktype, &cp, &p);
		/* A copy from an overlapping file: read once. */
		if (k == PKT_TCP && capture_set_duplicate(set, file, &p))
			continue;
		st->pkt.kinds[k]++;
		if (k == PKT_TCP) {
			if (p.caplen < p.len)
				st->pkt.truncated++;
			to(toctx, &p);
		}
		if ((st->matched & 0xffff) == 0 && progress != NULL)
			progress(cbctx, st, capture_set_offset(set),
			    capture_set_size(set));
		/* A volatile load a packet: a re-read stops right where asked. */
		if (stop != NULL && *stop) {
			res = PIPELINE_INTERRUPTED;
			break;
		}
	}
	/* Past the last packet the filter took, the files may hold more. */
	if (res == PIPELINE_OK)
		capture_set_finish(set);
	st->packets = capture_set_records(set);
	if (res == PIPELINE_OK && (why = capture_set_error(set)) != NULL) {
		snprintf(err, errlen, "%s", why);
		res = PIPELINE_DAMAGED;
	}
	return res;
}
