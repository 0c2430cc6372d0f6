<?php
// A PushPushGo webhook receiver as a router script for PHP's built-in server (or any SAPI: PHP-FPM behind nginx
// runs the same code). Configuration comes from the environment: PPG_PROJECT_ID, PPG_PUBLIC_URL, PPG_SCHEME,
// PPG_ENCODING; serve.php sets them from its options. The lines that matter are marked 1 to 4.

declare(strict_types=1);

require __DIR__ . '/ppg_signature.php';

function answer(int $status, array $members): void
{
    http_response_code($status);
    header('Content-Type: application/json');
    echo json_encode($members), "\n";
}

$projectId = (string) getenv('PPG_PROJECT_ID');
$target = $_SERVER['REQUEST_URI'] ?? '/';
$queryStart = strpos($target, '?');
$path = $queryStart === false ? $target : substr($target, 0, $queryStart);
if ($path !== '/ppg/webhook') {
    answer(404, ['error' => 'not-found']);
    return true;
}
if (($_SERVER['REQUEST_METHOD'] ?? '') !== 'POST') {
    header('Allow: POST');
    answer(405, ['error' => 'method-not-allowed']);
    return true;
}
// 1. The raw body, as received (php://input), at most 1 MiB.
$body = (string) file_get_contents('php://input');
if (strlen($body) > 1 << 20) {
    answer(413, ['error' => 'body-too-large']);
    return true;
}
// 2. The URL as configured in PushPushGo plus the query exactly as it arrived (REQUEST_URI is the raw
//    request-target): never one built from HTTP_HOST or X-Forwarded-*, which the client sends.
$url = explode('?', (string) getenv('PPG_PUBLIC_URL'), 2)[0] . ($queryStart === false ? '' : substr($target, $queryStart));
// 3. Every X-PPG-Signature field, so that two of them are refused: PHP joins repeated fields with ", ", and no
//    signature contains a comma.
$signatures = [];
foreach (getallheaders() as $name => $value) {
    if (strcasecmp($name, 'X-PPG-Signature') === 0) {
        array_push($signatures, ...explode(',', $value));
    }
}
try {
    ppg_verify($projectId, (string) getenv('PPG_SCHEME'), (string) getenv('PPG_ENCODING'), $url, $signatures,
        $_SERVER['CONTENT_TYPE'] ?? null, $body);
} catch (PPGVerificationError $error) {
    answer($error->kind === 'unreadable-body' ? 400 : 401, ['error' => $error->kind]);
    return true;
}
// 4. The body is a delivery for this project: the configured projectId, never only a valid signature.
try {
    $members = PPGJSONMembers::read($body);
} catch (UnexpectedValueException) {
    answer(400, ['error' => 'malformed-body']);
    return true;
}
$delivered = null;
foreach ($members as [$name, $value, $isString]) {
    if ($name === 'projectId' && $isString) {
        $delivered = $value;
        break;
    }
}
if ($delivered === null) {
    answer(400, ['error' => 'not-a-delivery']);
} elseif ($delivered !== $projectId) {
    answer(403, ['error' => 'project-mismatch']);
} else {
    // Handle the event here (its "kind", "ppgId" …), idempotently: replays are possible.
    answer(200, ['ok' => true]);
}
return true;
