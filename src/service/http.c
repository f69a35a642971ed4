/*
 * http.c - status titles, problem+json, JSON responses, query strings.
 *
 * Every error eligod answers goes through http_problem() so it has the
 * RFC 9457 shape; routes.c adds `instance` (the path) afterwards, since
 * handlers do not carry the request into http_problem.
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

void http_problem(http_response *rs, int status, const char *detail, const char *errors_json)
{
    rs->status = status;
    rs->content_type = "application/problem+json";
    buf_reset(&rs->body);
    buf_adds(&rs->body, "{\"type\":\"about:blank\",\"title\":");
    const char *title = http_status_title(status);
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
}

void http_json(http_response *rs, int status)
{
    rs->status = status;
    rs->content_type = "application/json";
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
