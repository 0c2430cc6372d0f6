# frozen_string_literal: true

# Verification of PushPushGo X-PPG-Signature headers with Ruby's standard library (openssl), as SPEC.md of
# ppg-webhook-conformance reads it: HMAC-SHA1 keyed with the projectId you configured (never the body's), over the
# URL followed by the sorted POST parameters (url-params) or the raw body (json-body), lowercase hex or padded
# base64. Every string here is bytes (ASCII-8BIT): names sort by their UTF-8 bytes.
require 'base64'
require 'openssl'

module PPGSignature
  # Why a delivery was rejected; kind is one of missing, several, empty, wrong-length, unreadable-body, mismatch.
  class VerificationError < StandardError
    attr_reader :kind

    def initialize(kind, message)
      super("#{kind}: #{message}")
      @kind = kind
    end
  end

  # A strict RFC 8259 reader of a JSON object's top-level members: [name, value, string?] in order, duplicates
  # kept, null members left out; strings decoded, any other value its exact text. Raises ArgumentError otherwise.
  class JSONMembers
    SIMPLE = { '"' => '"', '\\' => '\\', '/' => '/', 'b' => "\b", 'f' => "\f", 'n' => "\n", 'r' => "\r",
               't' => "\t" }.freeze

    def self.read(body)
      text = body.b
      raise ArgumentError, 'byte order mark' if text.start_with?("\xEF\xBB\xBF".b)
      raise ArgumentError, 'not UTF-8' unless text.dup.force_encoding(Encoding::UTF_8).valid_encoding?

      new(text).object_members
    end

    def initialize(text)
      @text = text
      @at = 0
    end

    def object_members
      space
      raise ArgumentError, 'not a JSON object' unless take('{')

      members = []
      space
      unless take('}')
        loop do
          space
          name = string
          space
          raise ArgumentError, "expected ':'" unless take(':')

          space
          start = @at
          if peek == '"'
            members << [name, string, true]
          else
            value(0)
            raw = @text.byteslice(start, @at - start)
            members << [name, raw, false] unless raw == 'null'
          end
          space
          next if take(',')
          break if take('}')

          raise ArgumentError, "expected ',' or '}'"
        end
      end
      space
      raise ArgumentError, 'data after the JSON object' unless @at == @text.bytesize

      members
    end

    private

    def peek
      @text.byteslice(@at, 1)
    end

    def take(char)
      return false unless peek == char

      @at += 1
      true
    end

    def space
      @at += 1 while [' ', "\t", "\r", "\n"].include?(peek)
    end

    def digits
      start = @at
      @at += 1 while peek.match?(/\A[0-9]\z/)
      @at - start
    end

    def hex4
      hex = @text.byteslice(@at, 4)
      raise ArgumentError, 'bad \\u escape' unless hex&.match?(/\A\h{4}\z/)

      @at += 4
      hex.to_i(16)
    end

    def string
      raise ArgumentError, 'expected a string' unless take('"')

      out = String.new(encoding: Encoding::BINARY)
      loop do
        char = peek
        raise ArgumentError, 'unterminated string' if char.empty?

        @at += 1
        return out if char == '"'
        raise ArgumentError, 'control character in a string' if char.ord < 0x20

        unless char == '\\'
          out << char
          next
        end
        escape = peek
        @at += 1
        if SIMPLE.key?(escape)
          out << SIMPLE[escape]
          next
        end
        raise ArgumentError, 'bad escape' unless escape == 'u'

        code = hex4
        raise ArgumentError, 'lone surrogate' if code.between?(0xDC00, 0xDFFF)

        if code.between?(0xD800, 0xDBFF)
          raise ArgumentError, 'lone surrogate' unless take('\\') && take('u')

          low = hex4
          raise ArgumentError, 'lone surrogate' unless low.between?(0xDC00, 0xDFFF)

          code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
        end
        out << [code].pack('U').b
      end
    end

    # Checks one value of any kind; nesting deeper than 512 is refused rather than exhausting the stack.
    def value(depth)
      raise ArgumentError, 'nested too deeply' if depth > 512

      char = peek
      if char == '"'
        string
      elsif ['{', '['].include?(char)
        @at += 1
        closing = char == '{' ? '}' : ']'
        space
        return if take(closing)

        loop do
          space
          if char == '{'
            string
            space
            raise ArgumentError, "expected ':'" unless take(':')

            space
          end
          value(depth + 1)
          space
          next if take(',')
          return if take(closing)

          raise ArgumentError, "expected ',' or a closing bracket"
        end
      elsif char == '-' || char.match?(/\A[0-9]\z/)
        take('-')
        raise ArgumentError, 'bad number' if !take('0') && digits.zero?
        raise ArgumentError, 'bad number' if take('.') && digits.zero?

        if take('e') || take('E')
          take('+') || take('-')
          raise ArgumentError, 'bad number' if digits.zero?
        end
      else
        word = %w[true false null].find { |w| @text.byteslice(@at, w.bytesize) == w }
        raise ArgumentError, "unexpected character at #{@at}" unless word

        @at += word.bytesize
      end
    end
  end

  module_function

  # An application/x-www-form-urlencoded body: '+' and %XX decoded, a malformed escape kept as written, empty
  # pieces dropped, a piece without '=' a name with an empty value.
  def form_members(body)
    decode = ->(text) { text.tr('+', ' ').gsub(/%(\h\h)/) { Regexp.last_match(1).to_i(16).chr }.b }
    body.b.split('&').reject(&:empty?).map do |piece|
      name, value = piece.split('=', 2)
      [decode.call(name), decode.call(value || ''), true]
    end
  end

  # The bytes the HMAC covers; raises ArgumentError where url-params cannot read the body.
  def signing_input(scheme, url, content_type, body)
    return body.b if scheme == 'json-body'

    media_type = content_type.to_s.split(';').first.to_s.strip.downcase
    members =
      if body.empty? then []
      elsif media_type == 'application/x-www-form-urlencoded' then form_members(body)
      else JSONMembers.read(body)
      end
    # Byte order of the UTF-8 names, ties by the values' bytes (binary strings compare bytes).
    members.sort_by! { |name, value| [name, value] }
    url.b + members.map { |name, value| name + value }.join.b
  end

  # Raises VerificationError unless exactly one valid X-PPG-Signature came with the delivery; signatures are the
  # values of every X-PPG-Signature field, in order.
  def verify(project_id, scheme, encoding, url, signatures, content_type, body)
    raise VerificationError.new('missing', 'no X-PPG-Signature header') if signatures.empty?
    raise VerificationError.new('several', "#{signatures.size} X-PPG-Signature headers") if signatures.size > 1

    presented = signatures.first.b.gsub(/\A[ \t]+|[ \t]+\z/, '')
    raise VerificationError.new('empty', 'the header is empty') if presented.empty?

    begin
      input = signing_input(scheme, url, content_type, body)
    rescue ArgumentError => e
      raise VerificationError.new('unreadable-body', e.message)
    end
    digest = OpenSSL::HMAC.digest('SHA1', project_id.b, input)
    if encoding == 'hex'
      expected = digest.unpack1('H*')
      presented = presented.downcase
    else
      expected = Base64.strict_encode64(digest)
    end
    if presented.bytesize != expected.bytesize
      raise VerificationError.new('wrong-length', "#{presented.bytesize} characters, expected #{expected.bytesize}")
    end
    raise VerificationError.new('mismatch', 'signature does not match') unless
      OpenSSL.fixed_length_secure_compare(presented, expected.b)
  end
end
