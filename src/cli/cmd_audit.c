/*
 * cmd_audit.c - `eligo audit`: the tamper-evidence tools.
 *
 *   eligo audit keygen --out FILE [--name NAME]
 *       a new Ed25519 key: FILE (mode 0600, the signer's line) and
 *       FILE.pub (the verifier's line); formats in src/audit/checkpoint.h.
 *   eligo audit checkpoint --key FILE [--db URL] [--lag-ms N] [--batch N] [--all] [--file CPFILE]
 *       one sequencer round (or, with --all, rounds until nothing is left):
 *       numbers new decisions and signs a checkpoint; the note is printed
 *       and appended to CPFILE.  For tests and cron; eligod's sequencer
 *       child runs the same rounds on a timer.
 *   eligo audit verify --public-key FILE [--since NOTEFILE] [--max-unprotected S] [--json] [--db URL]
 *       recomputes everything (src/audit/verify.h) and prints one line of
 *       figures, or the first problem (--json: the API's JSON report).  FILE may list several keys (the
 *       keys rotated out too).  Decisions waiting for a checkpoint longer
 *       than S seconds (60) are a failure.  Exit 0 intact, 1 tampered or
 *       unprotected, 2 usage, 3 database unreachable.
 *
 * The database URL comes from --db or $ELIGO_DB.  checkpoint and verify
 * write an access-log entry with their arguments first (cli_access_log),
 * as replay and impact do.  The work is in src/audit/; this file reads
 * options and reports.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "audit/checkpoint.h"
#include "audit/sequencer.h"
#include "audit/verify.h"
#include "cli/cli.h"
#include "store/store.h"

enum { EXIT_TAMPERED = 1 };

static int usage(FILE *out)
{
    fprintf(out, "usage: eligo audit keygen --out FILE [--name NAME]\n"
                 "       eligo audit checkpoint --key FILE [--db URL] [--lag-ms N] [--batch N] [--all] [--file CPFILE]\n"
                 "       eligo audit verify --public-key FILE [--since NOTEFILE] [--max-unprotected S] [--json] [--db URL]\n"
                 "eligo audit SUBCOMMAND --help: its options\n");
    return out == stdout ? EXIT_OK : EXIT_INPUT;
}

#define DB_OPT {"db", CLI_VALUE, "URL", "mariadb://user:pass@host:port/db ($ELIGO_DB)"}
enum { K_OUT, K_NAME };
static const cli_opt keygen_opts[] = {
    [K_OUT] = {"out", CLI_VALUE, "FILE", "the private key (mode 0600); FILE.pub gets the public line"},
    [K_NAME] = {"name", CLI_VALUE, "NAME", "the key's name, e.g. eligo.example.org/decisions (eligo.decisions)"},
};
static const cli_cmd keygen_cmd = {"audit keygen", "--out FILE [--name NAME]", "Makes a new Ed25519 checkpoint key.",
                                   0, 0, keygen_opts, CLI_NOPTS(keygen_opts)};
enum { C_KEY, C_DB, C_FILE, C_LAG_MS, C_BATCH, C_ALL };
static const cli_opt checkpoint_opts[] = {
    [C_KEY] = {"key", CLI_VALUE, "FILE", "the private signing key"},
    [C_DB] = DB_OPT,
    [C_FILE] = {"file", CLI_VALUE, "CPFILE", "append each signed checkpoint to CPFILE"},
    [C_LAG_MS] = {"lag-ms", CLI_VALUE, "N", "leave decisions younger than N ms for the next round (0)"},
    [C_BATCH] = {"batch", CLI_VALUE, "N", "at most N decisions per checkpoint (1000)"},
    [C_ALL] = {"all", CLI_FLAG, NULL, "rounds until nothing is left"},
};
static const cli_cmd checkpoint_cmd_spec = {"audit checkpoint", "--key FILE [--db URL] [--lag-ms N] [--batch N] [--all] [--file CPFILE]",
                                            "Numbers new decisions and signs a checkpoint (one round, or --all).", 0, 0,
                                            checkpoint_opts, CLI_NOPTS(checkpoint_opts)};
enum { V_PUBLIC_KEY, V_SINCE, V_MAX_UNPROTECTED, V_JSON, V_DB };
static const cli_opt verify_opts[] = {
    [V_PUBLIC_KEY] = {"public-key", CLI_VALUE, "FILE", "the public keys, one a line (rotated ones too)"},
    [V_SINCE] = {"since", CLI_VALUE, "NOTEFILE", "a checkpoint kept earlier: the log must extend it"},
    [V_MAX_UNPROTECTED] = {"max-unprotected", CLI_VALUE, "S", "fail when a decision waits longer for a checkpoint (60)"},
    [V_JSON] = {"json", CLI_FLAG, NULL, "print the report as GET /v1/audit/verify answers it"},
    [V_DB] = DB_OPT,
};
static const cli_cmd verify_cmd_spec = {"audit verify", "--public-key FILE [--since NOTEFILE] [--max-unprotected S] [--json] [--db URL]",
                                        "Recomputes every leaf, tree and signature; exit 1 when tampered or unprotected.",
                                        0, 0, verify_opts, CLI_NOPTS(verify_opts)};

/* Writes text to path, created with mode (never over an existing file). */
static int write_new(const char *path, const buf *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) {
        fprintf(stderr, "eligo audit: %s: %s\n", path, strerror(errno));
        return -1;
    }
    ssize_t w = write(fd, text->data, text->len);
    if (close(fd) != 0 || w != (ssize_t)text->len) {
        fprintf(stderr, "eligo audit: %s: write failed\n", path);
        return -1;
    }
    return 0;
}

static int keygen(int argc, char **argv)
{
    cli_args a;
    int parsed = cli_parse(&keygen_cmd, argc - 1, argv + 1, &a);
    if (parsed != CLI_RUN) return parsed;
    const char *out = a.v[K_OUT], *name = a.v[K_NAME] ? a.v[K_NAME] : "eligo.decisions";
    if (!out) return cli_usage_error(&keygen_cmd, "--out is required");
    cp_key *k = cp_key_generate(name);
    if (!k) {
        fprintf(stderr, "eligo audit keygen: bad name `%s` (no spaces, no '+') or no random bytes\n", name);
        return EXIT_INPUT;
    }
    buf priv, pub, path;
    buf_init(&priv);
    buf_init(&pub);
    buf_init(&path);
    cp_key_private_line(k, &priv);
    cp_key_public_line(k, &pub);
    buf_printf(&path, "%s.pub", out);
    int rc = write_new(out, &priv, 0600) || write_new(buf_cstr(&path), &pub, 0644) ? 1 : 0;
    if (!rc) printf("%s", pub.data);
    explicit_bzero(priv.data, priv.len);
    buf_free(&priv);
    buf_free(&pub);
    buf_free(&path);
    cp_key_free(k);
    return rc;
}

static store *open_db(const char *url, int *status)
{
    store_options o = {.url = url};
    return cli_open_store("audit", &o, status);
}

static int append_file(const char *path, const buf *note)
{
    FILE *f = fopen(path, "a");
    if (!f || fwrite(note->data, 1, note->len, f) != note->len || fclose(f) != 0) {
        fprintf(stderr, "eligo audit: cannot append to %s\n", path);
        return -1;
    }
    return 0;
}

static int checkpoint_cmd(int argc, char **argv)
{
    cli_args a;
    int parsed = cli_parse(&checkpoint_cmd_spec, argc - 1, argv + 1, &a);
    if (parsed != CLI_RUN) return parsed;
    const char *keyfile = a.v[C_KEY], *url = a.v[C_DB], *file = a.v[C_FILE];
    long lag = 0, batch_n = 1000;
    if ((a.v[C_LAG_MS] && cli_number("--lag-ms", a.v[C_LAG_MS], 0, 86400000, &lag)) ||
        (a.v[C_BATCH] && cli_number("--batch", a.v[C_BATCH], 1, 1000000, &batch_n)))
        return EXIT_INPUT;
    int lag_ms = (int)lag, batch = (int)batch_n, all = a.v[C_ALL] != NULL;
    if (!keyfile) return cli_usage_error(&checkpoint_cmd_spec, "--key is required");
    char err[512];
    cp_key *k = cp_key_read_private(keyfile, err, sizeof err);
    if (!k) {
        fprintf(stderr, "eligo audit checkpoint: %s\n", err);
        return EXIT_INPUT;
    }
    int status;
    store *s = open_db(url, &status);
    if (!s) {
        cp_key_free(k);
        return status;
    }
    char target[256];
    snprintf(target, sizeof target, "key=%.128s batch=%d lag_ms=%d%s", cp_key_name(k), batch, lag_ms, all ? " all" : "");
    if (cli_access_log(s, "audit_checkpoint", target)) {
        store_close(s);
        cp_key_free(k);
        return EXIT_INPUT;
    }
    sequencer q;
    sequencer_init(&q, s, k, lag_ms, batch);
    int rc = 0, signed_n = 0;
    for (;;) {
        buf note;
        buf_init(&note);
        seq_round r;
        int st = sequencer_round(&q, &note, &r, err, sizeof err);
        if (st == SEQ_SIGNED) {
            signed_n++;
            fputs(note.data, stdout);
            if (file && append_file(file, &note)) rc = 1;
            if (r.stale_hashes)
                fprintf(stderr, "eligo audit checkpoint: %llu decisions had a content_hash that is not a hash\n",
                        (unsigned long long)r.stale_hashes);
        } else if (st == SEQ_LOST_RACE) {
            fprintf(stderr, "eligo audit checkpoint: another sequencer wrote the checkpoint first\n");
        } else if (st == SEQ_ERROR) {
            fprintf(stderr, "eligo audit checkpoint: %s\n", err);
            rc = 1;
        }
        buf_free(&note);
        if (rc || !all || st == SEQ_IDLE) break;
    }
    if (!rc && !signed_n) fprintf(stderr, "eligo audit checkpoint: nothing new to checkpoint\n");
    store_close(s);
    cp_key_free(k);
    return rc;
}

/* Reads and opens the checkpoint an auditor kept.  Caller frees *text. */
static int read_since(const char *path, const cp_key *k, verify_since *since, char **text)
{
    size_t n = 0;
    char err[256];
    *text = cli_read_file(path, &n);
    if (!*text) {
        fprintf(stderr, "eligo audit verify: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (cp_open(k, *text, n, &since->c, &since->body_len, err, sizeof err)) {
        fprintf(stderr, "eligo audit verify: the kept checkpoint %s: %s\n", path, err);
        return -1;
    }
    since->body = *text;
    return 0;
}

static int verify_cmd(int argc, char **argv)
{
    cli_args a;
    int parsed = cli_parse(&verify_cmd_spec, argc - 1, argv + 1, &a);
    if (parsed != CLI_RUN) return parsed;
    const char *pubfile = a.v[V_PUBLIC_KEY], *url = a.v[V_DB], *since_file = a.v[V_SINCE];
    long max_unprotected = VERIFY_MAX_UNPROTECTED_S;
    if (a.v[V_MAX_UNPROTECTED] && cli_number("--max-unprotected", a.v[V_MAX_UNPROTECTED], 0, LONG_MAX, &max_unprotected))
        return EXIT_INPUT;
    if (!pubfile) return cli_usage_error(&verify_cmd_spec, "--public-key is required");
    char err[512];
    cp_key *k = cp_key_read_public(pubfile, err, sizeof err);
    if (!k) {
        fprintf(stderr, "eligo audit verify: %s\n", err);
        return EXIT_INPUT;
    }
    verify_since since;
    char *since_text = NULL;
    int rc = EXIT_INPUT;
    store *s = NULL;
    if (since_file && read_since(since_file, k, &since, &since_text)) {
        /* a kept checkpoint that does not verify is the auditor's problem
         * to look at, not a verdict on the log */
        goto done;
    }
    int status;
    if (!(s = open_db(url, &status))) {
        rc = status;
        goto done;
    }
    char target[256];
    snprintf(target, sizeof target, "key=%.128s max_unprotected=%ld", cp_key_name(k), max_unprotected);
    if (since_file)
        snprintf(target + strlen(target), sizeof target - strlen(target), " since=checkpoint %llu (size %llu)",
                 (unsigned long long)since.c.k, (unsigned long long)since.c.size);
    if (cli_access_log(s, "audit_verify", target)) goto done;
    verify_report rep;
    if (audit_verify(s, k, since_file ? &since : NULL, max_unprotected, &rep, err, sizeof err)) {
        fprintf(stderr, "eligo audit verify: %s\n", err);
        goto done;
    }
    if (a.v[V_JSON]) {
        buf json;
        buf_init(&json);
        verify_json(&rep, &json);
        buf_addc(&json, '\n');
        fwrite(json.data, 1, json.len, stdout);
        buf_free(&json);
    } else {
        verify_print(&rep, stdout);
    }
    rc = rep.intact ? EXIT_OK : EXIT_TAMPERED;
done:
    if (s) store_close(s);
    free(since_text);
    cp_key_free(k);
    return rc;
}

int cmd_audit(int argc, char **argv)
{
    if (argc < 2) return usage(stderr);
    if (strcmp(argv[1], "keygen") == 0) return keygen(argc, argv);
    if (strcmp(argv[1], "checkpoint") == 0) return checkpoint_cmd(argc, argv);
    if (strcmp(argv[1], "verify") == 0) return verify_cmd(argc, argv);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) return usage(stdout);
    return usage(stderr);
}
