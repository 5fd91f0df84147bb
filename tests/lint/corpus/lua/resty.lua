local http = require "resty.http"
local httpc = http.new()
local res, err = httpc:request_uri("https://internal.example.com/", {
    method = "GET",
    ssl_verify = false,
})
local ok, err = httpc:ssl_handshake(nil, "internal.example.com", false)
