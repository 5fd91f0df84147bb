require "net/http"

# OpenSSL::SSL::VERIFY_NONE would accept any certificate.
http = Net::HTTP.new("internal.example.com", 443)
http.use_ssl = true
http.verify_mode = OpenSSL::SSL::VERIFY_PEER
http.ca_file = "/etc/ssl/company-bundle.pem"
message = "set verify: false only in your dreams"
conn = Faraday.new(url: "https://internal.example.com", ssl: { verify: true, ca_file: "/etc/ssl/company-bundle.pem" })
