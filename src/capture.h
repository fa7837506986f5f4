/*
 * capture: libpcap offline input (pcap and pcapng, nanosecond timestamps).
 */
#ifndef CAPTURE_H
#define CAPTURE_H

#include "wsautopsy.h"

struct capture_pkt {
	uint64_t       number;  /* 1-based record index, as Wireshark counts */
	struct wts     ts;
	const uint8_t *data;    /* valid until the next capture_next() */
	uint32_t       caplen;
	uint32_t       wirelen;
	int            linktype; /* of the file it came from */
};

struct capture;

/*
 * A record whose place in its file was kept at analysis, so that a later
 * read of a few connections starts there instead of at the file's start.
 * One every CAPTURE_CHECKPOINT_EVERY records (records 1, 1025, ...): a
 * re-read reads at most that many records before the first it needs, and
 * the index is one row per that many records (a 50 MB capture of 40K
 * packets: 40 rows).
 */
#define CAPTURE_CHECKPOINT_EVERY 1024
struct capture_checkpoint {
	uint64_t   number;  /* the record's number in its file */
	uint64_t   offset;  /* of its record (header first) in the file */
	struct wts ts;
};

/*
 * Opens path ("-" for standard input). A filter (BPF syntax) is applied
 * per record so that packet numbers still count every record of the file.
 * On failure returns NULL with a one-line reason in err.
 */
struct capture *capture_open(const char *path, const char *filter, char *err,
    size_t errlen);
/*
 * Every byte read from the file, in order, exactly once, as it is read.
 * Called on the reading thread; buf is valid only during the call.
 */
typedef void capture_tap_fn(void *ctx, const uint8_t *buf, size_t n);
/*
 * capture_open with a tap (not for standard input: tap must be NULL
 * there). The file is read once, for libpcap and the tap together.
 */
struct capture *capture_open_tap(const char *path, const char *filter,
    capture_tap_fn *tap, void *tapctx, char *err, size_t errlen);
/*
 * Reads what libpcap left of the file (after an interruption, a damaged
 * record, or trailing bytes) through the tap, to the end: 0, or -1 on a
 * read error. Without a tap, does nothing.
 */
int             capture_tap_rest(struct capture *);
/* Records read so far, those a filter skipped included. */
uint64_t        capture_records(const struct capture *);
/* Bytes read from the file so far (with a tap); 0 without one. */
uint64_t        capture_bytes_read(const struct capture *);
/* 1: a packet; 0: end of file; -1: the file is truncated or corrupt. */
int             capture_next(struct capture *, struct capture_pkt *);
/* Why capture_next() returned -1, naming the file and the last good packet. */
const char     *capture_error(const struct capture *);
int             capture_linktype(const struct capture *);
const char     *capture_path(const struct capture *);
/* Bytes of the file consumed so far and its size (0 when unknown). */
uint64_t        capture_offset(const struct capture *);
uint64_t        capture_size(const struct capture *);
/*
 * The checkpoints taken so far (none for standard input); the array is
 * the caller's from then on, to free.
 */
struct capture_checkpoint *capture_take_checkpoints(struct capture *,
    size_t *n);
/*
 * Positions a file opened without a tap at a checkpoint: the next record
 * read is its record, numbered as it was. 0, or -1 (err says why).
 */
int             capture_seek(struct capture *, const struct capture_checkpoint *);
void            capture_close(struct capture *);

#endif
