const fs = require("fs");
const https = require("https");
const tls = require("tls");

// Never use rejectUnauthorized: false; NODE_TLS_REJECT_UNAUTHORIZED=0 is just as bad.
/* rejectUnauthorized: false would accept any certificate */
const agent = new https.Agent({
  rejectUnauthorized: true,
  ca: [...tls.rootCertificates, fs.readFileSync("/etc/ssl/company-ca.pem", "utf8")],
});
const strict = { rejectUnauthorized: process.env.NODE_ENV === "production" ? true : true };
if (process.env.NODE_TLS_REJECT_UNAUTHORIZED === "0") {
  console.warn("verification is off: unset the variable");
}
const url = "https://example.com/?rejectUnauthorized=true";
// A ternary's `:` is not a property colon: these pass the caller's choice through.
const request = { strictSsl: secure ? !!options.rejectUnauthorized : false };
const other = { strict: secure ? rejectUnauthorized : false, ssl: on ? strictSSL : false };
