-- repeat.lua - wrk script of hostile.sh: POSTs one body file again and
-- again. REPEAT_BODY: the file; REPEAT_TOKEN: the bearer token.
--
-- SPDX-License-Identifier: Apache-2.0
local f = assert(io.open(os.getenv("REPEAT_BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("REPEAT_TOKEN")
