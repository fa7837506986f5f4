/*
 * capture-writer: builds small pcap files (classic format, Ethernet,
 * IPv4, microsecond timestamps) from a scripted TCP conversation, plus
 * the WebSocket frames and HTTP handshakes the conversation carries.
 * For tests only.
 *
 * Sequence and acknowledgement numbers are tracked per connection: every
 * packet acknowledges all the peer has sent, including bytes skipped as
 * capture loss, so a later packet from the peer reveals the hole. Each
 * call that writes a packet returns its 1-based number in the file.
 */
#ifndef CAPTURE_WRITER_H
#define CAPTURE_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "pcap-writer.h"
#include "ws-build.h"

#define CW_CLIENT PW_CLIENT
#define CW_SERVER PW_SERVER

struct cw;
struct cw_conn;

/* A new capture in a temporary file. */
struct cw      *cw_new(void);
const char     *cw_path(const struct cw *);
uint64_t        cw_packets(const struct cw *);
/* Flushes the file; the capture can then be read. Writing may go on. */
void            cw_flush(struct cw *);
/* Removes the file. */
void            cw_free(struct cw *);

/* Client 10.0.0.1:cport, server 10.0.0.2:sport. */
struct cw_conn *cw_conn_new(struct cw *, uint16_t cport, uint16_t sport);
/* SYN, SYN-ACK, ACK; returns the number of the final ACK. */
uint64_t        cw_handshake(struct cw_conn *);
/* One segment with payload from side; returns its packet number. */
uint64_t        cw_send(struct cw_conn *, int side, const void *, size_t);
/* Segments of at most mss bytes; returns the number of the first. */
uint64_t        cw_send_split(struct cw_conn *, int side, const void *,
		    size_t, size_t mss);
/* One segment cut by the snaplen: caplen payload bytes of n captured. */
uint64_t        cw_send_cut(struct cw_conn *, int side, const void *,
		    size_t n, size_t caplen);
/* n bytes sent by side but never captured. */
void            cw_skip(struct cw_conn *, int side, size_t n);
/* A bare ACK, FIN or RST from side. */
uint64_t        cw_ack(struct cw_conn *, int side);
uint64_t        cw_fin(struct cw_conn *, int side);
uint64_t        cw_rst(struct cw_conn *, int side);

/* A growable byte buffer for building payloads. */
struct cw_buf {
	uint8_t *p;
	size_t   len, cap;
};
void            cw_buf_add(struct cw_buf *, const void *, size_t);
void            cw_buf_reset(struct cw_buf *);
void            cw_buf_free(struct cw_buf *);
/* Sends the buffer's bytes as one segment (at most CW_MAX_SEG bytes)
 * and empties it. */
#define CW_MAX_SEG PW_MAX_PAYLOAD
uint64_t        cw_send_buf(struct cw_conn *, int side, struct cw_buf *);

/* Length encodings of a frame header. */
#define CW_LEN_AUTO WSB_LEN_AUTO
#define CW_LEN_7    WSB_LEN_7
#define CW_LEN_16   WSB_LEN_16
#define CW_LEN_64   WSB_LEN_64

/*
 * Appends one frame. rsv is a WS_RSV* mask (RSV1 4, RSV2 2, RSV3 1);
 * masked frames use a fixed, non-zero key. declared, when not
 * UINT64_MAX, is written as the length instead of n (for lying headers).
 */
void            cw_ws_frame(struct cw_buf *, int fin, int rsv, int opcode,
		    int masked, int lenform, const void *, size_t n,
		    uint64_t declared);
/* Shorthand: a final, unextended frame with an automatic length. */
void            cw_ws_simple(struct cw_buf *, int opcode, int masked,
		    const void *, size_t);
/* A close frame: code < 0 gives an empty payload. */
void            cw_ws_close(struct cw_buf *, int masked, int code,
		    const char *reason);
/*
 * Raw deflate for permessage-deflate (RFC 7692 7.2.1): a sync flush with
 * the final 00 00 ff ff removed. Returns the bytes written to out.
 */
size_t          cw_deflate(const void *, size_t, uint8_t *out, size_t cap);

/* Sec-WebSocket-Key used by the handshake helpers. */
#define CW_KEY "dGhlIHNhbXBsZSBub25jZQ=="
/* An Upgrade request; extensions may be NULL. */
void            cw_http_request(struct cw_buf *, const char *extensions);
/* A 101 response: good_accept 0 gives a wrong Sec-WebSocket-Accept. */
void            cw_http_101(struct cw_buf *, int good_accept,
		    const char *extensions);

#endif
