/*
 * analysis: one capture's analysis. It reads the capture through the flow
 * table into the per-connection session (session.c), hashes the file
 * beside it (capture-hash.c), and at the end bounds every server's limits
 * with all its connections (size-limits.c) before the capture's summary goes
 * to the sink.
 */
#ifndef ANALYSIS_H
#define ANALYSIS_H

#include "capture-set.h"
#include "flow.h"
#include "pipeline.h"
#include "sink.h"

#define ANALYSIS_MAX_WS_PORTS 16
#define ANALYSIS_MAX_KEYLOGS  16

/*
 * What the HTTP and WebSocket stages of each connection read (after TLS),
 * for a command that needs the bytes themselves (replay sends a client's
 * own bytes again). Called on the decoding thread, in stream order.
 */
struct analysis_tap {
	void (*data)(void *, uint64_t conn_id, int role, uint64_t off,
	    const uint8_t *, size_t, struct wts);
	void (*gap)(void *, uint64_t conn_id, int role, uint64_t off,
	    uint64_t len);
	void  *arg;
};

struct analysis_opts {
	struct flow_limits flow;
	struct ws_config   ws;      /* payload cap, limits, strictness */
	uint16_t           ws_ports[ANALYSIS_MAX_WS_PORTS];
	int                n_ws_ports;
	const char        *filter;
	const char        *keylogs[ANALYSIS_MAX_KEYLOGS];   /* --keylog */
	int                n_keylogs;
	int                no_hash; /* skip SHA-256 */
	/*
	 * Decode threads (workers.h); 0 or 1: the reader decodes. Not an
	 * option that changes what is found.
	 */
	unsigned           jobs;
	/* Not an option either: NULL, or who reads the bytes too. */
	const struct analysis_tap *tap;
	/*
	 * Nor this: a connection whose client messages are kept whole (the
	 * payload cap WS_PAYLOAD_CAP_MAX for it alone, as replay --reframe
	 * needs them); 0: none.
	 */
	uint64_t           whole_client;
};

void analysis_opts_default(struct analysis_opts *);
/*
 * The options that change what is found, as a command line gives them,
 * defaults left out: the captures table records them.
 */
void analysis_opts_describe(const struct analysis_opts *, char *, size_t);

struct analysis;
struct analysis *analysis_new(const struct analysis_opts *,
    const struct sink_ops *, void *sink_ctx);
/*
 * Analyzes one capture file into the sink. Returns PIPELINE_*; err holds
 * one line when the file could not be opened or was damaged.
 */
enum pipeline_result analysis_run(struct analysis *, const char *path,
    volatile int *stop, pipeline_progress_cb *, void *cbctx,
    struct capture_summary *, char *err, size_t errlen);
/*
 * Analyzes the files of one capture set as one capture (capture-set.h);
 * label, when not NULL, names it (a directory). A file of the set that
 * cannot be read is said through warn and left out. The summary's set
 * stays valid until the next run or analysis_free.
 */
enum pipeline_result analysis_run_set(struct analysis *,
    const char *const *paths, size_t n, const char *label,
    capture_set_warn_fn *warn, void *warnctx, volatile int *stop,
    pipeline_progress_cb *, void *cbctx, struct capture_summary *,
    char *err, size_t errlen);
/*
 * Reads some packets of a set analysed before again, through the same
 * decoding, into the sink's frame, message, finding and conn_end calls
 * (no capture_begin or capture_end, no hash, no bounds pass): the set is
 * open and positioned (capture_set_start), keep says which TCP packets
 * go on (1), which not (0), and when to stop (-1); ids names connections
 * by their first packet (flow_id_fn). The keys of pcapng files' secrets
 * blocks are read from paths. Returns PIPELINE_*, err one line.
 */
typedef int analysis_keep_fn(void *, const struct packet *);
enum pipeline_result analysis_reread(struct analysis *, struct capture_set *,
    const char *const *paths, size_t n, analysis_keep_fn *keep,
    flow_id_fn *ids, void *ctx, char *err, size_t errlen);
/* The name of the capture last run ("first..last" for a set). */
const char *analysis_name(const struct analysis *);
void analysis_free(struct analysis *);

#endif
