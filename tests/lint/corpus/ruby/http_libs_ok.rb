require "httparty"
require "rest-client"
require "jwt"

HTTParty.get("https://internal.example.com/api", verify: true, ssl_ca_file: "/etc/ssl/company-bundle.pem")
RestClient::Request.execute(method: :get, url: "https://internal.example.com", verify_ssl: true, ssl_ca_file: "/etc/ssl/company-bundle.pem")
Typhoeus.get("https://internal.example.com", ssl_verifypeer: true, ssl_verifyhost: 2, cainfo: "/etc/ssl/company-bundle.pem")
payload = JWT.decode(token, nil, false)
form = Form.new(verify: false) # a form's own verify flag, not TLS
message = "HTTParty.get(url, verify: false) accepts any certificate"
