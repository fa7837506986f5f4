#include "config.h"

#include "ws-decode.h"

void
wsd_decode_client(const uint8_t *p, size_t n, int deflate, int bits,
    int no_context, size_t cap, const struct ws_ops *ops, void *arg)
{
	struct ws_config cfg;
	struct ws_dir   *d;

	ws_config_default(&cfg);
	cfg.role = WS_ROLE_CLIENT;
	cfg.ext = deflate ? WS_EXT_DEFLATE : WS_EXT_NONE;
	cfg.inflate_window_bits = bits;
	cfg.no_context_takeover = no_context;
	cfg.payload_cap = cap;
	d = ws_dir_new(&cfg, ops, arg, NULL);
	ws_dir_feed(d, 0, p, n, 1, (struct wts){ 0, 0 });
	ws_dir_end(d);
	ws_dir_free(d);
}
