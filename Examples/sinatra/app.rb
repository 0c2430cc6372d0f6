# frozen_string_literal: true

# A PushPushGo webhook receiver on Sinatra, served by Puma.
#
#   ruby Examples/sinatra/app.rb --project-id YOUR_ID [--port 8080] [--public-url https://you.example/ppg/webhook]
#
# Prints "listening on http://HOST:PORT" when ready (--port 0 picks a free port). The lines that matter are marked.
require 'json'
require 'optparse'
require 'puma'
require 'sinatra/base'
require_relative 'ppg_signature'

CONFIG = { host: '127.0.0.1', port: 8080, scheme: 'url-params', encoding: 'hex' }
OptionParser.new do |options|
  options.on('--project-id ID') { |value| CONFIG[:project_id] = value }
  options.on('--port PORT', Integer) { |value| CONFIG[:port] = value }
  options.on('--host HOST') { |value| CONFIG[:host] = value }
  options.on('--public-url URL') { |value| CONFIG[:public_url] = value }
  options.on('--scheme SCHEME', %w[url-params json-body]) { |value| CONFIG[:scheme] = value }
  options.on('--encoding ENCODING', %w[hex base64]) { |value| CONFIG[:encoding] = value }
end.parse!
abort('--project-id is required') unless CONFIG[:project_id]

class Receiver < Sinatra::Base
  set :logging, false
  set :show_exceptions, false
  set :raise_errors, false
  # Rack::Protection guards browsers' sessions; a webhook has none, and its IP-spoofing check refuses requests
  # that carry both X-Forwarded-For and X-Client-IP, which a proxy may add.
  set :protection, false

  def answer(status_code, members)
    content_type :json
    halt status_code, "#{JSON.generate(members)}\n"
  end

  post '/ppg/webhook' do
    # 1. The raw body, as received, at most 1 MiB: never a parsed params hash.
    body = request.body.read((1 << 20) + 1) || ''
    answer(413, error: 'body-too-large') if body.bytesize > 1 << 20
    # 2. The URL as configured in PushPushGo plus the query exactly as it arrived (Puma's REQUEST_URI is the raw
    #    request-target; QUERY_STRING loses a bare '?'): never request.url, rebuilt from Host and X-Forwarded-*.
    target = env['REQUEST_URI'].to_s
    query = target.include?('?') ? target[target.index('?')..] : ''
    url = CONFIG[:public_url].split('?', 2).first + query
    # 3. Every X-PPG-Signature field, so that two of them are refused: Puma joins repeated fields with ", ", and no
    #    signature contains a comma.
    signatures = env.key?('HTTP_X_PPG_SIGNATURE') ? env['HTTP_X_PPG_SIGNATURE'].split(',', -1) : []
    begin
      PPGSignature.verify(CONFIG[:project_id], CONFIG[:scheme], CONFIG[:encoding], url, signatures,
                          env['CONTENT_TYPE'], body)
    rescue PPGSignature::VerificationError => e
      answer(e.kind == 'unreadable-body' ? 400 : 401, error: e.kind)
    end
    # 4. The body is a delivery for this project: the configured projectId, never only a valid signature.
    members = begin
      PPGSignature::JSONMembers.read(body)
    rescue ArgumentError
      answer(400, error: 'malformed-body')
    end
    project = members.find { |name, _, string| name == 'projectId' && string }
    answer(400, error: 'not-a-delivery') unless project
    answer(403, error: 'project-mismatch') unless project[1] == CONFIG[:project_id].b
    # Handle the event here (its "kind", "ppgId" …), idempotently: replays are possible.
    answer(200, ok: true)
  end

  # Any other method on the webhook's path: 405 with Allow, as RFC 9110 §15.5.6 asks.
  %w[GET PUT DELETE PATCH OPTIONS HEAD].each do |method|
    route method, '/ppg/webhook' do
      headers 'Allow' => 'POST'
      answer(405, error: 'method-not-allowed')
    end
  end

  not_found { answer(404, error: 'not-found') }
end

# Puma 5 parses an absolute-form request-target (POST http://host/path?query) with URI.parse before the application
# runs, and answers an invalid percent-escape there (?z=%zz) with 500: a request-line RFC 9112 §3 has a server refuse
# with 400. Raised as the parse error it is, Puma answers it 400 itself.
module RefuseInvalidRequestTarget
  def normalize_env(env, client)
    super
  rescue URI::InvalidURIError => e
    raise Puma::HttpParserError, "invalid request-target: #{e.message}"
  end
end
Puma::Server.prepend(RefuseInvalidRequestTarget)

server = Puma::Server.new(Receiver, Puma::Events.strings, min_threads: 0, max_threads: 8)
listener = server.add_tcp_listener(CONFIG[:host], CONFIG[:port])
port = listener.addr[1]
# Without --public-url, the URL verified is the address served, never one taken from the request.
CONFIG[:public_url] ||= "http://#{CONFIG[:host]}:#{port}/ppg/webhook"
$stdout.puts "listening on http://#{CONFIG[:host]}:#{port}"
$stdout.flush
server.run.join
