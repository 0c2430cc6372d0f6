<?php
// Verification of PushPushGo X-PPG-Signature headers in plain PHP (no extension beyond the defaults), as SPEC.md
// of ppg-webhook-conformance reads it: HMAC-SHA1 keyed with the projectId you configured (never the body's), over
// the URL followed by the sorted POST parameters (url-params) or the raw body (json-body), lowercase hex or padded
// base64.

declare(strict_types=1);

/** Why a delivery was rejected; $kind is one of missing, several, empty, wrong-length, unreadable-body, mismatch. */
final class PPGVerificationError extends Exception
{
    public function __construct(public readonly string $kind, string $message)
    {
        parent::__construct("$kind: $message");
    }
}

/** A strict RFC 8259 reader of a JSON object's top-level members: [name, value, isString] in order, duplicates
 *  kept, null members left out; strings decoded, any other value its exact text. Throws on anything else. */
final class PPGJSONMembers
{
    private int $at = 0;

    private function __construct(private readonly string $text)
    {
    }

    public static function read(string $body): array
    {
        if (str_starts_with($body, "\xEF\xBB\xBF")) {
            throw new UnexpectedValueException('byte order mark');
        }
        if (preg_match('//u', $body) !== 1) {
            throw new UnexpectedValueException('not UTF-8');
        }
        $s = new self($body);
        $s->space();
        if (!$s->take('{')) {
            throw new UnexpectedValueException('not a JSON object');
        }
        $members = [];
        $s->space();
        if (!$s->take('}')) {
            while (true) {
                $s->space();
                $name = $s->string();
                $s->space();
                if (!$s->take(':')) {
                    throw new UnexpectedValueException("expected ':'");
                }
                $s->space();
                $start = $s->at;
                if ($s->peek() === '"') {
                    $members[] = [$name, $s->string(), true];
                } else {
                    $s->value(0);
                    $raw = substr($body, $start, $s->at - $start);
                    if ($raw !== 'null') {
                        $members[] = [$name, $raw, false];
                    }
                }
                $s->space();
                if ($s->take(',')) {
                    continue;
                }
                if ($s->take('}')) {
                    break;
                }
                throw new UnexpectedValueException("expected ',' or '}'");
            }
        }
        $s->space();
        if ($s->at !== strlen($body)) {
            throw new UnexpectedValueException('data after the JSON object');
        }
        return $members;
    }

    private function peek(): string
    {
        return $this->text[$this->at] ?? '';
    }

    private function take(string $c): bool
    {
        if ($this->peek() === $c) {
            $this->at++;
            return true;
        }
        return false;
    }

    private function space(): void
    {
        $this->at += strspn($this->text, " \t\r\n", $this->at);
    }

    private function digits(): int
    {
        $n = strspn($this->text, '0123456789', $this->at);
        $this->at += $n;
        return $n;
    }

    private function hex4(): int
    {
        $hex = substr($this->text, $this->at, 4);
        if (strlen($hex) !== 4 || !ctype_xdigit($hex)) {
            throw new UnexpectedValueException('bad \\u escape');
        }
        $this->at += 4;
        return hexdec($hex);
    }

    private static function utf8(int $c): string
    {
        if ($c < 0x80) {
            return chr($c);
        }
        if ($c < 0x800) {
            return chr(0xC0 | $c >> 6) . chr(0x80 | $c & 0x3F);
        }
        if ($c < 0x10000) {
            return chr(0xE0 | $c >> 12) . chr(0x80 | $c >> 6 & 0x3F) . chr(0x80 | $c & 0x3F);
        }
        return chr(0xF0 | $c >> 18) . chr(0x80 | $c >> 12 & 0x3F) . chr(0x80 | $c >> 6 & 0x3F) . chr(0x80 | $c & 0x3F);
    }

    private function string(): string
    {
        if (!$this->take('"')) {
            throw new UnexpectedValueException('expected a string');
        }
        $out = '';
        while (true) {
            $plain = strcspn($this->text, "\"\\\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0A\x0B\x0C\x0D\x0E\x0F"
                . "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1A\x1B\x1C\x1D\x1E\x1F", $this->at);
            $out .= substr($this->text, $this->at, $plain);
            $this->at += $plain;
            $c = $this->peek();
            $this->at++;
            if ($c === '"') {
                return $out;
            }
            if ($c !== '\\') {
                throw new UnexpectedValueException('unterminated string or control character');
            }
            $e = $this->peek();
            $this->at++;
            $simple = ['"' => '"', '\\' => '\\', '/' => '/', 'b' => "\x08", 'f' => "\x0C", 'n' => "\n", 'r' => "\r",
                't' => "\t"];
            if (isset($simple[$e])) {
                $out .= $simple[$e];
                continue;
            }
            if ($e !== 'u') {
                throw new UnexpectedValueException('bad escape');
            }
            $code = $this->hex4();
            if ($code >= 0xDC00 && $code <= 0xDFFF) {
                throw new UnexpectedValueException('lone surrogate');
            }
            if ($code >= 0xD800 && $code <= 0xDBFF) {
                if (!$this->take('\\') || !$this->take('u')) {
                    throw new UnexpectedValueException('lone surrogate');
                }
                $low = $this->hex4();
                if ($low < 0xDC00 || $low > 0xDFFF) {
                    throw new UnexpectedValueException('lone surrogate');
                }
                $code = 0x10000 + (($code - 0xD800) << 10) + ($low - 0xDC00);
            }
            $out .= self::utf8($code);
        }
    }

    /** Checks one value of any kind; nesting deeper than 512 is refused rather than exhausting the stack. */
    private function value(int $depth): void
    {
        if ($depth > 512) {
            throw new UnexpectedValueException('nested too deeply');
        }
        $c = $this->peek();
        if ($c === '"') {
            $this->string();
        } elseif ($c === '{' || $c === '[') {
            $this->at++;
            $closing = $c === '{' ? '}' : ']';
            $this->space();
            if ($this->take($closing)) {
                return;
            }
            while (true) {
                $this->space();
                if ($c === '{') {
                    $this->string();
                    $this->space();
                    if (!$this->take(':')) {
                        throw new UnexpectedValueException("expected ':'");
                    }
                    $this->space();
                }
                $this->value($depth + 1);
                $this->space();
                if ($this->take(',')) {
                    continue;
                }
                if ($this->take($closing)) {
                    return;
                }
                throw new UnexpectedValueException("expected ',' or a closing bracket");
            }
        } elseif ($c === '-' || ctype_digit($c)) {
            $this->take('-');
            if (!$this->take('0') && $this->digits() === 0) {
                throw new UnexpectedValueException('bad number');
            }
            if ($this->take('.') && $this->digits() === 0) {
                throw new UnexpectedValueException('bad number');
            }
            if ($this->take('e') || $this->take('E')) {
                $this->take('+') || $this->take('-');
                if ($this->digits() === 0) {
                    throw new UnexpectedValueException('bad number');
                }
            }
        } else {
            foreach (['true', 'false', 'null'] as $word) {
                if (substr($this->text, $this->at, strlen($word)) === $word) {
                    $this->at += strlen($word);
                    return;
                }
            }
            throw new UnexpectedValueException("unexpected character at {$this->at}");
        }
    }
}

/** An application/x-www-form-urlencoded body: '+' and %XX decoded, a malformed escape kept as written, empty pieces
 *  dropped, a piece without '=' a name with an empty value. */
function ppg_form_members(string $body): array
{
    $decode = static fn (string $text): string => preg_replace_callback(
        '/%([0-9A-Fa-f]{2})/',
        static fn (array $m): string => chr(hexdec($m[1])),
        str_replace('+', ' ', $text)
    );
    $members = [];
    foreach (explode('&', $body) as $piece) {
        if ($piece === '') {
            continue;
        }
        $parts = explode('=', $piece, 2);
        $members[] = [$decode($parts[0]), $decode($parts[1] ?? ''), true];
    }
    return $members;
}

/** The bytes the HMAC covers; throws UnexpectedValueException where url-params cannot read the body. */
function ppg_signing_input(string $scheme, string $url, ?string $contentType, string $body): string
{
    if ($scheme === 'json-body') {
        return $body;
    }
    $mediaType = strtolower(trim(explode(';', $contentType ?? '')[0]));
    if ($body === '') {
        $members = [];
    } elseif ($mediaType === 'application/x-www-form-urlencoded') {
        $members = ppg_form_members($body);
    } else {
        $members = PPGJSONMembers::read($body);
    }
    // Byte order of the UTF-8 names, ties by the values' bytes (strcmp compares bytes).
    usort($members, static fn (array $a, array $b): int => strcmp($a[0], $b[0]) ?: strcmp($a[1], $b[1]));
    return $url . implode('', array_map(static fn (array $m): string => $m[0] . $m[1], $members));
}

/** Throws PPGVerificationError unless exactly one valid X-PPG-Signature came with the delivery.
 *  $signatures: the value of every X-PPG-Signature field, in order. */
function ppg_verify(
    string $projectId, string $scheme, string $encoding, string $url, array $signatures, ?string $contentType,
    string $body
): void {
    if (count($signatures) === 0) {
        throw new PPGVerificationError('missing', 'no X-PPG-Signature header');
    }
    if (count($signatures) > 1) {
        throw new PPGVerificationError('several', count($signatures) . ' X-PPG-Signature headers');
    }
    $presented = trim($signatures[0], " \t");
    if ($presented === '') {
        throw new PPGVerificationError('empty', 'the header is empty');
    }
    try {
        $input = ppg_signing_input($scheme, $url, $contentType, $body);
    } catch (UnexpectedValueException $error) {
        throw new PPGVerificationError('unreadable-body', $error->getMessage());
    }
    $digest = hash_hmac('sha1', $input, $projectId, true);
    if ($encoding === 'hex') {
        $expected = bin2hex($digest);
        $presented = strtolower($presented);
    } else {
        $expected = base64_encode($digest);
    }
    if (strlen($presented) !== strlen($expected)) {
        throw new PPGVerificationError('wrong-length', strlen($presented) . ' characters, expected ' . strlen($expected));
    }
    if (!hash_equals($expected, $presented)) {
        throw new PPGVerificationError('mismatch', 'signature does not match');
    }
}
