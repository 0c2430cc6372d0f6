// A naive PushPushGo receiver on Express, written the way Express tutorials write one, with the bugs real receivers
// have, chosen by --bug (comma-separated), for `scripts/diagnose-naive.sh`. Never a model to copy: see
// Examples/express/app.js for the careful one.
//   NODE_PATH=/usr/share/nodejs node Tests/Fixtures/naive/express.js --project-id ID --port 0 --bug stringify
// Bugs, each the line a tutorial has:
//   stringify    express.json() parses the body, and JSON.stringify(req.body) is what gets signed
//   req-host     the URL as req.protocol + '://' + req.get('host') + req.originalUrl (the client's Host)
//   trust-proxy  the same under app.set('trust proxy', true): scheme and host from X-Forwarded-Proto/-Host
'use strict';
const express = require('express');
const { verify, VerificationError } = require('../../../Examples/node/ppg-signature.js');

const args = { port: '8080', host: '127.0.0.1', scheme: 'url-params', encoding: 'hex', bug: '' };
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const bugs = new Set(args.bug.split(',').filter((bug) => bug));
for (const bug of bugs) {
  if (!['stringify', 'req-host', 'trust-proxy'].includes(bug)) {
    console.error(`unknown --bug ${bug}`);
    process.exit(2);
  }
}

const app = express();
if (bugs.has('trust-proxy')) app.set('trust proxy', true);
const reader = bugs.has('stringify') ? express.json({ type: () => true }) : express.raw({ type: () => true });
app.post('/ppg/webhook', reader, (req, res) => {
  const body = bugs.has('stringify') ? Buffer.from(JSON.stringify(req.body)) : req.body;
  const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
  let url = args['public-url'].split('?')[0] + query;
  if (bugs.has('req-host') || bugs.has('trust-proxy')) url = req.protocol + '://' + req.get('host') + req.originalUrl;
  const headers = [];
  for (let k = 0; k < req.rawHeaders.length; k += 2) headers.push([req.rawHeaders[k], req.rawHeaders[k + 1]]);
  try {
    verify(Buffer.from(args['project-id']), args.scheme, args.encoding, url, headers, body);
  } catch (error) {
    if (!(error instanceof VerificationError)) throw error;
    return res.status(error.kind === 'unreadable-body' ? 400 : 401).json({ error: error.kind });
  }
  return res.json({ ok: true });
});
app.use((error, req, res, next) => res.status(error.status || 400).json({ error: error.type || 'bad-request' }));

const server = app.listen(Number(args.port), args.host, () => {
  if (!args['public-url']) args['public-url'] = `http://${args.host}:${server.address().port}/ppg/webhook`;
  console.log(`listening on http://${args.host}:${server.address().port}`);
});
