/*
 * size-limits (functions limits_*): what a peer's size limit is, held as
 * numbers, and the pass at the capture's end that bounds each server's
 * limit with what it took and refused on every connection.
 *
 * A 1009 close's bounds start from its own connection (the largest message
 * the server took there before the offending one, and the offending size).
 * At the capture's end every other connection to the same server adds its
 * evidence: the largest message it took whole (never one it refused) raises
 * the lower bound, the smallest one it refused lowers the upper bound, and
 * evidence that contradicts the bounds is said, not used. The fragment that
 * crossed the limit is picked again from the final bounds. Findings that
 * change leave as finding_update events; every detail and remedy text is
 * rendered from the numbers here (limits_render), nowhere else.
 */
#ifndef SIZE_LIMITS_H
#define SIZE_LIMITS_H

#include <stdatomic.h>
#include <stdint.h>

#include "sink.h"

struct limits;

/* One fragment of an offending message: its index and the size so far. */
struct limit_frag {
	uint64_t   index;
	uint64_t   pkt;
	struct wts ts;
	uint64_t   cum;
};
#define LIMIT_FRAGS 16   /* fragments kept per offending message */
/* Server 1009 closes kept for the capture-end pass; more are counted. */
#define LIMIT_CASES_MAX 16384

struct limits *limits_new(void);
void           limits_free(struct limits *);
/* Forget the previous capture. */
void           limits_reset(struct limits *);
/*
 * The largest client message one connection's server took whole (its
 * refused message and what followed it excluded).
 */
void           limits_took(struct limits *, uint64_t server, uint64_t conn,
    uint64_t size);
/*
 * A server's 1009 close with its bounds from its own connection, rendered
 * already: kept for the capture-end pass, which may update it. Sets the
 * finding's update_slot; returns 0 when it could not be kept (cap hit).
 */
int            limits_keep(struct limits *, uint64_t server,
    struct finding *, const struct limit_frag *, size_t nfrag,
    const char *stack);
/*
 * Pick the offending fragment from the bounds: the first whose size so far
 * passes limit_min when that one also passes limit_max; else the candidates
 * between the two are named, a limit the reason states or the matching
 * profiles agree on decides, or the last candidate (passed for certain)
 * stands.
 */
void           limits_pick(struct finding *, const struct limit_frag *,
    size_t nfrag);
/*
 * Update slots (finding.update_slot) taken from one counter that several
 * limits share, one per decode worker, so their slots never meet.
 */
void           limits_share_slots(struct limits *, atomic_uint_fast64_t *);
/*
 * A worker's evidence and closes into dst, before dst's limits_finish;
 * src is left empty. The servers' keys are their addresses: the same
 * server in two workers is one.
 */
void           limits_absorb(struct limits *dst, struct limits *src);
/* Capture end: emit a finding_update for every close whose bounds moved. */
void           limits_finish(struct limits *, const struct sink_ops *,
    void *sink_ctx, uint64_t *cap_hits);
/* The limit's remedy size and its source, from the bounds (limit_*). */
void           limits_remedy_size(struct finding *, const char *stack);
/*
 * Detail (1009 closes with an offending frame) and remedy text, from the
 * finding's numbers and its rule.
 */
void           limits_render(struct finding *);

/* The longest text of a limits_row. */
#define LIMITS_ROW_MAX (32 * 24 + LIMIT_FRAGS * 64 + 64)
/*
 * Capture end, after limits_finish: every server's sizes and every kept
 * close, each one limits_row event, so that the pass can run again over
 * the databases of several shards (merge). Their texts are numbers only
 * this file writes and reads, for this schema version.
 */
void           limits_export(const struct limits *, const struct sink_ops *,
    void *sink_ctx);
/*
 * One row back. conn maps a connection id of the row's database to the
 * one it takes now (ctx its first argument). For a close, f comes with
 * the strings the finding was first stored with (detail,
 * matching_profiles, remedy); its numbers are read from text and its
 * update_slot set to the close's place here. Returns 0, or -1 when text
 * is no row this version writes.
 */
int            limits_import(struct limits *, const char *text,
    struct finding *f, uint64_t (*conn)(void *, uint64_t), void *ctx);

#endif
