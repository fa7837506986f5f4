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
};

struct capture;

/*
 * Opens path ("-" for standard input). A filter (BPF syntax) is applied
 * per record so that packet numbers still count every record of the file.
 * On failure returns NULL with a one-line reason in err.
 */
struct capture *capture_open(const char *path, const char *filter, char *err,
    size_t errlen);
/* 1: a packet; 0: end of file; -1: the file is truncated or corrupt. */
int             capture_next(struct capture *, struct capture_pkt *);
/* Why capture_next() returned -1, naming the file and the last good packet. */
const char     *capture_error(const struct capture *);
int             capture_linktype(const struct capture *);
const char     *capture_path(const struct capture *);
/* Bytes of the file consumed so far and its size (0 when unknown). */
uint64_t        capture_offset(const struct capture *);
uint64_t        capture_size(const struct capture *);
void            capture_close(struct capture *);

#endif
