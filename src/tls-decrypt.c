/*
 * tls-decrypt: TLS 1.2 and 1.3 record keys and record decryption (see
 * tls-decrypt.h). No cryptography is written here: the key schedule is
 * EVP_KDF HKDF (with HKDF-Expand-Label's bytes built as RFC 8446 7.1
 * says) and TLS1-PRF, records are EVP_CIPHER AEAD or CBC, MACs EVP_MAC.
 */
#include "config.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include "tls-decrypt.h"

#define TLS_TAG 16

static const struct tls_suite tls_suites[] = {
	{ 0x1301, "TLS_AES_128_GCM_SHA256", 1, TLS_AES_GCM, 16, 0, "SHA256", NULL },
	{ 0x1302, "TLS_AES_256_GCM_SHA384", 1, TLS_AES_GCM, 32, 0, "SHA384", NULL },
	{ 0x1303, "TLS_CHACHA20_POLY1305_SHA256", 1, TLS_CHACHA_POLY, 32, 0,
	  "SHA256", NULL },
	{ 0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256", 0, TLS_AES_GCM, 16, 0,
	  "SHA256", NULL },
	{ 0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384", 0, TLS_AES_GCM, 32, 0,
	  "SHA384", NULL },
	{ 0x009e, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", 0, TLS_AES_GCM, 16, 0,
	  "SHA256", NULL },
	{ 0x009f, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", 0, TLS_AES_GCM, 32, 0,
	  "SHA384", NULL },
	{ 0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", 0, TLS_AES_GCM, 16,
	  0, "SHA256", NULL },
	{ 0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", 0, TLS_AES_GCM, 32,
	  0, "SHA384", NULL },
	{ 0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", 0, TLS_AES_GCM, 16, 0,
	  "SHA256", NULL },
	{ 0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", 0, TLS_AES_GCM, 32, 0,
	  "SHA384", NULL },
	{ 0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", 0,
	  TLS_CHACHA_POLY, 32, 0, "SHA256", NULL },
	{ 0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", 0,
	  TLS_CHACHA_POLY, 32, 0, "SHA256", NULL },
	{ 0xccaa, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", 0,
	  TLS_CHACHA_POLY, 32, 0, "SHA256", NULL },
	{ 0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA", 0, TLS_AES_CBC, 16, 20,
	  "SHA256", "SHA1" },
	{ 0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", 0, TLS_AES_CBC, 32, 20,
	  "SHA256", "SHA1" },
	{ 0x003c, "TLS_RSA_WITH_AES_128_CBC_SHA256", 0, TLS_AES_CBC, 16, 32,
	  "SHA256", "SHA256" },
	{ 0x003d, "TLS_RSA_WITH_AES_256_CBC_SHA256", 0, TLS_AES_CBC, 32, 32,
	  "SHA256", "SHA256" },
	{ 0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", 0, TLS_AES_CBC, 16, 20,
	  "SHA256", "SHA1" },
	{ 0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", 0, TLS_AES_CBC, 32, 20,
	  "SHA256", "SHA1" },
	{ 0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", 0, TLS_AES_CBC, 16, 32,
	  "SHA256", "SHA256" },
	{ 0x006b, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", 0, TLS_AES_CBC, 32, 32,
	  "SHA256", "SHA256" },
	{ 0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", 0, TLS_AES_CBC, 16, 20,
	  "SHA256", "SHA1" },
	{ 0xc00a, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", 0, TLS_AES_CBC, 32, 20,
	  "SHA256", "SHA1" },
	{ 0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", 0, TLS_AES_CBC, 16, 20,
	  "SHA256", "SHA1" },
	{ 0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", 0, TLS_AES_CBC, 32, 20,
	  "SHA256", "SHA1" },
	{ 0xc023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", 0, TLS_AES_CBC, 16,
	  32, "SHA256", "SHA256" },
	{ 0xc024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", 0, TLS_AES_CBC, 32,
	  48, "SHA384", "SHA384" },
	{ 0xc027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", 0, TLS_AES_CBC, 16,
	  32, "SHA256", "SHA256" },
	{ 0xc028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", 0, TLS_AES_CBC, 32,
	  48, "SHA384", "SHA384" },
};

static int  tls_kdf(const char *, const OSSL_PARAM *, uint8_t *, size_t);
static int  tls_hkdf_label(const char *, const uint8_t *, size_t,
		const char *, uint8_t *, size_t);
static int  tls_dec_cipher(struct tls_dec *, const uint8_t *);
static const EVP_CIPHER *tls_evp_cipher(const struct tls_suite *);
static void tls_put64(uint8_t *, uint64_t);

const struct tls_suite *
tls_suite_find(uint16_t id)
{
	size_t i;

	for (i = 0; i < sizeof tls_suites / sizeof tls_suites[0]; i++)
		if (tls_suites[i].id == id)
			return &tls_suites[i];
	return NULL;
}

static void
tls_put64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

/* outlen bytes of the KDF named (HKDF, TLS1-PRF) with its params. */
static int
tls_kdf(const char *name, const OSSL_PARAM *params, uint8_t *out,
    size_t outlen)
{
	EVP_KDF     *kdf;
	EVP_KDF_CTX *kc;
	int          ok;

	if ((kdf = EVP_KDF_fetch(NULL, name, NULL)) == NULL)
		return -1;
	kc = EVP_KDF_CTX_new(kdf);
	EVP_KDF_free(kdf);
	if (kc == NULL)
		return -1;
	ok = EVP_KDF_derive(kc, out, outlen, params) > 0;
	EVP_KDF_CTX_free(kc);
	return ok ? 0 : -1;
}

/* HKDF-Expand-Label(secret, label, "", outlen) of RFC 8446 7.1. */
static int
tls_hkdf_label(const char *md, const uint8_t *secret, size_t slen,
    const char *label, uint8_t *out, size_t outlen)
{
	OSSL_PARAM   params[5];
	uint8_t      info[2 + 1 + 6 + 32 + 1];
	size_t       ll = strlen(label), n = 0;
	int          mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;

	if (ll > 32)
		return -1;
	info[n++] = (uint8_t)(outlen >> 8);
	info[n++] = (uint8_t)outlen;
	info[n++] = (uint8_t)(6 + ll);
	memcpy(info + n, "tls13 ", 6);
	n += 6;
	memcpy(info + n, label, ll);
	n += ll;
	info[n++] = 0;                        /* an empty context */
	params[0] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	params[1] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
	    (char *)md, 0);
	params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
	    (void *)secret, slen);
	params[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
	    info, n);
	params[4] = OSSL_PARAM_construct_end();
	return tls_kdf("HKDF", params, out, outlen);
}

static const EVP_CIPHER *
tls_evp_cipher(const struct tls_suite *su)
{
	switch (su->kind) {
	case TLS_AES_GCM:
		return su->keylen == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
	case TLS_CHACHA_POLY:
		return EVP_chacha20_poly1305();
	case TLS_AES_CBC:
		return su->keylen == 16 ? EVP_aes_128_cbc() : EVP_aes_256_cbc();
	}
	return NULL;
}

/* The direction's cipher context, made on first use, keyed. */
static int
tls_dec_cipher(struct tls_dec *d, const uint8_t *key)
{
	const EVP_CIPHER *c = tls_evp_cipher(d->su);
	OSSL_PARAM        params[2];

	if (d->ctx == NULL && (d->ctx = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	if (EVP_DecryptInit_ex(d->ctx, c, NULL, NULL, NULL) <= 0)
		return -1;
	if (d->su->kind != TLS_AES_CBC &&
	    EVP_CIPHER_CTX_ctrl(d->ctx, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) <= 0)
		return -1;
	if (EVP_DecryptInit_ex(d->ctx, NULL, NULL, key, NULL) <= 0)
		return -1;
	if (d->su->kind == TLS_AES_CBC) {
		EVP_CIPHER_CTX_set_padding(d->ctx, 0);
		if (d->mac == NULL) {
			EVP_MAC *m = EVP_MAC_fetch(NULL, "HMAC", NULL);

			d->mac = m != NULL ? EVP_MAC_CTX_new(m) : NULL;
			EVP_MAC_free(m);
			if (d->mac == NULL)
				return -1;
		}
		/* Its hash and key, once: a record only restarts it. */
		params[0] = OSSL_PARAM_construct_utf8_string(
		    OSSL_MAC_PARAM_DIGEST, (char *)d->su->mac_md, 0);
		params[1] = OSSL_PARAM_construct_end();
		if (EVP_MAC_init(d->mac, d->mackey, (size_t)d->su->maclen,
		    params) <= 0)
			return -1;
	}
	d->seq = 0;
	d->ready = 1;
	return 0;
}

int
tls_dec_init13(struct tls_dec *d, const struct tls_suite *su,
    const uint8_t *secret, size_t len)
{
	uint8_t key[32];

	if (len > sizeof d->secret)
		return -1;
	d->su = su;
	d->ready = 0;
	memcpy(d->secret, secret, len);
	d->secretlen = len;
	if (tls_hkdf_label(su->md, secret, len, "key", key,
	    (size_t)su->keylen) != 0 ||
	    tls_hkdf_label(su->md, secret, len, "iv", d->iv, 12) != 0)
		return -1;
	return tls_dec_cipher(d, key);
}

int
tls_dec_update13(struct tls_dec *d)
{
	uint8_t next[TLS_SECRET_MAX];

	if (d->su == NULL || tls_hkdf_label(d->su->md, d->secret, d->secretlen,
	    "traffic upd", next, d->secretlen) != 0)
		return -1;
	return tls_dec_init13(d, d->su, next, d->secretlen);
}

int
tls_dec_init12(struct tls_dec *cl, struct tls_dec *sv,
    const struct tls_suite *su, const uint8_t master[48],
    const uint8_t cr[32], const uint8_t sr[32], int etm)
{
	OSSL_PARAM   params[4];
	uint8_t      seed[13 + 64], kb[2 * (48 + 32 + 16)];
	size_t       fixed = su->kind == TLS_AES_GCM ? 4 :
	    su->kind == TLS_CHACHA_POLY ? 12 : 16, m = (size_t)su->maclen,
	    k = (size_t)su->keylen;

	memcpy(seed, "key expansion", 13);
	memcpy(seed + 13, sr, 32);
	memcpy(seed + 45, cr, 32);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
	    (char *)su->md, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET,
	    (void *)master, 48);
	params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED,
	    seed, sizeof seed);
	params[3] = OSSL_PARAM_construct_end();
	if (tls_kdf("TLS1-PRF", params, kb, 2 * (m + k + fixed)) != 0)
		return -1;
	cl->su = sv->su = su;
	cl->etm = sv->etm = etm;
	memcpy(cl->mackey, kb, m);
	memcpy(sv->mackey, kb + m, m);
	memcpy(cl->iv, kb + 2 * m + 2 * k, fixed);
	memcpy(sv->iv, kb + 2 * m + 2 * k + fixed, fixed);
	if (tls_dec_cipher(cl, kb + 2 * m) != 0 ||
	    tls_dec_cipher(sv, kb + 2 * m + k) != 0)
		return -1;
	return 0;
}

/*
 * The HMAC of a 1.2 CBC record: seq, type, version, length, then data,
 * with the hash and key the context was given when keyed.
 */
static int
tls_dec_mac(struct tls_dec *d, const uint8_t hdr[5], const uint8_t *p,
    size_t n, uint8_t *out)
{
	uint8_t pre[13];
	size_t  outl;

	tls_put64(pre, d->seq);
	memcpy(pre + 8, hdr, 3);
	pre[11] = (uint8_t)(n >> 8);
	pre[12] = (uint8_t)n;
	if (EVP_MAC_init(d->mac, NULL, 0, NULL) <= 0 ||
	    EVP_MAC_update(d->mac, pre, sizeof pre) <= 0 ||
	    EVP_MAC_update(d->mac, p, n) <= 0 ||
	    EVP_MAC_final(d->mac, out, &outl, 64) <= 0)
		return -1;
	return 0;
}

/* A 1.2 CBC record: explicit IV, MAC-then-encrypt or encrypt-then-MAC. */
static int
tls_dec_cbc(struct tls_dec *d, const uint8_t hdr[5], const uint8_t *body,
    size_t n, uint8_t *out, size_t *outlen)
{
	size_t  m = (size_t)d->su->maclen, clen, pad, i, len;
	uint8_t mac[64];
	int     l1, l2;

	if (n < 16 + (d->etm ? m : 0) + 16)
		return -1;
	clen = n - 16 - (d->etm ? m : 0);
	if (clen % 16 != 0)
		return -1;
	if (d->etm && (tls_dec_mac(d, hdr, body, n - m, mac) != 0 ||
	    memcmp(mac, body + n - m, m) != 0))
		return -1;
	if (EVP_DecryptInit_ex(d->ctx, NULL, NULL, NULL, body) <= 0 ||
	    EVP_DecryptUpdate(d->ctx, out, &l1, body + 16, (int)clen) <= 0 ||
	    EVP_DecryptFinal_ex(d->ctx, out + l1, &l2) <= 0)
		return -1;
	pad = out[clen - 1];
	if (pad + 1 + (d->etm ? 0 : m) > clen)
		return -1;
	for (i = clen - 1 - pad; i < clen - 1; i++)
		if (out[i] != pad)
			return -1;
	len = clen - pad - 1 - (d->etm ? 0 : m);
	if (!d->etm && (tls_dec_mac(d, hdr, out, len, mac) != 0 ||
	    memcmp(mac, out + len, m) != 0))
		return -1;
	*outlen = len;
	return 0;
}

int
tls_dec_record(struct tls_dec *d, const uint8_t hdr[5], const uint8_t *body,
    size_t n, uint8_t *out, size_t *outlen, size_t *skip, uint8_t *type)
{
	uint8_t nonce[12], aad[13];
	size_t  ex = 0, ct, aadlen = 5, i;
	int     l1, l2;

	if (!d->ready)
		return -1;
	*type = hdr[0];
	if (d->su->kind == TLS_AES_CBC) {
		if (tls_dec_cbc(d, hdr, body, n, out, outlen) != 0)
			return -1;
		*skip = 16;
		d->seq++;
		return 0;
	}
	if (!d->su->tls13 && d->su->kind == TLS_AES_GCM)
		ex = 8;                        /* the explicit nonce */
	if (n < ex + TLS_TAG)
		return -1;
	ct = n - ex - TLS_TAG;
	if (ex) {
		memcpy(nonce, d->iv, 4);
		memcpy(nonce + 4, body, 8);
	} else {
		memcpy(nonce, d->iv, 12);
		tls_put64(aad, d->seq);
		for (i = 0; i < 8; i++)
			nonce[4 + i] ^= aad[i];
	}
	if (d->su->tls13)
		memcpy(aad, hdr, 5);
	else {
		tls_put64(aad, d->seq);
		memcpy(aad + 8, hdr, 3);
		aad[11] = (uint8_t)(ct >> 8);
		aad[12] = (uint8_t)ct;
		aadlen = 13;
	}
	if (EVP_DecryptInit_ex(d->ctx, NULL, NULL, NULL, nonce) <= 0 ||
	    EVP_DecryptUpdate(d->ctx, NULL, &l1, aad, (int)aadlen) <= 0 ||
	    EVP_DecryptUpdate(d->ctx, out, &l1, body + ex, (int)ct) <= 0 ||
	    EVP_CIPHER_CTX_ctrl(d->ctx, EVP_CTRL_AEAD_SET_TAG, TLS_TAG,
	    (void *)(body + ex + ct)) <= 0 ||
	    EVP_DecryptFinal_ex(d->ctx, out + l1, &l2) <= 0)
		return -1;
	*skip = ex;
	*outlen = ct;
	if (d->su->tls13) {
		/* The inner type is the last byte that is not padding. */
		while (*outlen > 0 && out[*outlen - 1] == 0)
			(*outlen)--;
		if (*outlen == 0)
			return -1;
		*type = out[--*outlen];
	}
	d->seq++;
	return 0;
}

void
tls_dec_free(struct tls_dec *d)
{
	EVP_CIPHER_CTX_free(d->ctx);
	EVP_MAC_CTX_free(d->mac);
	d->ctx = NULL;
	d->mac = NULL;
	d->ready = 0;
}
