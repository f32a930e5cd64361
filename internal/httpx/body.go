package httpx

import (
	"net/http"

	"github.com/atelier-app/atelier/internal/booking"
)

// MaxBodyBytes is the largest request body accepted, a JSON document or a
// posted form.
const MaxBodyBytes = 64 << 10

// LimitBody caps r's body at MaxBodyBytes: reading past it fails with an
// *http.MaxBytesError, and the connection is closed after the answer.
func LimitBody(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
}

// ParseForm reads a posted form of at most MaxBodyBytes. A form that
// cannot be read, too large included, is EMALFORMED: nothing of it is
// used.
func ParseForm(w http.ResponseWriter, r *http.Request) error {
	LimitBody(w, r)
	if err := r.ParseForm(); err != nil {
		return &booking.Error{Kind: booking.EMALFORMED, Code: booking.CodeMalformed, Message: "the form could not be read", Err: err}
	}
	return nil
}
