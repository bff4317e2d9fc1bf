// Node.js peer: `cluster` + `http`, built-in modules only. Usage: node node-cluster.js PORT [WORKERS]
'use strict';
const cluster = require('node:cluster');
const http = require('node:http');

const port = Number(process.argv[2] || 3002);
const workers = Number(process.argv[3] || 2);
const body = Buffer.from('{"status":"ok"}');
const notFound = Buffer.from('{"success":false,"error":{"code":"NOT_FOUND","message":"not found"}}');

if (cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork();
  const stop = () => {
    for (const id in cluster.workers) cluster.workers[id].process.kill('SIGTERM');
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else {
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/health/live') {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
      res.end(body);
    } else {
      res.writeHead(404, { 'Content-Type': 'application/json', 'Content-Length': notFound.length });
      res.end(notFound);
    }
  });
  server.keepAliveTimeout = 65000;
  server.listen(port, '127.0.0.1');
}
