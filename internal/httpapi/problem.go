package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"

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

// RenderError writes err as a problem with the status the edge chose from
// the one table: the error's code, its message (an internal error shows
// only "internal error") and its field errors.
//
// The detail and the field errors are written in the request's language
// (Accept-Language, among atelier.languages): English gives the domain's
// own words, another language its catalogue's words for the code, the
// reason of a time that cannot be booked, or the field. Title, code and
// type stay as they are, for programs.
func (s *Server) RenderError(w http.ResponseWriter, r *http.Request, status int, err error) {
	lang := s.app.Languages().Match(r.Header.Get("Accept-Language"))
	var fields map[string]string
	reason := ""
	if e := (*booking.Error)(nil); errors.As(err, &e) {
		reason = e.Reason
		if len(e.Fields) > 0 {
			fields = make(map[string]string, len(e.Fields))
			for k, m := range e.Fields {
				fields[k] = lang.Field(k, m)
			}
		}
	}
	code := booking.ErrorCode(err)
	p := Problem{
		Type:   ProblemTypePrefix + code,
		Title:  http.StatusText(status),
		Status: status,
		Detail: lang.Problem(code, reason, booking.ErrorMessage(err)),
		Code:   code,
		Errors: fields,
	}
	body, merr := json.Marshal(p)
	if merr != nil { // cannot happen for this type; keep the response valid anyway
		body = []byte(`{"type":"urn:atelier:problem:internal_error","title":"Internal Server Error","status":500,"code":"internal_error"}`)
		status = http.StatusInternalServerError
	}
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("Content-Language", lang.HTML())
	h.Add("Vary", "Accept-Language")
	h.Del("Content-Length")
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}

// writeJSON writes v as JSON with status; a value that cannot be encoded
// is an internal error, answered before anything is written.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
	return nil
}

// reply writes v with status, or returns err for the edge to answer.
func reply(w http.ResponseWriter, status int, v any, err error) error {
	if err != nil {
		return err
	}
	return writeJSON(w, status, v)
}

// noContent answers 204, or returns err.
func noContent(w http.ResponseWriter, err error) error {
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
