<?php
// A naive PushPushGo receiver as a router for PHP's built-in server, with the bugs real PHP receivers have, chosen by
// PPG_BUGS (comma-separated), for `scripts/diagnose-naive.sh`. Never a model to copy: see Examples/php/receiver.php.
//
//   PPG_PROJECT_ID=ID PPG_PUBLIC_URL=http://127.0.0.1:PORT/ppg/webhook PPG_SCHEME=url-params PPG_ENCODING=hex \
//   PPG_BUGS=json-encode php -S 127.0.0.1:PORT Tests/Fixtures/naive/receiver.php
//
// Bugs, each the line PHP code has:
//   json-encode            json_encode(json_decode($body, true)) is signed: '/' as '\/', non-ASCII as \u escapes
//   json-encode-unescaped  the same with JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE
//   http-host              the URL as 'http://' . $_SERVER['HTTP_HOST'] . $_SERVER['REQUEST_URI']
//   unpadded               rtrim(base64_encode(hash_hmac(…, true)), '=') compared (base64url habits)

declare(strict_types=1);

require __DIR__ . '/../../../Examples/php/ppg_signature.php';

function answer(int $status, array $members): void
{
    http_response_code($status);
    header('Content-Type: application/json');
    echo json_encode($members), "\n";
}

$bugs = array_filter(explode(',', (string) getenv('PPG_BUGS')));
$projectId = (string) getenv('PPG_PROJECT_ID');
$scheme = (string) getenv('PPG_SCHEME');
$encoding = (string) getenv('PPG_ENCODING');
$target = $_SERVER['REQUEST_URI'] ?? '/';
$queryStart = strpos($target, '?');
$path = $queryStart === false ? $target : substr($target, 0, $queryStart);
if ($path !== '/ppg/webhook') {
    answer(404, ['error' => 'not-found']);
    return true;
}
if (($_SERVER['REQUEST_METHOD'] ?? '') !== 'POST') {
    answer(405, ['error' => 'method-not-allowed']);
    return true;
}
$body = (string) file_get_contents('php://input');
$url = explode('?', (string) getenv('PPG_PUBLIC_URL'), 2)[0] . ($queryStart === false ? '' : substr($target, $queryStart));
if (in_array('http-host', $bugs, true)) {
    $url = 'http://' . ($_SERVER['HTTP_HOST'] ?? '') . $_SERVER['REQUEST_URI'];
}
$signed = $body;
if (in_array('json-encode', $bugs, true) || in_array('json-encode-unescaped', $bugs, true)) {
    $data = json_decode($body, true);
    if ($data === null && json_last_error() !== JSON_ERROR_NONE) {
        answer(400, ['error' => 'malformed-body']);
        return true;
    }
    $flags = in_array('json-encode-unescaped', $bugs, true) ? JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE : 0;
    $signed = (string) json_encode($data, $flags);
}
$signatures = [];
foreach (getallheaders() as $name => $value) {
    if (strcasecmp($name, 'X-PPG-Signature') === 0) {
        array_push($signatures, ...explode(',', $value));
    }
}
if (in_array('unpadded', $bugs, true) && $encoding === 'base64') {
    try {
        $input = ppg_signing_input($scheme, $url, $_SERVER['CONTENT_TYPE'] ?? null, $signed);
    } catch (UnexpectedValueException) {
        answer(400, ['error' => 'unreadable-body']);
        return true;
    }
    $expected = rtrim(base64_encode(hash_hmac('sha1', $input, $projectId, true)), '=');
    if (count($signatures) !== 1 || !hash_equals($expected, trim($signatures[0]))) {
        answer(401, ['error' => 'mismatch']);
        return true;
    }
} else {
    try {
        ppg_verify($projectId, $scheme, $encoding, $url, $signatures, $_SERVER['CONTENT_TYPE'] ?? null, $signed);
    } catch (PPGVerificationError $error) {
        answer($error->kind === 'unreadable-body' ? 400 : 401, ['error' => $error->kind]);
        return true;
    }
}
answer(200, ['ok' => true]);
return true;
