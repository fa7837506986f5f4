/*
 * pipeline: drives one capture file through packet decoding into a flow
 * table. Shared by every subcommand that reads captures.
 */
#ifndef PIPELINE_H
#define PIPELINE_H

#include "flow.h"

struct pipeline_stats {
	uint64_t            packets;  /* records read (including filtered) */
	uint64_t            matched;  /* of them, those the filter let through */
	uint64_t            bytes;    /* captured bytes of those records */
	struct packet_stats pkt;
	int                 linktype;
};

enum pipeline_result {
	PIPELINE_OK,
	PIPELINE_OPEN_FAILED,   /* nothing read */
	PIPELINE_DAMAGED,       /* read up to a damaged record */
	PIPELINE_INTERRUPTED    /* *stop became non-zero */
};

/* Called about every 64K packets with the file offset reached. */
typedef void pipeline_progress_cb(void *, const struct pipeline_stats *,
    uint64_t offset, uint64_t size);

/*
 * Reads path into ft (flow_finish() is the caller's). On failure err holds
 * one line naming the file and the problem.
 */
enum pipeline_result pipeline_run(const char *path, const char *filter,
    struct flow_table *ft, struct pipeline_stats *, pipeline_progress_cb *,
    void *cbctx, volatile int *stop, char *err, size_t errlen);
/*
 * The same on a capture set already open (capture-set.h), its files read
 * as one timeline; packets copied by overlapping files are dropped. A
 * damaged file ends there, the others are read: PIPELINE_DAMAGED then,
 * err naming the first such file.
 */
struct capture_set;
enum pipeline_result pipeline_run_set(struct capture_set *,
    struct flow_table *, struct pipeline_stats *, pipeline_progress_cb *,
    void *cbctx, volatile int *stop, char *err, size_t errlen);
/* The same, each TCP packet handed to a function instead of a table. */
typedef void pipeline_packet_fn(void *, const struct packet *);
enum pipeline_result pipeline_run_packets(struct capture_set *,
    pipeline_packet_fn *, void *, struct pipeline_stats *,
    pipeline_progress_cb *, void *cbctx, volatile int *stop, char *err,
    size_t errlen);
struct capture;
/* 0 when packet.c decodes the capture's link type; else err says why. */
int pipeline_linktype_ok(const struct capture *, const char *path,
    char *err, size_t errlen);

#endif
