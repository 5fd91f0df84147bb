require "httparty"
require "rest-client"
require "excon"
require "typhoeus"

HTTParty.get("https://internal.example.com/api", verify: false)
HTTParty.post("https://internal.example.com/api", body: payload, :verify => false)
RestClient::Request.execute(method: :get, url: "https://internal.example.com", verify_ssl: false)
RestClient::Resource.new("https://internal.example.com", :verify_ssl => false)
Excon.defaults[:ssl_verify_peer] = false
Excon.get("https://internal.example.com", ssl_verify_peer: false)
Typhoeus.get("https://internal.example.com", ssl_verifypeer: false, ssl_verifyhost: 0)
