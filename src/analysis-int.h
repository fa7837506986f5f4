/*
 * The state of one analysis that every connection reads: options, sink,
 * the decoders' shared scratch, the capture's summary and the servers'
 * limits. Private to analysis.c and the per-connection code.
 */
#ifndef ANALYSIS_INT_H
#define ANALYSIS_INT_H

#include "analysis.h"

struct limits;
struct keylog;

struct analysis {
	struct analysis_opts     opts;
	struct limits           *limits;
	struct keylog           *keylog;      /* --keylog and the DSBs read */
	const struct sink_ops   *sink;
	void                    *sink_ctx;
	struct ws_shared         shared;
	struct capture_summary  *sum;
	struct flow_table       *ft;          /* while a capture is read */
	struct workers          *workers;     /* instead, with jobs > 1 */
	pipeline_progress_cb    *progress;
	void                    *progress_ctx;
	struct capture_set      *set;         /* the last one read */
	char                     name[512];   /* its capture name */
};

#endif
