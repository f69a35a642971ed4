// answers.js - eligo's answer for every request body of bench/run, one
// line each ("true 1562.83" / "false 0.00"), from eligod's /v1/evaluate,
// for peers.js to check the peer engines against before timing them.
//
//   node answers.js URL TOKEN BODIES >ANSWERS
//
// SPDX-License-Identifier: Apache-2.0
'use strict';
const fs = require('fs');
const [url, token, bodies] = process.argv.slice(2);

async function main() {
    const out = [];
    for (const body of fs.readFileSync(bodies, 'utf8').split('\n').filter(Boolean)) {
        const r = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
        const j = await r.json();
        if (r.status !== 200 || !j.outputs) throw new Error(`${url}: ${r.status} ${JSON.stringify(j).slice(0, 200)}`);
        out.push(`${j.outputs.eligible} ${j.outputs.monthly_benefit}`);
    }
    process.stdout.write(out.join('\n') + '\n');
}
main().catch((err) => { console.error(`answers: ${err.message}`); process.exit(1); });
