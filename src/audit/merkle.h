/*
 * merkle.h - the RFC 6962 / RFC 9162 Merkle tree of the tamper-evidence
 * log: leaf and interior hashes, the root of n leaves, a compact range
 * that grows one leaf at a time, and inclusion and consistency proofs.
 *
 * The tree (RFC 9162 section 2.1.1): the hash of an empty tree is
 * SHA-256(""); a leaf's hash is SHA-256(0x00 || entry); an interior node
 * is SHA-256(0x01 || left || right), the left subtree holding the largest
 * power of two of leaves smaller than n.  The 0x00/0x01 prefixes keep a
 * leaf from being passed off as a node.
 *
 * For eligo the entry of leaf i is decision seq i+1's field encoding (see
 * store_leaf_hash in src/store/store_int.h), whose leaf hash
 * SHA-256(0x00 || fields) is exactly the decisions.content_hash the store
 * computes: the functions below take leaf hashes, never entries, so the
 * 0x00 prefix is applied once, by the store.
 *
 * Proof generation works on an array of all leaf hashes (an auditor's
 * tool, O(n)); verification is O(log n) and rejects every malformed or
 * altered proof (the transparency-dev/merkle vectors in
 * tests/unit/test_merkle.c).
 *
 * Ownership: every hash is 32 bytes in a caller's array; nothing here
 * allocates except merkle_*_proof's recursion on the stack.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_MERKLE_H
#define ELIGO_MERKLE_H

#include <stddef.h>
#include <stdint.h>

enum { MERKLE_HASH = 32, MERKLE_MAX_PROOF = 128 };

/* SHA-256(0x00 || data). */
void merkle_leaf(const void *data, size_t n, uint8_t out[32]);
/* SHA-256(0x01 || l || r).  out may alias l or r. */
void merkle_node(const uint8_t l[32], const uint8_t r[32], uint8_t out[32]);
/* SHA-256(""), the root of the empty tree. */
void merkle_empty(uint8_t out[32]);

/* A compact range [0, size): one perfect subtree root per set bit of
 * size (node[b] covers 2^b leaves), the O(log n) state a sequencer keeps
 * between checkpoints. */
typedef struct merkle_range {
    uint64_t size;
    uint8_t node[64][32];
} merkle_range;

void merkle_range_init(merkle_range *r);
void merkle_range_append(merkle_range *r, const uint8_t leaf[32]);
/* The root of the leaves appended so far. */
void merkle_range_root(const merkle_range *r, uint8_t out[32]);

/* The root of n leaf hashes (through a compact range). */
void merkle_root(const uint8_t (*leaves)[32], uint64_t n, uint8_t out[32]);

/* RFC 9162 PATH(index, D[n]) into proof (at most MERKLE_MAX_PROOF
 * hashes); *len gets the count.  0, or -1 when index >= n. */
int merkle_inclusion_proof(const uint8_t (*leaves)[32], uint64_t n, uint64_t index,
                           uint8_t (*proof)[32], size_t *len);
/* 0 when proof shows leaf at index in the tree of size with root;
 * -1 otherwise (RFC 9162 section 2.1.3.2). */
int merkle_inclusion_verify(uint64_t index, uint64_t size, const uint8_t leaf[32],
                            const uint8_t (*proof)[32], size_t len, const uint8_t root[32]);

/* RFC 9162 PROOF(m, D[n]).  0, or -1 when m > n. */
int merkle_consistency_proof(const uint8_t (*leaves)[32], uint64_t n, uint64_t m,
                             uint8_t (*proof)[32], size_t *len);
/* 0 when proof shows the tree of size1 with root1 is a prefix of the
 * tree of size2 with root2; -1 otherwise (RFC 9162 section 2.1.4.2).
 * Equal sizes need an empty proof and equal roots; size1 0 an empty
 * proof. */
int merkle_consistency_verify(uint64_t size1, uint64_t size2, const uint8_t root1[32],
                              const uint8_t root2[32], const uint8_t (*proof)[32], size_t len);

#endif
