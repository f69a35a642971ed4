// client.test.ts - the portal's view: a client generated from
// docs/openapi.yaml (openapi-typescript writes openapi.d.ts, openapi-fetch
// makes the calls), type-checked by tsc against that document and run
// against a live stack by tests/integration/client.sh.  Every route, every
// role (the document's x-eligo-roles: 2xx-4xx but never 401/403 for a role
// listed, 403 forbidden for the others, 401 without a token), and the
// problem types a portal tells apart.
//
// Environment: ELIGO_URL and ELIGO_{PORTAL,OFFICER,AUDITOR,ADMIN}_TOKEN;
// argv[2] the OpenAPI document, argv[3] a policy text for /v1/impact.
// Prints "ok ..." / "FAIL ..." lines and "N passed, N failed".
//
// SPDX-License-Identifier: Apache-2.0
import { readFileSync } from "node:fs";
import createClient from "openapi-fetch";
import type { paths } from "./openapi.js";

const U = process.env.ELIGO_URL ?? "http://127.0.0.1:8080";
const PT = "https://eligo.example/problems/";
const roles = ["portal", "officer", "auditor", "admin"] as const;
type Role = (typeof roles)[number];
const token = (r: Role): string => process.env[`ELIGO_${r.toUpperCase()}_TOKEN`] ?? "";
const as = (r: Role) => ({ Authorization: `Bearer ${token(r)}` });
const client = createClient<paths>({ baseUrl: U });
const doc = JSON.parse(readFileSync(process.argv[2] ?? "", "utf8").replace(/^#.*$/gm, ""));
const policyText = readFileSync(process.argv[3] ?? "", "utf8");

let passed = 0, failed = 0;
function check(name: string, cond: boolean, detail?: unknown): void {
    if (cond) { passed++; console.log(`ok   ${name}`); return; }
    failed++;
    console.log(`FAIL ${name}`);
    if (detail !== undefined) console.log(`     ${JSON.stringify(detail).slice(0, 400)}`);
}

type Problem = { type?: string; status?: number; instance?: string; errors?: { pointer?: string }[] };
function problem(name: string, got: { error?: unknown; response: Response }, status: number, type: string): void {
    const p = (got.error ?? {}) as Problem;
    check(`${name}: ${status} ${type}`, got.response.status === status && p.type === PT + type &&
          p.status === status && typeof p.instance === "string", { status: got.response.status, body: p });
}

// POST /v1/decisions answers one decision, or a list for a list of policies
type Answer = paths["/v1/decisions"]["post"]["responses"][201]["content"]["application/json"];
const one = (a: Answer | undefined) => (a && "decision_id" in a ? a : undefined);

const request = {
    policy: "tianjin.dibao", as_of: "2019-01-01", request_id: `client-${process.pid}-${Date.now()}`,
    input: { household: { members: [{ id: "a", age: 40, monthly_income: "1000.00" }] } },
};

async function routes(): Promise<string> {
    const health = await client.GET("/healthz");
    check("GET /healthz: 200, database up", health.response.status === 200 && health.data?.database === "up", health.data);
    const openapi = await client.GET("/v1/openapi.json");
    check("GET /v1/openapi.json: the document", openapi.response.status === 200 &&
          JSON.stringify(openapi.data) === JSON.stringify(doc));
    const metrics = await client.GET("/metrics", { parseAs: "text" });
    check("GET /metrics: Prometheus text", metrics.response.status === 200 && /eligo_/.test(metrics.data ?? ""));

    const list = await client.GET("/v1/policies", { headers: as("portal") });
    check("GET /v1/policies: the ten programmes", (list.data?.policies.length ?? 0) >= 10, list.data);
    const policy = await client.GET("/v1/policies/{name}", {
        params: { path: { name: "tianjin.dibao" }, query: { as_of: "2019-01-01" } }, headers: as("officer") });
    check("GET /v1/policies/{name}: covered on 2019-01-01", policy.data?.covered === true, policy.data);
    const schema = await client.GET("/v1/policies/{name}/schema", {
        params: { path: { name: "tianjin.dibao" } }, headers: as("portal") });
    check("GET /v1/policies/{name}/schema: draft 2020-12",
          schema.data?.$schema === "https://json-schema.org/draft/2020-12/schema", schema.data);

    const made = await client.POST("/v1/decisions", { body: request, headers: as("portal") });
    const id = one(made.data)?.decision_id ?? "";
    check("POST /v1/decisions: 201 with Location", made.response.status === 201 &&
          made.response.headers.get("Location") === `/v1/decisions/${id}`, made.data ?? made.error);
    check("POST /v1/decisions: the outputs", one(made.data)?.outputs["monthly_benefit"] === "0.00" &&
          one(made.data)?.outputs["eligible"] === false, made.data);
    const again = await client.POST("/v1/decisions", { body: request, headers: as("portal") });
    check("POST /v1/decisions again: 200, the same decision", again.response.status === 200 &&
          one(again.data)?.decision_id === id, again.data ?? again.error);
    const stored = await client.GET("/v1/decisions/{id}", { params: { path: { id } }, headers: as("auditor") });
    check("GET /v1/decisions/{id}: the stored decision", stored.response.status === 200, stored.error);
    const replay = await client.POST("/v1/decisions/{id}/replay", { params: { path: { id } }, headers: as("auditor") });
    check("POST /v1/decisions/{id}/replay: 200", replay.response.status === 200, replay.error);
    const today = new Date().toISOString().slice(0, 10);
    const range = await client.POST("/v1/replays", {
        body: { from: today, to: today, policy: "tianjin.dibao" }, headers: as("auditor") });
    check("POST /v1/replays: 200", range.response.status === 200, range.error);
    const impact = await client.POST("/v1/impact", {
        body: { policy_text: policyText, from: today, to: today }, headers: as("officer") });
    check("POST /v1/impact: 200", impact.response.status === 200, impact.error);
    const evaluated = await client.POST("/v1/evaluate", {
        body: { policy: "wuyi.eco_burial", as_of: "2019-06-01", input: { burial: { method: "sea" } }, explain: true },
        headers: as("officer") });
    check("POST /v1/evaluate: 200", evaluated.response.status === 200, evaluated.error);
    const checked = await client.POST("/v1/check", {
        body: { text: policyText, name: "dibao.policy" }, headers: as("officer") });
    check("POST /v1/check: 200, compiles, its 13 tests pass", checked.response.status === 200 &&
          checked.data?.ok === true && checked.data?.tests?.passed === 13 && checked.data?.tests?.failed === 0,
          checked.data ?? checked.error);
    const verify = await client.GET("/v1/audit/verify", { headers: as("auditor") });
    check("GET /v1/audit/verify: 200", verify.response.status === 200, verify.error);
    return id;
}

// The client without the document's types: for methods and paths it has not.
type Untyped = Record<string, (p: string, init: object) => Promise<{ error?: unknown; response: Response }>>;
const any = client as unknown as Untyped;

// Every operation of the document, as every role and without a token.
async function roleMatrix(id: string): Promise<void> {
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, { "x-eligo-roles"?: string[] }>>)) {
        for (const [method, op] of Object.entries(ops)) {
            const allowed = op["x-eligo-roles"] ?? [];
            const init = {
                params: { path: { id, name: "tianjin.dibao" } },
                parseAs: "text",          /* /metrics is not JSON; problems are parsed below */
                ...(method === "post" ? { body: {} } : {}),
            };
            const call = async (headers: object) => {
                const r = await any[method.toUpperCase()]!(path, { ...init, headers });
                return { response: r.response, error: typeof r.error === "string" ? JSON.parse(r.error) : r.error };
            };
            if (allowed.length === 0) {
                const r = await call({});
                check(`${method.toUpperCase()} ${path}: open to all`, r.response.status < 400, r.error);
                continue;
            }
            problem(`${method.toUpperCase()} ${path} without a token`, await call({}), 401, "unauthorized");
            for (const role of roles) {
                const r = await call(as(role));
                if (allowed.includes(role))
                    check(`${method.toUpperCase()} ${path} as ${role}: let through`,
                          r.response.status !== 401 && r.response.status !== 403, r.error);
                else
                    problem(`${method.toUpperCase()} ${path} as ${role}`, r, 403, "forbidden");
            }
        }
    }
}

// The problem types a portal tells apart by `type`, not by `detail`.
async function problems(): Promise<void> {
    const p = as("portal");
    const bad = await client.POST("/v1/decisions", {
        body: { ...request, request_id: undefined, input: { household: { members: [{ id: "a", age: 151 }] } } }, headers: p });
    problem("invalid input", bad, 422, "invalid-input");
    check("invalid input: the pointer", ((bad.error ?? {}) as Problem).errors?.[0]?.pointer ===
          "/input/household/members/0/age", bad.error);
    problem("unknown policy", await client.POST("/v1/decisions", {
        body: { ...request, request_id: undefined, policy: "no.such" }, headers: p }), 404, "unknown-policy");
    problem("outside the covered period", await client.POST("/v1/decisions", {
        body: { ...request, request_id: undefined, as_of: "2031-01-01" }, headers: p }), 422, "outside-covered-period");
    problem("request_id reused for another request", await client.POST("/v1/decisions", {
        body: { ...request, as_of: "2019-02-01" }, headers: p }), 422, "request-id-reused");
    problem("malformed JSON", await client.POST("/v1/decisions", {
        body: request, bodySerializer: () => "{\"policy\":", headers: p }), 400, "malformed-json");
    problem("not JSON", await client.POST("/v1/decisions", {
        body: request, bodySerializer: () => "x", headers: { ...p, "Content-Type": "text/plain" } }), 415, "unsupported-media-type");
    problem("bad query parameter", await client.GET("/v1/policies/{name}", {
        params: { path: { name: "tianjin.dibao" }, query: { as_of: "2019-02-30" } }, headers: p }), 400, "invalid-parameter");
    problem("unknown decision", await client.GET("/v1/decisions/{id}", {
        params: { path: { id: "00000000-0000-0000-0000-000000000000" } }, headers: as("auditor") }), 404, "not-found");
    problem("too large", await client.POST("/v1/decisions", {
        body: request, bodySerializer: () => " ".repeat(1 << 21), headers: p }), 413, "payload-too-large");
    const put = await any.PUT!("/v1/decisions", { body: request, headers: p });
    problem("a method the route has not", put, 405, "method-not-allowed");
    check("405: Allow", put.response.headers.get("Allow") === "POST", [...put.response.headers]);
    problem("a path the document has not", await any.GET!("/v1/nothing", { headers: p }), 404, "not-found");
}

const id = await routes();
await roleMatrix(id);
await problems();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
