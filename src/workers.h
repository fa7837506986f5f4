/*
 * workers: the decoding of one capture on N threads behind its reader.
 *
 * The reader hands each TCP packet to the worker its 4-tuple hash picks
 * (flow_hash, the same both ways), so a worker owns a connection for its
 * whole life: its own flow table, sessions, limits and counts. Packets go
 * over in batches, in capture order. Connection ids are in order of each
 * connection's first packet across all workers: the reader follows TCP in
 * a copy of each worker's table and numbers each connection as it opens,
 * and the id goes with the packet, so no worker waits for another. The
 * events leave through the analysis's sink,
 * one worker at a time. At the end the workers' counts are added and
 * their limits evidence is joined, so the capture-end pass sees every
 * connection: the results are those of one thread.
 */
#ifndef WORKERS_H
#define WORKERS_H

#include "flow.h"
#include "sink.h"

struct analysis;
struct workers;

/* The most workers -j takes. */
#define WORKERS_MAX 256

/* n >= 2 threads decoding for an (its options, sink, key log). */
struct workers *workers_start(struct analysis *an, unsigned n);
/* pipeline_packet_fn: one TCP packet, in capture order (the reader's). */
void            workers_input(void *, const struct packet *);
/* Connections opened so far, for a progress line. */
uint64_t        workers_connections(struct workers *);
/*
 * End of the capture: every worker ends its connections (flow_finish)
 * and stops. Their counts go into sum and fs, their limits into the
 * analysis's; then the workers are freed.
 */
void            workers_finish(struct workers *, struct capture_summary *sum,
    struct flow_stats *fs);

#endif
