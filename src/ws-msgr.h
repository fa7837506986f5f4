/*
 * ws-msgr: the message layer (ws-message.c) as the frame decoder
 * (ws-frame.c) sees it. The dependency is one way: frames call the
 * message layer, which reports through the struct ws_ops it was given
 * and never calls back into the decoder. ws_finding_emit lives here, at
 * the bottom, because both layers say findings. Not for use outside
 * those two files.
 */
#ifndef WS_MSGR_H
#define WS_MSGR_H

#include "ws.h"

struct ws_msgr;
struct ws_msgr *ws_msgr_new(const struct ws_config *, const struct ws_ops *, void *,
	    struct ws_dir_stats *, uint8_t *zout, size_t zout_len);
void	ws_msgr_free(struct ws_msgr *);
/* A frame header was decoded: assigns f->message_id, applies the fragmentation rules. */
void	ws_msgr_frame_begin(struct ws_msgr *, struct ws_frame *);
/* 1 if the unmasked payload bytes from payload position pos on are needed. */
int	ws_msgr_wants(const struct ws_msgr *, const struct ws_frame *, uint64_t pos);
/* Payload bytes of the current frame: unmasked (p != NULL) or only counted (p == NULL). */
void	ws_msgr_frame_data(struct ws_msgr *, struct ws_frame *, const uint8_t *p, size_t n);
/* The frame ended: reports the frame, then its message if it ended. cut: the frame
 * stops here because the stream was cut (ws_msgr_cut follows), its message stays open. */
void	ws_msgr_frame_end(struct ws_msgr *, struct ws_frame *, int cut);
/* Bytes inside the current frame's payload were lost; framing continues. */
void	ws_msgr_damage(struct ws_msgr *);
/* The stream was cut (gap across frames or end): ends every open message as incomplete.
 * lost: bytes were lost (a gap), so frames may be missing, not just the end of the stream. */
void	ws_msgr_cut(struct ws_msgr *, int lost);
void	ws_finding_emit(struct ws_dir_stats *, const struct ws_ops *, void *, enum rule_id,
	    const struct ws_frame *, uint64_t, uint64_t, uint64_t, const char *, ...)
	    __attribute__((format(printf, 9, 10)));

#endif
