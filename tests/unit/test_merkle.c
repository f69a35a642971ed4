/*
 * test_merkle.c - the Merkle tree (src/audit/merkle.c) and checkpoint
 * notes (src/audit/checkpoint.c) against published vectors.
 *
 * Vectors and their origin:
 *   - the 8 leaves of RFC 6962's reference tests and the roots of their
 *     prefixes (google/certificate-transparency, merkle_tree_test.cc; the
 *     same data as transparency-dev/merkle's testonly package);
 *   - inclusion and consistency proofs copied from transparency-dev/merkle
 *     testdata/inclusion/{1,2,3,4}/happy-path.json and
 *     testdata/consistency/{1,2,3,4}/happy-path.json, and two of its
 *     corrupted files verbatim (consistency/1/modified-proof[0]-bit-4.json,
 *     inclusion/1/modified-proof[1]-bit-3.json), Apache License 2.0,
 *     Copyright 2022 The Tamper-Evident Data Authors (the hashes are data,
 *     converted from base64 to hex);
 *   - every other corrupted proof of that testdata is derived here from
 *     the happy paths by the same rules as its generator (wrong leaf,
 *     index and size changes, each proof element's bit flipped, garbage or
 *     roots before and after the proof, truncated, empty, swapped and
 *     wrong roots): every one must be rejected;
 *   - the golang.org/x/mod/sumdb/note example key and signed note
 *     (BSD-3-Clause, The Go Authors), which cp_sign must reproduce byte
 *     for byte so that Go's note package reads eligo checkpoints.
 * Then every proof for every pair of sizes up to 70 is generated and
 * verified, and one bit flip of each is rejected.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "audit/checkpoint.h"
#include "audit/merkle.h"

typedef uint8_t h32[32];

static void unhex(const char *hex, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) sscanf(hex + 2 * i, "%2hhx", &out[i]);
}

/* RFC 6962 reference leaves (entries, not hashes). */
static const char *const ref_entries[8] = {
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"};
static const char *const ref_roots[8] = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

static void ref_leaves(h32 out[8])
{
    for (int i = 0; i < 8; i++) {
        uint8_t e[16];
        size_t n = strlen(ref_entries[i]) / 2;
        unhex(ref_entries[i], e, n);
        merkle_leaf(e, n, out[i]);
    }
}

static void roots_of_prefixes(void **state)
{
    (void)state;
    h32 leaves[8], want, got;
    ref_leaves(leaves);
    merkle_root(leaves, 0, got);
    unhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", want, 32);
    assert_memory_equal(got, want, 32);
    merkle_range r;
    merkle_range_init(&r);
    for (int n = 1; n <= 8; n++) {
        unhex(ref_roots[n - 1], want, 32);
        merkle_root(leaves, (uint64_t)n, got);
        assert_memory_equal(got, want, 32);
        merkle_range_append(&r, leaves[n - 1]);
        merkle_range_root(&r, got);
        assert_memory_equal(got, want, 32);
    }
}

typedef struct incl_vec {
    uint64_t index, size;
    const char *root, *leaf;
    int n;
    const char *proof[4];
} incl_vec;

/* transparency-dev/merkle testdata/inclusion/{1,2,3,4}/happy-path.json */
static const incl_vec incl[] = {
    {0, 8, "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
     "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", 3,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {5, 8, "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
     "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658", 3,
     {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2, 3, "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
     "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7", 1,
     {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
    {1, 5, "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
     "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", 3,
     {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
};

typedef struct cons_vec {
    uint64_t size1, size2;
    const char *root1, *root2;
    int n;
    const char *proof[4];
} cons_vec;

/* transparency-dev/merkle testdata/consistency/{1,2,3,4}/happy-path.json */
static const cons_vec cons[] = {
    {1, 8, "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
     "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", 3,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {6, 8, "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
     "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", 3,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2, 5, "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
     "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4", 2,
     {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
    {6, 7, "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
     "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c", 3,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
};

static int load_proof(const char *const *hex, int n, h32 *proof)
{
    for (int i = 0; i < n; i++) unhex(hex[i], proof[i], 32);
    return n;
}

static int incl_ok(uint64_t index, uint64_t size, const uint8_t *leaf, h32 *proof, size_t n, const uint8_t *root)
{
    return merkle_inclusion_verify(index, size, leaf, (const uint8_t (*)[32])proof, n, root) == 0;
}

static int cons_ok(uint64_t s1, uint64_t s2, const uint8_t *r1, const uint8_t *r2, h32 *proof, size_t n)
{
    return merkle_consistency_verify(s1, s2, r1, r2, (const uint8_t (*)[32])proof, n) == 0;
}

/* Inserts h at position at of proof[0..n). */
static size_t insert_at(h32 *proof, size_t n, size_t at, const uint8_t *h)
{
    memmove(proof[at + 1], proof[at], (n - at) * 32);
    memcpy(proof[at], h, 32);
    return n + 1;
}

static void inclusion_vectors(void **state)
{
    (void)state;
    int rejected = 0;
    for (size_t v = 0; v < sizeof incl / sizeof incl[0]; v++) {
        const incl_vec *t = &incl[v];
        h32 proof[8], p2[8];
        uint8_t root[32], leaf[32], garbage[32], empty[32];
        unhex(t->root, root, 32);
        unhex(t->leaf, leaf, 32);
        merkle_leaf("garbage", 7, garbage);
        merkle_empty(empty);
        size_t n = (size_t)load_proof(t->proof, t->n, proof);
        assert_true(incl_ok(t->index, t->size, leaf, proof, n, root));
        /* generated like transparency-dev/merkle's corrupted files */
        assert_false(incl_ok(t->index, t->size, garbage, proof, n, root));                 /* wrong-leaf */
        assert_false(incl_ok(t->index + 1, t->size, leaf, proof, n, root));                /* leafIdx + 1 */
        if (t->index) assert_false(incl_ok(t->index - 1, t->size, leaf, proof, n, root));   /* leafIdx - 1 */
        assert_false(incl_ok(t->index ^ 2, t->size, leaf, proof, n, root));                /* leafIdx ^ 2 */
        assert_false(incl_ok(t->index, t->size * 2, leaf, proof, n, root));                /* treeSize * 2 */
        assert_false(incl_ok(t->index, t->size / 2, leaf, proof, n, root));                /* treeSize / 2 */
        assert_false(incl_ok(t->index, t->size, leaf, proof, n, empty));                   /* empty-root */
        assert_false(incl_ok(t->index, t->size, leaf, proof, n, garbage));                 /* random-root */
        rejected += 8 + (t->index != 0);
        for (size_t i = 0; i < n; i++) {                                                   /* modified-proof[i]-bit-3 */
            memcpy(p2, proof, sizeof proof);
            p2[i][0] ^= 8;
            assert_false(incl_ok(t->index, t->size, leaf, p2, n, root));
            rejected++;
        }
        const uint8_t *extra[3] = {garbage, root, empty};
        for (int e = 0; e < 3; e++) {
            for (int where = 0; where < 2; where++) {                                      /* preceding/trailing */
                memcpy(p2, proof, sizeof proof);
                size_t m = insert_at(p2, n, where ? n : 0, extra[e]);
                assert_false(incl_ok(t->index, t->size, leaf, p2, m, root));
                rejected++;
            }
        }
        if (n > 1) {                                                                       /* removed-component */
            assert_false(incl_ok(t->index, t->size, leaf, proof, n - 1, root));
            memcpy(p2, proof, sizeof proof);
            size_t m = insert_at(p2, n, 1, garbage);                                       /* inserted-component */
            assert_false(incl_ok(t->index, t->size, leaf, p2, m, root));
            rejected += 2;
        }
    }
    /* inclusion/1/modified-proof[1]-bit-3.json, verbatim */
    h32 proof[3];
    uint8_t root[32], leaf[32];
    unhex(incl[0].root, root, 32);
    unhex(incl[0].leaf, leaf, 32);
    load_proof(incl[0].proof, 3, proof);
    proof[1][0] = 0x57;   /* "Vwg/..." for "Xwg/...": 0x5f with bit 3 cleared */
    assert_false(incl_ok(0, 8, leaf, proof, 3, root));
    print_message("inclusion: %zu vectors, %d corrupted proofs rejected\n", sizeof incl / sizeof incl[0], rejected + 1);
}

static void consistency_vectors(void **state)
{
    (void)state;
    int rejected = 0;
    for (size_t v = 0; v < sizeof cons / sizeof cons[0]; v++) {
        const cons_vec *t = &cons[v];
        h32 proof[8], p2[8];
        uint8_t r1[32], r2[32], garbage[32];
        unhex(t->root1, r1, 32);
        unhex(t->root2, r2, 32);
        merkle_leaf("garbage", 7, garbage);
        size_t n = (size_t)load_proof(t->proof, t->n, proof);
        assert_true(cons_ok(t->size1, t->size2, r1, r2, proof, n));
        assert_false(cons_ok(t->size1, t->size2, r1, r2, proof, 0));                         /* empty-proof */
        assert_false(cons_ok(t->size1, t->size2, r1, r2, proof, n - 1));                     /* truncated-proof */
        assert_false(cons_ok(t->size1 + 1, t->size2, r1, r2, proof, n));                     /* size1 + 1 */
        assert_false(cons_ok(t->size1 - 1, t->size2, r1, r2, proof, n));                     /* size1 - 1 */
        assert_false(cons_ok(t->size1 ^ 2, t->size2, r1, r2, proof, n));                     /* size1 ^ 2 */
        assert_false(cons_ok(t->size1, t->size2 * 2, r1, r2, proof, n));                     /* size2 * 2 */
        assert_false(cons_ok(t->size1, t->size2 / 2, r1, r2, proof, n));                     /* size2 / 2 */
        assert_false(cons_ok(t->size1, t->size2, r2, r1, proof, n));                         /* swapped-roots */
        assert_false(cons_ok(t->size1, t->size2, garbage, r2, proof, n));                    /* wrong-root1 */
        assert_false(cons_ok(t->size1, t->size2, r1, garbage, proof, n));                    /* wrong-root2 */
        rejected += 11;
        for (size_t i = 0; i < n; i++) {                                                     /* modified-proof[i]-bit-4 */
            memcpy(p2, proof, sizeof proof);
            p2[i][0] ^= 16;
            assert_false(cons_ok(t->size1, t->size2, r1, r2, p2, n));
            rejected++;
        }
        const uint8_t *extra[4] = {garbage, r1, r2, proof[0]};
        for (int e = 0; e < 4; e++) {
            for (int where = 0; where < 2; where++) {        /* preceding/trailing garbage, roots, proof[0] */
                memcpy(p2, proof, sizeof proof);
                size_t m = insert_at(p2, n, where ? n : 0, extra[e]);
                assert_false(cons_ok(t->size1, t->size2, r1, r2, p2, m));
                rejected++;
            }
        }
    }
    /* consistency/1/modified-proof[0]-bit-4.json, verbatim ("hqKW..." for "lqKW...") */
    h32 proof[3];
    uint8_t r1[32], r2[32];
    unhex(cons[0].root1, r1, 32);
    unhex(cons[0].root2, r2, 32);
    load_proof(cons[0].proof, 3, proof);
    proof[0][0] = 0x86;
    assert_false(cons_ok(1, 8, r1, r2, proof, 3));
    /* edge cases of the RFC's definition */
    assert_true(cons_ok(8, 8, r2, r2, proof, 0));
    assert_false(cons_ok(8, 8, r2, r2, proof, 1));
    assert_false(cons_ok(8, 8, r1, r2, proof, 0));
    assert_true(cons_ok(0, 8, r1, r2, proof, 0));
    assert_false(cons_ok(9, 8, r1, r2, proof, 3));
    print_message("consistency: %zu vectors, %d corrupted proofs rejected\n", sizeof cons / sizeof cons[0],
                  rejected + 1);
}

/* Every proof between sizes up to N, generated and verified; one flipped
 * bit in each proof is rejected. */
static void generated_proofs(void **state)
{
    (void)state;
    enum { N = 70 };
    static h32 leaves[N];
    for (int i = 0; i < N; i++) merkle_leaf(&i, sizeof i, leaves[i]);
    h32 roots[N + 1];
    for (int n = 0; n <= N; n++) merkle_root(leaves, (uint64_t)n, roots[n]);
    h32 proof[MERKLE_MAX_PROOF];
    size_t len;
    long checked = 0;
    for (uint64_t n = 1; n <= N; n++) {
        for (uint64_t i = 0; i < n; i++) {
            assert_int_equal(merkle_inclusion_proof(leaves, n, i, proof, &len), 0);
            assert_true(incl_ok(i, n, leaves[i], proof, len, roots[n]));
            if (len) {
                proof[len / 2][7] ^= 1;
                assert_false(incl_ok(i, n, leaves[i], proof, len, roots[n]));
            }
            checked++;
        }
        for (uint64_t m = 1; m <= n; m++) {
            assert_int_equal(merkle_consistency_proof(leaves, n, m, proof, &len), 0);
            assert_true(cons_ok(m, n, roots[m], roots[n], proof, len));
            if (len) {
                proof[len - 1][31] ^= 0x80;
                assert_false(cons_ok(m, n, roots[m], roots[n], proof, len));
            }
            checked++;
        }
    }
    print_message("generated: %ld proofs verified and their corruptions rejected\n", checked);
}

/* The Go note package's example: same key hash, same signature bytes. */
static void go_note_interop(void **state)
{
    (void)state;
    char err[128];
    static const char skey[] = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    static const char vkey[] = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW\n";
    static const char text[] = "If you think cryptography is the answer to your problem,\n"
                               "then you don't know what your problem is.\n";
    static const char note[] = "If you think cryptography is the answer to your problem,\n"
                               "then you don't know what your problem is.\n"
                               "\n\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
    FILE *f = tmpfile();
    assert_non_null(f);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fileno(f));
    fputs(skey, f);
    fflush(f);
    fchmod(fileno(f), 0600);
    cp_key *k = cp_key_read_private(path, err, sizeof err);
    assert_non_null(k);
    fclose(f);
    buf pub, out;
    buf_init(&pub);
    buf_init(&out);
    cp_key_public_line(k, &pub);
    assert_string_equal(buf_cstr(&pub), vkey);
    assert_int_equal(cp_sign(k, text, strlen(text), &out), 0);
    assert_string_equal(buf_cstr(&out), note);
    cp_key *v = cp_key_parse_public(vkey, err, sizeof err);
    assert_non_null(v);
    assert_null(cp_key_parse_public("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", err, sizeof err));
    cp_key_free(v);
    cp_key_free(k);
    buf_free(&pub);
    buf_free(&out);
}

static void make_note(const cp_key *k, uint64_t size, buf *note)
{
    checkpoint c;
    memset(&c, 0, sizeof c);
    snprintf(c.origin, sizeof c.origin, "%s", cp_key_name(k));
    c.size = size;
    c.k = 3;
    memset(c.root, 0xab, 32);
    memset(c.prev, 0x11, 32);
    snprintf(c.time, sizeof c.time, "2025-01-02T03:04:05.000006Z");
    buf body;
    buf_init(&body);
    cp_body(&c, &body);
    assert_int_equal(cp_sign(k, body.data, body.len, note), 0);
    buf_free(&body);
}

static void checkpoint_notes(void **state)
{
    (void)state;
    cp_key *k = cp_key_generate("eligo.test/decisions"), *other = cp_key_generate("eligo.test/decisions");
    assert_non_null(k);
    assert_null(cp_key_generate("has space"));
    assert_null(cp_key_generate("has+plus"));
    buf note;
    buf_init(&note);
    make_note(k, 10000, &note);
    checkpoint c;
    size_t body_len;
    char err[128];
    assert_int_equal(cp_open(k, note.data, note.len, &c, &body_len, err, sizeof err), 0);
    assert_int_equal(c.size, 10000);
    assert_int_equal(c.k, 3);
    assert_string_equal(c.time, "2025-01-02T03:04:05.000006Z");
    /* another key of the same name: no signature by this key */
    assert_int_equal(cp_open(other, note.data, note.len, &c, &body_len, err, sizeof err), -1);
    /* every single changed byte of the body is rejected */
    int rejected = 0;
    for (size_t i = 0; i < body_len; i++) {
        char saved = note.data[i];
        note.data[i] = saved == '1' ? '2' : '1';
        if (cp_open(k, note.data, note.len, &c, &body_len, err, sizeof err) == 0) fail_msg("byte %zu", i);
        note.data[i] = saved;
        rejected++;
        body_len = (size_t)(strstr(note.data, "\n\n") - note.data) + 1;
    }
    /* a second signer's line is ignored, ours still verifies */
    buf two;
    buf_init(&two);
    buf_add(&two, note.data, note.len);
    buf_adds(&two, "\xe2\x80\x94 someone.else AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n");
    assert_int_equal(cp_open(k, two.data, two.len, &c, &body_len, err, sizeof err), 0);
    print_message("notes: %d altered bodies rejected\n", rejected);
    /* strict base64 */
    uint8_t out[4];
    assert_int_equal(cp_unbase64("AAE=", 4, out, 4), 2);
    assert_int_equal(cp_unbase64("AAF=", 4, out, 4), -1);
    assert_int_equal(cp_unbase64("AA==", 4, out, 4), 1);
    assert_int_equal(cp_unbase64("AB==", 4, out, 4), -1);
    assert_int_equal(cp_unbase64("AAE", 3, out, 4), -1);
    buf_free(&note);
    buf_free(&two);
    cp_key_free(k);
    cp_key_free(other);
}

/* After a rotation: a public key file listing the new key and the old
 * one verifies notes signed by either; the new key alone does not open
 * the old note; a chained signer signs with its own key only. */
static void rotated_keys(void **state)
{
    (void)state;
    cp_key *old = cp_key_generate("eligo.test/decisions"), *cur = cp_key_generate("eligo.test/decisions");
    assert_non_null(old);
    assert_non_null(cur);
    buf old_note, cur_note, ring_text;
    buf_init(&old_note);
    buf_init(&cur_note);
    buf_init(&ring_text);
    make_note(old, 500, &old_note);
    make_note(cur, 900, &cur_note);
    cp_key_public_line(cur, &ring_text);
    buf_adds(&ring_text, "# rotated out on 2026-12-01\n\n");
    cp_key_public_line(old, &ring_text);
    FILE *f = tmpfile();
    assert_non_null(f);
    char path[64], err[128];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fileno(f));
    fputs(buf_cstr(&ring_text), f);
    fflush(f);
    cp_key *ring = cp_key_read_public(path, err, sizeof err);
    fclose(f);
    assert_non_null(ring);
    checkpoint c;
    size_t body_len;
    assert_int_equal(cp_open(ring, old_note.data, old_note.len, &c, &body_len, err, sizeof err), 0);
    assert_int_equal(c.size, 500);
    assert_int_equal(cp_open(ring, cur_note.data, cur_note.len, &c, &body_len, err, sizeof err), 0);
    assert_int_equal(c.size, 900);
    assert_int_equal(cp_open(cur, old_note.data, old_note.len, &c, &body_len, err, sizeof err), -1);
    assert_string_equal(err, "no signature by this key");
    /* the signer with the old keys chained: still signs as itself */
    buf line;
    buf_init(&line);
    cp_key_public_line(old, &line);
    cp_key_chain(cur, cp_key_parse_public(buf_cstr(&line), err, sizeof err));
    assert_int_equal(cp_open(cur, old_note.data, old_note.len, &c, &body_len, err, sizeof err), 0);
    buf again;
    buf_init(&again);
    make_note(cur, 900, &again);
    assert_string_equal(buf_cstr(&again), buf_cstr(&cur_note));
    buf_free(&again);
    buf_free(&line);
    buf_free(&old_note);
    buf_free(&cur_note);
    buf_free(&ring_text);
    cp_key_free(ring);
    cp_key_free(cur);
    cp_key_free(old);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(roots_of_prefixes),
        cmocka_unit_test(inclusion_vectors),
        cmocka_unit_test(consistency_vectors),
        cmocka_unit_test(generated_proofs),
        cmocka_unit_test(go_note_interop),
        cmocka_unit_test(checkpoint_notes),
        cmocka_unit_test(rotated_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
