-- post.lua - the wrk script of bench/run: POSTs JSON request bodies in
-- turn, one per line of the file named by $BENCH_BODIES (generated
-- households wrapped as /v1/evaluate and /v1/decisions requests), with
-- $BENCH_TOKEN as the bearer token.  Each wrk thread loads its own copy.
--
-- SPDX-License-Identifier: Apache-2.0
local bodies = {}
for line in io.lines(os.getenv("BENCH_BODIES")) do
    bodies[#bodies + 1] = line
end
local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. (os.getenv("BENCH_TOKEN") or ""),
}
local i = 0

request = function()
    i = i % #bodies + 1
    return wrk.format("POST", nil, headers, bodies[i])
end
