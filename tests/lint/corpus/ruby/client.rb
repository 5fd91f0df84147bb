require "net/http"

http = Net::HTTP.new("internal.example.com", 443)
http.use_ssl = true
http.verify_mode = OpenSSL::SSL::VERIFY_NONE
conn = Faraday.new(url: "https://internal.example.com", ssl: { verify: false })
