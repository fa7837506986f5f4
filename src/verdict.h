/*
 * verdict: at a connection's end, attributes every close, names abnormal
 * ends and the limits of the capture itself, and fingerprints the stacks.
 */
#ifndef VERDICT_H
#define VERDICT_H

#include "conn-history.h"

struct limits;

/* Where the pass's findings go; the callee renders and counts them. */
typedef void verdict_emit_cb(void *ctx, struct finding *);

/*
 * Reads the connection's history; writes the stack, verdict and ended_by
 * of cs, the server's evidence into limits, and findings through emit.
 * cs must hold the connection's facts (id, packets, times, tcp_end).
 */
/*
 * The stack a Server or User-Agent header names (a profile name such as
 * "tornado"); NULL when it names none.
 */
const char *verdict_header_stack(const char *hdr);

void verdict_conn_end(const struct conn_history *, struct limits *,
    verdict_emit_cb *emit, void *emit_ctx, struct conn_summary *cs);

#endif
