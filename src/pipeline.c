/*
 * pipeline: capture file -> packets -> flow table.
 */
#include "config.h"

#include <string.h>

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
	struct capture     *cap;
	enum pipeline_result res;

	memset(st, 0, sizeof *st);
	cap = capture_open(path, filter, err, errlen);
	if (cap == NULL)
		return PIPELINE_OPEN_FAILED;
	if (pipeline_linktype_ok(cap, path, err, errlen) != 0) {
		capture_close(cap);
		return PIPELINE_OPEN_FAILED;
	}
	res = pipeline_run_open(cap, ft, st, progress, cbctx, stop, err,
	    errlen);
	capture_close(cap);
	return res;
}

enum pipeline_result
pipeline_run_open(struct capture *cap, struct flow_table *ft,
    struct pipeline_stats *st, pipeline_progress_cb *progress, void *cbctx,
    volatile int *stop, char *err, size_t errlen)
{
	struct capture_pkt  cp;
	struct packet       p;
	enum packet_kind    k;
	enum pipeline_result res = PIPELINE_OK;
	int                 r, dlt;

	memset(st, 0, sizeof *st);
	dlt = capture_linktype(cap);
	st->linktype = dlt;
	while ((r = capture_next(cap, &cp)) == 1) {
		st->packets = cp.number;
		st->matched++;
		st->bytes += cp.caplen;
		k = packet_decode(dlt, &cp, &p);
		st->pkt.kinds[k]++;
		if (k == PKT_TCP) {
			if (p.caplen < p.len)
				st->pkt.truncated++;
			flow_input(ft, &p);
		}
		if ((cp.number & 0xffff) == 0) {
			if (progress != NULL)
				progress(cbctx, st, capture_offset(cap),
				    capture_size(cap));
			if (stop != NULL && *stop) {
				res = PIPELINE_INTERRUPTED;
				break;
			}
		}
	}
	/* Past the last packet the filter took, the file may hold more. */
	st->packets = capture_records(cap);
	if (r < 0) {
		snprintf(err, errlen, "%s", capture_error(cap));
		res = PIPELINE_DAMAGED;
	}
	return res;
}
