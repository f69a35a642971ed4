/*
 * test_commit_wire.c - the frames between a worker and the committer
 * (src/service/commit_wire.c): a decision encoded by the worker is the
 * same decision decoded by the committer, and the table of texts a
 * connection carried (commit_wire.h) sends each policy and model text
 * once, stays in step on both ends, and refuses a frame whose known text
 * the committer does not have.
 *
 * The sizes are counted by hand from the layout in commit_wire.h: a
 * frame is the count (4 bytes), then per field a 4-byte length and, when
 * the field is not NULL and not a known text, its bytes and a NUL.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "service/commit_wire.h"

static const char policy_a[] = "policy a text", policy_b[] = "policy b, longer text", model[] = "model text";

static store_decision decision(const char *rid, const char *policy_hash, const char *policy_text)
{
    return (store_decision){
        .request_id = rid, .client = "portal", .fingerprint = "fp", .policy_name = "p",
        .policy_hash = policy_hash, .policy_text = policy_text, .policy_text_len = strlen(policy_text),
        .model_name = "m", .model_hash = "sha256:m", .model_text = model, .model_text_len = strlen(model),
        .as_of = "2019-01-01", .input_json = "{}", .outputs_json = "{\"a\":1}", .explanation_json = NULL,
        .response_json = "{\"outputs\":{\"a\":1}}",
    };
}

/* The bytes of a frame of d when its texts are known: every field's
 * length, and the bytes and NUL of all but the texts and the NULL one. */
static size_t known_size(const store_decision *d)
{
    const char *v[] = {d->request_id, d->client, d->fingerprint, d->policy_name, d->policy_hash,
                       d->model_name, d->model_hash, d->as_of, d->input_json, d->outputs_json, d->response_json};
    size_t n = 4 + 4 * WIRE_NFIELDS;
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) n += strlen(v[i]) + 1;
    return n;
}

/* The two ends of one connection: the worker's table, the committer's,
 * the frame between them and the decisions the committer read (each
 * test's state: setup and teardown). */
typedef struct ends {
    wire_texts w, c;
    buf b;
    store_decision out[COMMIT_MAX_ROWS];
} ends;

static int setup(void **state)
{
    ends *e = calloc(1, sizeof *e);
    if (!e) return -1;
    buf_init(&e->b);
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    ends *e = *state;
    wire_texts_free(&e->c);
    buf_free(&e->b);
    free(e);
    return 0;
}

/* Encodes the n decisions of d with the worker's table, decodes them
 * with the committer's; returns the frame's size (without its length). */
static size_t round_trip(ends *e, store_decision *d, int n)
{
    store_put p[COMMIT_MAX_ROWS];
    for (int i = 0; i < n; i++) p[i] = (store_put){.d = &d[i]};
    buf_reset(&e->b);
    wire_encode_request(&e->b, p, (size_t)n, &e->w);
    assert_int_equal(wire_decode_request(&e->b, e->out, &e->c), n);
    for (int i = 0; i < n; i++) {
        const store_decision *o = &e->out[i];
        assert_string_equal(o->request_id, d[i].request_id);
        assert_int_equal(o->policy_text_len, d[i].policy_text_len);
        assert_memory_equal(o->policy_text, d[i].policy_text, d[i].policy_text_len);
        assert_int_equal(o->model_text_len, d[i].model_text_len);
        assert_memory_equal(o->model_text, d[i].model_text, d[i].model_text_len);
        assert_string_equal(o->response_json, d[i].response_json);
        assert_null(o->explanation_json);
    }
    return e->b.len;
}

static void test_texts_once(void **state)
{
    ends *e = *state;
    store_decision d[1] = {decision("r1", "sha256:a", policy_a)};
    size_t known = known_size(&d[0]);
    /* the first frame carries both texts, the next ones neither */
    assert_int_equal(round_trip(e, d, 1), known + sizeof policy_a + sizeof model);
    d[0].request_id = "r2";
    assert_int_equal(round_trip(e, d, 1), known);
    /* a known text is read from the committer's copy, not the frame */
    assert_true(e->out[0].policy_text < e->b.data || e->out[0].policy_text >= e->b.data + e->b.len);
    /* another policy: its text goes, the model's does not */
    d[0] = decision("r3", "sha256:b", policy_b);
    assert_int_equal(round_trip(e, d, 1), known_size(&d[0]) + sizeof policy_b);
}

/* A list of policies sharing a model: the model goes once per frame. */
static void test_list_shares_model(void **state)
{
    ends *e = *state;
    store_decision d[2] = {decision("r1", "sha256:a", policy_a), decision("r1/b", "sha256:b", policy_b)};
    size_t known = known_size(&d[0]) + known_size(&d[1]) - 4;   /* one count */
    assert_int_equal(round_trip(e, d, 2), known + sizeof policy_a + sizeof policy_b + sizeof model);
}

/* More texts in a frame than slots: those that find no free slot go
 * whole every time, and no decision of the frame loses its text. */
static void test_more_texts_than_slots(void **state)
{
    ends *e = *state;
    static char hash[6][16], text[6][16];
    store_decision d[6];
    for (int i = 0; i < 6; i++) {
        snprintf(hash[i], sizeof hash[i], "sha256:%d", i);
        snprintf(text[i], sizeof text[i], "text %d", i);
        d[i] = decision("r", hash[i], text[i]);
    }
    size_t known = 0;
    for (int i = 0; i < 6; i++) known += known_size(&d[i]) - 4;
    known += 4;
    /* slots: model, texts 0, 1, 2; texts 3, 4 and 5 find none */
    size_t whole = sizeof model + 6 * sizeof text[0];
    for (int i = 0; i < 6; i++) whole -= sizeof text[0] - strlen(text[i]) - 1;
    assert_int_equal(round_trip(e, d, 6), known + whole);
    /* again: texts 0, 1, 2 and the model are known, which leaves no slot
     * this frame does not use, so texts 3, 4 and 5 go whole again */
    assert_int_equal(round_trip(e, d, 6), known + 3 * (strlen("text 3") + 1));
}

/* A committer whose table is not the worker's refuses the frame. */
static void test_unknown_text_refused(void **state)
{
    ends *e = *state;
    store_decision d[1] = {decision("r1", "sha256:a", policy_a)};
    round_trip(e, d, 1);
    wire_texts_reset(&e->c);     /* a new connection on the committer's side only */
    store_put p = {.d = &d[0]};
    buf_reset(&e->b);
    wire_encode_request(&e->b, &p, 1, &e->w);
    assert_int_equal(wire_decode_request(&e->b, e->out, &e->c), -1);
    /* and without a table at all */
    assert_int_equal(wire_decode_request(&e->b, e->out, NULL), -1);
}

/* A text larger than WIRE_TEXT_MAX always goes whole. */
static void test_large_text_always_whole(void **state)
{
    ends *e = *state;
    static char big[WIRE_TEXT_MAX + 2];
    memset(big, 'x', sizeof big - 1);
    store_decision d[1] = {decision("r1", "sha256:big", big)};
    assert_int_equal(round_trip(e, d, 1), known_size(&d[0]) + sizeof big + sizeof model);
    assert_int_equal(round_trip(e, d, 1), known_size(&d[0]) + sizeof big);
}

/* Frames through a socket: small and larger than the read chunk; bytes
 * beyond the frame are not this conversation. */
static void test_recv_frame(void **state)
{
    (void)state;
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    buf out, in;
    buf_init(&out);
    buf_init(&in);
    for (size_t n = 5; n <= 50000; n *= 100) {
        buf_reset(&out);
        wire_put_u32(&out, 0);
        for (size_t i = 0; i < n; i++) buf_addc(&out, (char)('a' + i % 26));
        pid_t child = fork();
        if (child == 0) _exit(wire_send_frame(sv[0], &out) ? 1 : 0);
        assert_int_equal(wire_recv_frame(sv[1], &in), 0);
        int status;
        assert_int_equal(waitpid(child, &status, 0), child);
        assert_int_equal(status, 0);
        assert_int_equal(in.len, n);
        assert_memory_equal(in.data, out.data + 4, n);
    }
    /* a frame of 3 bytes followed by a fourth */
    const char extra[] = {0, 0, 0, 3, 'x', 'y', 'z', '!'};
    assert_int_equal(write(sv[0], extra, sizeof extra), (ssize_t)sizeof extra);
    assert_int_equal(wire_recv_frame(sv[1], &in), -1);
    close(sv[0]);
    close(sv[1]);
    buf_free(&out);
    buf_free(&in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_texts_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_shares_model, setup, teardown),
        cmocka_unit_test_setup_teardown(test_more_texts_than_slots, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_text_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_text_always_whole, setup, teardown),
        cmocka_unit_test(test_recv_frame),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
