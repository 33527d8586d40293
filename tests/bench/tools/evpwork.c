/* evpwork.c -- a measuring aid (session 30), not a workload: a fixed
 * amount of OpenSSL EVP work, so that host-instruction counts under ferry
 * (callgrind) compare before and after a change, where `openssl speed`
 * runs for a time instead.  It prints a digest of its output so that a
 * run under ferry can be compared with the native one.  Under ferry
 * OpenSSL sees AVX2, AES-NI, PCLMULQDQ and SHA-NI: AES-256-GCM runs its
 * stitched AVX code (vpalignr, vpclmulqdq, vaesenc), SHA-256 its SHA-NI
 * rounds with palignr in the message schedule; ChaCha20-Poly1305 and
 * SHA-512 their AVX2 code.
 *   evpwork gcm|chacha|sha256|sha512 [MB]    (default 16)
 * Build: gcc -O2 -o evpwork evpwork.c -lcrypto */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CHUNK = 16384 };

static int aead(const EVP_CIPHER *cipher, unsigned char *buf, long chunks, unsigned char *tag)
{
    static const unsigned char key[32] = { 1, 2, 3 }, iv[12] = { 4, 5, 6 };
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n = 0;
    if (!ctx || !EVP_EncryptInit_ex(ctx, cipher, NULL, key, iv))
        return 1;
    for (long i = 0; i < chunks; i++)
        if (!EVP_EncryptUpdate(ctx, buf, &n, buf, CHUNK))
            return 1;
    if (!EVP_EncryptFinal_ex(ctx, buf, &n) ||
        !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, tag))
        return 1;
    EVP_CIPHER_CTX_free(ctx);
    return 0;
}

static int digest(const EVP_MD *md, const unsigned char *buf, long chunks, unsigned char *out)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned n;
    if (!ctx || !EVP_DigestInit_ex(ctx, md, NULL))
        return 1;
    for (long i = 0; i < chunks; i++)
        if (!EVP_DigestUpdate(ctx, buf, CHUNK))
            return 1;
    if (!EVP_DigestFinal_ex(ctx, out, &n))
        return 1;
    EVP_MD_CTX_free(ctx);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    long chunks = (argc > 2 ? atol(argv[2]) : 16) * (1 << 20) / CHUNK;
    static unsigned char buf[CHUNK], out[64];
    for (int i = 0; i < CHUNK; i++)
        buf[i] = (unsigned char)(i * 131 + 7);
    int err, len;
    if (!strcmp(argv[1], "gcm"))
        err = aead(EVP_aes_256_gcm(), buf, chunks, out), len = 16;
    else if (!strcmp(argv[1], "chacha"))
        err = aead(EVP_chacha20_poly1305(), buf, chunks, out), len = 16;
    else if (!strcmp(argv[1], "sha256"))
        err = digest(EVP_sha256(), buf, chunks, out), len = 32;
    else
        err = digest(EVP_sha512(), buf, chunks, out), len = 64;
    if (err)
        return 1;
    for (int i = 0; i < len; i++)
        printf("%02x", out[i]);
    printf("\n");
    return 0;
}
