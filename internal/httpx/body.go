package httpx

import (
	"errors"
	"fmt"
	"net/http"
	"unicode/utf8"

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
// used. So is a form with a name or value that is not UTF-8: the pages
// are UTF-8, so a browser never sends one, and url.ParseQuery keeps the
// bytes as they are, which would store a mangled name.
func ParseForm(w http.ResponseWriter, r *http.Request) error {
	LimitBody(w, r)
	if err := r.ParseForm(); err != nil {
		return FormError(err)
	}
	for k, vs := range r.Form {
		ok := utf8.ValidString(k)
		for _, v := range vs {
			ok = ok && utf8.ValidString(v)
		}
		if !ok {
			return &booking.Error{Kind: booking.EMALFORMED, Code: booking.CodeMalformed, Message: "the form is not valid UTF-8"}
		}
	}
	return nil
}

// TooLarge is the 413 error (code request_too_large) of what, a request
// body or a part of it, over its limit of limit bytes.
func TooLarge(what string, limit int64) *booking.Error {
	return &booking.Error{Kind: booking.ETOOLARGE, Code: "request_too_large",
		Message: fmt.Sprintf("%s must be at most %d KiB", what, limit>>10)}
}

// FormError is the error of a posted form that could not be read: 413
// when it was longer than allowed (MaxBodyBytes, or a page's own limit),
// else 400.
func FormError(err error) error {
	var mb *http.MaxBytesError
	var be *booking.Error
	switch {
	case errors.As(err, &mb):
		e := TooLarge("the form", mb.Limit)
		e.Err = err
		return e
	case errors.As(err, &be):
		return err
	}
	return &booking.Error{Kind: booking.EMALFORMED, Code: booking.CodeMalformed, Message: "the form could not be read", Err: err}
}
