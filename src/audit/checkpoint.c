/*
 * checkpoint.c - checkpoint notes and their Ed25519 signatures.
 *
 * How it fits: the sequencer (sequencer.c) formats a checkpoint's body
 * here, signs it with the private key that only eligod's sequencer child
 * (or `eligo audit checkpoint`) keeps, and stores the note; the verifier
 * (verify.c) opens every stored note with the public key an auditor
 * gives it.  The formats are described in checkpoint.h.  Signing and
 * verifying go through OpenSSL's EVP interface (raw Ed25519 keys).
 *
 * What it does not do: talk to the database, or decide what a checkpoint
 * covers.  Parsing is strict: a verifier that accepts a sloppy note is
 * one an attacker can feed a second meaning.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include "audit/checkpoint.h"

struct cp_key {
    char name[CP_MAX_NAME + 1];
    uint8_t pub[32];
    uint8_t seed[32];
    uint8_t hash[4];         /* the note format's key hash */
    int has_private;
    EVP_PKEY *pkey;          /* private when has_private, else public */
    struct cp_key *next;     /* older public keys (rotation), owned; cp_open tries each */
};

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char em_dash[] = "\xe2\x80\x94 ";

void cp_base64(const uint8_t *p, size_t n, buf *out)
{
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n) v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n) v |= p[i + 2];
        char q[4] = {b64[v >> 18 & 63], b64[v >> 12 & 63], i + 1 < n ? b64[v >> 6 & 63] : '=',
                     i + 2 < n ? b64[v & 63] : '='};
        buf_add(out, q, 4);
    }
}

static int b64_value(char c)
{
    const char *p = c ? strchr(b64, c) : NULL;
    return p ? (int)(p - b64) : -1;
}

long cp_unbase64(const char *s, size_t n, uint8_t *out, size_t cap)
{
    if (n % 4) return -1;
    size_t len = 0;
    for (size_t i = 0; i < n; i += 4) {
        int last = i + 4 == n;
        int pad = last ? (s[i + 3] == '=') + (s[i + 2] == '=' && s[i + 3] == '=') : 0;
        uint32_t v = 0;
        for (int j = 0; j < 4; j++) {
            int d = j >= 4 - pad ? 0 : b64_value(s[i + j]);
            if (d < 0) return -1;
            v = v << 6 | (uint32_t)d;
        }
        /* canonical: the bits under the padding are zero */
        if ((pad == 1 && (v & 0xff)) || (pad == 2 && (v & 0xffff))) return -1;
        for (int j = 0; j < 3 - pad; j++) {
            if (len >= cap) return -1;
            out[len++] = (uint8_t)(v >> (16 - 8 * j));
        }
    }
    return (long)len;
}

/* --------------------------------------------------------------- body */

void cp_body(const checkpoint *c, buf *out)
{
    buf_printf(out, "%s\n%llu\n", c->origin, (unsigned long long)c->size);
    cp_base64(c->root, 32, out);
    buf_printf(out, "\ncheckpoint %llu\nprev ", (unsigned long long)c->k);
    cp_base64(c->prev, 32, out);
    buf_printf(out, "\ntime %s\n", c->time);
}

void cp_body_hash(const char *body, size_t n, uint8_t out[32])
{
    unsigned int len = 0;
    EVP_Digest(body, n, out, &len, EVP_sha256(), NULL);
}

/* A decimal with no sign, no leading zero and no overflow. */
static int parse_u64(const char *p, size_t n, uint64_t *v)
{
    if (n == 0 || n > 20 || (n > 1 && p[0] == '0')) return -1;
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return -1;
        uint64_t d = (uint64_t)(p[i] - '0');
        if (x > (UINT64_MAX - d) / 10) return -1;
        x = x * 10 + d;
    }
    *v = x;
    return 0;
}

static int fail(char *err, size_t errlen, const char *msg)
{
    snprintf(err, errlen, "%s", msg);
    return -1;
}

/* The next line of [p, end) without its newline; NULL when none is left
 * or the line is not newline-terminated. */
static const char *next_line(const char **p, const char *end, size_t *n)
{
    const char *s = *p, *nl = s < end ? memchr(s, '\n', (size_t)(end - s)) : NULL;
    if (!nl) return NULL;
    *n = (size_t)(nl - s);
    *p = nl + 1;
    return s;
}

static int parse_hash_line(const char *l, size_t n, const char *key, uint8_t out[32])
{
    size_t kl = strlen(key);
    if (n <= kl || memcmp(l, key, kl) != 0) return -1;
    return cp_unbase64(l + kl, n - kl, out, 32) == 32 ? 0 : -1;
}

int cp_parse(const char *note, size_t n, checkpoint *c, size_t *body_len, char *err, size_t errlen)
{
    const char *p = note, *end = note + n, *l;
    size_t ln;
    memset(c, 0, sizeof *c);
    if (!(l = next_line(&p, end, &ln)) || ln == 0 || ln > CP_MAX_NAME || memchr(l, ' ', ln))
        return fail(err, errlen, "bad origin line");
    memcpy(c->origin, l, ln);
    if (!(l = next_line(&p, end, &ln)) || parse_u64(l, ln, &c->size))
        return fail(err, errlen, "bad tree size line");
    if (!(l = next_line(&p, end, &ln)) || cp_unbase64(l, ln, c->root, 32) != 32)
        return fail(err, errlen, "bad root line");
    if (!(l = next_line(&p, end, &ln)) || ln <= 11 || memcmp(l, "checkpoint ", 11) != 0 ||
        parse_u64(l + 11, ln - 11, &c->k) || c->k == 0)
        return fail(err, errlen, "bad checkpoint line");
    if (!(l = next_line(&p, end, &ln)) || parse_hash_line(l, ln, "prev ", c->prev))
        return fail(err, errlen, "bad prev line");
    if (!(l = next_line(&p, end, &ln)) || ln <= 5 || ln - 5 >= sizeof c->time || memcmp(l, "time ", 5) != 0)
        return fail(err, errlen, "bad time line");
    memcpy(c->time, l + 5, ln - 5);
    /* further extension lines are not ours: refuse them rather than sign
     * or accept text nobody reads */
    if (p >= end || *p != '\n') return fail(err, errlen, "the body does not end after the time line");
    *body_len = (size_t)(p - note);
    return 0;
}

/* ---------------------------------------------------------------- keys */

static int valid_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > CP_MAX_NAME) return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)name[i] <= ' ' || name[i] == '+' || name[i] == 0x7f) return 0;
    return 1;
}

static void key_hash(cp_key *k)
{
    uint8_t md[32];
    unsigned int len = 0;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    EVP_DigestInit_ex(c, EVP_sha256(), NULL);
    EVP_DigestUpdate(c, k->name, strlen(k->name));
    EVP_DigestUpdate(c, "\n\x01", 2);
    EVP_DigestUpdate(c, k->pub, 32);
    EVP_DigestFinal_ex(c, md, &len);
    EVP_MD_CTX_free(c);
    memcpy(k->hash, md, 4);
}

/* Completes k from its name and seed (private) or public key. */
static cp_key *key_finish(cp_key *k)
{
    if (k->has_private) {
        k->pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, k->seed, 32);
        size_t n = 32;
        if (!k->pkey || EVP_PKEY_get_raw_public_key(k->pkey, k->pub, &n) != 1 || n != 32) goto bad;
    } else {
        k->pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, k->pub, 32);
        if (!k->pkey) goto bad;
    }
    key_hash(k);
    return k;
bad:
    cp_key_free(k);
    return NULL;
}

cp_key *cp_key_generate(const char *name)
{
    if (!valid_name(name)) return NULL;
    cp_key *k = calloc(1, sizeof *k);
    if (!k) return NULL;
    snprintf(k->name, sizeof k->name, "%s", name);
    if (RAND_bytes(k->seed, 32) != 1) {
        free(k);
        return NULL;
    }
    k->has_private = 1;
    return key_finish(k);
}

/* Parses "[PRIVATE+KEY+]name+hash+base64(0x01||32 bytes)". */
static cp_key *parse_key(const char *text, int private, char *err, size_t errlen)
{
    size_t n = strcspn(text, "\n");
    if (text[n] == '\n' && text[n + 1] != 0) return fail(err, errlen, "more than one line"), NULL;
    if (private) {
        if (strncmp(text, "PRIVATE+KEY+", 12) != 0) return fail(err, errlen, "not a PRIVATE+KEY line"), NULL;
        text += 12, n -= 12;
    }
    const char *p1 = memchr(text, '+', n);
    const char *p2 = p1 ? memchr(p1 + 1, '+', n - (size_t)(p1 + 1 - text)) : NULL;
    if (!p1 || !p2 || p2 - p1 != 9) return fail(err, errlen, "expected NAME+HASH+KEY"), NULL;
    cp_key *k = calloc(1, sizeof *k);
    if (!k) return fail(err, errlen, "out of memory"), NULL;
    if ((size_t)(p1 - text) > CP_MAX_NAME) goto bad;
    memcpy(k->name, text, (size_t)(p1 - text));
    uint8_t raw[33];
    if (!valid_name(k->name) || cp_unbase64(p2 + 1, n - (size_t)(p2 + 1 - text), raw, sizeof raw) != 33 ||
        raw[0] != 1)
        goto bad;
    memcpy(private ? k->seed : k->pub, raw + 1, 32);
    k->has_private = private;
    if (!(k = key_finish(k))) return fail(err, errlen, "not an Ed25519 key"), NULL;
    char hex[9];
    snprintf(hex, sizeof hex, "%02x%02x%02x%02x", k->hash[0], k->hash[1], k->hash[2], k->hash[3]);
    if (memcmp(hex, p1 + 1, 8) != 0) {
        cp_key_free(k);
        return fail(err, errlen, "the key hash does not match the key"), NULL;
    }
    return k;
bad:
    free(k);
    return fail(err, errlen, "bad name or key"), NULL;
}

cp_key *cp_key_parse_public(const char *text, char *err, size_t errlen)
{
    return parse_key(text, 0, err, errlen);
}

/* Public key lines, one per line (the current key and the keys rotated
 * out), into a chain in file order; empty lines and '#' lines skipped. */
static cp_key *parse_ring(char *text, char *err, size_t errlen)
{
    cp_key *head = NULL, **tail = &head;
    for (char *line = text, *nl; line && *line; line = nl ? nl + 1 : NULL) {
        nl = strchr(line, '\n');
        if (nl) *nl = 0;
        if (!*line || *line == '#') continue;
        if (!(*tail = parse_key(line, 0, err, errlen))) {
            cp_key_free(head);
            return NULL;
        }
        tail = &(*tail)->next;
    }
    if (!head) fail(err, errlen, "no key line");
    return head;
}

/* Reads a small key file; for a private key, refuses group/other access. */
static cp_key *read_key_file(const char *path, int private, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return snprintf(err, errlen, "%s: %s", path, strerror(errno)), NULL;
    struct stat st;
    char text[8192];         /* a private key, or a ring of public keys */
    ssize_t got = -1;
    int open_to_others = fstat(fd, &st) != 0 || (private && (st.st_mode & 077));
    if (!open_to_others) got = read(fd, text, sizeof text - 1);
    close(fd);
    if (open_to_others)
        return snprintf(err, errlen, "%s: group or others may read it; a private key must be mode 0600", path), NULL;
    if (got <= 0) return snprintf(err, errlen, "%s: cannot read", path), NULL;
    text[got] = 0;
    char why[128];
    cp_key *k = private ? parse_key(text, 1, why, sizeof why) : parse_ring(text, why, sizeof why);
    if (!k) snprintf(err, errlen, "%s: %s", path, why);
    explicit_bzero(text, sizeof text);
    return k;
}

cp_key *cp_key_read_private(const char *path, char *err, size_t errlen)
{
    return read_key_file(path, 1, err, errlen);
}

cp_key *cp_key_read_public(const char *path, char *err, size_t errlen)
{
    return read_key_file(path, 0, err, errlen);
}

static void key_line(const cp_key *k, const uint8_t key[32], buf *out)
{
    uint8_t raw[33];
    raw[0] = 1;
    memcpy(raw + 1, key, 32);
    buf_printf(out, "%s+%02x%02x%02x%02x+", k->name, k->hash[0], k->hash[1], k->hash[2], k->hash[3]);
    cp_base64(raw, sizeof raw, out);
    buf_addc(out, '\n');
}

int cp_key_private_line(const cp_key *k, buf *out)
{
    if (!k->has_private) return -1;
    buf_adds(out, "PRIVATE+KEY+");
    key_line(k, k->seed, out);
    return 0;
}

void cp_key_public_line(const cp_key *k, buf *out)
{
    key_line(k, k->pub, out);
}

const char *cp_key_name(const cp_key *k)
{
    return k->name;
}

void cp_key_free(cp_key *k)
{
    while (k) {
        cp_key *next = k->next;
        EVP_PKEY_free(k->pkey);
        explicit_bzero(k, sizeof *k);
        free(k);
        k = next;
    }
}

void cp_key_chain(cp_key *k, cp_key *older)
{
    while (k->next) k = k->next;
    k->next = older;
}

/* ---------------------------------------------------------- signatures */

int cp_sign(const cp_key *k, const char *body, size_t n, buf *note)
{
    if (!k->has_private) return -1;
    uint8_t sig[4 + 64];
    size_t siglen = 64;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int ok = c && EVP_DigestSignInit(c, NULL, NULL, NULL, k->pkey) == 1 &&
             EVP_DigestSign(c, sig + 4, &siglen, (const unsigned char *)body, n) == 1 && siglen == 64;
    EVP_MD_CTX_free(c);
    if (!ok) return -1;
    memcpy(sig, k->hash, 4);
    buf_add(note, body, n);
    buf_printf(note, "\n%s%s ", em_dash, k->name);
    cp_base64(sig, sizeof sig, note);
    buf_addc(note, '\n');
    return note->failed ? -1 : 0;
}

static int signature_ok(const cp_key *k, const char *body, size_t n, const uint8_t sig[64])
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int ok = c && EVP_DigestVerifyInit(c, NULL, NULL, NULL, k->pkey) == 1 &&
             EVP_DigestVerify(c, sig, 64, (const unsigned char *)body, n) == 1;
    EVP_MD_CTX_free(c);
    return ok;
}

/* cp_open with one key of the chain. */
static int open_with(const cp_key *k, const char *note, size_t n, checkpoint *c, size_t *body_len,
                     char *err, size_t errlen)
{
    if (cp_parse(note, n, c, body_len, err, errlen)) return -1;
    if (strcmp(c->origin, k->name) != 0) return fail(err, errlen, "the origin is not the key's name");
    const char *p = note + *body_len + 1, *end = note + n, *l;
    size_t ln, dl = strlen(em_dash), nl = strlen(k->name);
    int found = 0;
    while ((l = next_line(&p, end, &ln)) != NULL) {
        if (ln < dl + nl + 1 || memcmp(l, em_dash, dl) != 0) return fail(err, errlen, "bad signature line");
        if (memcmp(l + dl, k->name, nl) != 0 || l[dl + nl] != ' ') continue;   /* another signer */
        uint8_t sig[4 + 64];
        const char *s = l + dl + nl + 1;
        if (cp_unbase64(s, ln - (size_t)(s - l), sig, sizeof sig) != (long)sizeof sig) continue;
        if (memcmp(sig, k->hash, 4) != 0) continue;                          /* same name, other key */
        if (!signature_ok(k, note, *body_len, sig + 4)) return fail(err, errlen, "the signature does not verify");
        found = 1;
    }
    if (p != end) return fail(err, errlen, "the note does not end with a newline");
    if (!found) return fail(err, errlen, "no signature by this key");
    return 0;
}

int cp_open(const cp_key *k, const char *note, size_t n, checkpoint *c, size_t *body_len,
            char *err, size_t errlen)
{
    /* the note names its signer (name and key hash): any key of the
     * chain that it names verifies it; the reason given is the newest's */
    if (open_with(k, note, n, c, body_len, err, errlen) == 0) return 0;
    char why[128];
    for (const cp_key *o = k->next; o; o = o->next)
        if (open_with(o, note, n, c, body_len, why, sizeof why) == 0) return 0;
    return -1;
}
