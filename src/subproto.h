/*
 * subproto: the application protocol carried in a WebSocket message,
 * decoded for display only (never for a verdict): Engine.IO/Socket.IO,
 * STOMP, GraphQL over WebSocket (graphql-transport-ws and graphql-ws),
 * JSON-RPC 2.0 and MQTT. A message that breaks its sub-protocol gets a
 * note, never a finding.
 *
 * The decoder is stateless: it sees one message at a time, with what the
 * connection negotiated and its request path. The payload is what the
 * database holds of the message (its first bytes): a field that runs past
 * them in a message longer than them reads "(cut)", nothing is guessed.
 */
#ifndef SUBPROTO_H
#define SUBPROTO_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

struct subproto_conn {
	const char *subprotocol;        /* negotiated, or NULL */
	const char *request_protocols;  /* the client's offer, or NULL */
	const char *path;               /* the request target, or NULL */
};

struct subproto_result {
	/* The protocol's name, or NULL when the message is none of them. */
	const char *proto;
	/* One line, terminal-safe: starts with the protocol's name. */
	char        summary[320];
	/* A violation of the sub-protocol, terminal-safe; "" if none. */
	char        note[160];
};

/*
 * Decodes one message: opcode as on the wire, p/n the stored bytes, size
 * the message's full decoded size. Returns 1 when a sub-protocol was
 * recognised (r filled), 0 otherwise (r->proto NULL, strings empty).
 * Any bytes are safe input; every read is bounded by n.
 */
int subproto_decode(const struct subproto_conn *, int opcode,
    const uint8_t *p, size_t n, int64_t size, struct subproto_result *r);

/*
 * Registers the SQL functions
 *   ws_proto(subprotocol, request_protocols, path, opcode, payload, size)
 *   ws_proto_note(subprotocol, request_protocols, path, opcode, payload,
 *       size)
 * returning the summary and the note (NULL when there is none). Returns
 * SQLITE_OK or SQLite's error code.
 */
int subproto_register(sqlite3 *);

/*
 * The six arguments from a connections row alias C and a messages row
 * alias M of the database's views: "ws_proto(" SUBPROTO_ARGS("c", "m") ")".
 */
#define SUBPROTO_ARGS(c, m) c ".subprotocol, " c ".request_protocols, " \
	c ".path, " m ".opcode, " m ".payload_prefix, " m ".decoded_size"

#endif
