// One HTTPS GET with Node's own TLS stack, verification on.
// Usage: node nodefetch.cjs URL TIMEOUT_SECONDS
// Node 20 ignores https_proxy; this script opens a CONNECT tunnel itself when https_proxy /
// HTTPS_PROXY is set (as an app with a proxy agent would; user:password in the proxy URL is sent
// as Basic proxy authentication), then verifies the server with the
// roots Node trusts in this environment (bundled roots + NODE_EXTRA_CA_CERTS, etc.).
// Prints "HTTP <status>" and exits 0 on any HTTP answer; prints the error and exits 1 otherwise.
"use strict";
const http = require("http");
const https = require("https");
const tls = require("tls");

const url = new URL(process.argv[2]);
const timeoutMs = Math.round(parseFloat(process.argv[3] || "15") * 1000);
const host = url.hostname;
const port = Number(url.port || 443);

function fail(err) {
  const code = err && err.code ? err.code + ": " : "";
  process.stderr.write("Error: " + code + (err && err.message ? err.message : String(err)) + "\n");
  process.exit(1);
}

function bypassed() {
  const list = process.env.no_proxy || process.env.NO_PROXY || "";
  return list.split(",").map((s) => s.trim()).filter(Boolean).some((entry) => {
    if (entry === "*") return true;
    const suffix = entry.replace(/^\*?\.?/, "");
    return host === suffix || host.endsWith("." + suffix);
  });
}

function direct() {
  const options = { host, port, path: url.pathname + url.search, method: "GET", timeout: timeoutMs };
  const req = https.request(options, (res) => {
    process.stdout.write("HTTP " + res.statusCode + "\n");
    res.resume();
    res.on("end", () => process.exit(0));
    res.on("error", () => process.exit(0));
  });
  req.on("timeout", () => req.destroy(new Error("timed out")));
  req.on("error", fail);
  req.end();
}

function overTunnel(socket) {
  // tls.connect verifies the chain and the host name (servername) with Node's default roots.
  const secure = tls.connect({ socket, servername: host, host });
  secure.setTimeout(timeoutMs, () => secure.destroy(new Error("timed out")));
  secure.on("error", fail);
  secure.on("secureConnect", () => {
    const path = url.pathname + url.search;
    secure.write("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
  });
  let head = "";
  secure.on("data", (chunk) => {
    head += chunk.toString("latin1");
    const end = head.indexOf("\r\n");
    if (end >= 0) {
      const status = head.slice(0, end).split(" ")[1] || "?";
      process.stdout.write("HTTP " + status + "\n");
      process.exit(0);
    }
  });
}

const proxy = process.env.https_proxy || process.env.HTTPS_PROXY || "";
if (!proxy || bypassed()) {
  direct();
} else {
  const p = new URL(proxy.includes("://") ? proxy : "http://" + proxy);
  const headers = { Host: host + ":" + port };
  if (p.username) {
    const user = decodeURIComponent(p.username) + ":" + decodeURIComponent(p.password);
    headers["Proxy-Authorization"] = "Basic " + Buffer.from(user).toString("base64");
  }
  const connect = http.request({
    host: p.hostname,
    port: Number(p.port || 8080),
    method: "CONNECT",
    path: host + ":" + port,
    headers,
    timeout: timeoutMs,
  });
  connect.on("connect", (res, socket) => {
    if (res.statusCode !== 200) fail(new Error("Tunnel connection failed: " + res.statusCode));
    overTunnel(socket);
  });
  connect.on("timeout", () => connect.destroy(new Error("proxy timed out")));
  connect.on("error", fail);
  connect.end();
}
