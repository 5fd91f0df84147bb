local http = require "resty.http"
local httpc = http.new()
-- ssl_verify = false would accept any certificate
--[[ httpc:ssl_handshake(nil, host, false) ]]
local res, err = httpc:request_uri("https://internal.example.com/", {
    ssl_verify = true,
})
local ok = httpc:ssl_handshake(nil, "internal.example.com", true)
ngx.log(ngx.ERR, "never set ssl_verify = false")
local params = { mode = "client", verify = "peer", cafile = "/etc/ssl/company-bundle.pem" }
