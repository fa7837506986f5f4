/*
 * subproto: sub-protocol summaries of WebSocket messages (subproto.h).
 *
 * Every reader below works on (p, n) and checks a length before each
 * read; a field that runs past n reads "(cut)" when the message is longer
 * than what was stored, and is the sub-protocol's fault (a note) when it
 * is not. Nothing here allocates.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "escape.h"
#include "subproto.h"

enum sp_kind {
	SP_NONE, SP_EIO, SP_STOMP, SP_GQL_T, SP_GQL_WS, SP_GQL, SP_JSONRPC,
	SP_MQTT
};

/* sp_json_end's answers besides an index. */
#define SP_PAST ((size_t)-1)   /* the value runs past the stored bytes */
#define SP_BAD  ((size_t)-2)   /* not a JSON value */

/* Longest field shown, before escaping. */
#define SP_FIELD 96

struct sp {
	const uint8_t          *p;
	size_t                  n;
	int64_t                 size;  /* the message's */
	int                     cut;   /* it is longer than p/n */
	int                     opcode;
	struct subproto_result *r;
	size_t                  len;   /* of r->summary */
	struct subproto_flow   *flow;  /* MQTT's, or NULL: no carrying */
	int64_t                 msg;   /* the message's number in flow */
};

struct sp_cur {
	const uint8_t *p;
	size_t         i, end;
	int            short_read;
};

static const struct {
	const char  *name;
	enum sp_kind kind;
} sp_names[] = {
	{ "graphql-transport-ws", SP_GQL_T },
	{ "graphql-ws", SP_GQL_WS },
	{ "mqtt", SP_MQTT },
	{ "mqttv3.1", SP_MQTT },
	{ "v10.stomp", SP_STOMP },
	{ "v11.stomp", SP_STOMP },
	{ "v12.stomp", SP_STOMP },
	{ "stomp", SP_STOMP },
	{ "jsonrpc", SP_JSONRPC },
	{ "json-rpc", SP_JSONRPC },
	{ "jsonrpc-2.0", SP_JSONRPC },
	{ "jsonrpc2", SP_JSONRPC },
};

static const char *const sp_stomp_commands[] = {
	"CONNECT", "STOMP", "CONNECTED", "SEND", "SUBSCRIBE", "UNSUBSCRIBE",
	"ACK", "NACK", "BEGIN", "COMMIT", "ABORT", "DISCONNECT", "MESSAGE",
	"RECEIPT", "ERROR"
};

/* Headers a STOMP summary shows after the destination, in this order. */
static const char *const sp_stomp_shown[] = {
	"id", "subscription", "message-id", "receipt", "receipt-id", "ack",
	"accept-version", "version", "content-length", "message"
};

static const char *const sp_gql_t_types[] = {
	"connection_init", "connection_ack", "ping", "pong", "subscribe",
	"next", "error", "complete"
};
static const char *const sp_gql_ws_types[] = {
	"connection_init", "connection_ack", "ka", "start", "data", "error",
	"complete", "stop", "connection_terminate", "connection_error"
};

static const char *const sp_mqtt_types[16] = {
	NULL, "CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PUBREC", "PUBREL",
	"PUBCOMP", "SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK",
	"PINGREQ", "PINGRESP", "DISCONNECT", "AUTH"
};

static void         sp_add(struct sp *, const char *, ...)
			__attribute__((format(printf, 2, 3)));
static void         sp_add_raw(struct sp *, const char *, const uint8_t *,
			size_t, int quoted);
static void         sp_add_json(struct sp *, const char *, const uint8_t *,
			size_t, int unquote);
static void         sp_note(struct sp *, const char *, ...)
			__attribute__((format(printf, 2, 3)));
static void         sp_note_raw(struct sp *, const char *, const uint8_t *,
			size_t);
static void         sp_cut(struct sp *);
static void         sp_full(char *, size_t);
static enum sp_kind sp_by_name(const char *, size_t);
static enum sp_kind sp_by_header(const struct subproto_conn *);
static enum sp_kind sp_by_content(const uint8_t *, size_t, int);
static int          sp_in(const char *const *, size_t, const uint8_t *,
			size_t);
static size_t       sp_ws(const uint8_t *, size_t, size_t);
static size_t       sp_json_end(const uint8_t *, size_t, size_t);
static int          sp_json_member(const uint8_t *, size_t, size_t,
			const char *, size_t *, size_t *);
static int          sp_json_is_str(const uint8_t *, size_t, size_t);
static void         sp_eio(struct sp *);
static void         sp_socketio(struct sp *, size_t);
static size_t       sp_stomp_line(const uint8_t *, size_t, size_t,
			size_t *);
static int          sp_stomp_command(const uint8_t *, size_t);
static void         sp_stomp(struct sp *);
static void         sp_gql(struct sp *, enum sp_kind);
static void         sp_jsonrpc(struct sp *);
static void         sp_jsonrpc_one(struct sp *, size_t, size_t);
static int          sp_mqtt_u8(struct sp_cur *);
static int          sp_mqtt_u16(struct sp_cur *);
static int          sp_mqtt_str(struct sp_cur *, size_t *, size_t *);
static int          sp_mqtt_varint(struct sp_cur *, uint32_t *);
static void         sp_mqtt_topics(struct sp *, const struct sp_cur *,
			int);
static int          sp_mqtt_head(const uint8_t *, size_t, uint64_t *);
static int          sp_mqtt_fields(struct sp *, const uint8_t *, size_t,
			int);
static void         sp_mqtt_keep(struct subproto_flow *, const uint8_t *,
			size_t);
static void         sp_mqtt_open(struct sp *, size_t, int, uint64_t);
static size_t       sp_mqtt_carried(struct sp *);
static void         sp_mqtt(struct sp *);
static void         sp_fn(sqlite3_context *, int, sqlite3_value **);

static void
sp_add(struct sp *s, const char *fmt, ...)
{
	va_list ap;
	size_t  cap = sizeof s->r->summary;
	int     w;

	if (s->len + 1 >= cap)
		return;
	va_start(ap, fmt);
	w = vsnprintf(s->r->summary + s->len, cap - s->len, fmt, ap);
	va_end(ap);
	if (w < 0)
		return;
	if ((size_t)w < cap - s->len) {
		s->len += (size_t)w;
		return;
	}
	sp_full(s->r->summary, cap);
	s->len = cap - 1;
}

/* A buffer vsnprintf filled up: it ends on a character boundary, "...". */
static void
sp_full(char *buf, size_t cap)
{
	size_t len = cap - 4;

	while (len > 0 && ((uint8_t)buf[len] & 0xc0) == 0x80)
		len--;
	memcpy(buf + len, "...", 4);
}

/*
 * Raw bytes from the wire: esc_wire's text, at most SP_FIELD bytes of it;
 * quoted: within double quotes, an inner quote as \" (esc_wire doubled any
 * backslash, so \" can only be a quote).
 */
static void
sp_add_raw(struct sp *s, const char *before, const uint8_t *p, size_t n,
    int quoted)
{
	char   esc[SP_FIELD * 10 + 8], out[sizeof esc * 2 + 4];
	size_t i, k = 0;

	esc_wire(p, n < SP_FIELD ? n : SP_FIELD, esc, sizeof esc);
	if (quoted)
		out[k++] = '"';
	for (i = 0; esc[i] != '\0'; i++) {
		if (quoted && esc[i] == '"')
			out[k++] = '\\';
		out[k++] = esc[i];
	}
	if (n > SP_FIELD)
		k += (size_t)snprintf(out + k, sizeof out - k, "...");
	if (quoted)
		out[k++] = '"';
	out[k] = '\0';
	sp_add(s, "%s%s", before, out);
}

/*
 * A JSON token as it stands (strings keep their quotes and escapes, so
 * they are unambiguous already), made terminal-safe; unquote drops a
 * string's quotes.
 */
static void
sp_add_json(struct sp *s, const char *before, const uint8_t *p, size_t n,
    int unquote)
{
	char out[SP_FIELD * 10 + 8];

	if (unquote && n >= 2 && p[0] == '"' && p[n - 1] == '"') {
		p++;
		n -= 2;
	}
	esc_terminal(p, n < SP_FIELD ? n : SP_FIELD, out, sizeof out);
	sp_add(s, "%s%s%s", before, out, n > SP_FIELD ? "..." : "");
}

/* The first note wins: it is the one that explains the others. */
static void
sp_note(struct sp *s, const char *fmt, ...)
{
	va_list ap;
	int     w;

	if (s->r->note[0] != '\0')
		return;
	va_start(ap, fmt);
	w = vsnprintf(s->r->note, sizeof s->r->note, fmt, ap);
	va_end(ap);
	if (w >= (int)sizeof s->r->note)
		sp_full(s->r->note, sizeof s->r->note);
}

/* A note that names bytes from the wire: "PREFIX \"BYTES\"". */
static void
sp_note_raw(struct sp *s, const char *prefix, const uint8_t *p, size_t n)
{
	char esc[32 * 10 + 8];

	esc_wire(p, n < 32 ? n : 32, esc, sizeof esc);
	sp_note(s, "%s \"%s%s\"", prefix, esc, n > 32 ? "..." : "");
}

static void
sp_cut(struct sp *s)
{
	sp_add(s, " (cut)");
}

static enum sp_kind
sp_by_name(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof sp_names / sizeof sp_names[0]; i++)
		if (strlen(sp_names[i].name) == len &&
		    strncasecmp(sp_names[i].name, name, len) == 0)
			return sp_names[i].kind;
	return SP_NONE;
}

/*
 * The negotiated subprotocol; without one, the client's offer when every
 * name in it that we know means the same protocol; then an Engine.IO
 * request path (EIO=).
 */
static enum sp_kind
sp_by_header(const struct subproto_conn *c)
{
	enum sp_kind k, found = SP_NONE;
	const char  *q, *e;

	if (c->subprotocol != NULL && c->subprotocol[0] != '\0')
		return sp_by_name(c->subprotocol, strlen(c->subprotocol));
	for (q = c->request_protocols; q != NULL && *q != '\0'; q = e) {
		while (*q == ' ' || *q == '\t' || *q == ',')
			q++;
		for (e = q; *e != '\0' && *e != ',' && *e != ' ' &&
		    *e != '\t'; e++)
			;
		if (e == q)
			break;
		if ((k = sp_by_name(q, (size_t)(e - q))) == SP_NONE)
			continue;
		if (found != SP_NONE && found != k)
			return SP_NONE;
		found = k;
	}
	if (found != SP_NONE)
		return found;
	if (c->path != NULL && (strstr(c->path, "?EIO=") != NULL ||
	    strstr(c->path, "&EIO=") != NULL))
		return SP_EIO;
	return SP_NONE;
}

static int
sp_in(const char *const *list, size_t count, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (strlen(list[i]) == n && memcmp(list[i], p, n) == 0)
			return 1;
	return 0;
}

static size_t
sp_ws(const uint8_t *p, size_t n, size_t i)
{
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' ||
	    p[i] == '\n'))
		i++;
	return i;
}

/*
 * The index past the JSON value at p[i], SP_PAST when it runs past n, or
 * SP_BAD. Not a validator: a string ends at its first unescaped quote, a
 * container at its balancing bracket (brackets in strings not counted), a
 * scalar at a delimiter. A scalar that ends at n may go on: SP_PAST.
 */
static size_t
sp_json_end(const uint8_t *p, size_t n, size_t i)
{
	size_t depth = 0, start = i;
	int    in_str = 0;

	if (i >= n)
		return SP_PAST;
	if (p[i] == '"') {
		for (i++; i < n; i++) {
			if (p[i] == '\\')
				i++;
			else if (p[i] == '"')
				return i + 1;
		}
		return SP_PAST;
	}
	if (p[i] == '{' || p[i] == '[') {
		for (; i < n; i++) {
			if (in_str) {
				if (p[i] == '\\')
					i++;
				else if (p[i] == '"')
					in_str = 0;
			} else if (p[i] == '"')
				in_str = 1;
			else if (p[i] == '{' || p[i] == '[')
				depth++;
			else if (p[i] == '}' || p[i] == ']') {
				if (--depth == 0)
					return i + 1;
			}
		}
		return SP_PAST;
	}
	while (i < n && ((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' &&
	    p[i] <= 'z') || p[i] == '-' || p[i] == '+' || p[i] == '.' ||
	    p[i] == 'E'))
		i++;
	if (i == start)
		return SP_BAD;
	return i == n ? SP_PAST : i;
}

/*
 * The value of member key of the object at p[i] (after blanks), in
 * [*vs, *ve): 1 found, 0 absent, -1 the object runs past n before key
 * was seen, -2 not an object.
 */
static int
sp_json_member(const uint8_t *p, size_t n, size_t i, const char *key,
    size_t *vs, size_t *ve)
{
	size_t klen = strlen(key), ks, ke, e;

	i = sp_ws(p, n, i);
	if (i >= n)
		return -1;
	if (p[i] != '{')
		return -2;
	for (i++;;) {
		i = sp_ws(p, n, i);
		if (i >= n)
			return -1;
		if (p[i] == '}')
			return 0;
		if (p[i] != '"')
			return -2;
		ks = i;
		if ((ke = sp_json_end(p, n, i)) == SP_PAST)
			return -1;
		i = sp_ws(p, n, ke);
		if (i >= n)
			return -1;
		if (p[i] != ':')
			return -2;
		i = sp_ws(p, n, i + 1);
		if ((e = sp_json_end(p, n, i)) == SP_PAST)
			return -1;
		if (e == SP_BAD)
			return -2;
		if (ke - ks - 2 == klen && memcmp(p + ks + 1, key, klen) == 0) {
			*vs = i;
			*ve = e;
			return 1;
		}
		i = sp_ws(p, n, e);
		if (i >= n)
			return -1;
		if (p[i] == ',')
			i++;
		else if (p[i] == '}')
			return 0;
		else
			return -2;
	}
}

static int
sp_json_is_str(const uint8_t *p, size_t vs, size_t ve)
{
	return ve - vs >= 2 && p[vs] == '"';
}

/* ---- Engine.IO v4 and Socket.IO v5 ---- */

static void
sp_eio(struct sp *s)
{
	const uint8_t *p = s->p;
	size_t         n = s->n, vs, ve;
	int            m;

	if (s->opcode == 2) {
		/* Engine.IO v4 sends a binary attachment as its own message. */
		s->r->proto = "socket.io";
		sp_add(s, "socket.io binary attachment %lld bytes",
		    (long long)s->size);
		return;
	}
	s->r->proto = "engine.io";
	if (n == 0) {
		sp_add(s, "engine.io");
		if (s->cut)
			sp_cut(s);
		else
			sp_note(s, "engine.io: empty packet");
		return;
	}
	switch (p[0]) {
	case '0':
		sp_add(s, "engine.io open");
		m = sp_json_member(p, n, 1, "sid", &vs, &ve);
		if (m == 1)
			sp_add_json(s, " sid ", p + vs, ve - vs, 0);
		if (m == 1 && sp_json_member(p, n, 1, "pingInterval", &vs,
		    &ve) == 1)
			sp_add_json(s, " ping ", p + vs, ve - vs, 0);
		if (m == -1 && s->cut)
			sp_cut(s);
		else if (m != 1)
			sp_note(s, "engine.io: open packet without a sid");
		break;
	case '1':
		sp_add(s, "engine.io close");
		break;
	case '2':
	case '3':
		sp_add(s, "engine.io %s", p[0] == '2' ? "ping" : "pong");
		if (n > 1)
			sp_add_raw(s, " ", p + 1, n - 1, 1);
		break;
	case '4':
		if (n >= 2 && p[1] >= '0' && p[1] <= '9') {
			sp_socketio(s, 1);
			break;
		}
		sp_add(s, "engine.io message %zu bytes", n - 1);
		break;
	case '5':
		sp_add(s, "engine.io upgrade");
		break;
	case '6':
		sp_add(s, "engine.io noop");
		break;
	default:
		sp_add(s, "engine.io");
		sp_note_raw(s, "engine.io: unknown packet type", p, 1);
		break;
	}
}

/* A Socket.IO packet at p[i]: type, [attachments-], [/nsp,], [ack], [data]. */
static void
sp_socketio(struct sp *s, size_t i)
{
	static const char *const types[] = {
		"connect", "disconnect", "event", "ack", "connect_error",
		"event", "ack"
	};
	const uint8_t *p = s->p;
	size_t         n = s->n, ns = 0, ne = 0, as = 0, ae = 0, vs, ve, e;
	int            type, attachments = -1, m;

	s->r->proto = "socket.io";
	type = p[i++] - '0';
	if (type < 0 || type > 6) {
		sp_add(s, "socket.io");
		sp_note_raw(s, "socket.io: unknown packet type", p + i - 1, 1);
		return;
	}
	if (type == 5 || type == 6) {
		for (e = i; e < n && e - i < 6 && p[e] >= '0' && p[e] <= '9'; e++)
			;
		if (e < n && e > i && p[e] == '-') {
			attachments = 0;
			for (; i < e; i++)
				attachments = attachments * 10 + (p[i] - '0');
			i = e + 1;
		} else if (!(e == n && s->cut))
			sp_note(s, "socket.io: binary packet without its "
			    "attachment count");
	}
	if (i < n && p[i] == '/') {
		ns = i;
		for (ne = i; ne < n && p[ne] != ','; ne++)
			;
		i = ne < n ? ne + 1 : ne;
	}
	as = i;
	for (ae = i; ae < n && ae - i < 20 && p[ae] >= '0' && p[ae] <= '9'; ae++)
		;
	i = ae;
	sp_add(s, "socket.io %s", types[type]);
	if (type == 2 || type == 5) {
		i = sp_ws(p, n, i);
		if (i < n && p[i] == '[') {
			e = sp_json_end(p, n, sp_ws(p, n, i + 1));
			if (e != SP_PAST && e != SP_BAD &&
			    sp_json_is_str(p, sp_ws(p, n, i + 1), e))
				sp_add_json(s, " ", p + sp_ws(p, n, i + 1),
				    e - sp_ws(p, n, i + 1), 0);
			else if (e == SP_PAST && s->cut)
				sp_cut(s);
			else
				sp_note(s, "socket.io: event without a name");
		} else if (i >= n && s->cut)
			sp_cut(s);
		else
			sp_note(s, "socket.io: event without a name");
	}
	if (ae > as)
		sp_add_raw(s, type == 3 || type == 6 ? " " : " ack ", p + as,
		    ae - as, 0);
	else if (type == 3 || type == 6)
		sp_note(s, "socket.io: ack without an id");
	if (ne > ns && !(ne - ns == 1))
		sp_add_raw(s, " ns ", p + ns, ne - ns, 0);
	if (attachments >= 0)
		sp_add(s, " attachments %d", attachments);
	if (type == 4) {
		m = sp_json_member(p, n, i, "message", &vs, &ve);
		if (m == 1)
			sp_add_json(s, " ", p + vs, ve - vs, 0);
	}
}

/* ---- STOMP 1.0-1.2 ---- */

/* The line at p[i]: its end (before any \r) in *le; the next line's start,
 * or SP_PAST when no \n ends it within n. */
static size_t
sp_stomp_line(const uint8_t *p, size_t n, size_t i, size_t *le)
{
	const uint8_t *nl = memchr(p + i, '\n', n - i);

	if (nl == NULL)
		return SP_PAST;
	*le = (size_t)(nl - p);
	if (*le > i && p[*le - 1] == '\r')
		(*le)--;
	return (size_t)(nl - p) + 1;
}

/* 1 when p/n starts with a STOMP command line. */
static int
sp_stomp_command(const uint8_t *p, size_t n)
{
	size_t le, next = sp_stomp_line(p, n, 0, &le);

	return next != SP_PAST && sp_in(sp_stomp_commands,
	    sizeof sp_stomp_commands / sizeof sp_stomp_commands[0], p, le);
}

static void
sp_stomp(struct sp *s)
{
	const uint8_t *p = s->p;
	size_t         n = s->n, i, le, next, colon, k, body, nul;
	size_t         hs[sizeof sp_stomp_shown / sizeof sp_stomp_shown[0]];
	size_t         he[sizeof hs / sizeof hs[0]], ds = 0, de = 0;
	long long      clen = -1;
	int            dest = 0;
	const uint8_t *z;

	s->r->proto = "stomp";
	for (i = 0; i < n && (p[i] == '\n' || p[i] == '\r'); i++)
		;
	if (i == n && n > 0) {
		sp_add(s, "stomp heart-beat");
		return;
	}
	memset(hs, 0, sizeof hs);
	memset(he, 0, sizeof he);
	if ((next = sp_stomp_line(p, n, 0, &le)) == SP_PAST) {
		sp_add(s, "stomp");
		if (s->cut)
			sp_cut(s);
		else
			sp_note(s, "stomp: command line without its end");
		return;
	}
	if (!sp_in(sp_stomp_commands, sizeof sp_stomp_commands /
	    sizeof sp_stomp_commands[0], p, le)) {
		sp_add(s, "stomp");
		sp_note_raw(s, "stomp: unknown command", p, le);
		return;
	}
	sp_add(s, "stomp %.*s", (int)le, (const char *)p);
	/* The headers; a repeated header: the first one counts (STOMP 1.2). */
	for (i = next;;) {
		if ((next = sp_stomp_line(p, n, i, &le)) == SP_PAST) {
			body = SP_PAST;
			break;
		}
		if (le == i) {
			body = next;
			break;
		}
		z = memchr(p + i, ':', le - i);
		if (z == NULL)
			sp_note(s, "stomp: header line without ':'");
		else {
			colon = (size_t)(z - p);
			if (colon - i == 11 && memcmp(p + i, "destination",
			    11) == 0 && !dest) {
				dest = 1;
				ds = colon + 1;
				de = le;
			}
			for (k = 0; k < sizeof hs / sizeof hs[0]; k++)
				if (strlen(sp_stomp_shown[k]) == colon - i &&
				    memcmp(p + i, sp_stomp_shown[k],
				    colon - i) == 0 && he[k] == 0) {
					hs[k] = i;
					he[k] = le;
				}
			if (colon - i == 14 && memcmp(p + i, "content-length",
			    14) == 0 && clen < 0) {
				clen = 0;
				for (k = colon + 1; k < le && k - colon < 12; k++) {
					if (p[k] < '0' || p[k] > '9')
						break;
					clen = clen * 10 + (p[k] - '0');
				}
				if (k != le || k == colon + 1) {
					clen = -1;
					sp_note(s, "stomp: content-length is not "
					    "a number");
				}
			}
		}
		i = next;
	}
	if (dest)
		sp_add_raw(s, " ", p + ds, de - ds, 0);
	for (k = 0; k < sizeof hs / sizeof hs[0]; k++)
		if (he[k] != 0)
			sp_add_raw(s, " ", p + hs[k], he[k] - hs[k], 0);
	if (body == SP_PAST) {
		if (s->cut)
			sp_cut(s);
		else
			sp_note(s, "stomp: headers without the blank line that "
			    "ends them");
		return;
	}
	if (clen >= 0) {
		if ((long long)(n - body) <= clen) {
			if (s->cut)
				sp_cut(s);
			else
				sp_note(s, "stomp: content-length %lld but the "
				    "body has %zu bytes", clen, n - body);
			return;
		}
		nul = body + (size_t)clen;
		if (p[nul] != '\0') {
			sp_note(s, "stomp: no NUL after content-length %lld "
			    "bytes of body", clen);
			return;
		}
	} else {
		z = memchr(p + body, '\0', n - body);
		if (z == NULL) {
			if (s->cut)
				sp_cut(s);
			else
				sp_note(s, "stomp: frame without NUL "
				    "terminator");
			return;
		}
		nul = (size_t)(z - p);
	}
	for (i = nul + 1; i < n && (p[i] == '\n' || p[i] == '\r'); i++)
		;
	if (i < n)
		sp_note(s, "stomp: %zu bytes after the frame's NUL", n - i);
}

/* ---- GraphQL over WebSocket ---- */

static void
sp_gql(struct sp *s, enum sp_kind k)
{
	const uint8_t *p = s->p;
	size_t         n = s->n, vs, ve, ps, pe, os, oe;
	const char    *name;
	int            m, needs_id;

	name = k == SP_GQL_T ? "graphql-transport-ws" : k == SP_GQL_WS ?
	    "graphql-ws" : "graphql";
	s->r->proto = name;
	sp_add(s, "%s", name);
	if (s->opcode != 1) {
		sp_add(s, " binary");
		sp_note(s, "%s: binary message (the protocol is JSON text)",
		    name);
		return;
	}
	m = sp_json_member(p, n, 0, "type", &vs, &ve);
	if (m == -1 && s->cut) {
		sp_cut(s);
		return;
	}
	if (m != 1 || !sp_json_is_str(p, vs, ve)) {
		sp_note(s, "%s: not a JSON object with a \"type\"", name);
		return;
	}
	sp_add_json(s, " ", p + vs, ve - vs, 1);
	if ((k == SP_GQL_T && !sp_in(sp_gql_t_types, sizeof sp_gql_t_types /
	    sizeof sp_gql_t_types[0], p + vs + 1, ve - vs - 2)) ||
	    (k == SP_GQL_WS && !sp_in(sp_gql_ws_types, sizeof sp_gql_ws_types /
	    sizeof sp_gql_ws_types[0], p + vs + 1, ve - vs - 2))) {
		sp_note_raw(s, k == SP_GQL_T ? "graphql-transport-ws: unknown "
		    "message type" : "graphql-ws: unknown message type",
		    p + vs + 1, ve - vs - 2);
		return;
	}
	needs_id = sp_in((const char *const[]){ "subscribe", "next", "error",
	    "complete", "start", "data", "stop" }, 7, p + vs + 1, ve - vs - 2);
	m = sp_json_member(p, n, 0, "id", &os, &oe);
	if (m == 1)
		sp_add_json(s, " id ", p + os, oe - os, 1);
	else if (m == -1 && s->cut)
		sp_cut(s);
	else if (needs_id)
		sp_note(s, "%s: %.*s without an id", name, (int)(ve - vs - 2),
		    (const char *)p + vs + 1);
	if (m == 1 && sp_in((const char *const[]){ "subscribe", "start" }, 2,
	    p + vs + 1, ve - vs - 2) && sp_json_member(p, n, 0, "payload",
	    &ps, &pe) == 1 && sp_json_member(p, pe, ps, "operationName", &os,
	    &oe) == 1 && sp_json_is_str(p, os, oe))
		sp_add_json(s, " op ", p + os, oe - os, 0);
}

/* ---- JSON-RPC 2.0 ---- */

static void
sp_jsonrpc_one(struct sp *s, size_t i, size_t end)
{
	const uint8_t *p = s->p;
	size_t         vs, ve, is, ie, es, ee, cs, ce;
	int            mm, mi, mr, me, mv;

	mv = sp_json_member(p, end, i, "jsonrpc", &vs, &ve);
	if (mv == -2) {
		sp_note(s, "json-rpc: not a JSON object");
		return;
	}
	if (mv == 0 || (mv == 1 && (ve - vs != 5 || memcmp(p + vs, "\"2.0\"",
	    5) != 0)))
		sp_note(s, "json-rpc: no \"jsonrpc\":\"2.0\"");
	mm = sp_json_member(p, end, i, "method", &vs, &ve);
	mi = sp_json_member(p, end, i, "id", &is, &ie);
	mr = sp_json_member(p, end, i, "result", &es, &ee);
	me = sp_json_member(p, end, i, "error", &es, &ee);
	if (mm == 1 && sp_json_is_str(p, vs, ve)) {
		sp_add(s, mi == 1 || mi == -1 ? " call" : " notification");
		sp_add_json(s, " ", p + vs, ve - vs, 0);
	} else if (mr == 1 && me == 1) {
		sp_add(s, " response");
		sp_note(s, "json-rpc: both result and error");
	} else if (mr == 1)
		sp_add(s, " result");
	else if (me == 1) {
		sp_add(s, " error");
		if (sp_json_member(p, ee, es, "code", &cs, &ce) == 1)
			sp_add_json(s, " ", p + cs, ce - cs, 0);
	} else if ((mm == -1 || mr == -1 || me == -1) && s->cut) {
		sp_cut(s);
		return;
	} else {
		sp_note(s, "json-rpc: neither method, result nor error");
		return;
	}
	if (mi == 1)
		sp_add_json(s, " id ", p + is, ie - is, 0);
	else if (mi == -1 && s->cut)
		sp_cut(s);
}

static void
sp_jsonrpc(struct sp *s)
{
	const uint8_t *p = s->p;
	size_t         n = s->n, i = sp_ws(p, n, 0), e, count = 0;

	s->r->proto = "json-rpc";
	sp_add(s, "json-rpc");
	if (s->opcode != 1) {
		sp_add(s, " binary");
		sp_note(s, "json-rpc: binary message");
		return;
	}
	if (i < n && p[i] == '[') {
		/* A batch: its size, then its first element. */
		for (i = sp_ws(p, n, i + 1); i < n && p[i] != ']'; ) {
			e = sp_json_end(p, n, i);
			if (e == SP_PAST || e == SP_BAD)
				break;
			count++;
			i = sp_ws(p, n, e);
			if (i < n && p[i] == ',')
				i = sp_ws(p, n, i + 1);
		}
		sp_add(s, " batch of %zu%s", count, i < n && p[i] == ']' ? ""
		    : "+");
		if (!(i < n && p[i] == ']')) {
			if (s->cut)
				sp_cut(s);
			else
				sp_note(s, "json-rpc: batch without its end");
		}
		return;
	}
	sp_jsonrpc_one(s, i, n);
}

/* ---- MQTT 3.1, 3.1.1 and 5 ---- */

static int
sp_mqtt_u8(struct sp_cur *c)
{
	if (c->i >= c->end) {
		c->short_read = 1;
		return -1;
	}
	return c->p[c->i++];
}

static int
sp_mqtt_u16(struct sp_cur *c)
{
	int v;

	if (c->i > c->end || c->end - c->i < 2) {
		c->short_read = 1;
		c->i = c->end;
		return -1;
	}
	v = c->p[c->i] << 8 | c->p[c->i + 1];
	c->i += 2;
	return v;
}

/* A length-prefixed string in [*s, *e); -1 if it runs past the end. */
static int
sp_mqtt_str(struct sp_cur *c, size_t *s, size_t *e)
{
	int len = sp_mqtt_u16(c);

	if (len < 0)
		return -1;
	if (c->end - c->i < (size_t)len) {
		*s = c->i;
		*e = c->end;
		c->i = c->end;
		c->short_read = 1;
		return -1;
	}
	*s = c->i;
	*e = c->i + (size_t)len;
	c->i = *e;
	return 0;
}

/* The variable byte integer: 0, -1 past the end, -2 longer than 4 bytes. */
static int
sp_mqtt_varint(struct sp_cur *c, uint32_t *v)
{
	int b, k;

	*v = 0;
	for (k = 0; k < 4; k++) {
		if ((b = sp_mqtt_u8(c)) < 0)
			return -1;
		*v |= (uint32_t)(b & 0x7f) << (7 * k);
		if (!(b & 0x80))
			return 0;
	}
	return -2;
}

/*
 * The topic filters of a SUBSCRIBE (options byte after each) or an
 * UNSUBSCRIBE: the first shown, with its QoS, and how many more. MQTT 5
 * puts properties before them; a packet does not say its version, so
 * the 3.1.1 layout is taken when it fills the packet exactly.
 */
static void
sp_mqtt_topics(struct sp *s, const struct sp_cur *c, int options)
{
	struct sp_cur t;
	size_t        ts = 0, te = 0, fs, fe, count;
	uint32_t      props;
	int           pass, qos = 0, b;

	for (pass = 0; pass < 2; pass++) {
		t = *c;
		if (pass == 1 && (sp_mqtt_varint(&t, &props) != 0 ||
		    t.end - t.i < props))
			break;
		if (pass == 1)
			t.i += props;
		for (count = 0; t.i < t.end; count++) {
			if (sp_mqtt_str(&t, &fs, &fe) != 0)
				break;
			b = options ? sp_mqtt_u8(&t) : 0;
			if (b < 0 || (pass == 0 && (b & 0xfc) != 0))
				break;
			if (count == 0) {
				ts = fs;
				te = fe;
				qos = b & 3;
			}
		}
		if (t.i == t.end && !t.short_read && count > 0) {
			sp_add_raw(s, " topic ", c->p + ts, te - ts, 1);
			if (options)
				sp_add(s, " qos %d", qos);
			if (count > 1)
				sp_add(s, " +%zu more", count - 1);
			return;
		}
	}
	sp_note(s, "mqtt: topic list does not fill the packet");
}

/*
 * A fixed header at b (n bytes): 0 with the packet's whole length in
 * *total, -1 when it runs past n, -2 when it breaks MQTT (reserved type
 * 0, a remaining length longer than 4 bytes).
 */
static int
sp_mqtt_head(const uint8_t *b, size_t n, uint64_t *total)
{
	struct sp_cur c = { b, 1, n, 0 };
	uint32_t      rem;
	int           v;

	if (n == 0)
		return -1;
	if (b[0] >> 4 == 0)
		return -2;
	if ((v = sp_mqtt_varint(&c, &rem)) != 0)
		return v;
	*total = c.i + (uint64_t)rem;
	return 0;
}

/*
 * The packet whose first held bytes are at b: its type and fields. more:
 * it goes on in a later message; else when held is short of its length
 * the rest was not stored (or not kept). Returns -1 when it breaks MQTT
 * so that what follows cannot be found, else 0.
 */
static int
sp_mqtt_fields(struct sp *s, const uint8_t *b, size_t held, int more)
{
	struct sp_cur c = { b, 0, held, 0 };
	uint32_t      rem, props;
	size_t        fs = 0, fe = 0;
	int           b0, type, flags, v, level, partial = 0, want;

	b0 = sp_mqtt_u8(&c);
	type = b0 >> 4;
	flags = b0 & 15;
	if (type == 0) {
		sp_add(s, " reserved");
		sp_note(s, "mqtt: reserved packet type 0");
		return -1;
	}
	sp_add(s, " %s", sp_mqtt_types[type]);
	if ((v = sp_mqtt_varint(&c, &rem)) == -2) {
		sp_note(s, "mqtt: remaining length longer than 4 bytes");
		return -1;
	}
	if (v == -1) {
		sp_add(s, more ? " (partial)" : " (cut)");
		return 0;
	}
	want = type == 6 || type == 8 || type == 10 ? 2 : 0;
	if (type != 3 && flags != want)
		sp_note(s, "mqtt: %s with flags 0x%x (must be 0x%x)",
		    sp_mqtt_types[type], flags, want);
	if (rem > held - c.i)
		partial = 1;
	else
		c.end = c.i + rem;
	switch (type) {
	case 1:
		if (sp_mqtt_str(&c, &fs, &fe) == 0 && !(fe - fs == 4 &&
		    memcmp(b + fs, "MQTT", 4) == 0) && !(fe - fs == 6 &&
		    memcmp(b + fs, "MQIsdp", 6) == 0))
			sp_note_raw(s, "mqtt: CONNECT protocol name", b + fs,
			    fe - fs);
		level = sp_mqtt_u8(&c);
		if (level >= 0)
			sp_add(s, " %s", level == 3 ? "v3.1" : level == 4 ?
			    "v3.1.1" : level == 5 ? "v5" : "v?");
		(void)sp_mqtt_u8(&c);
		v = sp_mqtt_u16(&c);
		if (level == 5 && sp_mqtt_varint(&c, &props) == 0) {
			if (c.end - c.i < props)
				c.i = c.end;
			else
				c.i += props;
		}
		if (sp_mqtt_str(&c, &fs, &fe) == 0)
			sp_add_raw(s, " client ", b + fs, fe - fs, 1);
		if (v >= 0)
			sp_add(s, " keepalive %d", v);
		break;
	case 2:
		(void)sp_mqtt_u8(&c);
		if ((v = sp_mqtt_u8(&c)) >= 0)
			sp_add(s, " rc %d", v);
		break;
	case 3:
		if (sp_mqtt_str(&c, &fs, &fe) == 0 || fe > fs)
			sp_add_raw(s, " topic ", b + fs, fe - fs, 1);
		sp_add(s, " qos %d", (flags >> 1) & 3);
		if ((flags >> 1 & 3) == 3)
			sp_note(s, "mqtt: PUBLISH with qos 3");
		if ((flags >> 1 & 3) != 0 && (v = sp_mqtt_u16(&c)) >= 0)
			sp_add(s, " id %d", v);
		if (flags & 1)
			sp_add(s, " retain");
		if (flags & 8)
			sp_add(s, " dup");
		break;
	case 4: case 5: case 6: case 7: case 9: case 11:
		if ((v = sp_mqtt_u16(&c)) >= 0)
			sp_add(s, " id %d", v);
		break;
	case 8: case 10:
		if ((v = sp_mqtt_u16(&c)) >= 0) {
			sp_add(s, " id %d", v);
			if (!partial)
				sp_mqtt_topics(s, &c, type == 8);
		}
		break;
	default:
		break;
	}
	/* Held short of a packet that ended: only a field it cut says so. */
	if (partial && (more || c.short_read || type == 8 || type == 10))
		sp_add(s, more ? " (partial)" : " (cut)");
	else if (!partial && c.short_read)
		sp_note(s, "mqtt: %s shorter than its fields",
		    sp_mqtt_types[type]);
	return 0;
}

/* Keeps what fits of b (n bytes) in the flow's head. */
static void
sp_mqtt_keep(struct subproto_flow *f, const uint8_t *b, size_t n)
{
	size_t room = sizeof f->head - f->held;

	if (n > room)
		n = room;
	memcpy(f->head + f->held, b, n);
	f->held += (uint32_t)n;
}

/*
 * Opens the flow on a packet that starts at off and goes on past the
 * message (total its length when sized); a length past
 * SUBPROTO_CARRY_MAX is a note and is not followed.
 */
static void
sp_mqtt_open(struct sp *s, size_t off, int sized, uint64_t total)
{
	struct subproto_flow *f = s->flow;

	if (f == NULL)
		return;
	if (sized && total - ((uint64_t)s->size - off) > SUBPROTO_CARRY_MAX) {
		sp_note(s, "mqtt: packet of %llu bytes goes on past %llu "
		    "more: not followed", (unsigned long long)total,
		    (unsigned long long)SUBPROTO_CARRY_MAX);
		return;
	}
	f->open = 1;
	f->sized = sized;
	f->total = total;
	f->held = 0;
	sp_mqtt_keep(f, s->p + off, s->n - off);
	f->got = (uint64_t)s->size - off;
	f->from = s->msg;
}

/*
 * The packet the flow carries into this message: its rest is read from
 * the message's start. Returns the offset past it, or SIZE_MAX when the
 * message ends inside it (or the thread is lost).
 */
static size_t
sp_mqtt_carried(struct sp *s)
{
	struct subproto_flow *f = s->flow;
	size_t                off = 0, take;
	uint64_t              need;
	int                   v;

	while (!f->sized && off < s->n) {
		sp_mqtt_keep(f, s->p + off++, 1);
		f->got++;
		if ((v = sp_mqtt_head(f->head, f->held, &f->total)) == -2) {
			f->open = 0;
			(void)sp_mqtt_fields(s, f->head, f->held, 0);
			return SIZE_MAX;
		}
		f->sized = v == 0;
		if (f->sized && f->total - f->got > SUBPROTO_CARRY_MAX) {
			f->open = 0;
			sp_add(s, " %s (continued from message %lld) (partial)",
			    sp_mqtt_types[f->head[0] >> 4], (long long)f->from);
			sp_note(s, "mqtt: packet of %llu bytes goes on past "
			    "%llu more: not followed",
			    (unsigned long long)f->total,
			    (unsigned long long)SUBPROTO_CARRY_MAX);
			return SIZE_MAX;
		}
	}
	if (!f->sized) {
		/* The header's bytes past the stored ones are lost. */
		if ((int64_t)off < s->size) {
			f->open = 0;
			sp_add(s, " %s (cut)", sp_mqtt_types[f->head[0] >> 4]);
		} else
			sp_add(s, " %s (continued from message %lld) (partial)",
			    sp_mqtt_types[f->head[0] >> 4],
			    (long long)f->from);
		return SIZE_MAX;
	}
	need = f->total - f->got;
	take = s->n - off;
	if (take > need)
		take = (size_t)need;
	sp_mqtt_keep(f, s->p + off, take);
	if (need > (uint64_t)s->size - off) {
		f->got += (uint64_t)s->size - off;
		sp_add(s, " %s (continued from message %lld) (partial)",
		    sp_mqtt_types[f->head[0] >> 4], (long long)f->from);
		return SIZE_MAX;
	}
	f->open = 0;
	(void)sp_mqtt_fields(s, f->head, f->held, 0);
	sp_add(s, " (continued from message %lld)", (long long)f->from);
	return off + (size_t)need;
}

static void
sp_mqtt(struct sp *s)
{
	size_t   off = 0;
	uint64_t total = 0;
	int      k = 0, v;

	s->r->proto = "mqtt";
	sp_add(s, "mqtt");
	if (s->opcode != 2) {
		sp_add(s, " text");
		sp_note(s, "mqtt: text message (MQTT over WebSocket is "
		    "binary)");
		return;
	}
	if (s->flow != NULL && s->flow->open) {
		if ((off = sp_mqtt_carried(s)) == SIZE_MAX)
			return;
		k = 1;
	} else if (s->n == 0) {
		if (s->cut)
			sp_cut(s);
		else
			sp_note(s, "mqtt: empty message");
		return;
	}
	/*
	 * The first four packets of a message are shown, then how many
	 * more; every header is read, for the packet that goes on.
	 */
	for (; (int64_t)off < s->size; k++) {
		if (off >= s->n) {
			/* A packet starts in bytes that were not stored. */
			sp_add(s, "%s (cut)", k > 0 && k <= 4 ? "; ..." : "");
			return;
		}
		v = sp_mqtt_head(s->p + off, s->n - off, &total);
		if (v == -1 && s->cut) {
			if (k < 4) {
				sp_add(s, "%s", k > 0 ? ";" : "");
				(void)sp_mqtt_fields(s, s->p + off, s->n - off, 0);
			}
			return;
		}
		if (v == 0 && total <= (uint64_t)s->size - off) {
			if (k < 4) {
				sp_add(s, "%s", k > 0 ? ";" : "");
				(void)sp_mqtt_fields(s, s->p + off,
				    total < s->n - off ? (size_t)total :
				    s->n - off, 0);
			} else if (k == 4)
				sp_add(s, "; ...");
			off += (size_t)total;
			continue;
		}
		/* Broken, or it goes on in the next message. */
		if (k >= 4) {
			if (k == 4)
				sp_add(s, "; ...");
			if (v == -2)
				sp_note(s, "%s", s->p[off] >> 4 == 0 ?
				    "mqtt: reserved packet type 0" :
				    "mqtt: remaining length longer than 4 "
				    "bytes");
		} else {
			sp_add(s, "%s", k > 0 ? ";" : "");
			if (sp_mqtt_fields(s, s->p + off, s->n - off, 1) < 0)
				return;
		}
		if (v != -2)
			sp_mqtt_open(s, off, v == 0, total);
		return;
	}
}

/*
 * Content alone: Engine.IO's open and Socket.IO's packets, a STOMP
 * command line, a JSON-RPC 2.0 object or batch, a GraphQL message type,
 * an MQTT CONNECT.
 */
static enum sp_kind
sp_by_content(const uint8_t *p, size_t n, int opcode)
{
	size_t vs, ve, i;

	if (opcode == 2) {
		if (n >= 10 && p[0] == 0x10 && (memcmp(p + 2, "\0\4MQTT", 6) ==
		    0 || memcmp(p + 3, "\0\4MQTT", 6) == 0))
			return SP_MQTT;
		return sp_stomp_command(p, n) ? SP_STOMP : SP_NONE;
	}
	if (opcode != 1 || n == 0)
		return SP_NONE;
	if (n >= 2 && p[0] == '0' && sp_json_member(p, n, 1, "sid", &vs,
	    &ve) == 1)
		return SP_EIO;
	if (n >= 2 && p[0] == '4' && p[1] >= '0' && p[1] <= '6' && (n == 2 ||
	    memchr("[/{0123456789-", p[2], 14) != NULL))
		return SP_EIO;
	if (sp_stomp_command(p, n))
		return SP_STOMP;
	i = sp_ws(p, n, 0);
	if (i < n && p[i] == '[')
		i = sp_ws(p, n, i + 1);
	if (sp_json_member(p, n, i, "jsonrpc", &vs, &ve) == 1)
		return SP_JSONRPC;
	if (sp_json_member(p, n, 0, "type", &vs, &ve) == 1 &&
	    sp_json_is_str(p, vs, ve)) {
		vs++;
		ve--;
		if (sp_in((const char *const[]){ "subscribe", "next", "ping",
		    "pong" }, 4, p + vs, ve - vs))
			return SP_GQL_T;
		if (sp_in((const char *const[]){ "start", "data", "ka", "stop",
		    "connection_terminate", "connection_error" }, 6, p + vs,
		    ve - vs))
			return SP_GQL_WS;
		if (sp_in((const char *const[]){ "connection_init",
		    "connection_ack" }, 2, p + vs, ve - vs))
			return SP_GQL;
	}
	return SP_NONE;
}

int
subproto_decode(const struct subproto_conn *c, int opcode, const uint8_t *p,
    size_t n, int64_t size, struct subproto_result *r)
{
	return subproto_decode_flow(c, NULL, 0, opcode, p, n, size, r);
}

int
subproto_decode_flow(const struct subproto_conn *c, struct subproto_flow *f,
    int64_t msg, int opcode, const uint8_t *p, size_t n, int64_t size,
    struct subproto_result *r)
{
	struct sp    s;
	enum sp_kind k;

	memset(r, 0, sizeof *r);
	memset(&s, 0, sizeof s);
	s.p = p != NULL ? p : (const uint8_t *)"";
	s.n = p != NULL ? n : 0;
	s.size = size;
	s.cut = size > (int64_t)s.n;
	s.opcode = opcode;
	s.r = r;
	if (opcode != 1 && opcode != 2)
		return 0;
	if (size < (int64_t)s.n)
		s.size = (int64_t)s.n;
	/* Only a connection that said MQTT is followed from message to
	 * message: content alone knows a CONNECT, not what comes after. */
	if ((k = sp_by_header(c)) == SP_MQTT)
		s.flow = f;
	else if (k == SP_NONE)
		k = sp_by_content(s.p, s.n, opcode);
	s.msg = msg;
	switch (k) {
	case SP_EIO:
		sp_eio(&s);
		break;
	case SP_STOMP:
		sp_stomp(&s);
		break;
	case SP_GQL_T:
	case SP_GQL_WS:
	case SP_GQL:
		sp_gql(&s, k);
		break;
	case SP_JSONRPC:
		sp_jsonrpc(&s);
		break;
	case SP_MQTT:
		sp_mqtt(&s);
		break;
	case SP_NONE:
		return 0;
	}
	return 1;
}

/*
 * The SQL functions' memory of the flows they followed last: a direction
 * of a connection, the last message read and its reading. Rows asked in
 * order are read once each; both functions of one row share a reading.
 */
#define SP_MEMOS 16

struct sp_memo {
	int64_t                conn, msg;  /* msg -1: nothing read yet */
	int                    dir, used, rc;
	unsigned               age;
	struct subproto_flow   flow;
	struct subproto_result r;
};

struct sp_sql {
	struct sp_memo memo[SP_MEMOS];
	unsigned       clock;
};

struct sp_fn_data {
	struct sp_sql *sql;
	int            note;
};

static struct sp_memo *
sp_memo_get(struct sp_sql *q, int64_t conn, int dir)
{
	struct sp_memo *m, *old = &q->memo[0];
	size_t          i;

	for (i = 0; i < SP_MEMOS; i++) {
		m = &q->memo[i];
		if (m->used && m->conn == conn && m->dir == dir) {
			m->age = ++q->clock;
			return m;
		}
		if (!m->used || m->age < old->age)
			old = m;
	}
	memset(old, 0, sizeof *old);
	old->used = 1;
	old->conn = conn;
	old->dir = dir;
	old->msg = -1;
	old->age = ++q->clock;
	return old;
}

/*
 * Reads the messages of m's direction after m->msg and before msg into
 * m's flow. From message_t, not the messages view: the view's direction
 * is an expression, and the range must come from the index
 * message_order, not from a scan of the connection. Returns SQLITE_OK or
 * an error.
 */
static int
sp_memo_catch_up(sqlite3 *db, const struct subproto_conn *c,
    struct sp_memo *m, int64_t msg)
{
	static const char q[] = "SELECT message_id, opcode, payload_prefix,"
	    " decoded_size FROM message_t WHERE connection_id = ?1 AND"
	    " direction = ?2 AND message_id > ?3 AND message_id < ?4"
	    " ORDER BY message_id";
	struct subproto_result r;
	sqlite3_stmt          *st;
	int                    rc;

	/* The next message of the direction: nothing lies between. */
	if (msg == m->msg + 1)
		return SQLITE_OK;
	if ((rc = sqlite3_prepare_v2(db, q, -1, &st, NULL)) != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(st, 1, m->conn);
	sqlite3_bind_int(st, 2, m->dir);
	sqlite3_bind_int64(st, 3, m->msg);
	sqlite3_bind_int64(st, 4, msg);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		(void)subproto_decode_flow(c, &m->flow,
		    sqlite3_column_int64(st, 0), sqlite3_column_int(st, 1),
		    sqlite3_column_blob(st, 2),
		    (size_t)sqlite3_column_bytes(st, 2),
		    sqlite3_column_int64(st, 3), &r);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* ws_proto(...) and ws_proto_note(...). */
static void
sp_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct sp_fn_data *d = sqlite3_user_data(ctx);
	struct subproto_conn     c;
	struct subproto_result   r, *res = &r;
	struct sp_memo          *m;
	const uint8_t           *p;
	const char              *dir;
	int64_t                  conn, msg;
	int                      rc, side;

	(void)argc;
	c.subprotocol = (const char *)sqlite3_value_text(argv[0]);
	c.request_protocols = (const char *)sqlite3_value_text(argv[1]);
	c.path = (const char *)sqlite3_value_text(argv[2]);
	p = sqlite3_value_blob(argv[4]);
	conn = sqlite3_value_int64(argv[6]);
	msg = sqlite3_value_int64(argv[8]);
	if (sqlite3_value_type(argv[7]) == SQLITE_TEXT) {
		dir = (const char *)sqlite3_value_text(argv[7]);
		side = dir != NULL && strcmp(dir, "client") != 0;
	} else
		side = sqlite3_value_int(argv[7]) != 0;
	if (sp_by_header(&c) != SP_MQTT || sqlite3_value_type(argv[6]) ==
	    SQLITE_NULL || sqlite3_value_type(argv[8]) == SQLITE_NULL) {
		rc = subproto_decode(&c, sqlite3_value_int(argv[3]), p,
		    (size_t)sqlite3_value_bytes(argv[4]),
		    sqlite3_value_int64(argv[5]), &r);
	} else {
		m = sp_memo_get(d->sql, conn, side);
		if (msg != m->msg) {
			if (msg < m->msg) {
				memset(&m->flow, 0, sizeof m->flow);
				m->msg = -1;
			}
			if (sp_memo_catch_up(sqlite3_context_db_handle(ctx),
			    &c, m, msg) != SQLITE_OK)
				memset(&m->flow, 0, sizeof m->flow);
			m->rc = subproto_decode_flow(&c, &m->flow, msg,
			    sqlite3_value_int(argv[3]), p,
			    (size_t)sqlite3_value_bytes(argv[4]),
			    sqlite3_value_int64(argv[5]), &m->r);
			m->msg = msg;
		}
		rc = m->rc;
		res = &m->r;
	}
	if (sqlite3_value_type(argv[4]) == SQLITE_NULL || !rc ||
	    (d->note && res->note[0] == '\0')) {
		sqlite3_result_null(ctx);
		return;
	}
	sqlite3_result_text(ctx, d->note ? res->note : res->summary, -1,
	    SQLITE_TRANSIENT);
}

int
subproto_register(sqlite3 *db)
{
	struct sp_fn_data *d;
	int                rc;

	/* One allocation: the memory and both functions' data. */
	if ((d = sqlite3_malloc(sizeof *d * 2 + sizeof *d->sql)) == NULL)
		return SQLITE_NOMEM;
	d[0].sql = d[1].sql = (struct sp_sql *)(d + 2);
	memset(d[0].sql, 0, sizeof *d->sql);
	d[0].note = 0;
	d[1].note = 1;
	rc = sqlite3_create_function_v2(db, "ws_proto_note", 9, SQLITE_UTF8,
	    &d[1], sp_fn, NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		sqlite3_free(d);
		return rc;
	}
	return sqlite3_create_function_v2(db, "ws_proto", 9, SQLITE_UTF8,
	    &d[0], sp_fn, NULL, NULL, sqlite3_free);
}
