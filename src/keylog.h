/*
 * keylog: the secrets of TLS connections in the NSS key log format
 * (SSLKEYLOGFILE), looked up by a ClientHello's random.
 *
 * A line is "LABEL <client random, 64 hex> <secret, hex>". Read:
 * CLIENT_RANDOM (the TLS 1.2 master secret, 48 bytes) and the TLS 1.3
 * CLIENT_HANDSHAKE_TRAFFIC_SECRET, SERVER_HANDSHAKE_TRAFFIC_SECRET,
 * CLIENT_TRAFFIC_SECRET_0 and SERVER_TRAFFIC_SECRET_0. Comments (#),
 * blank lines and other labels are skipped; a malformed line is counted,
 * named (source:line) for the first few, and skipped. Bounded: at most
 * KEYLOG_MAX_ENTRIES client randoms and KEYLOG_MAX_LINE bytes a line;
 * what is past the bound is counted, not kept.
 */
#ifndef KEYLOG_H
#define KEYLOG_H

#include <stddef.h>
#include <stdint.h>

#define KEYLOG_MAX_ENTRIES 100000   /* about 30 MB */
#define KEYLOG_MAX_LINE    1024
#define KEYLOG_SECRET_MAX  48    /* bytes: SHA-384, the longest TLS hash */
#define KEYLOG_WARN_LINES  5     /* malformed lines named, per source */

enum keylog_secret {
	KEYLOG_MASTER,            /* CLIENT_RANDOM */
	KEYLOG_CLIENT_HS,         /* CLIENT_HANDSHAKE_TRAFFIC_SECRET */
	KEYLOG_SERVER_HS,         /* SERVER_HANDSHAKE_TRAFFIC_SECRET */
	KEYLOG_CLIENT_AP,         /* CLIENT_TRAFFIC_SECRET_0 */
	KEYLOG_SERVER_AP,         /* SERVER_TRAFFIC_SECRET_0 */
	KEYLOG_SECRETS
};

/* The secrets of one client random; len 0: that secret is not known. */
struct keylog_entry {
	uint8_t     random[32];
	uint8_t     secret[KEYLOG_SECRETS][KEYLOG_SECRET_MAX];
	uint8_t     len[KEYLOG_SECRETS];
	const char *source;       /* the key log that gave the first secret */
};

struct keylog_stats {
	uint64_t lines, entries, malformed;
	uint64_t capped;          /* lines not kept: the entry cap was hit */
	uint64_t long_lines;      /* lines past KEYLOG_MAX_LINE (malformed too) */
};

struct keylog;

struct keylog *keylog_new(void);
void keylog_free(struct keylog *);
/*
 * Reads a key log file. Returns 0, or -1 with one line in err when it
 * cannot be read; malformed lines are warned about (wsa_warn), not errors.
 */
int  keylog_load_file(struct keylog *, const char *path, char *err,
	size_t errlen);
/*
 * Adds the lines of a key log held in memory; source names it in
 * warnings and in keylog_entry.source (copied).
 */
void keylog_add(struct keylog *, const char *source, const uint8_t *p,
	size_t n);
/*
 * Adds the TLS key logs of the Decryption Secrets Blocks of the pcapng
 * file at path (none when it is not pcapng). Returns 0, -1 with one line
 * in err when its blocks are damaged (the keys before the damage are
 * kept), or PCAPNG_SECRETS_NOFILE with one line in err when it cannot be
 * opened.
 */
int  keylog_load_dsb(struct keylog *, const char *path, char *err,
	size_t errlen);
/* The secrets of a client random, or NULL. */
const struct keylog_entry *keylog_find(const struct keylog *,
	const uint8_t random[32]);
const struct keylog_stats *keylog_stats(const struct keylog *);

#endif
