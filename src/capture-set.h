/*
 * capture-set: the files of one capture set read as one timeline.
 *
 * A ring of files (tcpdump -C/-G/-W, dumpcap -b) is one capture: its
 * files are ordered by their first timestamp (not by name) and their
 * packets merged by timestamp, equal times in file order, as mergecap
 * does. Every record of the set gets one 64-bit ordinal, its position in
 * that order; the analysis passes only ordinals, and the spans below
 * translate one back to (file, packet number in that file) at the edges.
 * For a set of one file the ordinal is the packet number.
 */
#ifndef CAPTURE_SET_H
#define CAPTURE_SET_H

#include "capture.h"

struct packet;

struct capture_set_file {
	char       *path;
	const char *name;         /* the last component of path */
	char        sha256[65];   /* "" when not (or not wholly) hashed */
	uint64_t    size;
	int         linktype;
	int         read;         /* opened in the main pass */
	int         seen;         /* a packet of it was read: first, last */
	struct wts  first, last;
	uint64_t    packets;      /* its records, every one counted */
	uint64_t    first_ordinal; /* ordinal of its record 1; 0 none read */
	char        error[1024];  /* why it ended early; "" */
	/* Where its records are, for a later re-read (capture.h). */
	struct capture_checkpoint *checkpoints;
	size_t      ncheckpoints;
};

/*
 * A run of ordinals carried by consecutive records of one file: ordinal
 * o in [ordinal, ordinal + count) is record number + (o - ordinal) of
 * files[file].
 */
struct capture_span {
	uint64_t ordinal, number, count;
	uint32_t file;
};

/* What the set was, for the summary and the database. */
struct capture_set_info {
	struct capture_set_file *files;   /* in set order */
	size_t                   nfiles;
	struct capture_span     *spans;   /* by ordinal */
	size_t                   nspans;
	uint64_t                 duplicates; /* packets dropped as copies */
};

/*
 * Duplicates: the same TCP segment (addresses, ports, seq, ack, flags and
 * payload) from two different files of the set within this window is one
 * packet captured twice by overlapping files. The window is below the
 * smallest retransmission timeout of common stacks (Linux: 200 ms), so a
 * retransmission is not taken for a copy.
 */
#define CAPTURE_SET_DUP_WINDOW_NS 100000000LL

struct capture_set;

/*
 * Opens the set of paths (n >= 1; "-", standard input, only alone). A
 * file that cannot be opened, or whose link type is not decoded, is named
 * in one line through warn and left out; NULL when none is left, with the
 * last reason in err. With hash, every file's SHA-256 is computed as it
 * is read.
 */
typedef void capture_set_warn_fn(void *, const char *);
struct capture_set *capture_set_open(const char *const *paths, size_t n,
    const char *filter, int hash, capture_set_warn_fn *warn, void *warnctx,
    char *err, size_t errlen);
/*
 * A re-read of part of a set analysed before, called before the first
 * capture_set_next. capture_set_start reads file from checkpoint k (its
 * time orders the file among the others), or not at all when k is NULL.
 * capture_set_ordinals gives the spans the analysis recorded, so that a
 * packet gets the ordinal it had then (0 when outside every span); a set
 * of one file needs none. 0, or -1 with err.
 */
int  capture_set_start(struct capture_set *, uint32_t file,
    const struct capture_checkpoint *k, char *err, size_t errlen);
void capture_set_ordinals(struct capture_set *, const struct capture_span *,
    size_t n);
/*
 * 1: a packet, its number the set ordinal, file its index in the set; 0:
 * the end of every file. A damaged file ends there: its reason is kept in
 * its error and the other files go on.
 */
int  capture_set_next(struct capture_set *, struct capture_pkt *, uint32_t *file);
/*
 * 1 when the decoded TCP packet p, read from file, is a copy of one read
 * from another file of the set (CAPTURE_SET_DUP_WINDOW_NS); counted.
 */
int  capture_set_duplicate(struct capture_set *, uint32_t file,
    const struct packet *p);
/* The files in set order (their numbers complete after finish). */
const struct capture_set_info *capture_set_files(const struct capture_set *);
/* Records of every file read so far. */
uint64_t capture_set_records(const struct capture_set *);
/* Bytes of the set read, and all its bytes. */
uint64_t capture_set_offset(const struct capture_set *);
uint64_t capture_set_size(const struct capture_set *);
/*
 * Reads whatever is left of every file for its hash and closes them; the
 * info then holds every file's numbers and hash. Valid until free.
 */
const struct capture_set_info *capture_set_finish(struct capture_set *);
/* The first file's error, if any file ended early; NULL otherwise. */
const char *capture_set_error(const struct capture_set *);
void capture_set_free(struct capture_set *);
/*
 * A packet as a user finds it: "ring_00003.pcap:1234" while a set of
 * several files is being analysed (capture_set_naming), its number
 * otherwise. For the texts the analysis writes (details of findings).
 */
#define CAPTURE_SET_PACKET_MAX 96
void capture_set_naming(const struct capture_set *);
/* The same for a set known by its info only (a set read from a database). */
void capture_set_naming_info(const struct capture_set_info *);
const char *capture_set_packet(uint64_t ordinal, char *buf, size_t len);
/* The same over a set's info. */
const char *capture_set_info_packet(const struct capture_set_info *,
    uint64_t ordinal, char *buf, size_t len);

/*
 * The files to read for operands as analyze takes them: each operand, a
 * directory replaced by the capture files in it in name order (not its
 * subdirectories, nor files that are not captures). *dirs counts the
 * directories. -1, said on stderr, when a directory cannot be listed or
 * holds no capture.
 */
int  capture_set_expand(int argc, char **argv, char ***out, size_t *n,
    int *dirs);
void capture_set_expand_free(char **, size_t);

#endif
