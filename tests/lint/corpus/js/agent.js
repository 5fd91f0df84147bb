const https = require("https");
const tls = require("tls");

const agent = new https.Agent({ rejectUnauthorized: false });
const socket = tls.connect({ host: "internal.example.com", port: 443, rejectUnauthorized: false });
process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
process.env["NODE_TLS_REJECT_UNAUTHORIZED"] = '0';
request({ url, strictSSL: false }, done);
