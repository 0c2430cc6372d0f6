// Verification of PushPushGo X-PPG-Signature headers with Go's standard library only, as SPEC.md of
// ppg-webhook-conformance reads it: HMAC-SHA1 keyed with the projectId you configured (never the body's), over
// the URL followed by the sorted POST parameters (url-params) or the raw body (json-body), lowercase hex or
// padded base64.
package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// VerificationError says why a delivery was rejected; Kind is one of missing, several, empty, wrong-length,
// unreadable-body, mismatch.
type VerificationError struct{ Kind, Message string }

func (e *VerificationError) Error() string { return e.Kind + ": " + e.Message }

// Member is one top-level member of a JSON object: a string's decoded bytes, or any other value's exact text.
type Member struct {
	Name, Value []byte
	IsString    bool
}

// JSONMembers reads the top-level members of an RFC 8259 JSON object, in order, duplicates kept, null members
// left out. It refuses a byte order mark, invalid UTF-8, a lone surrogate escape and anything but an object.
func JSONMembers(body []byte) ([]Member, error) {
	if bytes.HasPrefix(body, []byte("\xef\xbb\xbf")) {
		return nil, errors.New("byte order mark")
	}
	if !utf8.Valid(body) {
		return nil, errors.New("not UTF-8")
	}
	s := &scanner{text: body}
	s.space()
	if !s.take('{') {
		return nil, errors.New("not a JSON object")
	}
	var members []Member
	s.space()
	if !s.take('}') {
		for {
			s.space()
			name, err := s.str()
			if err != nil {
				return nil, err
			}
			s.space()
			if !s.take(':') {
				return nil, errors.New("expected ':'")
			}
			s.space()
			start := s.at
			if s.peek() == '"' {
				value, err := s.str()
				if err != nil {
					return nil, err
				}
				members = append(members, Member{name, value, true})
			} else {
				if err := s.value(0); err != nil {
					return nil, err
				}
				if raw := s.text[start:s.at]; string(raw) != "null" {
					members = append(members, Member{name, raw, false})
				}
			}
			s.space()
			if s.take(',') {
				continue
			}
			if s.take('}') {
				break
			}
			return nil, errors.New("expected ',' or '}'")
		}
	}
	s.space()
	if s.at != len(s.text) {
		return nil, errors.New("data after the JSON object")
	}
	return members, nil
}

type scanner struct {
	text []byte
	at   int
}

func (s *scanner) peek() byte {
	if s.at < len(s.text) {
		return s.text[s.at]
	}
	return 0
}

func (s *scanner) take(c byte) bool {
	if s.peek() == c && s.at < len(s.text) {
		s.at++
		return true
	}
	return false
}

func (s *scanner) space() {
	for s.at < len(s.text) && strings.IndexByte(" \t\r\n", s.text[s.at]) >= 0 {
		s.at++
	}
}

func (s *scanner) hex4() (rune, bool) {
	if s.at+4 > len(s.text) {
		return 0, false
	}
	var r rune
	for _, c := range s.text[s.at : s.at+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	s.at += 4
	return r, true
}

// str reads a string and returns its decoded UTF-8 bytes.
func (s *scanner) str() ([]byte, error) {
	if !s.take('"') {
		return nil, errors.New("expected a string")
	}
	var out []byte
	for {
		if s.at >= len(s.text) {
			return nil, errors.New("unterminated string")
		}
		c := s.text[s.at]
		s.at++
		switch {
		case c == '"':
			return out, nil
		case c < 0x20:
			return nil, errors.New("control character in a string")
		case c != '\\':
			out = append(out, c)
		default:
			e := s.peek()
			s.at++
			switch e {
			case '"', '\\', '/':
				out = append(out, e)
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r, ok := s.hex4()
				if !ok {
					return nil, errors.New("bad \\u escape")
				}
				if r >= 0xDC00 && r <= 0xDFFF {
					return nil, errors.New("lone surrogate")
				}
				if r >= 0xD800 && r <= 0xDBFF {
					if !s.take('\\') || !s.take('u') {
						return nil, errors.New("lone surrogate")
					}
					low, ok := s.hex4()
					if !ok || low < 0xDC00 || low > 0xDFFF {
						return nil, errors.New("lone surrogate")
					}
					r = 0x10000 + (r-0xD800)<<10 + (low - 0xDC00)
				}
				out = utf8.AppendRune(out, r)
			default:
				return nil, errors.New("bad escape")
			}
		}
	}
}

func (s *scanner) digits() int {
	start := s.at
	for s.at < len(s.text) && s.text[s.at] >= '0' && s.text[s.at] <= '9' {
		s.at++
	}
	return s.at - start
}

// value checks one JSON value of any kind; nesting deeper than 512 is refused rather than exhausting the stack.
func (s *scanner) value(depth int) error {
	if depth > 512 {
		return errors.New("nested too deeply")
	}
	switch c := s.peek(); {
	case c == '"':
		_, err := s.str()
		return err
	case c == '{' || c == '[':
		s.at++
		closing := byte('}')
		if c == '[' {
			closing = ']'
		}
		s.space()
		if s.take(closing) {
			return nil
		}
		for {
			s.space()
			if c == '{' {
				if _, err := s.str(); err != nil {
					return err
				}
				s.space()
				if !s.take(':') {
					return errors.New("expected ':'")
				}
				s.space()
			}
			if err := s.value(depth + 1); err != nil {
				return err
			}
			s.space()
			if s.take(',') {
				continue
			}
			if s.take(closing) {
				return nil
			}
			return errors.New("expected ',' or a closing bracket")
		}
	case c == '-' || (c >= '0' && c <= '9'):
		s.take('-')
		if s.take('0') {
			// a leading zero stands alone
		} else if s.digits() == 0 {
			return errors.New("bad number")
		}
		if s.take('.') && s.digits() == 0 {
			return errors.New("bad number")
		}
		if s.take('e') || s.take('E') {
			if !s.take('+') {
				s.take('-')
			}
			if s.digits() == 0 {
				return errors.New("bad number")
			}
		}
		return nil
	default:
		for _, word := range []string{"true", "false", "null"} {
			if bytes.HasPrefix(s.text[s.at:], []byte(word)) {
				s.at += len(word)
				return nil
			}
		}
		return fmt.Errorf("unexpected character at %d", s.at)
	}
}

// formMembers reads an application/x-www-form-urlencoded body: '+' and %XX decoded, a malformed escape kept as
// written, empty pieces dropped, a piece without '=' a name with an empty value.
func formMembers(body []byte) []Member {
	var members []Member
	for _, piece := range bytes.Split(body, []byte("&")) {
		if len(piece) == 0 {
			continue
		}
		name, value := piece, []byte{}
		if i := bytes.IndexByte(piece, '='); i >= 0 {
			name, value = piece[:i], piece[i+1:]
		}
		members = append(members, Member{formDecode(name), formDecode(value), true})
	}
	return members
}

func formDecode(text []byte) []byte {
	out := make([]byte, 0, len(text))
	for i := 0; i < len(text); i++ {
		switch {
		case text[i] == '+':
			out = append(out, ' ')
		case text[i] == '%' && i+2 < len(text) && isHex(text[i+1]) && isHex(text[i+2]):
			decoded, _ := hex.DecodeString(string(text[i+1 : i+3]))
			out = append(out, decoded...)
			i += 2
		default:
			out = append(out, text[i])
		}
	}
	return out
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// SigningInput is the bytes the HMAC covers; an error where url-params cannot read the body.
func SigningInput(scheme, url, contentType string, body []byte) ([]byte, error) {
	if scheme == "json-body" {
		return body, nil
	}
	var members []Member
	mediaType := strings.ToLower(strings.TrimSpace(strings.SplitN(contentType, ";", 2)[0]))
	switch {
	case len(body) == 0:
	case mediaType == "application/x-www-form-urlencoded":
		members = formMembers(body)
	default:
		var err error
		if members, err = JSONMembers(body); err != nil {
			return nil, err
		}
	}
	// Byte order of the UTF-8 names, ties by the values' bytes.
	sort.SliceStable(members, func(i, j int) bool {
		if c := bytes.Compare(members[i].Name, members[j].Name); c != 0 {
			return c < 0
		}
		return bytes.Compare(members[i].Value, members[j].Value) < 0
	})
	input := []byte(url)
	for _, member := range members {
		input = append(append(input, member.Name...), member.Value...)
	}
	return input, nil
}

// Verify returns nil when exactly one valid X-PPG-Signature came with the delivery; signatures are the values of
// every X-PPG-Signature field, in order.
func Verify(projectID []byte, scheme, encoding, url string, signatures []string, contentType string,
	body []byte) error {
	switch {
	case len(signatures) == 0:
		return &VerificationError{"missing", "no X-PPG-Signature header"}
	case len(signatures) > 1:
		return &VerificationError{"several", fmt.Sprintf("%d X-PPG-Signature headers", len(signatures))}
	}
	presented := strings.Trim(signatures[0], " \t")
	if presented == "" {
		return &VerificationError{"empty", "the header is empty"}
	}
	input, err := SigningInput(scheme, url, contentType, body)
	if err != nil {
		return &VerificationError{"unreadable-body", err.Error()}
	}
	mac := hmac.New(sha1.New, projectID)
	mac.Write(input)
	var expected string
	if encoding == "hex" {
		expected, presented = hex.EncodeToString(mac.Sum(nil)), strings.ToLower(presented)
	} else {
		expected = base64.StdEncoding.EncodeToString(mac.Sum(nil))
	}
	if len(presented) != len(expected) {
		return &VerificationError{"wrong-length", fmt.Sprintf("%d characters, expected %d", len(presented),
			len(expected))}
	}
	if !hmac.Equal([]byte(presented), []byte(expected)) {
		return &VerificationError{"mismatch", "signature does not match"}
	}
	return nil
}
