#!/usr/bin/env node
'use strict';
// A PushPushGo webhook receiver on Node's http module, no packages.
//   node Examples/node/receiver.js --project-id YOUR_ID [--port 8080] [--public-url https://you.example/hook]
// Prints "listening on http://127.0.0.1:PORT" when ready (--port 0 picks a free port).
const http = require('node:http');
const { verify } = require('./ppg-signature.js');

const args = { port: '8080', host: '127.0.0.1', scheme: 'url-params', encoding: 'hex' };
for (let k = 2; k < process.argv.length; k += 2) args[process.argv[k].replace(/^--/, '')] = process.argv[k + 1];
if (!args['project-id']) {
  console.error('usage: receiver.js --project-id ID [--port P] [--public-url URL] [--scheme S] [--encoding E]');
  process.exit(2);
}
const MAX_BODY = 1 << 20;

function reply(res, status, payload, close) {
  const body = JSON.stringify(payload);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body),
    ...(close ? { Connection: 'close' } : {}) });
  res.end(body);
}

const server = http.createServer((req, res) => {
  if (req.method !== 'POST') return reply(res, 405, { error: 'method-not-allowed' });
  const chunks = [];
  let size = 0;
  let refused = false;
  req.on('data', (chunk) => {
    size += chunk.length;
    if (size > MAX_BODY && !refused) {
      refused = true;
      reply(res, 413, { error: 'body-too-large' }, true);
      req.destroy();
    } else if (!refused) chunks.push(chunk);
  });
  req.on('end', () => {
    if (refused) return;
    const body = Buffer.concat(chunks);
    // The URL PushPushGo signed: the configured URL up to its query, then the query as received.
    const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
    const url = args['public-url'].split('?')[0] + query;
    const headers = [];
    for (let k = 0; k < req.rawHeaders.length; k += 2) headers.push([req.rawHeaders[k], req.rawHeaders[k + 1]]);
    try {
      verify(Buffer.from(args['project-id']), args.scheme, args.encoding, url, headers, body);
    } catch (error) {
      if (!error.kind) throw error;
      return reply(res, error.kind === 'unreadable-body' ? 400 : 401, { error: error.kind });
    }
    let delivery;
    try {
      delivery = JSON.parse(body.toString('utf8'));
    } catch (error) {
      return reply(res, 400, { error: 'malformed-body' });
    }
    if (typeof delivery !== 'object' || delivery === null || typeof delivery.projectId !== 'string') {
      return reply(res, 400, { error: 'not-a-delivery' });
    }
    if (delivery.projectId !== args['project-id']) return reply(res, 403, { error: 'project-mismatch' });
    // Handle the event here (delivery.kind, delivery.ppgId …), idempotently: replays are possible.
    return reply(res, 200, { ok: true });
  });
});
server.on('clientError', (error, socket) => {
  if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
});
server.listen(Number(args.port), args.host, () => {
  // Without --public-url, the URL verified is the address served: never one rebuilt from the request's Host.
  if (!args['public-url']) args['public-url'] = `http://${args.host}:${server.address().port}/ppg/webhook`;
  console.log(`listening on http://${args.host}:${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
