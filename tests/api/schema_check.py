#!/usr/bin/env python3
"""schema_check.py - each policy's JSON Schema (`eligo schema NAME`) agrees
with eligo's own validation of the input.

Validates, with the jsonschema package (draft 2020-12), every request of
the policy suite against its policy's schema: the inputs of the policies'
tests (`eligo test --inputs`), tests/requests/cases.txt (valid) and
tests/requests/invalid-cases.txt (invalid).  Then mutates valid inputs
field by field (wrong types, out-of-range numbers, bad money and date
strings, unknown enum values, missing and extra fields, list lengths)
and checks that the schema accepts exactly what `eligo eval` accepts:
exit 2 with a problem list is a rejection; a decision, or a date with no
parameter in force, is an acceptance of the input.

JSON numbers are read as Decimal on both sides, so that multipleOf is
exact.  Not generated: numbers written with an exponent (a JSON Schema
sees the value, not its writing; docs/api.md says so).

Usage: schema_check.py ELIGO TOP TMPDIR.  Inputs go to eligo on stdin.  Prints "ok ..." / "not ok ..."
lines and ends with "N passed, N failed".

SPDX-License-Identifier: Apache-2.0
"""
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import jsonschema

ELIGO, TOP, TMP = sys.argv[1], sys.argv[2], sys.argv[3]
POLICIES = os.path.join(TOP, "policies")
REQUESTS = os.path.join(TOP, "tests", "requests")
passed = failed = 0


def ok(msg):
    global passed
    passed += 1
    print("ok - " + msg)


def not_ok(msg, detail=""):
    global failed
    failed += 1
    print("not ok - " + msg)
    if detail:
        print("    " + detail.replace("\n", "\n    "))


def loads(text):
    return json.loads(text, parse_float=Decimal)


def dumps(v):
    """JSON text; Decimal written as its own digits, never through float."""
    if isinstance(v, bool) or v is None:
        return json.dumps(v)
    if isinstance(v, (int, Decimal)):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ",".join(dumps(x) for x in v) + "]"
    return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + dumps(x) for k, x in v.items()) + "}"


schemas = {}


def validator(name):
    if name not in schemas:
        out = subprocess.run([ELIGO, "schema", name, "--policies", POLICIES],
                             capture_output=True, text=True, check=True).stdout
        schema = loads(out)
        jsonschema.Draft202012Validator.check_schema(schema)
        schemas[name] = jsonschema.Draft202012Validator(schema)
    return schemas[name]


def schema_accepts(name, as_of, input_text):
    env = {"policy": name, "as_of": as_of, "input": loads(input_text)}
    return validator(name).is_valid(env)


def first_error(name, as_of, input_text):
    env = {"policy": name, "as_of": as_of, "input": loads(input_text)}
    err = next(iter(validator(name).iter_errors(env)), None)
    return "" if err is None else "/".join(str(p) for p in err.absolute_path) + ": " + err.message[:200]


def eligo_accepts(name, as_of, input_text):
    r = subprocess.run([ELIGO, "eval", name, "--as-of", as_of, "--input", "-", "--policies", POLICIES],
                       input=input_text, capture_output=True, text=True)
    # exit 2 is also "no parameter in force": its message names the policy
    rejected = r.returncode == 2 and not r.stderr.startswith("eligo eval:")
    return not rejected, r.stderr.strip().splitlines()[0] if r.stderr.strip() else ""


# ---- 1. the requests of the policy suite --------------------------------

inputs_file = os.path.join(TMP, "inputs.txt")
subprocess.run([ELIGO, "test", "--inputs", inputs_file, POLICIES], capture_output=True, check=False)
tests = []
with open(inputs_file, encoding="utf-8") as f:
    for line in f:
        name, as_of, text = line.rstrip("\n").split("\t", 2)
        tests.append((name, as_of, text))
names = sorted({t[0] for t in tests})
if len(names) >= 10:
    ok("%d policies, %d test inputs" % (len(names), len(tests)))
else:
    not_ok("expected the 10 shipped policies", " ".join(names))

bad = []
for name, as_of, text in tests:
    want, why = eligo_accepts(name, as_of, text)
    if schema_accepts(name, as_of, text) != want:
        bad.append("%s %s %s: eligo %s (%s), schema: %s" % (name, as_of, text[:120], want, why,
                                                           first_error(name, as_of, text)))
if bad:
    not_ok("the schema judges the policies' test inputs as eligo does", "\n".join(bad))
else:
    ok("the schema judges all %d test inputs of the policies as eligo does" % len(tests))


def cases(file):
    with open(os.path.join(REQUESTS, file), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            yield line.rstrip("\n").split("|")


bad = []
n = 0
for fields in cases("cases.txt"):
    file, name, as_of = fields[0], fields[1], fields[2]
    names_ = name.split(",") if "," in name else [name]
    with open(os.path.join(REQUESTS, file), encoding="utf-8") as f:
        text = f.read()
    for nm in names_:
        n += 1
        if not schema_accepts(nm, as_of, text):
            bad.append("%s for %s: %s" % (file, nm, first_error(nm, as_of, text)))
if bad:
    not_ok("the schema accepts every request of tests/requests/cases.txt", "\n".join(bad))
else:
    ok("the schema accepts all %d requests of tests/requests/cases.txt" % n)

bad = []
n = 0
for file, name, _ in cases("invalid-cases.txt"):
    with open(os.path.join(REQUESTS, file), encoding="utf-8") as f:
        text = f.read()
    n += 1
    if schema_accepts(name, "2019-01-01", text):
        bad.append("%s for %s: accepted" % (file, name))
if bad:
    not_ok("the schema rejects every request of tests/requests/invalid-cases.txt", "\n".join(bad))
else:
    ok("the schema rejects all %d requests of tests/requests/invalid-cases.txt" % n)


# ---- 2. mutations ---------------------------------------------------------

MONEY_TEXTS = ["1e3", "1E3", "1,000.00", "1.234", "1.2300", "1.230000", "1.2300000", "-1", "-1.00",
               "-0", "-0.00", "0", "abc", "", " 1", "1 ", "+1", "01", ".5", "5.", "1.5",
               "9223372036854.77", "9223372036854.78", "9223372036854.775807", "9223372036855",
               "99999999999999", "1000.00", "١٢٣"]
MONEY_NUMBERS = [Decimal("1.234"), Decimal("-1"), Decimal("1.5"), 1, Decimal("0.29"),
                 Decimal("1.230000"), Decimal("-0.00"), Decimal("9223372036854.78"), 10 ** 14]
DATES = ["2019-02-29", "2020-02-29", "2000-02-29", "2100-02-29", "1899-12-31", "1900-01-01",
         "2199-12-31", "2200-01-01", "2019-13-01", "2019-04-31", "2019-04-30", "20190101",
         "2019-1-01", "2019/01/01", "", "２０１９-01-01"]
WRONG = [None, True, 1, "x", [], {}]


def variants(sub):
    """Values to put where sub (a property's schema) applies."""
    t = sub.get("type")
    if "anyOf" in sub:                                  # money, decimal
        return MONEY_TEXTS + MONEY_NUMBERS + [None, True, [], {}]
    if "oneOf" in sub:                                  # enum
        vals = [c["const"] for c in sub["oneOf"]]
        labels = [c.get("title", "") for c in sub["oneOf"]]
        return vals + ["bogus", vals[0].upper(), labels[0], "", 0, None]
    if t == "integer":
        lo, hi = sub["minimum"], sub["maximum"]
        return [lo, hi, lo - 1, hi + 1, Decimal("1.0"), Decimal("1.5"), "1", None, True, 2 ** 63, -2 ** 63 - 1]
    if t == "boolean":
        return [True, False, "true", 1, 0, None]
    if t == "string" and "pattern" in sub:              # date
        return DATES + [20190101, None]
    if t == "string":                                   # text
        lo, hi = sub.get("minLength", 0), sub.get("maxLength", 70)
        return ["", "a" * lo if lo else "a", "a" * hi, "a" * (hi + 1), "中" * hi, "中" * (hi + 1), 1, None]
    return WRONG


def mutations(inst, schema):
    """(description, mutated copy) pairs for the object inst under schema."""
    out = []
    props = schema.get("properties", {})
    for key, sub in props.items():
        for v in variants(sub):
            m = dict(inst)
            m[key] = v
            out.append(("%s = %s" % (key, dumps(v)[:40]), m))
        if key in inst:
            m = dict(inst)
            del m[key]
            out.append(("without %s" % key, m))
            if sub.get("type") == "array":
                items = inst[key]
                for count in (0, sub.get("minItems", 1), sub.get("maxItems", 50), sub.get("maxItems", 50) + 1):
                    m = dict(inst)
                    m[key] = (items * (count // max(len(items), 1) + 1))[:count]
                    out.append(("%s with %d elements" % (key, count), m))
                if items and isinstance(items[0], dict):
                    for d, sm in mutations(items[0], sub["items"]):
                        m = dict(inst)
                        m[key] = [sm] + items[1:]
                        out.append(("%s[0].%s" % (key, d), m))
            elif sub.get("type") == "object" and isinstance(inst[key], dict):
                for d, sm in mutations(inst[key], sub):
                    m = dict(inst)
                    m[key] = sm
                    out.append(("%s.%s" % (key, d), m))
    m = dict(inst)
    m["extra_field"] = 1
    out.append(("extra_field", m))
    return out


bases = {}
for name, as_of, text in tests:
    if eligo_accepts(name, as_of, text)[0]:
        bases.setdefault(name, []).append((as_of, text))
total = agree = 0
for name in names:
    input_schema = validator(name).schema["properties"]["input"]
    # the test input with the most written: every field of it is mutated
    chosen = sorted(bases.get(name, []), key=lambda b: -len(b[1]))[:1]
    seen = set()
    cases_ = []
    for as_of, text in chosen:
        for desc, m in mutations(loads(text), input_schema):
            mtext = dumps(m)
            if mtext not in seen:
                seen.add(mtext)
                cases_.append((desc, as_of, mtext))
    # two eligo processes at a time: most of the run is their start-up
    with ThreadPoolExecutor(max_workers=2) as pool:
        verdicts = list(pool.map(lambda c: eligo_accepts(name, c[1], c[2]), cases_))
    bad = []
    for (desc, as_of, mtext), (want, why) in zip(cases_, verdicts):
        total += 1
        got = schema_accepts(name, as_of, mtext)
        if got == want:
            agree += 1
        else:
            bad.append("%s: eligo %s (%s), schema %s %s" % (desc, "accepts" if want else "rejects", why,
                                                         "accepts" if got else "rejects",
                                                         first_error(name, as_of, mtext)))
    if bad:
        not_ok("%s: the schema and eligo disagree on %d of %d mutated inputs" % (name, len(bad), len(seen)),
               "\n".join(bad[:40]))
    else:
        ok("%s: the schema and eligo agree on all %d mutated inputs" % (name, len(seen)))

print("%d mutated inputs, %d judged alike" % (total, agree))
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
