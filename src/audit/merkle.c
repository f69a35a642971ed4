/*
 * merkle.c - RFC 9162 Merkle tree hashing, compact ranges and proofs.
 *
 * How it fits: the sequencer (sequencer.c) keeps a merkle_range of every
 * sequenced leaf and signs its root in each checkpoint; the verifier
 * (verify.c) rebuilds the same range from the decisions as stored and
 * compares roots; auditors holding an older checkpoint check consistency
 * proofs.  The algorithms are the RFC's, step by step, so that they can
 * be read against it; the comments name the RFC's variables.
 *
 * What it does not do: read the database, or hash entries (the store
 * computes leaf hashes, 0x00 prefix included).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include <openssl/evp.h>
#include "audit/merkle.h"

void merkle_leaf(const void *data, size_t n, uint8_t out[32])
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    unsigned char zero = 0;
    unsigned int len = 0;
    EVP_DigestInit_ex(c, EVP_sha256(), NULL);
    EVP_DigestUpdate(c, &zero, 1);
    EVP_DigestUpdate(c, data, n);
    EVP_DigestFinal_ex(c, out, &len);
    EVP_MD_CTX_free(c);
}

void merkle_node(const uint8_t l[32], const uint8_t r[32], uint8_t out[32])
{
    unsigned char in[65];
    unsigned int len = 0;
    in[0] = 1;
    memcpy(in + 1, l, 32);
    memcpy(in + 33, r, 32);
    EVP_Digest(in, sizeof in, out, &len, EVP_sha256(), NULL);
}

void merkle_empty(uint8_t out[32])
{
    unsigned int len = 0;
    EVP_Digest("", 0, out, &len, EVP_sha256(), NULL);
}

void merkle_range_init(merkle_range *r)
{
    r->size = 0;
}

/* Like binary addition: the new leaf is a carry that merges with every
 * perfect subtree of equal size, lowest first. */
void merkle_range_append(merkle_range *r, const uint8_t leaf[32])
{
    uint8_t carry[32];
    memcpy(carry, leaf, 32);
    int b = 0;
    while (r->size >> b & 1) {
        merkle_node(r->node[b], carry, carry);
        b++;
    }
    memcpy(r->node[b], carry, 32);
    r->size++;
}

/* Folds the subtrees from the smallest (rightmost) up: each larger one
 * is a left sibling of everything to its right. */
void merkle_range_root(const merkle_range *r, uint8_t out[32])
{
    if (r->size == 0) {
        merkle_empty(out);
        return;
    }
    int b = 0;
    while (!(r->size >> b & 1)) b++;
    uint8_t acc[32];
    memcpy(acc, r->node[b], 32);
    for (b++; b < 64; b++)
        if (r->size >> b & 1) merkle_node(r->node[b], acc, acc);
    memcpy(out, acc, 32);
}

void merkle_root(const uint8_t (*leaves)[32], uint64_t n, uint8_t out[32])
{
    merkle_range r;
    merkle_range_init(&r);
    for (uint64_t i = 0; i < n; i++) merkle_range_append(&r, leaves[i]);
    merkle_range_root(&r, out);
}

/* The largest power of two smaller than n (n >= 2). */
static uint64_t split(uint64_t n)
{
    uint64_t k = 1;
    while (k << 1 < n) k <<= 1;
    return k;
}

static void add(uint8_t (*proof)[32], size_t *len, const uint8_t h[32])
{
    if (*len < MERKLE_MAX_PROOF) memcpy(proof[*len], h, 32);
    (*len)++;
}

/* PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n]) for m < k, else
 * PATH(m - k, D[k:n]) : MTH(D[0:k]). */
static void path(const uint8_t (*d)[32], uint64_t n, uint64_t m, uint8_t (*proof)[32], size_t *len)
{
    if (n <= 1) return;
    uint64_t k = split(n);
    uint8_t h[32];
    if (m < k) {
        path(d, k, m, proof, len);
        merkle_root(d + k, n - k, h);
    } else {
        path(d + k, n - k, m - k, proof, len);
        merkle_root(d, k, h);
    }
    add(proof, len, h);
}

int merkle_inclusion_proof(const uint8_t (*leaves)[32], uint64_t n, uint64_t index,
                           uint8_t (*proof)[32], size_t *len)
{
    *len = 0;
    if (index >= n) return -1;
    path(leaves, n, index, proof, len);
    return 0;
}

/* SUBPROOF(m, D[n], b): {} when m == n and b; {MTH(D[n])} when m == n
 * and not b; otherwise split at k and recurse into the side holding m. */
static void subproof(const uint8_t (*d)[32], uint64_t n, uint64_t m, int b, uint8_t (*proof)[32],
                     size_t *len)
{
    uint8_t h[32];
    if (m == n) {
        if (!b) {
            merkle_root(d, n, h);
            add(proof, len, h);
        }
        return;
    }
    uint64_t k = split(n);
    if (m <= k) {
        subproof(d, k, m, b, proof, len);
        merkle_root(d + k, n - k, h);
    } else {
        subproof(d + k, n - k, m - k, 0, proof, len);
        merkle_root(d, k, h);
    }
    add(proof, len, h);
}

int merkle_consistency_proof(const uint8_t (*leaves)[32], uint64_t n, uint64_t m,
                             uint8_t (*proof)[32], size_t *len)
{
    *len = 0;
    if (m > n) return -1;
    if (m == 0 || m == n) return 0;
    subproof(leaves, n, m, 1, proof, len);
    return 0;
}

int merkle_inclusion_verify(uint64_t index, uint64_t size, const uint8_t leaf[32],
                            const uint8_t (*proof)[32], size_t len, const uint8_t root[32])
{
    if (index >= size || len > MERKLE_MAX_PROOF) return -1;
    uint64_t fn = index, sn = size - 1;
    uint8_t r[32];
    memcpy(r, leaf, 32);
    for (size_t i = 0; i < len; i++) {
        if (sn == 0) return -1;
        if ((fn & 1) || fn == sn) {
            merkle_node(proof[i], r, r);
            while (!(fn & 1) && fn != 0) fn >>= 1, sn >>= 1;
        } else {
            merkle_node(r, proof[i], r);
        }
        fn >>= 1, sn >>= 1;
    }
    return sn == 0 && memcmp(r, root, 32) == 0 ? 0 : -1;
}

int merkle_consistency_verify(uint64_t size1, uint64_t size2, const uint8_t root1[32],
                              const uint8_t root2[32], const uint8_t (*proof)[32], size_t len)
{
    if (size1 > size2 || len > MERKLE_MAX_PROOF) return -1;
    if (size1 == size2) return len == 0 && memcmp(root1, root2, 32) == 0 ? 0 : -1;
    if (size1 == 0) return len == 0 ? 0 : -1;
    if (len == 0) return -1;
    /* a power-of-two first tree is a subtree of the second: its root is
     * the proof's implicit first element */
    int pow2 = (size1 & (size1 - 1)) == 0;
    size_t i = 0;
    uint8_t fr[32], sr[32];
    memcpy(fr, pow2 ? root1 : proof[0], 32);
    if (!pow2) i = 1;
    memcpy(sr, fr, 32);
    uint64_t fn = size1 - 1, sn = size2 - 1;
    while (fn & 1) fn >>= 1, sn >>= 1;
    for (; i < len; i++) {
        if (sn == 0) return -1;
        if ((fn & 1) || fn == sn) {
            merkle_node(proof[i], fr, fr);
            merkle_node(proof[i], sr, sr);
            while (!(fn & 1) && fn != 0) fn >>= 1, sn >>= 1;
        } else {
            merkle_node(sr, proof[i], sr);
        }
        fn >>= 1, sn >>= 1;
    }
    return sn == 0 && memcmp(fr, root1, 32) == 0 && memcmp(sr, root2, 32) == 0 ? 0 : -1;
}
