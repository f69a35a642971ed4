/*
 * checkpoint.h - signed checkpoints of the decision log: the note format,
 * Ed25519 keys (generate, write, read) and signing and verifying notes.
 *
 * Formats (for docs/audit.md; every line ends with "\n"):
 *
 *   Leaf.  Decision seq s (s = 1, 2, ...) is leaf s-1 of the tree.  Its
 *   leaf hash is the decision's content_hash, SHA-256(0x00 || fields)
 *   over the fields of store_leaf_hash (src/store/store_int.h), always
 *   recomputed from the row's content by the sequencer and the verifier.
 *
 *   Tree.  RFC 9162 section 2.1 over the leaf hashes in seq order
 *   (merkle.h): node = SHA-256(0x01 || left || right); the tree size of
 *   checkpoint k is the last seq it covers.
 *
 *   Checkpoint note (a signed note as in transparency-dev/formats
 *   log/README.md and golang.org/x/mod/sumdb/note).  The body is
 *
 *       <origin>                  the key's name, e.g. eligo.example.org/decisions
 *       <tree size>               decimal, no leading zeros
 *       <root>                    standard base64 of the 32-byte root
 *       checkpoint <k>            k = 1, 2, ... (decimal)
 *       prev <base64>             SHA-256 of checkpoint k-1's body; 32 zero bytes for k = 1
 *       time <YYYY-MM-DDTHH:MM:SS.ffffffZ>   when it was made (UTC)
 *
 *   then one empty line, then one or more signature lines
 *
 *       \u2014 <name> <base64(key hash (4 bytes) || Ed25519 signature (64 bytes))>
 *
 *   (an em dash U+2014 and a space).  The signature is over the body
 *   bytes exactly.  The key hash is the first 4 bytes of
 *   SHA-256(name || "\n" || 0x01 || public key), as in the note format, so
 *   Go's note.Open verifies eligo checkpoints with the public key line
 *   below.  Lines other than ours are ignored when reading; a signature by
 *   an unknown key is ignored, and at least one by ours must verify.
 *
 *   Key files.  The private key file holds one line
 *       PRIVATE+KEY+<name>+<key hash, 8 hex digits>+<base64(0x01 || 32-byte seed)>
 *   and must be mode 0600 (checked when read: group or other access is
 *   refused).  The public key file (FILE.pub by `eligo audit keygen`)
 *   holds one line
 *       <name>+<key hash, 8 hex digits>+<base64(0x01 || 32-byte public key)>
 *   A name has no spaces and no '+'.  After a key rotation the public
 *   key file lists every key the log was ever signed with, one such line
 *   each (empty and '#' lines are skipped): a checkpoint verifies with
 *   the key its signature line names (name and key hash), so old
 *   checkpoints keep verifying with the old key.
 *
 * Ownership: cp_key objects are malloc'ed by cp_key_* and freed with
 * cp_key_free; notes are written into the caller's buf.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_CHECKPOINT_H
#define ELIGO_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>
#include "base/buf.h"

enum { CP_MAX_NAME = 128 };

typedef struct checkpoint {
    char origin[CP_MAX_NAME + 1];
    uint64_t size;
    uint8_t root[32];
    uint64_t k;
    uint8_t prev[32];
    char time[32];
} checkpoint;

typedef struct cp_key cp_key;   /* an Ed25519 key with its name; private part optional */

/* Standard base64 (with '=' padding).  decode: strict (canonical
 * padding, no whitespace); returns the byte count, or -1. */
void cp_base64(const uint8_t *p, size_t n, buf *out);
long cp_unbase64(const char *s, size_t n, uint8_t *out, size_t cap);

/* The body of c (the signed text). */
void cp_body(const checkpoint *c, buf *out);
/* SHA-256 of a body: the next checkpoint's prev. */
void cp_body_hash(const char *body, size_t n, uint8_t out[32]);
/* Parses a note's body into c and sets *body_len (bytes up to and
 * including the body's last newline).  0, or -1 with a reason in err. */
int cp_parse(const char *note, size_t n, checkpoint *c, size_t *body_len, char *err, size_t errlen);

/* A new random key named name.  NULL on a bad name or no randomness. */
cp_key *cp_key_generate(const char *name);
/* Reads a private key file (mode 0600 checked) or a public key file
 * (every line of it: a chain, the first key first).  NULL with a reason
 * in err. */
cp_key *cp_key_read_private(const char *path, char *err, size_t errlen);
cp_key *cp_key_read_public(const char *path, char *err, size_t errlen);
/* Parses a public key line (as in the .pub file; trailing newline allowed). */
cp_key *cp_key_parse_public(const char *text, char *err, size_t errlen);
/* The key lines of the formats above, newline-terminated. */
int cp_key_private_line(const cp_key *k, buf *out);
void cp_key_public_line(const cp_key *k, buf *out);
const char *cp_key_name(const cp_key *k);
/* Appends older (a chain, now owned by k) to k's chain: keys cp_open
 * also accepts.  Signing always uses k itself. */
void cp_key_chain(cp_key *k, cp_key *older);
/* Frees k and its chain. */
void cp_key_free(cp_key *k);

/* body + "\n" + one signature line into note.  0, or -1. */
int cp_sign(const cp_key *k, const char *body, size_t n, buf *note);
/* 0 when note carries a valid signature by k, or by a key of k's chain,
 * over its body and the body parses (into c, which also gets
 * *body_len); -1 with a reason (the one for k). */
int cp_open(const cp_key *k, const char *note, size_t n, checkpoint *c, size_t *body_len,
            char *err, size_t errlen);

#endif
