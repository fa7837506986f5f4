/*
 * http-exchange: the HTTP/1.1 exchange of one connection, a stage (see
 * stage.h) beside the head parser of http-upgrade.c. It pairs requests
 * and responses (pipelined, 1xx, bodies skipped), follows a gap inside
 * the exchange, holds the client's bytes sent before the answer to an
 * Upgrade, and decides the upgrade. Then it hands the negotiated settings
 * to its owner and the bytes after the upgrade (held ones first) to the
 * next stage, which from then on gets every byte and gap.
 */
#ifndef HTTP_EXCHANGE_H
#define HTTP_EXCHANGE_H

#include "flow.h"
#include "http-upgrade.h"
#include "sink.h"
#include "stage.h"
#include "ws.h"

/* What the exchange tells its owner; arg is the one given at creation. */
struct http_exchange_ops {
	void (*finding)(void *arg, struct finding *);   /* handshake ones */
	void (*asked)(void *arg);        /* a request asked for WebSocket */
	/*
	 * From now on the connection is frames, with these extensions
	 * (hs NULL when the answer was not seen): the next stage must be
	 * ready for bytes when this returns.
	 */
	void (*upgraded)(void *arg, enum ws_ext, const struct hs_result *hs);
	void (*lost)(void *arg);         /* the answer is lost: detect again */
	void (*ignore)(void *arg);       /* neither HTTP nor WebSocket */
};

struct http_exchange;

/* c names the client (c->client, which may be set later); next gets the
 * bytes after the upgrade. */
struct http_exchange *http_exchange_new(const struct conn *c,
	const struct http_exchange_ops *, void *arg, struct stage next);
void http_exchange_free(struct http_exchange *);
/* The exchange as a stage of the chain. */
struct stage http_exchange_stage(struct http_exchange *);

/* For the connection's summary; NULL (0) when not seen. */
const struct http_head *http_exchange_request(const struct http_exchange *);
const struct http_head *http_exchange_response(const struct http_exchange *);
const struct hs_result *http_exchange_handshake(const struct http_exchange *);

#endif
