// A naive PushPushGo receiver on Go's net/http, written the way people write one: the body decoded into a map and
// marshalled again before it is signed, the URL rebuilt from r.Host. Never a model to copy; for the fuzz and
// diagnosis tests.
//
//	go run Tests/Fixtures/naive/go/main.go --project-id ID --port 0 --bug marshal,url-host
//
// Bugs: marshal (json.Marshal of a map[string]any is signed: keys sorted, '<' as \u003c, numbers as float64),
// url-host ("http://" + r.Host + r.RequestURI).
package main

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
)

func main() {
	projectID := flag.String("project-id", "", "the projectId")
	port := flag.Int("port", 8080, "port")
	host := flag.String("host", "127.0.0.1", "host")
	publicURL := flag.String("public-url", "", "the URL configured in PushPushGo")
	scheme := flag.String("scheme", "url-params", "url-params or json-body")
	encoding := flag.String("encoding", "hex", "hex or base64")
	bugList := flag.String("bug", "", "marshal, url-host")
	flag.Parse()
	bugs := map[string]bool{}
	for _, bug := range strings.Split(*bugList, ",") {
		bugs[bug] = true
	}
	listener, err := net.Listen("tcp", net.JoinHostPort(*host, fmt.Sprint(*port)))
	if err != nil {
		panic(err)
	}
	if *publicURL == "" {
		*publicURL = fmt.Sprintf("http://%s/ppg/webhook", listener.Addr().String())
	}
	reply := func(w http.ResponseWriter, status int, text string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, text)
	}
	http.HandleFunc("/ppg/webhook", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			reply(w, 405, `{"error":"method-not-allowed"}`)
			return
		}
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		var delivery map[string]any
		if err := json.Unmarshal(body, &delivery); err != nil {
			reply(w, 400, `{"error":"malformed-body"}`)
			return
		}
		signed := body
		if bugs["marshal"] {
			signed, _ = json.Marshal(delivery)
		}
		url := strings.SplitN(*publicURL, "?", 2)[0]
		if i := strings.Index(r.RequestURI, "?"); i >= 0 {
			url += r.RequestURI[i:]
		}
		if bugs["url-host"] {
			url = "http://" + r.Host + r.RequestURI
		}
		input := signed
		if *scheme == "url-params" {
			var params map[string]any
			json.Unmarshal(signed, &params)
			names := make([]string, 0, len(params))
			for name := range params {
				names = append(names, name)
			}
			sort.Strings(names)
			text := url
			for _, name := range names {
				switch value := params[name].(type) {
				case nil:
				case string:
					text += name + value
				default:
					encoded, _ := json.Marshal(value)
					text += name + string(encoded)
				}
			}
			input = []byte(text)
		}
		mac := hmac.New(sha1.New, []byte(*projectID))
		mac.Write(input)
		expected := hex.EncodeToString(mac.Sum(nil))
		if *encoding == "base64" {
			expected = base64.StdEncoding.EncodeToString(mac.Sum(nil))
		}
		if !hmac.Equal([]byte(r.Header.Get("X-PPG-Signature")), []byte(expected)) {
			reply(w, 401, `{"error":"mismatch"}`)
			return
		}
		if delivery["projectId"] != *projectID {
			reply(w, 400, `{"error":"not-a-delivery"}`)
			return
		}
		reply(w, 200, `{"ok":true}`)
	})
	fmt.Printf("listening on http://%s\n", listener.Addr().String())
	http.Serve(listener, nil)
}
