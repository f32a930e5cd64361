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

// statusOf is the one table from error kind to HTTP status.
var statusOf = map[booking.Kind]int{
	booking.EINVALID:      http.StatusUnprocessableEntity,
	booking.EMALFORMED:    http.StatusBadRequest,
	booking.ENOTFOUND:     http.StatusNotFound,
	booking.ECONFLICT:     http.StatusConflict,
	booking.EUNAUTHORIZED: http.StatusUnauthorized,
	booking.EFORBIDDEN:    http.StatusForbidden,
	booking.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	booking.ERATELIMIT:    http.StatusTooManyRequests,
	booking.EUNAVAILABLE:  http.StatusServiceUnavailable,
	booking.EINTERNAL:     http.StatusInternalServerError,
}

// UnavailableRetry is the Retry-After of every 503: the store gives up on a
// locked database after its busy timeout, so a few seconds later is a fair
// time to send the same request again.
const UnavailableRetry = 5 * time.Second

// StatusOf returns the HTTP status for an error's kind.
func StatusOf(err error) int {
	if st, ok := statusOf[booking.ErrorKind(err)]; ok {
		return st
	}
	return http.StatusInternalServerError
}

// Error writes err as a problem. Internal errors are logged with their
// detail and shown to the client only as "internal error".
func (s *Server) Error(w http.ResponseWriter, r *http.Request, err error) {
	status := StatusOf(err)
	switch {
	case status == http.StatusServiceUnavailable:
		// Nothing was changed; the cause (a locked database, a full disk)
		// is for the operator, the client is told when to try again.
		w.Header().Set("Retry-After", retryAfter(UnavailableRetry))
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
