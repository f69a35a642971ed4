/*
 * json_schema.h - a JSON Schema (draft 2020-12) of one policy's decision
 * request, generated from its model: the envelope (policy, as_of,
 * request_id, explain, input) and the input record of the policy's root
 * entity, every field with its type, range, enum values and their
 * labels, default and list length.
 *
 * The schema accepts what io/json_req.c and io/json_in.c accept, so a
 * portal can build its forms from it and validate before sending; the
 * one thing a JSON Schema cannot see is how a JSON number is written,
 * so a money or decimal number in exponent form ("1e3") or with more
 * than six decimals passes the schema and is refused by eligo.  Money
 * and decimals written as strings are held to eligo's rules exactly.
 *
 * `eligo schema NAME` and GET /v1/policies/{name}/schema both write it.
 *
 * Ownership: writes into the caller's buf; keeps nothing.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_JSON_SCHEMA_H
#define ELIGO_JSON_SCHEMA_H

#include "base/buf.h"
#include "eval/compiled.h"

void json_schema_write(buf *b, const policy *p);

#endif
