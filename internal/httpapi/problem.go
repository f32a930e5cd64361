package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// Problem is an RFC 9457 problem details object.
type Problem struct {
	Type   string            `json:"type"`
	Title  string            `json:"title"`
	Status int               `json:"status"`
	Detail string            `json:"detail,omitempty"`
	Code   string            `json:"code"`
	Errors map[string]string `json:"errors,omitempty"`
}

// ProblemTypePrefix starts the "type" URI of every problem; the code
// follows it.
const ProblemTypePrefix = "urn:atelier:problem:"

// answer is how HTTP answers one kind of error: its status and, for a
// refusal that passes by itself, how long a client should wait before it
// tries again (the Retry-After header; 0 for none).
type answer struct {
	status     int
	retryAfter time.Duration
}

// UnavailableRetry is the Retry-After of every 503: the store gives up on a
// locked database after its busy timeout, so a few seconds later is a fair
// time to send the same request again.
const UnavailableRetry = 5 * time.Second

// answers is the one table from error kind to HTTP answer. The JSON API
// (Server.Error) and the pages (internal/web) both answer from it, each
// choosing only its words, so that a kind cannot be a 4xx in one and a
// forgotten 500 in the other.
var answers = map[booking.Kind]answer{
	booking.EINVALID:      {status: http.StatusUnprocessableEntity},
	booking.EMALFORMED:    {status: http.StatusBadRequest},
	booking.ENOTFOUND:     {status: http.StatusNotFound},
	booking.ECONFLICT:     {status: http.StatusConflict},
	booking.EUNAUTHORIZED: {status: http.StatusUnauthorized},
	booking.EFORBIDDEN:    {status: http.StatusForbidden},
	booking.ETOOLARGE:     {status: http.StatusRequestEntityTooLarge},
	booking.ERATELIMIT:    {status: http.StatusTooManyRequests},
	booking.EUNAVAILABLE:  {status: http.StatusServiceUnavailable, retryAfter: UnavailableRetry},
	booking.EINTERNAL:     {status: http.StatusInternalServerError},
}

// answerOf looks err up in the table; errors that are not *booking.Error
// values, and kinds missing from it, are internal.
func answerOf(err error) answer {
	if a, ok := answers[booking.ErrorKind(err)]; ok {
		return a
	}
	return answers[booking.EINTERNAL]
}

// StatusOf returns the HTTP status of err from the one table.
func StatusOf(err error) int { return answerOf(err).status }

// SetRetryAfter sets the Retry-After header that the table gives err
// (a 503 asks for a retry shortly) and reports whether it set one. A
// Retry-After already set (a rate limit's own wait) is kept.
func SetRetryAfter(h http.Header, err error) bool {
	a := answerOf(err)
	if a.retryAfter <= 0 || h.Get("Retry-After") != "" {
		return false
	}
	h.Set("Retry-After", retryAfter(a.retryAfter))
	return true
}

// Error writes err as a problem. Internal errors are logged with their
// detail and shown to the client only as "internal error".
func (s *Server) Error(w http.ResponseWriter, r *http.Request, err error) {
	status := StatusOf(err)
	SetRetryAfter(w.Header(), err)
	switch {
	case status == http.StatusServiceUnavailable:
		// Nothing was changed; the cause (a locked database, a full disk)
		// is for the operator, the client is told when to try again.
		s.logger.WarnContext(r.Context(), "unavailable", "method", r.Method, "route", routeOf(r), "err", err)
	case status >= 500 && booking.ErrorKind(err) == booking.EINTERNAL:
		s.logger.ErrorContext(r.Context(), "internal error", "method", r.Method, "route", routeOf(r), "err", err)
	}
	var fields map[string]string
	if e := (*booking.Error)(nil); errors.As(err, &e) {
		fields = e.Fields
	}
	s.problem(w, r, status, booking.ErrorCode(err), booking.ErrorMessage(err), fields)
}

// problem writes a problem details response.
func (s *Server) problem(w http.ResponseWriter, _ *http.Request, status int, code, detail string, fields map[string]string) {
	p := Problem{
		Type:   ProblemTypePrefix + code,
		Title:  http.StatusText(status),
		Status: status,
		Detail: detail,
		Code:   code,
		Errors: fields,
	}
	body, err := json.Marshal(p)
	if err != nil { // cannot happen for this type; keep the response valid anyway
		body = []byte(`{"type":"urn:atelier:problem:internal_error","title":"Internal Server Error","status":500,"code":"internal_error"}`)
		status = http.StatusInternalServerError
	}
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Del("Content-Length")
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}

// writeJSON writes v as JSON with status.
func (s *Server) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}
