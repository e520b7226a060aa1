#ifndef SUPORT_CCRYPTO_SHIM_H
#define SUPORT_CCRYPTO_SHIM_H
/* The one digest Suport needs, through OpenSSL's EVP interface (the low-level
   SHA256_* calls are deprecated in OpenSSL 3). Returns 1 on success. */
#include <openssl/evp.h>

static inline int ccrypto_sha256(const void *data, size_t count, unsigned char out[32]) {
    unsigned int length = 0;
    return EVP_Digest(data, count, out, &length, EVP_sha256(), NULL);
}

#endif
