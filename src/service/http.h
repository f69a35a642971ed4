/*
 * http.h - one HTTP request and its response, as a handler sees them.
 *
 * worker.c fills an http_request from the FastCGI parameters and the
 * body (read up to the route's limit), calls routes_dispatch(), and
 * writes the http_response back (Status:, Content-Type:, the extra
 * headers, the body).  Handlers never touch FastCGI.
 *
 * Errors are RFC 9457 problem+json, written by http_problem() so every
 * one has the same shape: type, title, status, detail, instance and, for
 * validation errors, an `errors` array of {pointer, detail}.
 *
 * Ownership: request strings point into libfcgi's parameter storage or
 * the worker's body buffer, valid for the request; the response's bufs
 * belong to the worker and are reset (not freed) between requests.
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
    const char *request_id;     /* HTTP_X_REQUEST_ID (nginx $request_id), for logs */
    const char *remote_addr;
    const char *body;           /* NUL-terminated; body_len bytes */
    size_t body_len;
} http_request;

typedef struct http_response {
    int status;
    const char *content_type;   /* static string */
    buf headers;                /* extra "Name: value\r\n" lines */
    buf body;
} http_response;

/* Sets status and a problem+json body.  `errors` (may be NULL) is a JSON
 * array text of {pointer, detail} objects appended as is. */
void http_problem(http_response *rs, int status, const char *detail, const char *errors_json);
/* Sets status 200/201 and content type application/json; the caller
 * writes rs->body. */
void http_json(http_response *rs, int status);
const char *http_status_title(int status);
/* Query parameter value into out (URL-decoded); 1 when present. */
int http_query_param(const char *query, const char *name, char *out, size_t outlen);

#endif
