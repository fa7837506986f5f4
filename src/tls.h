/*
 * tls: the TLS stage of a connection (wss://). It is built when a side's
 * first bytes are a ClientHello, whatever the port. It reads the hellos
 * in the clear (client random, SNI, ALPN, version, cipher suite), finds
 * the connection's secrets in the key log by the client random, and
 * reassembles and decrypts the records of each side. The plaintext goes
 * on to the next stage through the same data/gap/end interface, in a
 * plaintext offset space, each piece with the packet and time that
 * carried the ciphertext bytes it came from.
 */
#ifndef TLS_H
#define TLS_H

#include "keylog.h"
#include "sink.h"
#include "stage.h"

/* What the clear handshake and the decryption told of a connection. */
struct tls_info {
	const char *version;       /* "TLS 1.3"; NULL before a ServerHello */
	const char *cipher;        /* IANA name, or "0xC0FF" */
	char        cipher_hex[8];
	char        sni[256];      /* "" none; the bytes as sent, NUL cut */
	char        alpn[128];     /* negotiated; else the client's offer */
	int         alpn_offered;  /* alpn is the offer, not the choice */
	int         decrypted;     /* records of it were decrypted */
	const char *keylog;        /* the key log source with its secrets */
	/* Each side's first alert (by side, not role); level 0: none. */
	struct tls_alert {
		int        level, desc;
		uint64_t   pkt;
		struct wts ts;
	}           alert[2];
	uint64_t    records[2];    /* decrypted, by side */
};

struct tls_ops {
	/* A capture-class finding about the stream of a side. */
	void (*finding)(void *, int side, struct finding *);
};

struct tls_stage;

/* 1: p (n bytes, a side's first) starts a TLS ClientHello; 0: not. */
int  tls_looks_like_hello(const uint8_t *p, size_t n);
/*
 * 1: p starts a TLS 1.2/1.3 application data or alert record, as a
 * connection picked up after its handshake does; 0: not.
 */
int  tls_looks_like_record(const uint8_t *p, size_t n);

/* client: the side that sent the ClientHello. */
struct tls_stage *tls_stage_new(const struct keylog *, const struct tls_ops *,
	void *arg, int client);
/* The stage itself, to put at a chain's head. */
struct stage tls_stage(struct tls_stage *);
/* Where the stage after it is kept (set and changed by the session). */
struct stage *tls_stage_next(struct tls_stage *);
const struct tls_info *tls_stage_info(const struct tls_stage *);
/*
 * The records of a side (numbered from 1, every record of that side,
 * clear or not) whose plaintext covers [start, end) of its plaintext
 * offsets, as "7" or "7-9" in out; "" when they are no longer known.
 */
void tls_stage_records(const struct tls_stage *, int side, uint64_t start,
	uint64_t end, char *out, size_t len);
void tls_stage_free(struct tls_stage *);

/* "close_notify", "handshake_failure", ...; NULL if unknown. */
const char *tls_alert_name(int desc);

#endif
