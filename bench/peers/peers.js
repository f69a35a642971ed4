// peers.js - the peer rule engines of bench/run, each deciding the same
// 低保 rule as policies/tianjin/dibao.policy (eligible when the household's
// monthly income is below 860.00 x members; benefit 860.00 x members -
// income, else 0.00) on the same generated households as eligo's JSON path.
//
//   node peers.js HOUSEHOLDS ANSWERS SECONDS RUNS
//
// ANSWERS holds eligo's answer for each household, one line each
// ("true 1562.83" / "false 0.00", from eligod's /v1/evaluate).  Every
// engine's answer is checked on every household before it is timed; an
// engine that disagrees is reported and not timed.  Prints one line per
// engine: "peer NAME: N decisions/s (VERSION, what it decides)", or
// "peer NAME: skipped (why)" / "peer NAME: disagrees (...)".  Money is
// handled in integer cents (or zen's decimals) so no float rounds it.
//
// SPDX-License-Identifier: Apache-2.0
'use strict';
const fs = require('fs');

const [households, answers, seconds, runs] = [process.argv[2], process.argv[3], +process.argv[4] || 2, +process.argv[5] || 3];
const homes = fs.readFileSync(households, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const want = fs.readFileSync(answers, 'utf8').split('\n').filter(Boolean).map((l) => {
    const [e, b] = l.split(' ');
    return { eligible: e === 'true', cents: cents(b) };
});
if (want.length !== homes.length) throw new Error(`${answers}: ${want.length} answers for ${homes.length} households`);

// "1234.56" -> 123456, exactly.
function cents(s) {
    const [i, f = ''] = String(s).split('.');
    return +i * 100 + +(f + '00').slice(0, 2);
}
const STANDARD = 86000;
function incomeCents(h) {
    let s = 0;
    for (const m of h.household.members) s += cents(m.monthly_income ?? '0');
    return s;
}
function version(pkg) {
    return JSON.parse(fs.readFileSync(`${__dirname}/node_modules/${pkg}/package.json`, 'utf8')).version;
}

// json-rules-engine: the sums are facts computed from the household, the
// comparison is the rule, the benefit is computed from the same facts.
function jsonRules() {
    const { Engine } = require('json-rules-engine');
    const engine = new Engine([], { allowUndefinedFacts: false });
    engine.addRule({
        conditions: { all: [{ fact: 'income', operator: 'lessThan', value: { fact: 'threshold' } }] },
        event: { type: 'eligible' },
    });
    engine.addFact('income', (p, a) => a.factValue('household').then(incomeOf));
    engine.addFact('threshold', (p, a) => a.factValue('household').then((h) => STANDARD * h.members.length));
    const incomeOf = (h) => incomeCents({ household: h });
    return {
        name: 'json-rules-engine', version: version('json-rules-engine'), decides: 'eligibility and benefit',
        async decide(h) {
            const r = await engine.run({ household: h.household });
            const eligible = r.events.length === 1;
            if (!eligible) return { eligible, cents: 0 };
            const income = await r.almanac.factValue('income'), threshold = await r.almanac.factValue('threshold');
            return { eligible, cents: threshold - income };
        },
    };
}

// zen-engine: one expression node over the household, in zen's decimals.
function zen() {
    const { ZenEngine } = require('@gorules/zen-engine');
    const income = 'sum(map(household.members, number(#.monthly_income)))';
    const threshold = '860 * len(household.members)';
    const jdm = {
        nodes: [
            { id: 'in', type: 'inputNode', name: 'request', position: { x: 0, y: 0 } },
            {
                id: 'dibao', type: 'expressionNode', name: 'dibao', position: { x: 200, y: 0 },
                content: {
                    expressions: [
                        { id: 'e', key: 'eligible', value: `${income} < ${threshold}` },
                        { id: 'b', key: 'benefit', value: `${income} < ${threshold} ? ${threshold} - ${income} : 0` },
                    ],
                },
            },
            { id: 'out', type: 'outputNode', name: 'response', position: { x: 400, y: 0 } },
        ],
        edges: [
            { id: 'a', sourceId: 'in', targetId: 'dibao', type: 'edge' },
            { id: 'c', sourceId: 'dibao', targetId: 'out', type: 'edge' },
        ],
    };
    const decision = new ZenEngine().createDecision(jdm);
    return {
        name: 'zen-engine', version: version('@gorules/zen-engine'), decides: 'eligibility and benefit',
        async decide(h) {
            const r = (await decision.evaluate(h)).result;
            return { eligible: r.eligible === true, cents: Math.round(+r.benefit * 100) };
        },
    };
}

// Cedar: no sum over a set and no decimal arithmetic, so the income sum
// (cents) and the size go in as context; the policy compares.  The policy
// set is parsed once (preparsePolicySet), as a service would.
function cedar() {
    const c = require('@cedar-policy/cedar-wasm/nodejs');
    const policy = 'permit(principal, action == Action::"dibao", resource) when { context.income < 86000 * context.size };';
    const p = c.preparsePolicySet('dibao', { staticPolicies: policy });
    if (p.type !== 'success') throw new Error(JSON.stringify(p.errors));
    const call = {
        principal: { type: 'Household', id: 'h' }, action: { type: 'Action', id: 'dibao' },
        resource: { type: 'Program', id: 'dibao' }, preparsedPolicySetId: 'dibao', entities: [], context: null,
    };
    return {
        name: 'cedar-wasm', version: version('@cedar-policy/cedar-wasm'), decides: 'eligibility only', eligibilityOnly: true,
        decide(h) {
            call.context = { income: incomeCents(h), size: h.household.members.length };
            const r = c.statefulIsAuthorized(call);
            if (r.type !== 'success') throw new Error(JSON.stringify(r.errors));
            return { eligible: r.response.decision === 'allow', cents: null };
        },
    };
}

// The households on which the engine and eligo differ (at most 3 shown).
async function disagreements(e) {
    const bad = [];
    for (let i = 0; i < homes.length; i++) {
        const got = await e.decide(homes[i]);
        if (got.eligible !== want[i].eligible || (got.cents !== null && got.cents !== want[i].cents))
            bad.push(`#${i + 1}: ${got.eligible} ${got.cents} against eligo's ${want[i].eligible} ${want[i].cents}`);
    }
    return bad;
}

// Decisions per second over the households in turn for SECONDS.
async function rate(e) {
    let n = 0;
    const t0 = process.hrtime.bigint(), end = t0 + BigInt(Math.round(seconds * 1e9));
    let now = t0;
    while (now < end) {
        for (const h of homes) await e.decide(h);
        n += homes.length;
        now = process.hrtime.bigint();
    }
    return Math.round(n / (Number(now - t0) / 1e9));
}

async function main() {
    for (const make of [cedar, jsonRules, zen]) {
        let e;
        try {
            e = make();
        } catch (err) {
            console.log(`peer ${make.name}: skipped (${String(err.message).split('\n')[0]})`);
            continue;
        }
        const bad = await disagreements(e);
        if (bad.length) {
            console.log(`peer ${e.name}: disagrees with eligo on ${bad.length} of ${homes.length} households (${bad.slice(0, 3).join('; ')}), not timed`);
            continue;
        }
        const r = [];
        for (let i = 0; i < runs; i++) r.push(await rate(e));
        r.sort((a, b) => a - b);
        console.log(`peer ${e.name}: ${r[(r.length - 1) >> 1]} decisions/s (${e.version}, ${e.decides}, agrees on all ${homes.length})`);
    }
}
main().catch((err) => { console.error(`peers: ${err.stack}`); process.exit(1); });
