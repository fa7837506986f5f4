/*
 * wsautopsy: common definitions shared by every stage.
 */
#ifndef WSAUTOPSY_H
#define WSAUTOPSY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A capture timestamp; nanoseconds are kept whatever the file's precision. */
struct wts {
	int64_t  sec;
	uint32_t nsec;
};

/* Exit statuses shared by every subcommand (documented in wsautopsy(1)). */
enum {
	EXIT_OK = 0,
	EXIT_USAGE = 1,
	EXIT_INPUT = 2,   /* unreadable, truncated or corrupt input */
	EXIT_FINDINGS = 3 /* report --fail-on matched */
};

extern const char *wsa_progname;

void *xmalloc(size_t);
void *xcalloc(size_t, size_t);
void *xrealloc(void *, size_t);
char *xstrdup(const char *);
/*
 * A new file or directory beside path for writing before a rename: its
 * name is path, then ".PID.N" (N counts up within the process), then
 * suffix. The file is made with O_CREAT|O_EXCL and mode 0666, the
 * directory with mode 0777, both less the umask, as fopen and mkdir give.
 * wsa_temp_file returns the open descriptor, wsa_temp_dir 0; both set
 * *name (the caller's to free), or return -1 with errno set.
 */
int wsa_temp_file(const char *path, const char *suffix, char **name);
int wsa_temp_dir(const char *path, char **name);

/* One line on stderr, prefixed by the program name; never a partial line. */
void wsa_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
/* The same, the program name followed by a command's ("wsautopsy cmd: "). */
void wsa_warn_cmd(const char *cmd, const char *, ...)
	__attribute__((format(printf, 2, 3)));

/* Parses "123", "64K", "1M", "2G" (powers of 1024). -1 on error. */
int parse_size(const char *, uint64_t *);

/* Formats a timestamp as seconds with nine decimals into buf. */
const char *wts_format(struct wts, char *buf, size_t len);
double wts_double(struct wts);
/*
 * Nanoseconds from a to b; times too far apart to count in nanoseconds
 * (a hostile capture's) saturate at INT64_MIN or INT64_MAX.
 */
int64_t wts_ns_between(struct wts a, struct wts b);

#endif
