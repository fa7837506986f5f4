/*
 * rules: the rule table and the size-limit profiles.
 *
 * Close codes follow RFC 6455 section 7.4.1 and what conforming stacks
 * send (see wsautopsy(1), RULES). A remedy may hold one %s: the report
 * fills in the connection's own number (a limit, a size).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "rules.h"
#include "sink.h"

const struct rule rule_table[] = {
	/* Framing: 1002. */
	[RULE_RESERVED_OPCODE] = {
	  "RFC 6455 5.2", WHO_EITHER, 1002, CLASS_1002, SEV_MUST,
	  "a frame used a reserved opcode (3-7 or 11-15)",
	  "a broken WebSocket library, a non-WebSocket protocol on the "
	  "connection, or an intermediary rewriting frames",
	  "find which hop changes the bytes: capture on both sides of the "
	  "proxy" },
	[RULE_RSV_WITHOUT_EXT] = { "RFC 6455 5.2", WHO_EITHER, 1002, CLASS_1002,
	  SEV_MUST,
	  "a frame set RSV bits that no negotiated extension defines",
	  "compression used without negotiating permessage-deflate, or a "
	  "proxy that stripped Sec-WebSocket-Extensions from the handshake",
	  "compare the extensions negotiated on each side of every proxy" },
	[RULE_MISPLACED_RSV1] = {
	  "RFC 7692 6", WHO_EITHER, 1002, CLASS_1002, SEV_MUST,
	  "RSV1 was set on a control or continuation frame under "
	  "permessage-deflate",
	  "a permessage-deflate implementation marking every frame "
	  "compressed",
	  "fix or upgrade the sender's compression code" },
	[RULE_UNMASKED_CLIENT] = { "RFC 6455 5.1", WHO_CLIENT, 1002, CLASS_1002,
	  SEV_MUST, "a client sent a frame without a masking key",
	  "a non-browser client library with masking disabled, or a proxy "
	  "re-framing client traffic",
	  "enable masking in the client or the proxy" },
	[RULE_MASKED_SERVER] = { "RFC 6455 5.1", WHO_SERVER, 1002, CLASS_1002,
	  SEV_MUST, "a server sent a masked frame",
	  "a server reusing client framing code, or a proxy forwarding "
	  "client-side framing to clients",
	  "disable masking on the server side" },
	[RULE_CONTROL_TOO_LONG] = { "RFC 6455 5.5", WHO_EITHER, 1002, CLASS_1002,
	  SEV_MUST, "a control frame carried more than 125 bytes of payload",
	  "a ping or close with a large body, e.g. a long close reason",
	  "keep ping payloads and close reasons under 125 bytes" },
	[RULE_FRAGMENTED_CONTROL] = { "RFC 6455 5.5", WHO_EITHER, 1002, CLASS_1002,
	  SEV_MUST, "a control frame was sent with FIN clear",
	  "a library fragmenting every frame, including control frames",
	  "send control frames in one frame" },
	[RULE_UNEXPECTED_CONT] = { "RFC 6455 5.4", WHO_EITHER, 1002, CLASS_1002,
	  SEV_MUST, "a continuation frame arrived with no message in progress",
	  "a sender that lost track of its fragmentation, or frames dropped "
	  "or reordered by an intermediary",
	  "capture on both sides of any proxy; check the sender's "
	  "fragmentation code" },
	[RULE_DATA_DURING_FRAG] = { "RFC 6455 5.4", WHO_EITHER,
	  1002, CLASS_1002, SEV_MUST,
	  "a new text or binary frame started before the fragmented message "
	  "in progress ended",
	  "two writers interleaving messages on one connection without a "
	  "lock",
	  "serialise writes per connection in the sender" },
	[RULE_CLOSE_ONE_BYTE] = { "RFC 6455 5.5.1", WHO_EITHER, 1002, CLASS_1002,
	  SEV_MUST, "a close frame carried a 1-byte payload (a code needs 2)",
	  "a hand-written close frame", "send an empty close or a 2-byte code" },
	[RULE_INVALID_CLOSE_CODE] = { "RFC 6455 7.4", WHO_EITHER, 1002, CLASS_1002,
	  SEV_MUST,
	  "a close frame carried a code that may not be sent (0-999, 1004-1006, "
	  "1015, 1016-2999, 5000 and above)",
	  "an application passing 1005/1006 or an HTTP status as a close code",
	  "use 1000-1003, 1007-1014 or 3000-4999" },
	[RULE_LENGTH_MSB] = {
	  "RFC 6455 5.2", WHO_EITHER, 1002, CLASS_1002, SEV_MUST,
	  "a 64-bit payload length had its most significant bit set",
	  "memory corruption or a hostile peer",
	  "treat the sender as hostile or broken; check the bytes before it" },
	[RULE_NON_MINIMAL_LENGTH] = { "RFC 6455 5.2", WHO_EITHER, 1002, CLASS_1002,
	  SEV_STRICT,
	  "a payload length used a longer encoding than needed (strict only: "
	  "most stacks accept it)",
	  "a library that always writes 16- or 64-bit lengths",
	  "nothing unless a strict peer (Netty) rejects it" },
	[RULE_FRAME_AFTER_CLOSE] = { "RFC 6455 5.5.1", WHO_EITHER, 1002, CLASS_1002,
	  SEV_MUST, "a frame was sent after the sender's own close frame",
	  "an application writing after it started closing",
	  "stop writing once close has been called" },
	/* Payload: 1007. */
	[RULE_INVALID_UTF8_TEXT] = { "RFC 6455 8.1", WHO_EITHER, 1007, CLASS_1007,
	  SEV_MUST, "a text message was not valid UTF-8",
	  "binary data sent as text, a string cut in the middle of a "
	  "character, or a proxy re-encoding text",
	  "send binary frames for non-text data; check where the bytes were "
	  "cut" },
	[RULE_INVALID_UTF8_REASON] = { "RFC 6455 7.1.6", WHO_EITHER, 1007,
	  CLASS_1007, SEV_MUST, "a close reason was not valid UTF-8",
	  "a reason truncated to 123 bytes in the middle of a character",
	  "truncate reasons on character boundaries" },
	[RULE_INFLATE_ERROR] = {
	  "RFC 7692 6.2", WHO_EITHER, 1007, CLASS_1007, SEV_MUST,
	  "a permessage-deflate message did not inflate",
	  "mismatched context takeover or window bits, or a proxy that "
	  "changed compressed bytes",
	  "compare the negotiated parameters with what the sender uses" },
	/* Size: 1009. */
	[RULE_FRAME_TOO_BIG] = {
	  "RFC 6455 7.4.1", WHO_EITHER, 1009, CLASS_1009, SEV_MUST,
	  "a frame was larger than the receiver accepts",
	  "an upload or document larger than the peer's frame limit",
	  "keep frames to %s bytes (the limit its close reason states or its "
	  "stack's default, else the largest it was seen to take) or raise "
	  "its limit" },
	[RULE_MESSAGE_TOO_BIG] = { "RFC 6455 7.4.1", WHO_EITHER, 1009, CLASS_1009,
	  SEV_MUST,
	  "a message (decoded, after inflation) was larger than the receiver "
	  "accepts",
	  "an upload or JSON document larger than the server accepts, or a "
	  "small compressed message that inflates past the limit",
	  "keep messages to %s bytes (the limit its close reason states or its "
	  "stack's default, else the largest it was seen to take) or raise "
	  "its limit" },
	/* Handshake. */
	[RULE_BAD_ACCEPT_KEY] = { "RFC 6455 4.2.2", WHO_SERVER, 0, CLASS_HANDSHAKE,
	  SEV_MUST,
	  "Sec-WebSocket-Accept was not base64(SHA-1(key + GUID))",
	  "a proxy or cache answering the upgrade itself, or a server hashing "
	  "the wrong key",
	  "check which hop produced the 101 response" },
	[RULE_MISSING_UPGRADE_HEADER] = {
	  "RFC 6455 4.1", WHO_EITHER, 0, CLASS_HANDSHAKE,
	  SEV_MUST, "the Upgrade: websocket or Connection: Upgrade token was "
	  "missing",
	  "a proxy dropping hop-by-hop headers (Upgrade, Connection)",
	  "configure the proxy to forward Upgrade and Connection" },
	[RULE_BAD_VERSION] = {
	  "RFC 6455 4.1", WHO_CLIENT, 0, CLASS_HANDSHAKE, SEV_MUST,
	  "Sec-WebSocket-Version was not 13", "an obsolete client",
	  "upgrade the client" },
	[RULE_BAD_REQUEST_LINE] = { "RFC 6455 4.1", WHO_CLIENT, 0, CLASS_HANDSHAKE,
	  SEV_MUST, "the upgrade request was not GET ... HTTP/1.1",
	  "a client or proxy speaking HTTP/1.0 or another method",
	  "make every hop speak HTTP/1.1 for the upgrade" },
	[RULE_BAD_KEY] = { "RFC 6455 4.1", WHO_CLIENT, 0, CLASS_HANDSHAKE, SEV_MUST,
	  "Sec-WebSocket-Key was absent or not 16 bytes in base64",
	  "a hand-written client", "send a random 16-byte key in base64" },
	[RULE_EXTENSION_NOT_OFFERED] = {
	  "RFC 6455 9.1", WHO_SERVER, 0, CLASS_HANDSHAKE,
	  SEV_MUST, "the server accepted an extension the client did not offer",
	  "a proxy that rewrote the request's extensions",
	  "compare the request headers on both sides of the proxy" },
	[RULE_SUBPROTOCOL_NOT_OFFERED] = { "RFC 6455 4.2.2", WHO_SERVER, 0,
	  CLASS_HANDSHAKE, SEV_MUST,
	  "the server selected a subprotocol the client did not offer",
	  "a server with a fixed subprotocol",
	  "answer only with a subprotocol from the request" },
	[RULE_INVALID_DEFLATE_PARAMS] = { "RFC 7692 7", WHO_EITHER, 0,
	  CLASS_HANDSHAKE, SEV_MUST,
	  "permessage-deflate parameters were unknown, repeated or out of "
	  "range",
	  "an extension implementation with a typo or an old draft's names",
	  "send only the RFC 7692 parameter names, each once" },
	[RULE_MALFORMED_HTTP_HEAD] = {
	  "RFC 9112 2-5", WHO_EITHER, 0, CLASS_HANDSHAKE,
	  SEV_MUST,
	  "an HTTP head of the upgrade could not be parsed (a control byte, "
	  "a line over 8 KiB, over 100 headers or a head over 16 KiB)",
	  "a hostile or broken peer, or a proxy mangling the request",
	  "read the detail for where the parser stopped; frames after a 101 "
	  "are still decoded" },
	[RULE_HANDSHAKE_REFUSED] = {
	  "RFC 6455 4.2.2", WHO_SERVER, 0, CLASS_HANDSHAKE,
	  SEV_STATE, "the server answered the upgrade with a status other "
	  "than 101",
	  "authentication, origin checks, a wrong path, or a proxy that does "
	  "not forward upgrades",
	  "read the response status and body" },
	/* Abnormal ends: 1006 is never sent, it is what the peer reports. */
	[RULE_ABRUPT_RESET] = {
	  "RFC 6455 7.1.5", WHO_EITHER, 1006, CLASS_1006, SEV_STATE,
	  "the TCP connection was reset with no close frame from that side",
	  "a stack that drops the connection on a violation (uWebSockets, "
	  "Tornado, tungstenite), a crash, or a load balancer timeout",
	  "look at the frame just before the reset" },
	[RULE_ABRUPT_FIN] = {
	  "RFC 6455 7.1.5", WHO_EITHER, 1006, CLASS_1006, SEV_STATE,
	  "the TCP connection was closed with no close frame from that side",
	  "a process exit, an idle timeout in a proxy, or a stack that drops "
	  "the connection on a violation",
	  "look at the frame just before the FIN and at proxy timeouts" },
	[RULE_CLOSE_UNANSWERED] = { "RFC 6455 5.5.1", WHO_EITHER, 1006, CLASS_1006,
	  SEV_STATE, "a close frame was never answered before the connection "
	  "ended",
	  "a peer that exits without completing the closing handshake",
	  "answer close frames before closing the socket" },
	/* Keepalive: what a ping left unanswered says about the peer. */
	[RULE_UNANSWERED_PING] = {
	  "RFC 6455 5.5.2", WHO_EITHER, 0, CLASS_KEEPALIVE, SEV_STATE,
	  "pings went unanswered: the peer sent no pong for them while the "
	  "connection went on",
	  "a dead, stopped or overloaded peer (an event loop blocked, a "
	  "process paused), or a proxy that swallows control frames",
	  "check the silent peer's process and load at that time; a "
	  "keepalive (python websockets ping_timeout) closes 1011 here" },
	/* Capture limits: not violations. */
	[RULE_CAPTURE_GAP] = { "-", WHO_EITHER, 0, CLASS_CAPTURE, SEV_STATE,
	  "bytes of this stream were never captured; nothing decoded across "
	  "the gap is blamed on a peer",
	  "capture loss: a busy interface, a small buffer, or a capture "
	  "started mid-connection",
	  "capture with a larger buffer (tcpdump -B) and a filter" },
	[RULE_CAPTURE_TRUNCATED] = { "-", WHO_EITHER, 0, CLASS_CAPTURE, SEV_STATE,
	  "packets were cut by the capture's snaplen",
	  "tcpdump -s with a small value",
	  "capture with -s 0 (the whole packet)" },
	[RULE_TLS_DECRYPT_FAILED] = { "RFC 8446 5.2", WHO_EITHER, 0,
	  CLASS_CAPTURE, SEV_STATE,
	  "a TLS record did not decrypt with the key log's secrets (its "
	  "authentication tag or MAC is wrong); the rest of that direction "
	  "is not decoded",
	  "a key log of another run or another connection with the same "
	  "client random, or a key log cut short",
	  "give the key log written by the same process run (--keylog)" },
	[RULE_TLS_GAP] = { "RFC 8446 5.3", WHO_EITHER, 0, CLASS_CAPTURE,
	  SEV_STATE,
	  "TLS records were lost in a capture gap; record sequence numbers "
	  "are implicit, so the rest of that direction cannot be decrypted",
	  "capture loss: a busy interface, a small buffer",
	  "capture with a larger buffer (tcpdump -B) and a filter" },
	[RULE_TLS_MALFORMED] = { "RFC 8446 5.1", WHO_EITHER, 0, CLASS_CAPTURE,
	  SEV_STATE,
	  "bytes that started as TLS are not TLS records (a record or "
	  "handshake message longer than TLS allows); the rest of that "
	  "direction is not read",
	  "a protocol that only looked like TLS at first, or damaged bytes",
	  "look at the packet named" },
};

_Static_assert(sizeof rule_table / sizeof rule_table[0] == RULE_COUNT,
    "a rule of RULE_LIST has no row");

static const char *const rule_names[RULE_COUNT] = {
#define RULE_NAME_ROW(name, id) [RULE_##name] = id,
	RULE_LIST(RULE_NAME_ROW)
#undef RULE_NAME_ROW
};

const char *const finding_class_names[CLASS_COUNT] = {
#define CLASS_NAME_ROW(e, name, rank, sort, ansi, pair, attr, mono, key) \
	[CLASS_##e] = name,
	CLASS_LIST(CLASS_NAME_ROW)
#undef CLASS_NAME_ROW
};

enum finding_class
finding_class_find(const char *name)
{
	int c;

	for (c = 0; name != NULL && c < CLASS_COUNT; c++)
		if (strcmp(finding_class_names[c], name) == 0)
			return c;
	return CLASS_COUNT;
}

const struct rule_close rule_close_table[] = {
	/* gorilla conn.go handleProtocolError; Tomcat invalidUtf8Close. */
	{ RULE_INVALID_UTF8_REASON, 1002, "gorilla and Tomcat",
	  "gorilla,tomcat" },
	/* ws: length > 2^53 - 1; python-websockets: over max_size. */
	{ RULE_LENGTH_MSB, 1009, "Node ws and python-websockets",
	  "node-ws,python-websockets" },
	/* A STOMP frame over its limit: ERROR frame, then 1002. */
	{ RULE_MESSAGE_TOO_BIG, 1002, "Spring STOMP", "spring-stomp" },
};

const unsigned rule_close_count = sizeof rule_close_table /
    sizeof rule_close_table[0];

const struct idle_timeout idle_timeout_table[] = {
	{ "nginx", "proxy_read_timeout", 60,
	  "nginx ngx_http_proxy_module, proxy_read_timeout default" },
	{ "AWS ALB", "idle timeout", 60,
	  "Elastic Load Balancing, Application Load Balancer idle timeout" },
	{ "Cloudflare", "idle timeout", 100,
	  "Cloudflare proxied WebSockets, about 100 s without traffic" },
	{ "AWS NLB", "TCP idle timeout", 350,
	  "Elastic Load Balancing, Network Load Balancer TCP idle timeout" },
	{ "AWS CloudFront", "origin idle timeout", 600,
	  "CloudFront quotas, 10 minutes" },
};

const unsigned idle_timeout_count = sizeof idle_timeout_table /
    sizeof idle_timeout_table[0];

unsigned
idle_timeout_match(double seconds, char *out, size_t len)
{
	const struct idle_timeout *t;
	double                     late;
	unsigned                   i, n = 0;
	size_t                     o = 0;

	if (len > 0)
		out[0] = '\0';
	for (i = 0; i < idle_timeout_count; i++) {
		t = &idle_timeout_table[i];
		late = t->seconds * IDLE_LATE_PART > IDLE_LATE ?
		    t->seconds * IDLE_LATE_PART : IDLE_LATE;
		if (seconds < t->seconds - IDLE_EARLY ||
		    seconds > t->seconds + late)
			continue;
		if (o < len)
			o += (size_t)snprintf(out + o, len - o, "%s%s %s "
			    "(default %g s)", n ? " and " : "", t->hop,
			    t->setting, t->seconds);
		n++;
	}
	return n;
}

const struct rule *
rule_get(enum rule_id id)
{
	return id > RULE_NONE && id < RULE_COUNT ? &rule_table[id] : NULL;
}

void
rule_capture_finding(struct finding *f, enum rule_id id)
{
	memset(f, 0, sizeof *f);
	f->kind = FINDING_CAPTURE;
	f->class = CLASS_CAPTURE;
	f->code = -1;
	f->rule = id;
	f->frame_index = -1;
	f->limit_from_reason = -1;
	snprintf(f->explanation, sizeof f->explanation, "%s",
	    rule_get(id)->explanation);
}

const char *
rule_name(enum rule_id id)
{
	return id > RULE_NONE && id < RULE_COUNT ? rule_names[id] : NULL;
}

const struct rule *
rule_find(const char *id)
{
	int i;

	if (id == NULL)
		return NULL;
	for (i = RULE_NONE + 1; i < RULE_COUNT; i++)
		if (strcmp(rule_names[i], id) == 0)
			return &rule_table[i];
	return NULL;
}

const char *
rule_closes_with(enum rule_id id, int code)
{
	const struct rule *r = rule_get(id);
	unsigned           i;

	if (r == NULL)
		return NULL;
	if (r->code == code)
		return "";
	for (i = 0; i < rule_close_count; i++)
		if (rule_close_table[i].code == code &&
		    rule_close_table[i].rule == id)
			return rule_close_table[i].stacks;
	return NULL;
}

/* Whether a comma-separated list of names holds this one. */
static int
rule_list_has(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (; list != NULL; list = strchr(list, ',')) {
		if (*list == ',')
			list++;
		if (strncmp(list, name, n) == 0 &&
		    (list[n] == ',' || list[n] == '\0'))
			return 1;
	}
	return 0;
}

int
rule_stack_answers(enum rule_id id, int code, const char *stack)
{
	const struct rule *r = rule_get(id);
	unsigned           i;

	if (r == NULL)
		return 0;
	for (i = 0; i < rule_close_count; i++)
		if (rule_close_table[i].rule == id &&
		    rule_list_has(rule_close_table[i].ids, stack))
			return rule_close_table[i].code == code;
	return r->code == code;
}

const char *
rule_who_name(enum rule_who w)
{
	switch (w) {
	case WHO_CLIENT:
		return "client";
	case WHO_SERVER:
		return "server";
	default:
		return "either";
	}
}

const struct profile profile_table[] = {
	{ "node-ws", "Node ws 8", 0, 104857600, 1009, "",
	  "ws lib/websocket-server.js maxPayload" },
	{ "python-websockets", "Python websockets", 0, 1048576, 1009,
	  "over size limit / frame with N bytes exceeds limit of M bytes",
	  "websockets max_size = 2**20" },
	{ "tornado", "Tornado", 0, 10485760, 1009, "message too big",
	  "tornado/websocket.py websocket_max_message_size" },
	{ "coder-websocket", "coder/websocket (nhooyr)", 0, 32768, 1009,
	  "read limited at N bytes", "coder/websocket read.go" },
	{ "netty", "Netty", 65536, 0, 1009,
	  "Max frame length of N has been exceeded.",
	  "WebSocketDecoderConfig maxFramePayloadLength" },
	{ "jetty", "Jetty 12", 65536, 65536, 1009,
	  "Text message too large: (actual) N > (configured max text message "
	  "size) M", "WebSocketConstants DEFAULT_MAX_*_MESSAGE_SIZE" },
	{ "tomcat", "Tomcat", 0, 8192, 1009,
	  "The message was [N] bytes long but the MessageHandler has a limit "
	  "of [M] bytes", "Constants.DEFAULT_BUFFER_SIZE" },
	{ "spring-stomp", "Spring STOMP", 0, 65536, 1002,
	  "The configured STOMP buffer size limit of N bytes has been "
	  "exceeded", "WebSocketTransportRegistration messageSizeLimit" },
	{ "uwebsockets", "uWebSockets", 0, 16384, 0, "",
	  "App.h maxPayloadLength (drops TCP, no close frame)" },
	{ "socketio", "Socket.IO / engine.io", 0, 1000000, 1009, "",
	  "engine.io maxHttpBufferSize" },
	{ "boost-beast", "Boost.Beast", 0, 16777216, 1009, "",
	  "stream.hpp read_message_max" },
	{ "websocketpp", "websocketpp", 0, 32000000, 1009,
	  "A message was too large", "config/core.hpp max_message_size" },
	{ "tungstenite", "tungstenite-rs", 16777216, 67108864, 0, "",
	  "protocol/mod.rs (error, no close frame)" },
	{ "fastwebsockets", "fastwebsockets", 67108864, 0, 0, "",
	  "src/lib.rs max_message_size, checked per frame" },
	{ "cowboy", "Cowboy 2.17+", 0, 1000000, 1009, "",
	  "cowboy_websocket.erl max_frame_size" },
	{ "aws-apigw", "AWS API Gateway", 32768, 131072, 1009, "",
	  "API Gateway WebSocket quotas" },
	{ "azure-webpubsub", "Azure Web PubSub", 0, 1048576,
	  PROFILE_UNVERIFIED, "", "service limits" },
	{ "signalr", "ASP.NET Core SignalR", 0, 32768, PROFILE_UNVERIFIED, "",
	  "HubOptions.MaximumReceiveMessageSize (32 KB); the connection is "
	  "closed" },
	{ "cloudflare", "Cloudflare Durable Objects", 0, 33554432, 1009,
	  "Message is too large",
	  "Durable Objects limits page (32 MiB received); code and reason "
	  "from the older docs" },
	{ "cloudflare-old", "Cloudflare Workers (older docs)", 0, 1048576,
	  1009, "Message is too large", "Workers limits (older docs)" },
	{ "kong", "Kong websocket-size-limit (client)", 0, 1048576,
	  PROFILE_UNVERIFIED, "", "plugin defaults" },
	{ "kong-upstream", "Kong websocket-size-limit (upstream)", 0, 16777216,
	  PROFILE_UNVERIFIED, "", "plugin defaults" },
	{ "apisix", "APISIX", 65535, 0, PROFILE_UNVERIFIED, "",
	  "websocket-proxy (closes the connection)" },
	{ "firefox", "Firefox", 0, 2147483647, 1009, "",
	  "network.websocket.max-message-size" },
};

const unsigned profile_count = sizeof profile_table / sizeof profile_table[0];

static const struct {
	int         code;
	const char *brief, *words;
} profile_excess[] = {
	{ 1009, "1009", "close 1009" },
	{ 1002, "1002", "close 1002" },
	{ 0, "drop", "a TCP drop or an error (no close frame)" },
	{ PROFILE_UNVERIFIED, "unverified",
	  "unverified (no source found says which close code, if any)" },
};

static unsigned
profile_excess_find(const struct profile *p)
{
	unsigned i;

	for (i = 1; i < sizeof profile_excess / sizeof profile_excess[0]; i++)
		if (profile_excess[i].code == p->close_code)
			return i;
	return 0;
}

const char *
profile_excess_short(const struct profile *p)
{
	return profile_excess[profile_excess_find(p)].brief;
}

const char *
profile_excess_long(const struct profile *p)
{
	return profile_excess[profile_excess_find(p)].words;
}

uint64_t
profile_limit(const struct profile *p)
{
	return p->max_message ? p->max_message : p->max_frame;
}

void
profile_match(uint64_t min, uint64_t max, int64_t reason_limit,
    const char *stack, char *out, size_t len)
{
	const struct profile *p;
	uint64_t              lim;
	unsigned              i, first = 0;
	size_t                n = 0;
	int                   stated;

	if (len == 0)
		return;
	out[0] = '\0';
	for (i = 0; stack != NULL && i < profile_count; i++)
		if (strcmp(profile_table[i].name, stack) == 0)
			first = i;
	/* A limit stated in the reason, and fitting, is the better witness. */
	stated = reason_limit >= 0 && (uint64_t)reason_limit >= min &&
	    (uint64_t)reason_limit <= max;
	for (i = 0; i < profile_count; i++) {
		p = &profile_table[(i + first) % profile_count];
		lim = profile_limit(p);
		/*
		 * A 1009 close frame was seen: stacks that never send one
		 * go, and so do those whose reaction is unverified.
		 */
		if (p->close_code != 1009)
			continue;
		if (stated ? lim != (uint64_t)reason_limit &&
		    p->max_frame != (uint64_t)reason_limit :
		    lim < min || lim > max)
			continue;
		if (n + strlen(p->name) + 1 >= len)
			continue;   /* names are kept whole */
		n += (size_t)snprintf(out + n, len - n, "%s%s", n ? "," : "",
		    p->name);
	}
}

const struct profile *
profile_find(const char *name)
{
	unsigned i;

	for (i = 0; i < profile_count; i++)
		if (strcmp(profile_table[i].name, name) == 0)
			return &profile_table[i];
	return NULL;
}
