/*
 * Unit tests of the sub-protocol decoder (src/subproto.h) on crafted
 * messages: the summary of each protocol's packets, every note a broken
 * packet gets, "(cut)" for a stored prefix, the choice of protocol by
 * header, path and content, and random bytes.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "subproto.h"
#include "utf8.h"

#define EIO_PATH "/socket.io/?EIO=4&transport=websocket"

struct sp_case {
	const char *subprotocol, *path;
	int         opcode;
	const char *bytes;
	size_t      len;      /* of bytes */
	int64_t     size;     /* the message's size; 0: len */
	const char *proto;    /* NULL: not recognised */
	const char *summary;
	const char *note;     /* "" for none */
};

#define M(s) s, sizeof(s) - 1

static const struct sp_case sp_cases[] = {
	/* Engine.IO and Socket.IO, by path and by content. */
	{ NULL, EIO_PATH, 1, M("0{\"sid\":\"Xy-1\",\"upgrades\":[],"
	    "\"pingInterval\":25000,\"pingTimeout\":20000}"), 0, "engine.io",
	  "engine.io open sid \"Xy-1\" ping 25000", "" },
	{ NULL, EIO_PATH, 1, M("2"), 0, "engine.io", "engine.io ping", "" },
	{ NULL, EIO_PATH, 1, M("3probe"), 0, "engine.io",
	  "engine.io pong \"probe\"", "" },
	{ NULL, EIO_PATH, 1, M("6"), 0, "engine.io", "engine.io noop", "" },
	{ NULL, EIO_PATH, 1, M("4hello"), 0, "engine.io",
	  "engine.io message 5 bytes", "" },
	{ NULL, NULL, 1, M("42[\"order:update\",{\"a\":1}]"), 0, "socket.io",
	  "socket.io event \"order:update\"", "" },
	{ NULL, NULL, 1, M("42/admin,12[\"order:update\",{\"a\":1}]"), 0,
	  "socket.io", "socket.io event \"order:update\" ack 12 ns /admin",
	  "" },
	{ NULL, NULL, 1, M("43/admin,12[{\"ok\":true}]"), 0, "socket.io",
	  "socket.io ack 12 ns /admin", "" },
	{ NULL, NULL, 1, M("40/admin,"), 0, "socket.io",
	  "socket.io connect ns /admin", "" },
	{ NULL, NULL, 1, M("44{\"message\":\"not allowed\"}"), 0, "socket.io",
	  "socket.io connect_error \"not allowed\"", "" },
	{ NULL, NULL, 1, M("451-[\"upload\",{\"_placeholder\":true,"
	    "\"num\":0}]"), 0, "socket.io",
	  "socket.io event \"upload\" attachments 1", "" },
	{ NULL, EIO_PATH, 2, M("\x01\x02\x03"), 0, "socket.io",
	  "socket.io binary attachment 3 bytes", "" },
	/* A wire name that steers the terminal is escaped. */
	{ NULL, NULL, 1, M("42[\"a\x1b[2Jb\\\"c\"]"), 0, "socket.io",
	  "socket.io event \"a\\x1b[2Jb\\\"c\"", "" },
	{ NULL, NULL, 1, M("42[\"order:upd"), 4096, "socket.io",
	  "socket.io event (cut)", "" },
	{ NULL, EIO_PATH, 1, M(""), 0, "engine.io", "engine.io",
	  "engine.io: empty packet" },
	{ NULL, EIO_PATH, 1, M("0{\"upgrades\":[]}"), 0, "engine.io",
	  "engine.io open", "engine.io: open packet without a sid" },
	{ NULL, EIO_PATH, 1, M("9abc"), 0, "engine.io", "engine.io",
	  "engine.io: unknown packet type \"9\"" },
	{ NULL, EIO_PATH, 1, M("47[]"), 0, "socket.io", "socket.io",
	  "socket.io: unknown packet type \"7\"" },
	{ NULL, NULL, 1, M("45[\"up\"]"), 0, "socket.io",
	  "socket.io event \"up\"",
	  "socket.io: binary packet without its attachment count" },
	{ NULL, NULL, 1, M("42{\"a\":1}"), 0, "socket.io", "socket.io event",
	  "socket.io: event without a name" },
	{ NULL, NULL, 1, M("43[]"), 0, "socket.io", "socket.io ack",
	  "socket.io: ack without an id" },

	/* STOMP. */
	{ "v12.stomp", NULL, 1, M("SEND\ndestination:/queue/a\n"
	    "content-length:5\n\nhello\0"), 0, "stomp",
	  "stomp SEND /queue/a content-length:5", "" },
	{ NULL, NULL, 1, M("SUBSCRIBE\r\nid:sub-0\r\ndestination:/topic/t"
	    "\r\nack:client\r\n\r\n\0"), 0, "stomp",
	  "stomp SUBSCRIBE /topic/t id:sub-0 ack:client", "" },
	{ NULL, NULL, 1, M("MESSAGE\ndestination:/queue/a\n"
	    "destination:/queue/b\nsubscription:0\nmessage-id:7\n\nx\0\n"),
	  0, "stomp", "stomp MESSAGE /queue/a subscription:0 message-id:7",
	  "" },
	{ "v12.stomp", NULL, 1, M("\n"), 0, "stomp", "stomp heart-beat", "" },
	{ "v12.stomp", NULL, 1, M("SEND\ndestination:/queue/a\n\nhel"), 4096,
	  "stomp", "stomp SEND /queue/a (cut)", "" },
	{ "v12.stomp", NULL, 1, M("SEND"), 0, "stomp", "stomp",
	  "stomp: command line without its end" },
	{ "v12.stomp", NULL, 1, M("FOO\n\n\0"), 0, "stomp", "stomp",
	  "stomp: unknown command \"FOO\"" },
	{ "v12.stomp", NULL, 1, M("SEND\ndestination\n\n\0"), 0, "stomp",
	  "stomp SEND", "stomp: header line without ':'" },
	{ "v12.stomp", NULL, 1, M("SEND\ncontent-length:x\n\n\0"), 0,
	  "stomp", "stomp SEND content-length:x",
	  "stomp: content-length is not a number" },
	{ "v12.stomp", NULL, 1, M("SEND\ndestination:/a\n"), 0, "stomp",
	  "stomp SEND /a",
	  "stomp: headers without the blank line that ends them" },
	{ "v12.stomp", NULL, 1, M("SEND\ncontent-length:9\n\nhello\0"), 0,
	  "stomp", "stomp SEND content-length:9",
	  "stomp: content-length 9 but the body has 6 bytes" },
	{ "v12.stomp", NULL, 1, M("SEND\ncontent-length:2\n\nhello\0"), 0,
	  "stomp", "stomp SEND content-length:2",
	  "stomp: no NUL after content-length 2 bytes of body" },
	{ NULL, NULL, 1, M("SEND\ndestination:/queue/a\n\nhello"), 0,
	  "stomp", "stomp SEND /queue/a",
	  "stomp: frame without NUL terminator" },
	{ "v12.stomp", NULL, 1, M("SEND\n\nhi\0junk"), 0, "stomp",
	  "stomp SEND", "stomp: 4 bytes after the frame's NUL" },

	/* GraphQL over WebSocket. */
	{ "graphql-transport-ws", NULL, 1, M("{\"id\":\"3\",\"type\":"
	    "\"subscribe\",\"payload\":{\"query\":\"subscription{x}\","
	    "\"operationName\":\"OnOrder\"}}"), 0, "graphql-transport-ws",
	  "graphql-transport-ws subscribe id 3 op \"OnOrder\"", "" },
	{ "graphql-transport-ws", NULL, 1, M("{\"type\":\"ping\"}"), 0,
	  "graphql-transport-ws", "graphql-transport-ws ping", "" },
	{ NULL, NULL, 1, M("{\"id\":\"9\",\"type\":\"next\",\"payload\":"
	    "{\"data\":{}}}"), 0, "graphql-transport-ws",
	  "graphql-transport-ws next id 9", "" },
	{ NULL, NULL, 1, M("{\"type\":\"ka\"}"), 0, "graphql-ws",
	  "graphql-ws ka", "" },
	{ NULL, NULL, 1, M("{\"type\":\"connection_init\",\"payload\":{}}"),
	  0, "graphql", "graphql connection_init", "" },
	{ "graphql-transport-ws", NULL, 1, M("{\"type\":\"next\",\"id\":"
	    "\"1\",\"payload\":{\"data\":{\"x\":\"aaaaaaaa"), 4096,
	  "graphql-transport-ws", "graphql-transport-ws next id 1", "" },
	{ "graphql-transport-ws", NULL, 2, M("{}"), 0, "graphql-transport-ws",
	  "graphql-transport-ws binary",
	  "graphql-transport-ws: binary message (the protocol is JSON text)" },
	{ "graphql-ws", NULL, 1, M("[1,2]"), 0, "graphql-ws", "graphql-ws",
	  "graphql-ws: not a JSON object with a \"type\"" },
	{ "graphql-transport-ws", NULL, 1, M("{\"type\":\"start\"}"), 0,
	  "graphql-transport-ws", "graphql-transport-ws start",
	  "graphql-transport-ws: unknown message type \"start\"" },
	{ "graphql-ws", NULL, 1, M("{\"type\":\"next\"}"), 0,
	  "graphql-ws", "graphql-ws next",
	  "graphql-ws: unknown message type \"next\"" },
	{ "graphql-transport-ws", NULL, 1, M("{\"type\":\"subscribe\"}"), 0,
	  "graphql-transport-ws", "graphql-transport-ws subscribe",
	  "graphql-transport-ws: subscribe without an id" },

	/* JSON-RPC 2.0. */
	{ NULL, NULL, 1, M("{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"eth_getBalance\",\"params\":[\"0x1\",\"latest\"],\"id\":7}"),
	  0, "json-rpc", "json-rpc call \"eth_getBalance\" id 7", "" },
	{ NULL, NULL, 1, M(" {\"jsonrpc\":\"2.0\",\"method\":\"tick\"}"), 0,
	  "json-rpc", "json-rpc notification \"tick\"", "" },
	{ NULL, NULL, 1, M("{\"jsonrpc\":\"2.0\",\"result\":{\"a\":[1]},"
	    "\"id\":\"x\"}"), 0, "json-rpc", "json-rpc result id \"x\"", "" },
	{ NULL, NULL, 1, M("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32601,"
	    "\"message\":\"no\"},\"id\":7}"), 0, "json-rpc",
	  "json-rpc error -32601 id 7", "" },
	{ NULL, NULL, 1, M("[{\"jsonrpc\":\"2.0\",\"method\":\"a\",\"id\":1},"
	    "{\"jsonrpc\":\"2.0\",\"method\":\"b\"}]"), 0, "json-rpc",
	  "json-rpc batch of 2", "" },
	{ "jsonrpc", NULL, 1, M("\"hello\""), 0, "json-rpc", "json-rpc",
	  "json-rpc: not a JSON object" },
	{ "jsonrpc", NULL, 1, M("{\"method\":\"a\",\"id\":1}"), 0, "json-rpc",
	  "json-rpc call \"a\" id 1", "json-rpc: no \"jsonrpc\":\"2.0\"" },
	{ NULL, NULL, 1, M("{\"jsonrpc\":\"2.0\",\"result\":1,\"error\":{},"
	    "\"id\":1}"), 0, "json-rpc", "json-rpc response id 1",
	  "json-rpc: both result and error" },
	{ NULL, NULL, 1, M("{\"jsonrpc\":\"2.0\",\"id\":1}"), 0, "json-rpc",
	  "json-rpc", "json-rpc: neither method, result nor error" },
	{ "jsonrpc", NULL, 2, M("{}"), 0, "json-rpc", "json-rpc binary",
	  "json-rpc: binary message" },
	{ NULL, NULL, 1, M("[{\"jsonrpc\":\"2.0\",\"method\":\"a\"},"), 0,
	  "json-rpc", "json-rpc batch of 1+",
	  "json-rpc: batch without its end" },

	/* MQTT. */
	{ NULL, NULL, 2, M("\x10\x10\x00\x04MQTT\x04\x02\x00\x3c\x00\x04"
	    "abcd"), 0, "mqtt", "mqtt CONNECT v3.1.1 client \"abcd\" "
	  "keepalive 60", "" },
	{ "mqtt", NULL, 2, M("\x10\x11\x00\x04MQTT\x05\x02\x00\x3c\x00\x00"
	    "\x04" "abcd"), 0, "mqtt", "mqtt CONNECT v5 client \"abcd\" "
	  "keepalive 60", "" },
	{ "mqtt", NULL, 2, M("\x20\x02\x00\x00"), 0, "mqtt",
	  "mqtt CONNACK rc 0", "" },
	{ "mqtt", NULL, 2, M("\x32\x09\x00\x03" "a/b\x00\x05hi"), 0, "mqtt",
	  "mqtt PUBLISH topic \"a/b\" qos 1 id 5", "" },
	{ "mqtt", NULL, 2, M("\x31\x05\x00\x01" "ahi"), 0, "mqtt",
	  "mqtt PUBLISH topic \"a\" qos 0 retain", "" },
	{ "mqtt", NULL, 2, M("\x40\x02\x00\x05\x50\x02\x00\x06"), 0, "mqtt",
	  "mqtt PUBACK id 5; PUBREC id 6", "" },
	{ "mqtt", NULL, 2, M("\x82\x08\x00\x01\x00\x03" "a/#\x01"), 0, "mqtt",
	  "mqtt SUBSCRIBE id 1 topic \"a/#\" qos 1", "" },
	{ "mqtt", NULL, 2, M("\x82\x0e\x00\x01\x00\x03" "a/#\x02\x00\x03"
	    "b/c\x00"), 0, "mqtt",
	  "mqtt SUBSCRIBE id 1 topic \"a/#\" qos 2 +1 more", "" },
	/* MQTT 5: properties (none here) before the topic filters. */
	{ "mqtt", NULL, 2, M("\x82\x09\x00\x01\x00\x00\x03" "a/#\x01"), 0,
	  "mqtt", "mqtt SUBSCRIBE id 1 topic \"a/#\" qos 1", "" },
	{ "mqtt", NULL, 2, M("\xc0\x00"), 0, "mqtt", "mqtt PINGREQ", "" },
	{ "mqtt", NULL, 2, M("\x32\x40\x00\x03" "a/b\x00\x05hi"), 0, "mqtt",
	  "mqtt PUBLISH topic \"a/b\" qos 1 id 5 (partial)", "" },
	{ "mqtt", NULL, 2, M("\x32\x40\x00\x03" "a/b\x00\x05hi"), 4096,
	  "mqtt", "mqtt PUBLISH topic \"a/b\" qos 1 id 5; ... (cut)", "" },
	{ "mqtt", NULL, 2, M("\x32\x40\x00\x03" "a/b\x00\x05hi"), 40,
	  "mqtt", "mqtt PUBLISH topic \"a/b\" qos 1 id 5 (partial)", "" },
	{ "mqtt", NULL, 2, M("\x00\x00"), 0, "mqtt", "mqtt reserved",
	  "mqtt: reserved packet type 0" },
	{ "mqtt", NULL, 2, M("\x30\xff\xff\xff\xff\x01"), 0, "mqtt",
	  "mqtt PUBLISH", "mqtt: remaining length longer than 4 bytes" },
	{ "mqtt", NULL, 2, M("\x80\x08\x00\x01\x00\x03" "a/#\x01"), 0, "mqtt",
	  "mqtt SUBSCRIBE id 1 topic \"a/#\" qos 1",
	  "mqtt: SUBSCRIBE with flags 0x0 (must be 0x2)" },
	{ "mqtt", NULL, 2, M("\x10\x0c\x00\x04HTTP\x04\x02\x00\x3c\x00\x00"),
	  0, "mqtt", "mqtt CONNECT v3.1.1 client \"\" keepalive 60",
	  "mqtt: CONNECT protocol name \"HTTP\"" },
	{ "mqtt", NULL, 2, M("\x36\x07\x00\x01" "a\x00\x01hi"), 0, "mqtt",
	  "mqtt PUBLISH topic \"a\" qos 3 id 1",
	  "mqtt: PUBLISH with qos 3" },
	{ "mqtt", NULL, 2, M("\x82\x06\x00\x01\x00\x09" "ab"), 0, "mqtt",
	  "mqtt SUBSCRIBE id 1",
	  "mqtt: topic list does not fill the packet" },
	{ "mqtt", NULL, 2, M("\x40\x01\x00"), 0, "mqtt", "mqtt PUBACK",
	  "mqtt: PUBACK shorter than its fields" },
	{ "mqtt", NULL, 1, M("hello"), 0, "mqtt", "mqtt text",
	  "mqtt: text message (MQTT over WebSocket is binary)" },
	{ "mqtt", NULL, 2, M(""), 0, "mqtt", "mqtt", "mqtt: empty message" },

	/* Not a sub-protocol. */
	{ NULL, NULL, 1, M("hello"), 0, NULL, "", "" },
	{ NULL, NULL, 1, M("{\"type\":\"order\"}"), 0, NULL, "", "" },
	{ NULL, NULL, 2, M("\x10\x00"), 0, NULL, "", "" },
	{ "chat", NULL, 1, M("hello"), 0, NULL, "", "" },
	/* A subprotocol we do not know: the content decides. */
	{ "chat", NULL, 1, M("SEND\n\n\0"), 0, "stomp", "stomp SEND", "" },
	{ "mqtt", NULL, 9, M("x"), 0, NULL, "", "" },
};

static void test_cases(void **);
static void test_flow(void **);
static void test_flow_caps(void **);
static void test_offer(void **);
static void test_random(void **);
static void test_long(void **);

static void
test_cases(void **state)
{
	struct subproto_conn   c;
	struct subproto_result r;
	size_t                 i;
	int                    k;

	(void)state;
	for (i = 0; i < sizeof sp_cases / sizeof sp_cases[0]; i++) {
		const struct sp_case *t = &sp_cases[i];

		c.subprotocol = t->subprotocol;
		c.request_protocols = NULL;
		c.path = t->path;
		k = subproto_decode(&c, t->opcode, (const uint8_t *)t->bytes,
		    t->len, t->size != 0 ? t->size : (int64_t)t->len, &r);
		if (t->proto == NULL) {
			assert_int_equal(k, 0);
			assert_null(r.proto);
			assert_string_equal(r.summary, "");
			continue;
		}
		if (k != 1 || strcmp(r.proto, t->proto) != 0 ||
		    strcmp(r.summary, t->summary) != 0 ||
		    strcmp(r.note, t->note) != 0)
			print_error("case %zu: %s [%s] [%s]\n", i,
			    r.proto != NULL ? r.proto : "-", r.summary, r.note);
		assert_int_equal(k, 1);
		assert_string_equal(r.proto, t->proto);
		assert_string_equal(r.summary, t->summary);
		assert_string_equal(r.note, t->note);
	}
}

/* One direction's messages in order, through one flow. */
struct sp_step {
	const char *bytes;
	size_t      len;
	int64_t     size;     /* 0: len */
	const char *summary;
	const char *note;
};

static void
sp_steps(const struct sp_step *t, size_t n)
{
	struct subproto_conn   c = { "mqtt", NULL, NULL };
	struct subproto_flow   f;
	struct subproto_result r;
	size_t                 i;

	memset(&f, 0, sizeof f);
	for (i = 0; i < n; i++) {
		assert_int_equal(subproto_decode_flow(&c, &f, (int64_t)i + 10,
		    2, (const uint8_t *)t[i].bytes, t[i].len, t[i].size != 0 ?
		    t[i].size : (int64_t)t[i].len, &r), 1);
		if (strcmp(r.summary, t[i].summary) != 0 ||
		    strcmp(r.note, t[i].note) != 0)
			print_error("step %zu: [%s] [%s]\n", i, r.summary,
			    r.note);
		assert_string_equal(r.summary, t[i].summary);
		assert_string_equal(r.note, t[i].note);
	}
}

/*
 * How Node's stream path of the npm mqtt client writes (the header, the
 * topic, the id, the payload, a message each), several packets in one
 * message, a packet that ends where the next starts, and a message whose
 * unstored bytes hold a packet's start: the next is read afresh.
 */
static void
test_flow(void **state)
{
	static const struct sp_step steps[] = {
		{ M("\x32"), 0, "mqtt PUBLISH (partial)", "" },
		{ M("\x09"), 0, "mqtt PUBLISH (continued from message 10) "
		  "(partial)", "" },
		{ M("\x00\x03" "a/b"), 0, "mqtt PUBLISH (continued from "
		  "message 10) (partial)", "" },
		{ M("\x00\x07"), 0, "mqtt PUBLISH (continued from message 10) "
		  "(partial)", "" },
		/* The payload, then a PUBACK and the start of a PINGREQ. */
		{ M("hi\x40\x02\x00\x07\xc0"), 0, "mqtt PUBLISH topic \"a/b\" "
		  "qos 1 id 7 (continued from message 10); PUBACK id 7; "
		  "PINGREQ (partial)", "" },
		{ M("\x00\x30\x03\x00\x01" "a"), 0, "mqtt PINGREQ (continued "
		  "from message 14); PUBLISH topic \"a\" qos 0", "" },
		/* 300 bytes of which 4 stored: the PUBLISH ends in the cut. */
		{ M("\x30\x05\x00\x01" "a"), 300, "mqtt PUBLISH topic \"a\" "
		  "qos 0; ... (cut)", "" },
		{ M("\xc0\x00"), 0, "mqtt PINGREQ", "" },
		/* A packet longer than its stored part, carried on. */
		{ M("\x30\x90\x03\x00\x01" "b"), 200, "mqtt PUBLISH topic \"b\" "
		  "qos 0 (partial)", "" },
		{ M("xyz"), 200, "mqtt PUBLISH (continued from message 18) "
		  "(partial)", "" },
		{ M("xyz"), 3, "mqtt PUBLISH topic \"b\" qos 0 (continued from "
		  "message 18)", "" },
		/* Five packets: four shown, then "..." once. */
		{ M("\xc0\x00\xc0\x00\xc0\x00\xc0\x00\xc0\x00\x32"), 0,
		  "mqtt PINGREQ; PINGREQ; PINGREQ; PINGREQ; ...", "" },
		{ M("\x05\x00\x01" "a\x00\x09"), 0, "mqtt PUBLISH topic \"a\" "
		  "qos 1 id 9 (continued from message 21)", "" },
		/* A violation inside a carried packet ends it. */
		{ M("\x30"), 0, "mqtt PUBLISH (partial)", "" },
		{ M("\xff\xff\xff\xff"), 0, "mqtt PUBLISH",
		  "mqtt: remaining length longer than 4 bytes" },
		{ M("\xe0\x00"), 0, "mqtt DISCONNECT", "" },
	};

	(void)state;
	sp_steps(steps, sizeof steps / sizeof steps[0]);
}

/*
 * The caps: a remaining length past SUBPROTO_CARRY_MAX is a note and not
 * followed (the next message is read afresh); a topic longer than the
 * head a flow keeps reads "(cut)" where the packet ends.
 */
static void
test_flow_caps(void **state)
{
	static uint8_t      big[3 + 700];
	static const char   huge[] = "\x30\xff\xff\xff\x7f\x00\x01" "a";
	struct sp_step      steps[] = {
		{ M(huge), 0, "mqtt PUBLISH topic \"a\" qos 0 (partial)",
		  "mqtt: packet of 268435460 bytes goes on past 67108864 "
		  "more: not followed" },
		{ M("\xc0\x00"), 0, "mqtt PINGREQ", "" },
		{ M("\x30\xff\xff"), 0, "mqtt PUBLISH (partial)", "" },
		{ M("\xff\x7f\x00"), 0, "mqtt PUBLISH (continued from "
		  "message 12) (partial)",
		  "mqtt: packet of 268435460 bytes goes on past 67108864 "
		  "more: not followed" },
		{ M("\xc0\x00"), 0, "mqtt PINGREQ", "" },
		{ M("\x30\xbf\x05"), 0, "mqtt PUBLISH qos 0 (partial)", "" },
		{ NULL, 0, 0, NULL, "" },
	};
	char                want[256];

	(void)state;
	/* A topic of 700 bytes, in one message after the header. */
	big[0] = 0x02;
	big[1] = 0xbc;
	memset(big + 2, 't', 700);
	big[702] = 'p';
	steps[6].bytes = (const char *)big;
	steps[6].len = sizeof big;
	/* The topic shown is its first 96 bytes, and it runs past the head. */
	snprintf(want, sizeof want, "mqtt PUBLISH topic \"%.96s...\" qos 0 "
	    "(cut) (continued from message 15)", (const char *)big + 2);
	steps[6].summary = want;
	sp_steps(steps, sizeof steps / sizeof steps[0]);
}

/* Without a negotiated subprotocol, an offer naming one protocol counts;
 * one naming two does not. */
static void
test_offer(void **state)
{
	struct subproto_conn   c = { NULL, "mqtt, mqttv3.1", NULL };
	struct subproto_result r;
	const uint8_t          pub[] = { 0x30, 0x03, 0x00, 0x01, 'a' };

	(void)state;
	assert_int_equal(subproto_decode(&c, 2, pub, sizeof pub, sizeof pub,
	    &r), 1);
	assert_string_equal(r.summary, "mqtt PUBLISH topic \"a\" qos 0");
	c.request_protocols = "mqtt, v12.stomp";
	assert_int_equal(subproto_decode(&c, 2, pub, sizeof pub, sizeof pub,
	    &r), 0);
}

/*
 * Four PUBLISH packets whose topics are 100 two-byte characters each: the
 * summary is full, and ends with "..." on a character boundary.
 */
static void
test_long(void **state)
{
	struct subproto_conn   c = { "mqtt", NULL, NULL };
	struct subproto_result r;
	uint8_t                buf[4 * 205];
	size_t                 n = 0, i, k, len;

	(void)state;
	for (k = 0; k < 4; k++) {
		buf[n++] = 0x30;
		buf[n++] = 202;
		buf[n++] = 1;
		buf[n++] = 0;
		buf[n++] = 200;
		for (i = 0; i < 100; i++) {
			buf[n++] = 0xc3;
			buf[n++] = 0xa9;
		}
	}
	assert_int_equal(subproto_decode(&c, 2, buf, n, (int64_t)n, &r), 1);
	len = strlen(r.summary);
	assert_int_equal(len + 1 >= sizeof r.summary - 3, 1);
	assert_true(utf8_check((const uint8_t *)r.summary, len) < 0);
	assert_string_equal(r.summary + len - 3, "...");
	assert_memory_equal(r.summary, "mqtt PUBLISH topic \"\xc3\xa9", 22);
}

/* Any bytes: the strings stay terminated, printable and within size. */
static void
test_random(void **state)
{
	static const char *const subs[] = {
		NULL, "mqtt", "v12.stomp", "graphql-ws",
		"graphql-transport-ws", "jsonrpc"
	};
	struct subproto_conn   c = { NULL, NULL, NULL };
	struct subproto_result r;
	uint8_t                buf[64];
	uint32_t               seed = 12345;
	size_t                 i, j, n, k;

	(void)state;
	for (i = 0; i < 200000; i++) {
		n = i % sizeof buf;
		for (j = 0; j < n; j++) {
			seed = seed * 1103515245 + 12345;
			buf[j] = (uint8_t)(seed >> 16);
			/* Now and then a prefix that selects a decoder. */
			if (j == 0 && i % 5 == 0)
				buf[0] = "4{[S\x30"[i / 5 % 5];
		}
		c.subprotocol = subs[i % 6];
		c.path = i % 7 == 0 ? EIO_PATH : NULL;
		subproto_decode(&c, 1 + (int)(i % 2), buf, n, (int64_t)n +
		    (int64_t)(i % 3 == 0), &r);
		for (k = 0; k < 2; k++) {
			const char *s = k == 0 ? r.summary : r.note;
			size_t      len = strnlen(s, sizeof r.summary);

			assert_true(len < (k == 0 ? sizeof r.summary :
			    sizeof r.note));
			assert_true(utf8_check((const uint8_t *)s, len) < 0);
			for (j = 0; j < len; j++)
				assert_true((uint8_t)s[j] >= 0x20 &&
				    (uint8_t)s[j] != 0x7f);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_flow),
		cmocka_unit_test(test_flow_caps),
		cmocka_unit_test(test_offer),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
