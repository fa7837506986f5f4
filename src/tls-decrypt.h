/*
 * tls-decrypt: TLS record keys and record decryption, all through
 * OpenSSL libcrypto's EVP interfaces (the HKDF and TLS1-PRF KDFs, the
 * AEAD and CBC ciphers, HMAC). One struct tls_dec per direction holds
 * its cipher context, made once and reused for every record.
 */
#ifndef TLS_DECRYPT_H
#define TLS_DECRYPT_H

#include <stddef.h>
#include <stdint.h>

#define TLS_SECRET_MAX 64

enum tls_cipher_kind { TLS_AES_GCM, TLS_CHACHA_POLY, TLS_AES_CBC };

/* A cipher suite this code decrypts. */
struct tls_suite {
	uint16_t             id;
	const char          *name;     /* the IANA name */
	int                  tls13;
	enum tls_cipher_kind kind;
	int                  keylen;
	int                  maclen;   /* CBC only: the HMAC's length */
	const char          *md;       /* the PRF's (HKDF's) hash */
	const char          *mac_md;   /* CBC only: the HMAC's hash */
};

/* The suite, or NULL when it is not decrypted here. */
const struct tls_suite *tls_suite_find(uint16_t id);

/* One direction's record protection. */
struct tls_dec {
	const struct tls_suite *su;
	void                   *ctx;     /* EVP_CIPHER_CTX, made once */
	void                   *mac;     /* EVP_MAC_CTX, CBC only */
	uint8_t                 iv[16];  /* the fixed (1.2) or whole (1.3) IV */
	uint8_t                 mackey[48];
	uint8_t                 secret[TLS_SECRET_MAX];  /* 1.3: the traffic secret */
	size_t                  secretlen;
	uint64_t                seq;
	int                     etm;     /* 1.2 CBC: encrypt_then_mac */
	int                     ready;
};

/* TLS 1.3: keys from a traffic secret. 0, or -1 when libcrypto failed. */
int  tls_dec_init13(struct tls_dec *, const struct tls_suite *,
	const uint8_t *secret, size_t len);
/* TLS 1.3 KeyUpdate: the next traffic secret, its keys, sequence 0. */
int  tls_dec_update13(struct tls_dec *);
/* TLS 1.2: both directions' keys from the master secret and randoms. */
int  tls_dec_init12(struct tls_dec *client, struct tls_dec *server,
	const struct tls_suite *, const uint8_t master[48],
	const uint8_t client_random[32], const uint8_t server_random[32],
	int etm);
/*
 * Decrypts one record (hdr its 5 header bytes, body the rest) into out
 * (room for n bytes). 0: *outlen plaintext bytes, the first of which was
 * body byte *skip, of content *type (TLS 1.3: the inner type); the
 * sequence number moves on. -1: the tag, MAC or padding is wrong, and
 * nothing moved.
 */
int  tls_dec_record(struct tls_dec *, const uint8_t hdr[5],
	const uint8_t *body, size_t n, uint8_t *out, size_t *outlen,
	size_t *skip, uint8_t *type);
void tls_dec_free(struct tls_dec *);

#endif
