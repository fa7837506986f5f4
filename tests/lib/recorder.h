/*
 * recorder: the recording sink of the tests and the test tools. It turns
 * the sink's calls into one stream of events, checks that they come in
 * the order sink.h promises, and either keeps a copy of each event, to be
 * read once the analysis is over, or hands each to a function while the
 * pointers it carries are valid.
 *
 * A new sink event is a new kind and one more function in recorder.c.
 */
#ifndef RECORDER_H
#define RECORDER_H

#include <stddef.h>
#include <stdint.h>

#include "sink.h"

enum rec_kind {
	REC_CAPTURE_BEGIN,
	REC_FRAME,
	REC_MESSAGE,
	REC_FINDING,
	REC_CONN_END,
	REC_CAPTURE_END,
	REC_FINDING_UPDATE,
	REC_KINDS
};

struct rec_event {
	enum rec_kind kind;
	uint64_t      seq;     /* 0-based place in the stream of events */
	uint64_t      conn;    /* connection id; 0 for the capture's events */
	int           sender;  /* enum role; -1 when the event has none */
	/* What the sink was handed, by kind: struct capture_info,
	 * ws_frame, ws_message, finding, conn_summary, capture_summary,
	 * finding (an update). A kept update also replaces the kept finding
	 * with its update_slot, so REC_FINDING reads the final findings. */
	const void   *body;
};

typedef void recorder_fn(void *, const struct rec_event *);

/* The sink_ops to pass with a struct recorder as the sink's context. */
extern const struct sink_ops recorder_sink_ops;

/*
 * watch NULL: every event is kept, with copies of what it points to.
 * Else watch holds a function (or NULL) per kind, called with arg and
 * each event of its kind during the sink call; no event is kept.
 */
struct recorder        *recorder_new(recorder_fn *const *watch, void *arg);
void                    recorder_free(struct recorder *);
/* Events of a kind seen so far (kept or not). */
size_t                  recorder_count(const struct recorder *,
			    enum rec_kind);
/* The i-th kept event of a kind, in the order they came; NULL past them. */
const struct rec_event *recorder_get(const struct recorder *, enum rec_kind,
			    size_t i);
/* NULL while the events came in the promised order; else the first
 * thing that broke it. */
const char             *recorder_order_error(const struct recorder *);

#endif
