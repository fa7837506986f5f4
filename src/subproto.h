/*
 * subproto: the application protocol carried in a WebSocket message,
 * decoded for display only (never for a verdict): Engine.IO/Socket.IO,
 * STOMP, GraphQL over WebSocket (graphql-transport-ws and graphql-ws),
 * JSON-RPC 2.0 and MQTT. A message that breaks its sub-protocol gets a
 * note, never a finding.
 *
 * The decoder sees one message at a time, with what the connection
 * negotiated and its request path. The payload is what the database holds
 * of the message (its first bytes): a field that runs past them in a
 * message longer than them reads "(cut)", nothing is guessed. MQTT over
 * WebSocket lets a control packet span messages (MQTT 3.1.1 and 5,
 * section 6): a subproto_flow carries one direction's packet in progress
 * from a message to the next.
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
 * Bytes of a packet in progress a flow holds: enough for the fields shown
 * (topic, packet id, client id); a field past them reads "(cut)".
 */
#define SUBPROTO_HEAD 512
/*
 * The longest packet a flow follows past the message it starts in; a
 * longer one gets a note and is not followed (its length is untrusted).
 */
#define SUBPROTO_CARRY_MAX ((uint64_t)64 << 20)

/*
 * One direction of one connection, carried from a message to the next:
 * zeroed, nothing is carried. Its size is fixed: a packet's bytes past
 * SUBPROTO_HEAD are counted, not kept.
 */
struct subproto_flow {
	uint8_t  head[SUBPROTO_HEAD];  /* the packet's first bytes */
	uint32_t held;                 /* of head */
	int      open;                 /* a packet goes on in the next message */
	int      sized;                /* its remaining length was read */
	uint64_t total;                /* its length, once sized */
	uint64_t got;                  /* its bytes seen so far */
	int64_t  from;                 /* the message it started in */
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
 * The same, for message number msg of the flow's direction: the messages
 * of one direction must come in order, each once. An MQTT packet that
 * completes in this message is read whole ("(continued from message N)"
 * when it started in message N); one that goes on is carried in f. A
 * message whose bytes past the stored ones hold a packet's start loses
 * the thread: the next message is read as starting a packet.
 */
int subproto_decode_flow(const struct subproto_conn *, struct subproto_flow *f,
    int64_t msg, int opcode, const uint8_t *p, size_t n, int64_t size,
    struct subproto_result *r);

/*
 * Registers the SQL functions
 *   ws_proto(subprotocol, request_protocols, path, opcode, payload, size,
 *       connection_id, direction, message_id)
 *   ws_proto_note(the same)
 * returning the summary and the note (NULL when there is none). On an
 * MQTT connection a message is read after the earlier messages of its
 * direction (the messages view, in message_id order): rows asked in wire
 * order cost one decode each, a row asked out of order reads its
 * direction's earlier messages again. Returns SQLITE_OK or SQLite's error
 * code.
 */
int subproto_register(sqlite3 *);

/*
 * The nine arguments from a connections row alias C and a messages row
 * alias M (the view or message_t): "ws_proto(" SUBPROTO_ARGS("c", "m") ")".
 */
#define SUBPROTO_ARGS(c, m) c ".subprotocol, " c ".request_protocols, " \
	c ".path, " m ".opcode, " m ".payload_prefix, " m ".decoded_size, " \
	m ".connection_id, " m ".direction, " m ".message_id"

#endif
