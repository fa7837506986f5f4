/*
 * rules: the one table of every rule wsautopsy applies. The analyzer, the
 * report, the browser's help and the man page all read it; no rule is
 * described anywhere else.
 */
#ifndef RULES_H
#define RULES_H

#include <stddef.h>
#include <stdint.h>

/*
 * Every class of finding, once, in report order: X(NAME, name, rank, sort,
 * ansi, pair, attr, mono, key) gives the enum constant CLASS_NAME and
 *   name  the string the database, the report and --class show;
 *   rank  how grave it is as a connection's verdict (the higher wins, the
 *         first of equals stands; -1 never a verdict by itself);
 *   sort  its place in the browser's class order;
 *   ansi  the report's SGR colour;
 *   pair, attr, mono  the browser's curses colour pair (0 none) and
 *         attribute with colour, and its attribute without;
 *   key   KEY(n, help): the browser's number key that lists the
 *         connections of this verdict; REST(n, help) the one that lists
 *         those no KEY lists; or NOKEY.
 * The rows after OTHER are verdicts of connections only (no finding has
 * those classes): still open, or nothing said.
 */
#define CLASS_LIST(X) \
	X(1002, "1002", 5, 0, "1;31", 1, A_BOLD, A_BOLD, \
	    KEY(2, "only 1002 (protocol error)")) \
	X(1007, "1007", 5, 1, "1;31", 3, A_BOLD, A_BOLD | A_UNDERLINE, \
	    KEY(3, "only 1007 (invalid data, UTF-8)")) \
	X(1009, "1009", 5, 2, "1;31", 2, A_BOLD, A_UNDERLINE, \
	    KEY(4, "only 1009 (message too big)")) \
	X(1006, "1006", 4, 3, "1;31", 0, A_DIM, A_DIM, \
	    KEY(5, "only 1006 (no close frame)")) \
	X(HANDSHAKE, "handshake", 3, 4, "1;33", 4, A_NORMAL, A_BOLD, \
	    KEY(6, "only handshake failures")) \
	X(NORMAL, "normal", 0, 6, "32", 0, A_NORMAL, A_NORMAL, \
	    KEY(7, "only normal closes")) \
	X(APPLICATION, "application", 2, 5, "1;33", 0, A_NORMAL, A_NORMAL, \
	    NOKEY) \
	X(CAPTURE, "capture", -1, 5, "36", 0, A_NORMAL, A_NORMAL, NOKEY) \
	X(KEEPALIVE, "keepalive", -1, 5, "36", 0, A_NORMAL, A_NORMAL, NOKEY) \
	X(OTHER, "other", 1, 5, "1;33", 0, A_NORMAL, A_NORMAL, \
	    REST(9, "every other verdict")) \
	X(OPEN, "open", -1, 5, "1;33", 0, A_NORMAL, A_NORMAL, \
	    KEY(8, "only connections still open")) \
	X(NONE, "none", -1, 5, "1;33", 0, A_NORMAL, A_NORMAL, NOKEY)

enum finding_class {
#define CLASS_ENUM(e, name, rank, sort, ansi, pair, attr, mono, key) \
	CLASS_##e,
	CLASS_LIST(CLASS_ENUM)
#undef CLASS_ENUM
	CLASS_COUNT
};

/* The classes a finding may have, CLASS_1002 to CLASS_OTHER. */
#define FINDING_CLASSES (CLASS_OTHER + 1)
/* Indexed by enum finding_class. */
extern const char *const finding_class_names[CLASS_COUNT];
/* By name, for what a user typed or a database holds; CLASS_COUNT if none. */
enum finding_class finding_class_find(const char *name);

/*
 * Every rule, once. X(NAME, id) gives the enum constant RULE_NAME, the
 * handle the code holds, and the id string the database, the report and
 * --fail-on show (a public interface: exactly these strings). rule_table
 * (rules.c) holds one row per constant, in this order.
 */
#define RULE_LIST(X) \
	/* Framing: 1002. */ \
	X(RESERVED_OPCODE, "reserved-opcode") \
	/* RSV2/RSV3 always; RSV1 unless deflate was negotiated. */ \
	X(RSV_WITHOUT_EXT, "rsv-bit-without-extension") \
	/* RSV1 on a control or continuation frame under deflate. */ \
	X(MISPLACED_RSV1, "misplaced-rsv1") \
	X(UNMASKED_CLIENT, "unmasked-client-frame") \
	X(MASKED_SERVER, "masked-server-frame") \
	X(CONTROL_TOO_LONG, "control-frame-too-long")  /* payload > 125 */ \
	X(FRAGMENTED_CONTROL, "fragmented-control-frame") \
	X(UNEXPECTED_CONT, "unexpected-continuation") \
	X(DATA_DURING_FRAG, "data-frame-during-fragmented-message") \
	X(CLOSE_ONE_BYTE, "close-payload-one-byte") \
	/* 0-999, 1004, 1005, 1006, 1015, 1016-2999, >= 5000 */ \
	X(INVALID_CLOSE_CODE, "invalid-close-code") \
	X(LENGTH_MSB, "length-msb-set") \
	X(NON_MINIMAL_LENGTH, "non-minimal-length")  /* strict-only */ \
	/* Any frame after the sender's own close frame. */ \
	X(FRAME_AFTER_CLOSE, "frame-after-close") \
	/* Payload: 1007. */ \
	X(INVALID_UTF8_TEXT, "invalid-utf8-text") \
	X(INVALID_UTF8_REASON, "invalid-utf8-close-reason") \
	X(INFLATE_ERROR, "inflate-error") \
	/* Size: 1009. Only with a limit set; the message's decoded size. */ \
	X(FRAME_TOO_BIG, "frame-too-big") \
	X(MESSAGE_TOO_BIG, "message-too-big") \
	/* Handshake. */ \
	X(BAD_ACCEPT_KEY, "bad-accept-key") \
	/* Upgrade: websocket or Connection: upgrade missing (either head). */ \
	X(MISSING_UPGRADE_HEADER, "missing-upgrade-header") \
	X(BAD_VERSION, "bad-version")  /* Sec-WebSocket-Version not 13 */ \
	/* Request not "GET ... HTTP/1.1" (RFC 6455 4.1 item 2). */ \
	X(BAD_REQUEST_LINE, "bad-request-line") \
	/* Sec-WebSocket-Key absent or not base64 of 16 bytes (4.1 item 7). */ \
	X(BAD_KEY, "bad-key") \
	X(EXTENSION_NOT_OFFERED, "extension-not-offered") \
	X(SUBPROTOCOL_NOT_OFFERED, "subprotocol-not-offered") \
	X(INVALID_DEFLATE_PARAMS, "invalid-deflate-parameters") \
	X(MALFORMED_HTTP_HEAD, "malformed-http-head") \
	X(HANDSHAKE_REFUSED, "handshake-refused")  /* status not 101 */ \
	/* Abnormal ends: 1006. */ \
	X(ABRUPT_RESET, "abrupt-reset") \
	X(ABRUPT_FIN, "abrupt-fin") \
	X(CLOSE_UNANSWERED, "close-unanswered") \
	/* Keepalive: evidence about a silent peer, not a violation. */ \
	X(UNANSWERED_PING, "unanswered-ping") \
	/* Capture limits: not violations. */ \
	X(CAPTURE_GAP, "capture-gap") \
	X(CAPTURE_TRUNCATED, "capture-truncated") \
	/* TLS (wss://): what could not be decrypted, never a peer's fault. */ \
	X(TLS_DECRYPT_FAILED, "tls-decrypt-failed") \
	X(TLS_GAP, "tls-gap") \
	X(TLS_MALFORMED, "tls-malformed")

/* RULE_NONE (0, what a zeroed event holds): no rule. */
enum rule_id {
	RULE_NONE,
#define RULE_ENUM(name, id) RULE_##name,
	RULE_LIST(RULE_ENUM)
#undef RULE_ENUM
	RULE_COUNT
};

enum rule_who { WHO_CLIENT, WHO_SERVER, WHO_EITHER };
enum rule_severity { SEV_MUST, SEV_STRICT, SEV_STATE };

/* A rule's row; its id string is rule_name()'s. */
struct rule {
	const char        *section;     /* "RFC 6455 5.2" */
	enum rule_who      who;
	int                code;        /* close code a conforming receiver sends; 0 none */
	enum finding_class class;
	enum rule_severity severity;
	const char        *explanation; /* one line */
	const char        *cause;       /* the usual cause */
	const char        *remedy;      /* what to do; may hold %s for a number */
};

/* Indexed by enum rule_id; row RULE_NONE is empty. */
extern const struct rule rule_table[];

/*
 * Another close code a real stack answers a rule with (../shared/limits.md):
 * such a close is tied to the offending frame as well.
 */
struct rule_close {
	enum rule_id rule;
	int         code;
	const char *stacks;  /* "gorilla and Tomcat" */
	const char *ids;     /* their profile names: "gorilla,tomcat" */
};

extern const struct rule_close rule_close_table[];
extern const unsigned          rule_close_count;

/* The row of a rule; NULL for RULE_NONE. */
const struct rule *rule_get(enum rule_id);
struct finding;
/*
 * f made a capture-class finding of rule (a rule other than RULE_NONE):
 * about what the capture holds, not about the peers, so no code and no
 * frame; the explanation is the rule's. The packet, time, sender and
 * detail are the caller's to set.
 */
void               rule_capture_finding(struct finding *f, enum rule_id);
/* The id string of a rule; NULL for RULE_NONE. */
const char        *rule_name(enum rule_id);
/* By id string, for what a user typed or a database holds. */
const struct rule *rule_find(const char *id);
/*
 * Whether a close with this code may answer the rule: "" for the code a
 * conforming receiver sends, the stacks that send it for another code of
 * rule_close_table, NULL when none does (or RULE_NONE).
 */
const char        *rule_closes_with(enum rule_id, int code);
/*
 * Whether the stack of this profile name answers the rule with this code:
 * the code rule_close_table gives it, else the conforming code.
 */
int                rule_stack_answers(enum rule_id, int code,
		       const char *stack);
const char        *rule_who_name(enum rule_who);

/* Size-limit profiles of known implementations (../shared/limits.md). */
struct profile {
	const char *name;        /* "python-websockets" */
	const char *stack;       /* human name */
	uint64_t    max_frame;   /* 0 none */
	uint64_t    max_message; /* 0 none */
	int         close_code;  /* 1009 or 1002; 0 a TCP drop or an error
				    with no close frame; PROFILE_UNVERIFIED */
	const char *reason;      /* reason text fingerprint, "" empty */
	const char *source;
};

/* The reaction to an excess is not documented or could not be confirmed. */
#define PROFILE_UNVERIFIED (-1)

extern const struct profile profile_table[];
extern const unsigned       profile_count;

const struct profile *profile_find(const char *name);
/* The size a profile's stack refuses past: its message limit, else its frame limit. */
uint64_t    profile_limit(const struct profile *);
/*
 * The profiles that close with 1009 and whose limit lies in [min, max], or
 * that equals reason_limit when the close reason states one inside it
 * (-1: none), comma-separated into out; stack (NULL: none) first if it fits.
 */
void        profile_match(uint64_t min, uint64_t max, int64_t reason_limit,
		const char *stack, char *out, size_t len);
/*
 * What the stack does on excess, for --profile list ("1009", "drop",
 * "unverified") and in words for the manual.
 */
const char *profile_excess_short(const struct profile *);
const char *profile_excess_long(const struct profile *);

/*
 * Idle timeouts of proxies and load balancers (../shared/limits.md): a
 * connection silent this long is cut there, and both peers see a 1006.
 */
struct idle_timeout {
	const char *hop;      /* "nginx" */
	const char *setting;  /* "proxy_read_timeout" */
	double      seconds;  /* the default */
	const char *source;
};

extern const struct idle_timeout idle_timeout_table[];
extern const unsigned            idle_timeout_count;

/*
 * Whether a quiet spell of this many seconds matches a default of the
 * table: from IDLE_EARLY before it to max(IDLE_LATE, IDLE_LATE_PART of
 * it) after it (a timer fires a little late, never early, but the last
 * byte seen may precede the hop's last read by a little). Writes "nginx
 * proxy_read_timeout (default 60 s) and AWS ALB idle timeout (default
 * 60 s)" into out; returns how many matched.
 */
#define IDLE_EARLY     0.5
#define IDLE_LATE      1.0
#define IDLE_LATE_PART 0.02
unsigned    idle_timeout_match(double seconds, char *out, size_t len);

#endif
