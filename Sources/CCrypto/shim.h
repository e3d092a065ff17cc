#ifndef NEWSLETTER_CCRYPTO_SHIM_H
#define NEWSLETTER_CCRYPTO_SHIM_H
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#endif
