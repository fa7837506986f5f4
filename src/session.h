/*
 * session: one connection's work, from its reassembled TCP bytes to
 * WebSocket events. It finds the HTTP Upgrade (or recognises frames
 * without one), runs a WebSocket decoder per direction, and at the
 * connection's end has every close attributed (verdict.c) before it
 * reports the connection to the sink.
 */
#ifndef SESSION_H
#define SESSION_H

#include "flow.h"

/* The flow table's callbacks; their context is the struct analysis. */
extern const struct stream_ops session_stream_ops;

#endif
