// A PushPushGo webhook receiver on Express, written the way the suite expects.
//   NODE_PATH=/usr/share/nodejs node Examples/express/app.js --project-id YOUR_ID [--port 8080] \
//     [--public-url https://you.example/ppg/webhook]
// Prints "listening on http://HOST:PORT" when ready (--port 0 picks a free port). The lines that matter are marked.
'use strict';
const express = require('express');
const { verify, VerificationError } = require('../node/ppg-signature.js');

const args = { port: '8080', host: '127.0.0.1', scheme: 'url-params', encoding: 'hex' };
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
if (!args['project-id']) {
  console.error('usage: app.js --project-id ID [--port P] [--host H] [--public-url URL] [--scheme S] [--encoding E]');
  process.exit(2);
}

const app = express();
// 1. The raw body, as received, whatever its label: never JSON.stringify(req.body).
app.post('/ppg/webhook', express.raw({ type: () => true, limit: '1mb' }), (req, res) => {
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  // 2. The URL as configured in PushPushGo plus the raw query: never req.protocol + req.get('host') +
  //    req.originalUrl, which the client controls (Host; X-Forwarded-* under 'trust proxy').
  const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
  const url = args['public-url'].split('?')[0] + query;
  // 3. Every X-PPG-Signature field from rawHeaders (req.headers joins duplicates); compared in constant time.
  const headers = [];
  for (let k = 0; k < req.rawHeaders.length; k += 2) headers.push([req.rawHeaders[k], req.rawHeaders[k + 1]]);
  try {
    verify(Buffer.from(args['project-id']), args.scheme, args.encoding, url, headers, body);
  } catch (error) {
    if (!(error instanceof VerificationError)) throw error;
    return res.status(error.kind === 'unreadable-body' ? 400 : 401).json({ error: error.kind });
  }
  let delivery;
  try {
    delivery = JSON.parse(body.toString('utf8'));
  } catch (error) {
    return res.status(400).json({ error: 'malformed-body' });
  }
  if (typeof delivery !== 'object' || delivery === null || typeof delivery.projectId !== 'string') {
    return res.status(400).json({ error: 'not-a-delivery' });
  }
  if (delivery.projectId !== args['project-id']) return res.status(403).json({ error: 'project-mismatch' });
  // Handle the event here (delivery.kind, delivery.ppgId …), idempotently: replays are possible.
  return res.json({ ok: true });
});
// Errors from the body reader (413 past 1 MiB, 400 for a broken chunked body) keep their 4xx status.
app.use((error, req, res, next) => res.status(error.status || error.statusCode || 400).json({ error: error.type || 'bad-request' }));

const server = app.listen(Number(args.port), args.host, () => {
  // Without --public-url, the URL verified is the address served, never one taken from the request.
  if (!args['public-url']) args['public-url'] = `http://${args.host}:${server.address().port}/ppg/webhook`;
  console.log(`listening on http://${args.host}:${server.address().port}`);
});
