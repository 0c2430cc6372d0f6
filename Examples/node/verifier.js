#!/usr/bin/env node
'use strict';
// A verifier speaking ppg-conformance's pipe protocol: one JSON request per line in, one answer per line out.
//   ppg-conformance run --exec "node Examples/node/verifier.js"
const readline = require('node:readline');
const { verify } = require('./ppg-signature.js');

const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
lines.on('line', (line) => {
  const request = JSON.parse(line);
  let answer;
  try {
    verify(Buffer.from(request.keyBase64, 'base64'), request.scheme, request.encoding, request.url, request.headers,
      Buffer.from(request.bodyBase64, 'base64'));
    answer = { id: request.id, accept: true };
  } catch (error) {
    if (!error.kind) throw error;
    answer = { id: request.id, accept: false, reason: error.message };
  }
  process.stdout.write(JSON.stringify(answer) + '\n');
});
