package serve

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
)

// Problem is an error answer as RFC 9457 defines it
// (application/problem+json). Type is always "about:blank" here, so
// Title is the status's standard text and Detail says what went wrong
// with this request; Errors lists the individual findings, when there are
// several (every diagnostic of a refused definition, say).
type Problem struct {
	Type     string   `json:"type"`
	Title    string   `json:"title"`
	Status   int      `json:"status"`
	Detail   string   `json:"detail,omitempty"`
	Instance string   `json:"instance,omitempty"`
	Errors   []string `json:"errors,omitempty"`
}

// WriteProblem answers with status and a Problem whose Detail is detail
// and whose Errors are extra.
func WriteProblem(w http.ResponseWriter, status int, detail string, extra ...string) {
	p := Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail, Errors: extra}
	if p.Title == "" {
		p.Title = "Status " + strconv.Itoa(status)
	}
	b, err := marshalNoEscape(p)
	if err != nil { // a Problem of strings always marshals
		panic(err)
	}
	writeEncoded(w, status, "application/problem+json", b)
}

// WriteJSON answers with status and v as JSON, without escaping <, > and
// & (the answers are for tools, not for HTML). When v does not marshal
// the answer is a 500 Problem instead: nothing is written before v is
// known to be good.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := marshalNoEscape(v)
	if err != nil {
		WriteProblem(w, http.StatusInternalServerError, "encoding the answer: "+err.Error())
		return
	}
	writeEncoded(w, status, "application/json", b)
}

// marshalNoEscape encodes v with a trailing newline and no HTML escaping.
func marshalNoEscape(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeEncoded(w http.ResponseWriter, status int, contentType string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(body) //nolint:errcheck // the client went away; nothing to do
}
