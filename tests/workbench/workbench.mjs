// workbench.mjs - drives the officer's workbench in headless chromium
// (puppeteer-core, Debian's binary) against the stack that
// tests/integration/workbench.sh started, as an officer would use it,
// and checks what the page shows at each step against values worked
// out by hand (below and in workbench.sh).  A screenshot of each step
// goes to WORKBENCH_SHOTS.  Prints "ok"/"FAIL" lines and "N passed, N
// failed"; exits 1 on a failure.
//
// Environment: WORKBENCH_URL (…/workbench/), ELIGO_OFFICER_TOKEN,
// CHROMIUM (/usr/bin/chromium), WORKBENCH_SHOTS, WORKBENCH_PROFILE (a
// fresh --user-data-dir).
//
// SPDX-License-Identifier: Apache-2.0
import puppeteer from "puppeteer-core";

const env = process.env;
let passed = 0, failed = 0;
function ok(name) { passed++; console.log("ok   " + name); }
function fail(name, why) { failed++; console.log("FAIL " + name + (why ? "\n     " + why : "")); }
function check(name, cond, why) { cond ? ok(name) : fail(name, why); }

// The closed network of a test machine refuses the connections chromium
// would make of its own (updates, sync, QUIC): these flags keep it quiet.
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
  "--user-data-dir=" + env.WORKBENCH_PROFILE, "--lang=zh-CN", "--window-size=1400,1000"];

// The longest a step waits for the page; a diff or an impact run, for
// eligod's answer.  Generous: CI runs this against an ASan+UBSan eligod
// (several times slower) beside other suites, and a passing run never
// waits them out.
const STEP_MS = 60000, LONG_MS = 180000;

// The step's screenshot: the part of the page it is about (selector), or
// the window.
async function shot(page, n, name, selector) {
  const path = `${env.WORKBENCH_SHOTS}/${n}-${name}.png`;
  if (!selector) { await page.screenshot({ path }); return; }
  await (await page.$(selector)).screenshot({ path });
}

// Replaces `from` with `to` on 1-based line `line` of the editor, by
// selecting it and typing, as a person would (input events and all).
async function retype(page, line, from, to) {
  const found = await page.evaluate((line, from) => {
    const ta = document.getElementById("source");
    const lines = ta.value.split("\n");
    let off = 0;
    for (let i = 0; i < line - 1; i++) off += lines[i].length + 1;
    const at = lines[line - 1].indexOf(from);
    if (at < 0) return false;
    ta.focus();
    ta.setSelectionRange(off + at, off + at + from.length);
    return true;
  }, line, from);
  if (!found) throw new Error(`line ${line} has no "${from}"`);
  await page.keyboard.type(to, { delay: 30 });
}

const text = (page, sel) => page.$eval(sel, (e) => e.textContent);
// After retype: each keystroke sets #check-state to 正在输入… and outdates
// any check already sent (workbench.js), so the first wanted text seen
// there is the check of the whole retyped text.
const waitText = (page, sel, want) => page.waitForFunction((sel, want) =>
  document.querySelector(sel)?.textContent.includes(want), { timeout: STEP_MS }, sel, want);

// Clicks sel and waits for the page's answer: the API's response to the
// call the click makes (method, path, and a JSON request body that
// satisfies `body` when given), then `shown`.  The response first, as
// the page may still show an older answer under `shown` until its call
// goes out (the witness's evaluation after the household's): a bare
// waitForSelector finds that one at once, and it is gone a moment later
// ("failed to find element matching selector").  Each of these clicks
// clears its box before it calls, so after the response only the new
// answer can appear there.
async function clickAnswered(page, sel, method, path, shown, { body, timeout = STEP_MS } = {}) {
  const answered = page.waitForResponse((r) => r.request().method() === method && new URL(r.url()).pathname === path &&
    (!body || body(JSON.parse(r.request().postData() || "null"))), { timeout });
  await Promise.all([answered, page.click(sel)]);
  await page.waitForSelector(shown, { timeout });
}
const isTestRun = (b) => !b.evaluate, isEvaluation = (b) => !!b.evaluate;

async function step(name, fn) {
  try { await fn(); } catch (e) { fail(name, String(e && e.message || e)); }
}

// Fills member i's fields; its optional ones (income) are folded
// under 其他字段 until opened.
async function fillMember(page, i, id, age, income) {
  await page.$$eval(`fieldset[data-pointer="/household/members"] .item details.optional`, (ds) => ds.forEach((d) => { d.open = true; }));
  for (const [f, v] of [["id", id], ["age", age], ["monthly_income", income]]) {
    if (v === undefined) continue;
    const sel = `[data-pointer="/household/members/${i}/${f}"] input, input[data-pointer="/household/members/${i}/${f}"]`;
    await page.$eval(sel, (e) => { e.value = ""; });
    await page.type(sel, String(v));
  }
}

async function run(page) {
  page.on("pageerror", (e) => fail("no script error on the page", e.message));
  await step("open the page and enter the officer's token", async () => {
    await page.goto(env.WORKBENCH_URL, { waitUntil: "networkidle0" });
    check("the page is in Chinese", (await page.title()) === "eligo 政策工作台", await page.title());
    await page.type("#token", env.ELIGO_OFFICER_TOKEN);
    await page.click("#token-form button");
    await page.waitForSelector('#policy-select option[value="tianjin.dibao"]', { timeout: STEP_MS });
    ok("the shipped policies are listed");
  });

  const dibaoLine = 31;   // policies/tianjin/dibao.policy: let size: int "家庭人口" = count(...)
  await step("load tianjin.dibao", async () => {
    await page.select("#policy-select", "tianjin.dibao");
    await page.click("#open-policy");
    await waitText(page, "#check-state", "可以编译:tianjin.dibao");
    const line29 = await text(page, '#highlight .line[data-line="29"]');
    check("line 29 holds the standard, 860.00", line29.includes("from 2017-04-01: 860.00"), line29);
    check("keywords are highlighted", (await page.$$('#highlight .line[data-line="29"] .tok-kw')).length > 0);
    check("no diagnostic for the shipped text", (await text(page, "#diagnostics")).includes("没有诊断"));
    await shot(page, 1, "opened");
  });

  await step("a typo shows its diagnostic at its line", async () => {
    await retype(page, dibaoLine, "count(", "cuont(");
    await waitText(page, "#check-state", "个错误");
    const first = await page.$eval("#diagnostics li", (e) => ({ line: e.dataset.line, text: e.textContent }));
    check(`the first diagnostic is at line ${dibaoLine}`, first.line === String(dibaoLine) && first.text.includes(`第 ${dibaoLine} 行`), JSON.stringify(first));
    check("it names the unknown function", first.text.includes("cuont"), first.text);
    check("it carries eligo check's caret form", first.text.includes(`dibao.policy:${dibaoLine}:`) && first.text.includes("^"), first.text);
    const gutter = await page.$eval(`#gutter .gl[data-line="${dibaoLine}"]`, (e) => e.className);
    check("the gutter marks the line", gutter.includes("error"), gutter);
    const mark = await page.$eval(`#highlight .line[data-line="${dibaoLine}"] mark.diag`, (e) => e.textContent);
    check("the typo itself is underlined", mark.startsWith("cuont"), mark);
    await shot(page, 2, "typo", "#source-pane");
  });

  await step("fixing it clears the diagnostic", async () => {
    await retype(page, dibaoLine, "cuont(", "count(");
    await waitText(page, "#check-state", "可以编译");
    check("no error mark left", (await page.$$("#gutter .gl.error")).length === 0);
    await clickAnswered(page, "#run-tests", "POST", "/v1/check", "#tests-summary", { body: isTestRun });
    await waitText(page, "#tests-summary", "项通过");
    const t = await text(page, "#tests-summary");
    check("its 13 tests pass", t === "13 项通过,0 项失败", t);
    await shot(page, 3, "fixed", "#source-pane");
  });

  await step("evaluate a household and read the explanation", async () => {
    // seed 001: a household of three with 1000 + 500 + 0 a month, 2019-01-01:
    // 1500 < 860 x 3 = 2580, eligible, 2580 - 1500 = 1080.00 a month
    await page.waitForSelector('input[data-pointer="/household/members/0/id"]', { timeout: STEP_MS });
    await page.$eval("#as-of", (e) => { e.value = "2019-01-01"; });
    await fillMember(page, 0, "a", 40, "1000.00");
    await page.click('fieldset[data-pointer="/household/members"] > button');
    await fillMember(page, 1, "b", 38, "500.00");
    await page.click('fieldset[data-pointer="/household/members"] > button');
    await fillMember(page, 2, "c", 10);
    await clickAnswered(page, '#household-form button[type="submit"]', "POST", "/v1/check", "#explanation", { body: isEvaluation });
    const letter = await text(page, "#explanation");
    check("the explanation is the citizen's text", letter.includes("一、决定") && letter.includes("二、理由") && letter.includes("三、依据"), letter);
    check("it states the decision", letter.includes("家庭月收入合计 1500.00 元低于低保标准 860.00 元 × 家庭人口 3 人 = 2580.00 元"), letter);
    check("and the benefit", letter.includes("低保金:2580.00 元 − 家庭月收入合计 1500.00 元:1080.00 元"), letter);
    const benefit = await text(page, '#evaluation tr[data-output="monthly_benefit"] td:nth-child(2)');
    check("monthly_benefit 1080.00", benefit === "1080.00", benefit);
    // the member's optional fields folded again, for the picture
    await page.$$eval("details.optional", (ds) => ds.forEach((d) => { d.open = false; }));
    await shot(page, 4, "evaluated", "#evaluate-box");
  });

  await step("860 to 900: the tests say what changed", async () => {
    await retype(page, 29, "860.00", "900.00");
    await waitText(page, "#check-state", "可以编译");
    const warn = await text(page, "#diagnostics");
    check("the quotation no longer states the value (a warning)", warn.includes("the quotation does not state 900.00"), warn);
    await clickAnswered(page, "#run-tests", "POST", "/v1/check", "#tests-summary", { body: isTestRun });
    await waitText(page, "#tests-summary", "项失败");
    const t = await text(page, "#tests-summary");
    // tests expecting 860-based figures fail; the three that do not read the standard pass
    check("3 pass, 10 fail under 900", t === "3 项通过,10 项失败", t);
    await shot(page, 5, "tests-900", "#tests-box");
  });

  // 860 -> 900 on 2019-01-01, by hand: for each household size n (1 to
  // 50, the model's limit) two regions differ: income < 860n, where the
  // benefit rises by 40n, and income in [860n, 900n), where eligibility
  // turns false -> true: 100 regions, all exact.
  await step("the diff against the live version, with a witness", async () => {
    await page.$eval("#diff-as-of", (e) => { e.value = "2019-01-01"; });
    await clickAnswered(page, "#run-diff", "POST", "/v1/diff", "#diff-summary", { timeout: LONG_MS });
    const summary = await text(page, "#diff-summary");
    check("100 regions differ, exactly", summary === "与现行版本有 100 个区域结果不同(精确)", summary);
    const row = await page.$eval('#diff tr[data-region="1"]', (r) => ({ region: r.children[0].textContent,
      changes: r.children[1].textContent, witness: JSON.parse(r.querySelector("pre.witness").textContent) }));
    check("region 2: one person, income in [860.00, 900.00)",
      row.region === "家庭人口 = 1 and 家庭月收入合计 in [860.00, 900.00)", row.region);
    check("there eligible turns false -> true", row.changes.includes("eligible:否 → 是"), row.changes);
    const members = row.witness.household.members;
    const cents = members.length === 1 ? Number(members[0].monthly_income.replace(".", "")) : -1;
    check("its witness is a one-person household inside the region", cents >= 86000 && cents < 90000, JSON.stringify(row.witness));
    await shot(page, 6, "diff", "#diff-box");
    // the witness evaluated under the candidate, as the citizen would read it
    // #explanation still holds the household's letter until the witness's
    // schema is fetched and its evaluation sent
    await clickAnswered(page, '#diff tr[data-region="1"] button.use-witness', "POST", "/v1/check", "#explanation", { body: isEvaluation });
    const income = members[0].monthly_income, benefit = ((90000 - cents) / 100).toFixed(2);
    const letter = await text(page, "#explanation");
    check("the witness is eligible under 900", letter.includes(`家庭月收入合计 ${income} 元低于低保标准 900.00 元 × 家庭人口 1 人 = 900.00 元`), letter);
    const got = await text(page, '#evaluation tr[data-output="monthly_benefit"] td:nth-child(2)');
    check(`and gets 900.00 - ${income} = ${benefit}`, got === benefit, got);
    await shot(page, 7, "witness", "#evaluate-box");
  });

  await step("the impact over stored decisions", async () => {
    await clickAnswered(page, "#run-impact", "POST", "/v1/impact", "#impact-table", { timeout: LONG_MS });
    const counts = await page.$$eval("#impact-table tr", (rows) =>
      Object.fromEntries(rows.map((r) => [r.dataset.count, r.children[1].textContent])));
    const want = { checked: "5", failed: "0", tampered: "0", became_eligible: "2", lost_eligibility: "0",
      stayed_eligible: "2", stayed_ineligible: "1", up: "4", down: "0", same: "1", change: "150.01" };
    for (const [k, v] of Object.entries(want)) check(`impact ${k} = ${v}`, counts[k] === v, JSON.stringify(counts));
    const bars = await page.$$eval("svg.chart text[data-count]", (t) => t.map((x) => x.textContent));
    check("the distribution plotted: 0:1, 0.01..10:1, 10..100:3",
      JSON.stringify(bars) === JSON.stringify(["0", "0", "0", "0", "1", "1", "3", "0", "0"]), JSON.stringify(bars));
    await shot(page, 8, "impact", "#impact-box");
  });
}

// headless is among FLAGS, as written there, so puppeteer adds none of its own
const browser = await puppeteer.launch({ executablePath: env.CHROMIUM || "/usr/bin/chromium", headless: false,
  args: FLAGS, defaultViewport: { width: 1400, height: 1000 }, env: { ...env, LANG: "zh_CN.UTF-8", LANGUAGE: "zh_CN" } });
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(STEP_MS);
  await run(page);
} catch (e) {
  fail("the browser run", String(e && e.stack || e));
} finally {
  await browser.close();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
