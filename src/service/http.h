/*
 * http.h - one HTTP request and its response, as a handler sees them.
 *
 * worker.c fills an http_request from the FastCGI parameters and the
 * body (read up to the route's limit), calls routes_dispatch(), and
 * writes the http_response back (Status:, Content-Type:, the extra
 * headers, the body).  Handlers never touch FastCGI.
 *
 * Errors are RFC 9457 problem+json, written by http_problem() so every
 * one has the same shape: type (one URI per error class, the
 * problem_type below), title, status, detail, instance, request_id and,
 * for validation errors, an `errors` array of {pointer, detail}.  nginx's
 * own errors (nginx/eligo_problems.conf) use the same types and fields, and
 * docs/api.md lists them.
 *
 * Ownership: request strings point into libfcgi's parameter storage or
 * the worker's body buffer, valid for the request; the response's bufs
 * belong to the worker and are reset (not freed) between requests.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_HTTP_H
#define ELIGO_HTTP_H

#include <stddef.h>
#include "base/buf.h"

typedef struct http_request {
    const char *method;         /* REQUEST_METHOD */
    const char *path;           /* DOCUMENT_URI (no query) */
    const char *query;          /* QUERY_STRING, "" when none */
    const char *content_type;   /* CONTENT_TYPE, may be NULL */
    const char *authorization;  /* HTTP_AUTHORIZATION, may be NULL */
    const char *idempotency_key;/* HTTP_IDEMPOTENCY_KEY, may be NULL */
    const char *request_id;     /* HTTP_X_REQUEST_ID (nginx's $eligo_request_id), for logs */
    const char *remote_addr;
    const char *body;           /* NUL-terminated; body_len bytes */
    size_t body_len;
} http_request;

typedef struct http_response {
    int status;
    const char *content_type;   /* static string */
    buf headers;                /* extra "Name: value\r\n" lines */
    buf body;
    int problem;                /* the body is http_problem's (http_problem_close ends it) */
} http_response;

/* The error classes, each a URI https://eligo.example/problems/<slug>
 * with its own status and title (http.c holds the table).  A client
 * tells one error from another by `type`, never by `detail`. */
typedef enum problem_type {
    PROBLEM_BY_STATUS = 0,          /* http_problem: the status's usual type */
    PROBLEM_MALFORMED_JSON,         /* 400 the body is not JSON */
    PROBLEM_INVALID_PARAMETER,      /* 400 a query parameter or header */
    PROBLEM_UNAUTHORIZED,           /* 401 */
    PROBLEM_FORBIDDEN,              /* 403 */
    PROBLEM_NOT_FOUND,              /* 404 no such route or record */
    PROBLEM_UNKNOWN_POLICY,         /* 404 no policy of that name */
    PROBLEM_METHOD_NOT_ALLOWED,     /* 405 */
    PROBLEM_REQUEST_IN_FLIGHT,      /* 409 the request_id is being decided */
    PROBLEM_PAYLOAD_TOO_LARGE,      /* 413 */
    PROBLEM_UNSUPPORTED_MEDIA_TYPE, /* 415 */
    PROBLEM_INVALID_INPUT,          /* 422 the body does not fit */
    PROBLEM_REQUEST_ID_REUSED,      /* 422 the request_id named another request */
    PROBLEM_OUTSIDE_COVERED_PERIOD, /* 422 no rules in force on as_of */
    PROBLEM_REFUSED,                /* 422 a `refuse when` of the policy holds */
    PROBLEM_INTERNAL_ERROR,         /* 500 */
    PROBLEM_STORE_UNAVAILABLE,      /* 503 the database cannot be reached */
    PROBLEM_SERVICE_UNAVAILABLE,    /* 503 anything else: memory, configuration */
    PROBLEM_NTYPES
} problem_type;

/* Sets the status and content type and a problem+json body of the
 * status's usual type; a 409 or 503 gets Retry-After too.  `errors` (may be NULL) is a JSON array text of
 * {pointer, detail} objects appended as is. */
void http_problem(http_response *rs, int status, const char *detail, const char *errors_json);
/* The same, of type t with t's status. */
void http_problem_as(http_response *rs, problem_type t, const char *detail, const char *errors_json);
/* The same with one error, at `pointer`, whose detail is the problem's. */
void http_problem_at(http_response *rs, problem_type t, const char *pointer, const char *detail);
/* Ends a problem body: adds instance (the path) and request_id (nginx's
 * X-Request-Id, when known).  routes.c calls it for every answer. */
void http_problem_close(http_response *rs, const char *path, const char *request_id);
/* Sets status 200/201 and content type application/json; the caller
 * writes rs->body. */
void http_json(http_response *rs, int status);
const char *http_status_title(int status);
/* A header holding a Structured Field string (RFC 8941 sect. 3.3.3, as
 * the Idempotency-Key draft asks): "k" gives k, with \" and \\ unescaped.
 * A value without quotes is taken as it is.  Writes at most outlen-1
 * bytes and a NUL; -1 when the quoting is broken or the value longer. */
int http_sf_string(const char *h, char *out, size_t outlen);
/* Query parameter value into out (URL-decoded); 1 when present. */
int http_query_param(const char *query, const char *name, char *out, size_t outlen);

#endif
