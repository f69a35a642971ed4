/*
 * http.c - status titles, problem+json, JSON responses, query strings.
 *
 * Every error eligod answers goes through http_problem() so it has the
 * RFC 9457 shape and a type URI per error class (the table below);
 * routes.c adds `instance` (the path) and `request_id` afterwards through
 * http_problem_close, since handlers do not carry the request into
 * http_problem.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include "service/http.h"

const char *http_status_title(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return status < 400 ? "OK" : status < 500 ? "Bad Request" : "Internal Server Error";
    }
}

/* One row per problem_type: its URI's last segment, status and title.
 * nginx/eligo_problems.conf writes the same for the errors nginx answers itself;
 * docs/api.md lists them. */
static const struct { const char *slug; int status; const char *title; } problems[PROBLEM_NTYPES] = {
    [PROBLEM_MALFORMED_JSON] = {"malformed-json", 400, "The body is not valid JSON"},
    [PROBLEM_INVALID_PARAMETER] = {"invalid-parameter", 400, "A query parameter or header is not valid"},
    [PROBLEM_UNAUTHORIZED] = {"unauthorized", 401, "A valid Bearer token is required"},
    [PROBLEM_FORBIDDEN] = {"forbidden", 403, "The caller's role may not do this"},
    [PROBLEM_NOT_FOUND] = {"not-found", 404, "No such resource"},
    [PROBLEM_UNKNOWN_POLICY] = {"unknown-policy", 404, "No policy of that name is loaded"},
    [PROBLEM_METHOD_NOT_ALLOWED] = {"method-not-allowed", 405, "The method is not allowed here"},
    [PROBLEM_REQUEST_IN_FLIGHT] = {"request-in-flight", 409, "The request_id is still being decided"},
    [PROBLEM_PAYLOAD_TOO_LARGE] = {"payload-too-large", 413, "The body is too large"},
    [PROBLEM_UNSUPPORTED_MEDIA_TYPE] = {"unsupported-media-type", 415, "The body must be application/json"},
    [PROBLEM_INVALID_INPUT] = {"invalid-input", 422, "The request does not fit"},
    [PROBLEM_REQUEST_ID_REUSED] = {"request-id-reused", 422, "The request_id was used for another request"},
    [PROBLEM_OUTSIDE_COVERED_PERIOD] = {"outside-covered-period", 422, "No rules are in force on as_of"},
    [PROBLEM_REFUSED] = {"refused", 422, "The policy refuses this input"},
    [PROBLEM_INTERNAL_ERROR] = {"internal-error", 500, "Internal error"},
    [PROBLEM_STORE_UNAVAILABLE] = {"store-unavailable", 503, "The database is unavailable"},
    [PROBLEM_SERVICE_UNAVAILABLE] = {"service-unavailable", 503, "The service is unavailable"},
};

static problem_type type_of_status(int status)
{
    for (int t = 1; t < PROBLEM_NTYPES; t++)
        if (problems[t].status == status) return (problem_type)t;   /* the first of a status is its usual one */
    return PROBLEM_BY_STATUS;
}

/* The body up to its closing '}'; status and type may disagree only for
 * a status with no type of its own (then about:blank, as RFC 9457 says). */
static void problem_body(http_response *rs, int status, problem_type t, const char *detail, const char *errors_json)
{
    rs->status = status;
    rs->content_type = "application/problem+json";
    rs->problem = 1;
    buf_reset(&rs->body);
    buf_adds(&rs->body, "{\"type\":");
    if (t == PROBLEM_BY_STATUS) buf_adds(&rs->body, "\"about:blank\"");
    else buf_printf(&rs->body, "\"https://eligo.example/problems/%s\"", problems[t].slug);
    buf_adds(&rs->body, ",\"title\":");
    const char *title = t == PROBLEM_BY_STATUS ? http_status_title(status) : problems[t].title;
    buf_json_string(&rs->body, title, strlen(title));
    buf_printf(&rs->body, ",\"status\":%d", status);
    if (detail) {
        buf_adds(&rs->body, ",\"detail\":");
        buf_json_string(&rs->body, detail, strlen(detail));
    }
    if (errors_json) {
        buf_adds(&rs->body, ",\"errors\":");
        buf_adds(&rs->body, errors_json);
    }
    buf_addc(&rs->body, '}');
    /* a request in flight is committed within about a second; a worker
     * that lost the database tries it again once a second */
    if (status == 409) buf_adds(&rs->headers, "Retry-After: 1\r\n");
    if (status == 503) buf_adds(&rs->headers, "Retry-After: 2\r\n");
}

void http_problem(http_response *rs, int status, const char *detail, const char *errors_json)
{
    problem_body(rs, status, type_of_status(status), detail, errors_json);
}

void http_problem_as(http_response *rs, problem_type t, const char *detail, const char *errors_json)
{
    problem_body(rs, problems[t].status, t, detail, errors_json);
}

void http_problem_at(http_response *rs, problem_type t, const char *pointer, const char *detail)
{
    buf b;
    buf_init(&b);
    buf_adds(&b, "[{\"pointer\":");
    buf_json_string(&b, pointer, strlen(pointer));
    buf_adds(&b, ",\"detail\":");
    buf_json_string(&b, detail, strlen(detail));
    buf_adds(&b, "}]");
    http_problem_as(rs, t, detail, buf_cstr(&b));
    buf_free(&b);
}

void http_problem_close(http_response *rs, const char *path, const char *request_id)
{
    if (!rs->problem || !rs->body.len || rs->body.data[rs->body.len - 1] != '}') return;
    rs->body.len--;
    buf_adds(&rs->body, ",\"instance\":");
    buf_json_string(&rs->body, path, strlen(path));
    if (request_id && request_id[0]) {
        buf_adds(&rs->body, ",\"request_id\":");
        buf_json_string(&rs->body, request_id, strlen(request_id));
    }
    buf_addc(&rs->body, '}');
    rs->problem = 0;
}

void http_json(http_response *rs, int status)
{
    rs->status = status;
    rs->content_type = "application/json";
}

int http_sf_string(const char *h, char *out, size_t outlen)
{
    size_t o = 0;
    if (!outlen) return -1;
    if (*h != '"') {
        size_t n = strlen(h);
        if (n >= outlen) return -1;
        memcpy(out, h, n + 1);
        return 0;
    }
    for (h++; *h != '"'; h++) {
        unsigned char c = (unsigned char)*h;
        if (c == '\\') {
            c = (unsigned char)*++h;
            if (c != '"' && c != '\\') return -1;
        } else if (c < 0x20 || c > 0x7e) {
            return -1;                     /* the end of the header included */
        }
        if (o + 1 >= outlen) return -1;
        out[o++] = (char)c;
    }
    out[o] = 0;
    return h[1] == 0 ? 0 : -1;             /* nothing after the closing quote */
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    c |= 32;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

int http_query_param(const char *query, const char *name, char *out, size_t outlen)
{
    if (!query || !outlen) return 0;
    size_t nlen = strlen(name);
    const char *p = query;
    while (*p) {
        const char *amp = strchr(p, '&');
        const char *e = amp ? amp : p + strlen(p);
        const char *eq = memchr(p, '=', (size_t)(e - p));
        const char *k_end = eq ? eq : e;
        if ((size_t)(k_end - p) == nlen && memcmp(p, name, nlen) == 0) {
            size_t o = 0;
            for (const char *v = eq ? eq + 1 : e; v < e && o + 1 < outlen; v++) {
                int c = (unsigned char)*v;
                if (c == '+') c = ' ';
                else if (c == '%' && e - v >= 3 && hexval(v[1]) >= 0 && hexval(v[2]) >= 0) {
                    c = hexval(v[1]) * 16 + hexval(v[2]);
                    v += 2;
                }
                out[o++] = (char)c;
            }
            out[o] = 0;
            return 1;
        }
        p = amp ? amp + 1 : e;
    }
    return 0;
}
