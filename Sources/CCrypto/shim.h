#ifndef SUPORT_CCRYPTO_SHIM_H
#define SUPORT_CCRYPTO_SHIM_H
/* The one digest Suport needs, through OpenSSL's EVP interface (the low-level
   SHA256_* calls are deprecated in OpenSSL 3). Returns 1 on success. */
#include <openssl/evp.h>

static inline int ccrypto_sha256(const void *data, size_t count, unsigned char out[32]) {
    unsigned int length = 0;
    return EVP_Digest(data, count, out, &length, EVP_sha256(), NULL);
}

/* The same digest over several pieces (a message without some of its header fields). */
static inline void *ccrypto_sha256_begin(void) {
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    if (context && EVP_DigestInit_ex(context, EVP_sha256(), NULL) != 1) { EVP_MD_CTX_free(context); return NULL; }
    return context;
}

static inline int ccrypto_sha256_add(void *context, const void *data, size_t count) {
    return EVP_DigestUpdate((EVP_MD_CTX *)context, data, count);
}

static inline int ccrypto_sha256_end(void *context, unsigned char out[32]) {
    unsigned int length = 0;
    int ok = EVP_DigestFinal_ex((EVP_MD_CTX *)context, out, &length);
    EVP_MD_CTX_free((EVP_MD_CTX *)context);
    return ok;
}

/* HMAC-SHA256 (RFC 2104) for the signed links of the web desk. Returns 1 on success. */
static inline int ccrypto_hmac_sha256(const void *key, size_t key_count, const void *data, size_t count, unsigned char out[32]) {
    size_t length = 0;
    return EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, key_count, data, count, out, 32, &length) != NULL && length == 32;
}

#endif
