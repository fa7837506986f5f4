/*
 * flags: the bits of frame_t.flags and message_t.flags, named once. The
 * store packs them (store_frame_flags, store_message_flags); the views,
 * the report and the browser read them by these names. Each bit has its
 * position (_B_) and its value (_F_, written out so that FLAG_STR makes
 * SQL text of it).
 */
#ifndef FLAGS_H
#define FLAGS_H

#define FLAG_STR_(x) #x
#define FLAG_STR(x)  FLAG_STR_(x)

/* frame_t.flags: FIN, the header's three RSV bits (ws_frame.rsv), MASK. */
#define FRAME_B_FIN         0
#define FRAME_B_RSV         1     /* 3 bits: RSV3, RSV2, RSV1 */
#define FRAME_B_MASKED      4
#define FRAME_B_TRUNCATED   5
#define FRAME_B_NON_MINIMAL 6
#define FRAME_F_FIN         1
#define FRAME_F_RSV3        2
#define FRAME_F_RSV2        4
#define FRAME_F_RSV1        8
#define FRAME_RSV_MASK      7     /* the RSV field, shifted down */
#define FRAME_F_MASKED      16
#define FRAME_F_TRUNCATED   32
#define FRAME_F_NON_MINIMAL 64

/* message_t.flags: the ws_message fields of the same names. */
#define MSG_B_COMPRESSED     0
#define MSG_B_INCOMPLETE     1
#define MSG_B_HEADLESS       2
#define MSG_B_GAP            3
#define MSG_B_UNDECODED      4
#define MSG_B_TOO_BIG        5
#define MSG_B_INFLATE_CAPPED 6
#define MSG_F_COMPRESSED     1
#define MSG_F_INCOMPLETE     2
#define MSG_F_HEADLESS       4
#define MSG_F_GAP            8
#define MSG_F_UNDECODED      16
#define MSG_F_TOO_BIG        32
#define MSG_F_INFLATE_CAPPED 64

_Static_assert(FRAME_F_FIN == 1 << FRAME_B_FIN &&
    FRAME_F_RSV3 == 1 << FRAME_B_RSV &&
    FRAME_F_RSV2 == 2 << FRAME_B_RSV &&
    FRAME_F_RSV1 == 4 << FRAME_B_RSV &&
    (FRAME_RSV_MASK << FRAME_B_RSV) ==
    (FRAME_F_RSV1 | FRAME_F_RSV2 | FRAME_F_RSV3) &&
    FRAME_F_MASKED == 1 << FRAME_B_MASKED &&
    FRAME_F_TRUNCATED == 1 << FRAME_B_TRUNCATED &&
    FRAME_F_NON_MINIMAL == 1 << FRAME_B_NON_MINIMAL,
    "a frame flag's value is not its bit");
_Static_assert(MSG_F_COMPRESSED == 1 << MSG_B_COMPRESSED &&
    MSG_F_INCOMPLETE == 1 << MSG_B_INCOMPLETE &&
    MSG_F_HEADLESS == 1 << MSG_B_HEADLESS &&
    MSG_F_GAP == 1 << MSG_B_GAP &&
    MSG_F_UNDECODED == 1 << MSG_B_UNDECODED &&
    MSG_F_TOO_BIG == 1 << MSG_B_TOO_BIG &&
    MSG_F_INFLATE_CAPPED == 1 << MSG_B_INFLATE_CAPPED,
    "a message flag's value is not its bit");

#endif
