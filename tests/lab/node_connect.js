// TLS through an HTTP CONNECT proxy with Node's own verification: prints "ok" or the error code.
// usage: node node_connect.js PROXY_URL HOST [CAFILE]
const http = require("http");
const tls = require("tls");
const fs = require("fs");
const [proxyUrl, host, cafile] = process.argv.slice(2);
const proxy = new URL(proxyUrl);
const req = http.request({ host: proxy.hostname, port: proxy.port, method: "CONNECT", path: `${host}:443` });
req.on("connect", (res, socket) => {
  if (res.statusCode !== 200) { console.log(`proxy ${res.statusCode}`); process.exit(3); }
  const options = { socket, servername: host };
  if (cafile) options.ca = fs.readFileSync(cafile);
  const conn = tls.connect(options, () => { console.log("ok"); conn.end(); process.exit(0); });
  conn.on("error", (err) => { console.log(err.code || err.message); process.exit(1); });
});
req.on("error", (err) => { console.log(err.code || err.message); process.exit(2); });
req.end();
