local https = require("ssl.https")
local params = {
  mode = "client",
  protocol = "any",
  verify = "none",
}
