'use strict';
// Verify PushPushGo X-PPG-Signature headers with Node's built-in crypto only. The reading is SPEC.md's of
// ppg-webhook-conformance: HMAC-SHA1 keyed with the projectId you configured (never the body's), over the URL
// followed by the sorted POST parameters (url-params) or the raw body (json-body), as lowercase hex or base64.
const crypto = require('node:crypto');

class VerificationError extends Error {
  constructor(kind, message) {
    super(`${kind}: ${message}`);
    this.kind = kind;
  }
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

// A strict RFC 8259 scanner over the body's bytes that keeps each top-level member's raw text, since JSON.parse
// loses number text (1.50) and nested values' bytes.
function jsonMembers(body) {
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) throw new Error('byte order mark');
  const text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  let i = 0;
  const ws = () => { while (i < text.length && WS.has(text.charCodeAt(i))) i++; };
  const fail = (what) => { throw new Error(`${what} at ${i}`); };
  function string() {
    if (text[i] !== '"') fail('expected a string');
    i++;
    let out = '';
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      const c = text[i];
      if (c === '"') { i++; return out; }
      if (c < ' ') fail('control character in a string');
      if (c !== '\\') { out += c; i++; continue; }
      const e = text[i + 1];
      i += 2;
      const simple = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' }[e];
      if (simple !== undefined) { out += simple; continue; }
      if (e !== 'u' || !/^[0-9a-fA-F]{4}$/.test(text.slice(i, i + 4))) fail('invalid escape');
      const unit = parseInt(text.slice(i, i + 4), 16);
      i += 4;
      if (unit >= 0xd800 && unit < 0xdc00) {
        const low = text.slice(i, i + 6);
        if (!/^\\u[dD][c-fC-F][0-9a-fA-F]{2}$/.test(low)) fail('lone surrogate');
        out += String.fromCharCode(unit, parseInt(low.slice(2), 16));
        i += 6;
      } else if (unit >= 0xdc00 && unit < 0xe000) {
        fail('lone surrogate');
      } else {
        out += String.fromCharCode(unit);
      }
    }
  }
  function value(depth) {
    if (depth > 256) fail('nested too deeply');
    ws();
    const c = text[i];
    if (c === '"') return string();
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++; ws();
      if (text[i] === close) { i++; return null; }
      for (;;) {
        if (c === '{') { ws(); string(); ws(); if (text[i] !== ':') fail("expected ':'"); i++; }
        value(depth + 1); ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === close) { i++; return null; }
        fail(`expected ',' or '${close}'`);
      }
    }
    const literal = /^(true|false|null|-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?)/.exec(text.slice(i, i + 400));
    if (!literal) fail('expected a value');
    i += literal[0].length;
    return null;
  }
  ws();
  if (text[i] !== '{') fail('not a JSON object');
  i++; ws();
  const members = [];
  if (text[i] === '}') { i++; } else {
    for (;;) {
      ws();
      const name = string();
      ws();
      if (text[i] !== ':') fail("expected ':'");
      i++; ws();
      const start = i;
      const decoded = value(0);
      const raw = text.slice(start, i);
      if (raw[0] === '"') members.push([Buffer.from(name), Buffer.from(decoded)]);
      else if (raw !== 'null') members.push([Buffer.from(name), Buffer.from(raw)]);
      ws();
      if (text[i] === ',') { i++; continue; }
      if (text[i] === '}') { i++; break; }
      fail("expected ',' or '}'");
    }
  }
  ws();
  if (i !== text.length) fail('data after the JSON object');
  return members;
}

function formMembers(body) {
  const decode = (s) => {
    const bytes = [];
    const raw = Buffer.from(s, 'latin1');
    for (let k = 0; k < raw.length; k++) {
      const b = raw[k];
      const hex = raw.slice(k + 1, k + 3).toString('latin1');
      if (b === 0x2b) bytes.push(0x20);
      else if (b === 0x25 && /^[0-9a-fA-F]{2}$/.test(hex)) { bytes.push(parseInt(hex, 16)); k += 2; }
      else bytes.push(b);
    }
    return Buffer.from(bytes);
  };
  return body.toString('latin1').split('&').filter((p) => p !== '').map((piece) => {
    const eq = piece.indexOf('=');
    return eq < 0 ? [decode(piece), Buffer.alloc(0)] : [decode(piece.slice(0, eq)), decode(piece.slice(eq + 1))];
  });
}

function signingInput(scheme, url, body, contentType) {
  if (scheme === 'json-body') return body;
  let members = [];
  if (body.length === 0) members = [];
  else if (contentType && contentType.split(';')[0].trim().toLowerCase() === 'application/x-www-form-urlencoded') {
    members = formMembers(body);
  } else members = jsonMembers(body);
  members.sort((a, b) => Buffer.compare(a[0], b[0]) || Buffer.compare(a[1], b[1]));
  return Buffer.concat([Buffer.from(url), ...members.flatMap(([n, v]) => [n, v])]);
}

// headers: [[name, value], …] in order; projectId: a Buffer of the configured projectId.
function verify(projectId, scheme, encoding, url, headers, body) {
  const values = headers.filter(([name]) => name.toLowerCase() === 'x-ppg-signature').map(([, v]) => v);
  if (values.length === 0) throw new VerificationError('missing', 'no X-PPG-Signature header');
  if (values.length > 1) throw new VerificationError('several', `${values.length} X-PPG-Signature headers`);
  let presented = values[0].replace(/^[ \t]+|[ \t]+$/g, '');
  if (presented === '') throw new VerificationError('empty', 'the header is empty');
  const contentType = [...headers].reverse().find(([name]) => name.toLowerCase() === 'content-type');
  let data;
  try {
    data = signingInput(scheme, url, body, contentType && contentType[1]);
  } catch (error) {
    throw new VerificationError('unreadable-body', error.message);
  }
  const digest = crypto.createHmac('sha1', projectId).update(data).digest();
  const expected = encoding === 'hex' ? digest.toString('hex') : digest.toString('base64');
  if (encoding === 'hex') presented = presented.toLowerCase();
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  if (a.length !== b.length) throw new VerificationError('wrong-length', `${a.length} characters, expected ${b.length}`);
  if (!crypto.timingSafeEqual(a, b)) throw new VerificationError('mismatch', 'signature does not match');
}

module.exports = { verify, signingInput, VerificationError };
