# frozen_string_literal: true

# A naive PushPushGo receiver on Sinatra and Puma, with the bugs real Ruby receivers have, chosen by --bug
# (comma-separated), for `scripts/diagnose-naive.sh`. Never a model to copy: see Examples/sinatra/app.rb.
#
#   ruby Tests/Fixtures/naive/sinatra.rb --project-id ID --port 0 --bug request-url,to-json
#
# Bugs, each the line a Sinatra receiver has:
#   request-url  the URL is request.url: Rack rebuilds it from X-Forwarded-Proto/-Host (or Host) and the path
#   to-json      JSON.parse(body).to_json is what gets signed
require 'json'
require 'optparse'
require 'puma'
require 'sinatra/base'
require_relative '../../../Examples/sinatra/ppg_signature'

CONFIG = { host: '127.0.0.1', port: 8080, scheme: 'url-params', encoding: 'hex', bugs: [] }
OptionParser.new do |options|
  options.on('--project-id ID') { |value| CONFIG[:project_id] = value }
  options.on('--port PORT', Integer) { |value| CONFIG[:port] = value }
  options.on('--host HOST') { |value| CONFIG[:host] = value }
  options.on('--public-url URL') { |value| CONFIG[:public_url] = value }
  options.on('--scheme SCHEME', %w[url-params json-body]) { |value| CONFIG[:scheme] = value }
  options.on('--encoding ENCODING', %w[hex base64]) { |value| CONFIG[:encoding] = value }
  options.on('--bug BUGS') { |value| CONFIG[:bugs] = value.split(',') }
end.parse!
abort('--project-id is required') unless CONFIG[:project_id]
unknown = CONFIG[:bugs] - %w[request-url to-json]
abort("unknown --bug #{unknown.join(', ')}") unless unknown.empty?

class Receiver < Sinatra::Base
  set :logging, false
  set :show_exceptions, false
  set :raise_errors, false
  set :protection, false

  def answer(status_code, members)
    content_type :json
    halt status_code, "#{JSON.generate(members)}\n"
  end

  post '/ppg/webhook' do
    bugs = CONFIG[:bugs]
    body = request.body.read || ''
    target = env['REQUEST_URI'].to_s
    query = target.include?('?') ? target[target.index('?')..] : ''
    url = CONFIG[:public_url].split('?', 2).first + query
    url = request.url if bugs.include?('request-url')
    if bugs.include?('to-json')
      begin
        body = JSON.parse(body).to_json
      rescue JSON::ParserError
        answer(400, error: 'malformed-body')
      end
    end
    signatures = env.key?('HTTP_X_PPG_SIGNATURE') ? env['HTTP_X_PPG_SIGNATURE'].split(',', -1) : []
    begin
      PPGSignature.verify(CONFIG[:project_id], CONFIG[:scheme], CONFIG[:encoding], url, signatures,
                          env['CONTENT_TYPE'], body)
    rescue PPGSignature::VerificationError => e
      answer(e.kind == 'unreadable-body' ? 400 : 401, error: e.kind)
    end
    answer(200, ok: true)
  end

  not_found { answer(404, error: 'not-found') }
end

server = Puma::Server.new(Receiver, Puma::Events.strings, min_threads: 0, max_threads: 8)
listener = server.add_tcp_listener(CONFIG[:host], CONFIG[:port])
port = listener.addr[1]
CONFIG[:public_url] ||= "http://#{CONFIG[:host]}:#{port}/ppg/webhook"
$stdout.puts "listening on http://#{CONFIG[:host]}:#{port}"
$stdout.flush
server.run.join
