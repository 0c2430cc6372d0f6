// A PushPushGo webhook receiver on Go's net/http, standard library only.
//
//	go run Examples/go/main.go --project-id YOUR_ID [--port 8080] [--public-url https://you.example/ppg/webhook]
//
// Prints "listening on http://HOST:PORT" when ready (--port 0 picks a free port). The lines that matter are
// marked 1 to 4; verification itself is in ppgsignature.go beside this file.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
)

type config struct {
	projectID, publicURL, scheme, encoding string
}

func answer(w http.ResponseWriter, status int, members map[string]string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(members)
}

func (c config) webhook(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		answer(w, http.StatusMethodNotAllowed, map[string]string{"error": "method-not-allowed"})
		return
	}
	// 1. The raw body, as received, at most 1 MiB (413 past it).
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		answer(w, http.StatusRequestEntityTooLarge, map[string]string{"error": "body-too-large"})
		return
	} else if err != nil {
		answer(w, http.StatusBadRequest, map[string]string{"error": "unreadable-body"})
		return
	}
	// 2. The URL as configured in PushPushGo plus the query exactly as it arrived (r.RequestURI is the raw
	//    request-target): never r.URL or r.Host, which the client controls.
	query := ""
	if i := strings.IndexByte(r.RequestURI, '?'); i >= 0 {
		query = r.RequestURI[i:]
	}
	url := strings.SplitN(c.publicURL, "?", 2)[0] + query
	// 3. Every X-PPG-Signature field (r.Header keeps them all), so that two of them are refused.
	err = Verify([]byte(c.projectID), c.scheme, c.encoding, url, r.Header.Values("X-PPG-Signature"),
		lastValue(r.Header.Values("Content-Type")), body)
	var failure *VerificationError
	if errors.As(err, &failure) {
		status := http.StatusUnauthorized
		if failure.Kind == "unreadable-body" {
			status = http.StatusBadRequest
		}
		answer(w, status, map[string]string{"error": failure.Kind})
		return
	}
	// 4. The body is a delivery for this project: the configured projectId, never only a valid signature.
	members, err := JSONMembers(body)
	if err != nil {
		answer(w, http.StatusBadRequest, map[string]string{"error": "malformed-body"})
		return
	}
	projectID, found := "", false
	for _, member := range members {
		if string(member.Name) == "projectId" && member.IsString {
			projectID, found = string(member.Value), true
			break
		}
	}
	if !found {
		answer(w, http.StatusBadRequest, map[string]string{"error": "not-a-delivery"})
		return
	}
	if projectID != c.projectID {
		answer(w, http.StatusForbidden, map[string]string{"error": "project-mismatch"})
		return
	}
	// Handle the event here (its "kind", "ppgId" …), idempotently: replays are possible.
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte("{\"ok\":true}\n"))
}

func lastValue(values []string) string {
	if len(values) == 0 {
		return ""
	}
	return values[len(values)-1]
}

func main() {
	var c config
	port := flag.Int("port", 8080, "port (0 picks a free one)")
	host := flag.String("host", "127.0.0.1", "address to listen on")
	flag.StringVar(&c.projectID, "project-id", "", "the projectId configured in PushPushGo (the key)")
	flag.StringVar(&c.publicURL, "public-url", "", "the webhook URL configured in PushPushGo")
	flag.StringVar(&c.scheme, "scheme", "url-params", "url-params or json-body")
	flag.StringVar(&c.encoding, "encoding", "hex", "hex or base64")
	flag.Parse()
	if c.projectID == "" {
		fmt.Fprintln(os.Stderr, "--project-id is required")
		os.Exit(2)
	}
	listener, err := net.Listen("tcp", net.JoinHostPort(*host, fmt.Sprint(*port)))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	served := listener.Addr().(*net.TCPAddr).Port
	// Without --public-url, the URL verified is the address served, never one taken from the request.
	if c.publicURL == "" {
		c.publicURL = fmt.Sprintf("http://%s:%d/ppg/webhook", *host, served)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/ppg/webhook", c.webhook)
	fmt.Printf("listening on http://%s:%d\n", *host, served)
	fmt.Fprintln(os.Stderr, http.Serve(listener, mux))
	os.Exit(1)
}
