#!/usr/bin/env node
'use strict';
// A naive PushPushGo receiver on Node's http module, written the way Express tutorials write one: the body parsed
// and re-serialised, the URL rebuilt from the request. Never a model to copy; for the fuzz and diagnosis tests.
//   node Tests/Fixtures/naive/receiver.js --project-id ID --port 0 --bug stringify,url-host
// Bugs: stringify (JSON.stringify(JSON.parse(body)) is signed), url-host (`http://${req.headers.host}${req.url}`),
// utf16-sort (Object.keys(params).sort(): names by UTF-16 code units).
const http = require('node:http');
const crypto = require('node:crypto');

const args = { port: '8080', host: '127.0.0.1', scheme: 'url-params', encoding: 'hex', bug: '' };
for (let k = 2; k < process.argv.length; k += 2) args[process.argv[k].replace(/^--/, '')] = process.argv[k + 1];
const bugs = new Set(args.bug.split(',').filter(Boolean));

function reply(res, status, payload) {
  const body = JSON.stringify(payload);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

// The url-params reading as a tutorial writes it: each top-level member, names sorted, strings as decoded.
function signingInput(url, text) {
  if (args.scheme === 'json-body') return Buffer.from(text, 'utf8');
  const params = JSON.parse(text);
  const names = Object.keys(params);
  if (bugs.has('utf16-sort')) names.sort();
  else names.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  let input = url;
  for (const name of names) {
    const value = params[name];
    if (value === null) continue;
    input += name + (typeof value === 'string' ? value : JSON.stringify(value));
  }
  return Buffer.from(input, 'utf8');
}

const server = http.createServer((req, res) => {
  if (req.method !== 'POST') return reply(res, 405, { error: 'method-not-allowed' });
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const raw = Buffer.concat(chunks).toString('utf8');
    let text = raw;
    let delivery;
    try {
      delivery = JSON.parse(raw);
      if (bugs.has('stringify')) text = JSON.stringify(delivery);
    } catch (error) {
      return reply(res, 400, { error: 'malformed-body' });
    }
    const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
    let url = args['public-url'].split('?')[0] + query;
    if (bugs.has('url-host')) url = `http://${req.headers.host}${req.url}`;
    let input;
    try {
      input = signingInput(url, text);
    } catch (error) {
      return reply(res, 400, { error: 'unreadable-body' });
    }
    const expected = crypto.createHmac('sha1', args['project-id']).update(input)
      .digest(args.encoding === 'hex' ? 'hex' : 'base64');
    const presented = req.headers['x-ppg-signature'];
    if (typeof presented !== 'string' || presented.length !== expected.length ||
      !crypto.timingSafeEqual(Buffer.from(presented), Buffer.from(expected))) {
      return reply(res, 401, { error: 'mismatch' });
    }
    if (typeof delivery !== 'object' || delivery === null || delivery.projectId !== args['project-id']) {
      return reply(res, 400, { error: 'not-a-delivery' });
    }
    return reply(res, 200, { ok: true });
  });
});
server.listen(Number(args.port), args.host, () => {
  if (!args['public-url']) args['public-url'] = `http://${args.host}:${server.address().port}/ppg/webhook`;
  console.log(`listening on http://${args.host}:${server.address().port}`);
});
