package booking

import (
	"errors"
	"fmt"
)

// Kind classifies an error by what the caller can do about it. Each kind maps
// to one HTTP status in the HTTP adapter; the domain knows nothing of HTTP.
type Kind string

const (
	EINVALID      Kind = "invalid"      // well-formed but invalid input (422)
	EMALFORMED    Kind = "malformed"    // unparsable input (400)
	ENOTFOUND     Kind = "not_found"    // unknown id or wrong token (404)
	ECONFLICT     Kind = "conflict"     // slot taken or state conflict (409)
	EUNAUTHORIZED Kind = "unauthorized" // no or bad staff session (401)
	EFORBIDDEN    Kind = "forbidden"    // not allowed (403)
	ETOOLARGE     Kind = "too_large"    // request too large (413)
	EUNSUPPORTED  Kind = "unsupported"  // a kind of content not accepted (415)
	ERATELIMIT    Kind = "rate_limited" // too many requests (429)
	EUNAVAILABLE  Kind = "unavailable"  // dependency down, try later (503)
	EINTERNAL     Kind = "internal"     // a bug or an I/O failure (500)
)

// Machine-readable codes shown to clients as "code" in problem details.
const (
	CodeInvalid             = "invalid_request"
	CodeMalformed           = "malformed_request"
	CodeNotFound            = "not_found"
	CodeSlotUnavailable     = "slot_unavailable"
	CodeBookingCancelled    = "booking_cancelled"
	CodeBookingInPast       = "booking_in_past"
	CodeNotPending          = "booking_not_pending" // confirm or decline of a booking that is no request waiting
	CodeRequestPending      = "request_pending"     // a move of a request still waiting for staff
	CodeIdempotencyMismatch = "idempotency_key_reused"
	CodeUnavailable         = "unavailable"
	CodeInternal            = "internal_error"
)

// Error is the one error type of the application. Message is safe to show to
// a user; Fields maps a JSON path ("customer.email") to a message. Err is
// the cause, if any, for the logs: it is never shown to a user. Reason
// says, for a slot_unavailable error, why the slot cannot be booked (one of
// the Reason constants), so that a page can choose its words.
type Error struct {
	Kind    Kind
	Code    string
	Message string
	Fields  map[string]string
	Err     error
	Reason  string
}

func (e *Error) Error() string {
	s := fmt.Sprintf("%s: %s", e.Kind, e.Message)
	if len(e.Fields) > 0 {
		s = fmt.Sprintf("%s %v", s, e.Fields)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with a formatted user-facing message.
func Errorf(kind Kind, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrors collects validation messages keyed by JSON path.
type FieldErrors map[string]string

// Add records msg for field unless the field already has a message.
func (f FieldErrors) Add(field, msg string) {
	if _, ok := f[field]; !ok {
		f[field] = msg
	}
}

// Err returns nil when there are no field errors, else an EINVALID *Error.
func (f FieldErrors) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Kind: EINVALID, Code: CodeInvalid, Message: "some fields are invalid", Fields: map[string]string(f)}
}

// ErrorKind returns the kind of err, or EINTERNAL for errors of other types.
func ErrorKind(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return EINTERNAL
}

// ErrorCode returns the client-facing code of err.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != "" {
		return e.Code
	}
	return CodeInternal
}

// ErrorMessage returns the user-facing message of err; internal errors
// never reveal their text.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Kind != EINTERNAL {
		return e.Message
	}
	return "internal error"
}

// Why a start on the slot grid cannot be booked (Error.Reason of a
// slot_unavailable error). Only ReasonTaken means that the time was free
// and has been taken; the others mean that it was never bookable.
const (
	ReasonTaken      = "taken"       // another booking, the last room, the artisan's daily cap or own calendar
	ReasonClosed     = "closed"      // outside the atelier's opening hours
	ReasonClosure    = "closure"     // a closure day
	ReasonNotWorking = "not_working" // outside the artisan's working hours
	ReasonAway       = "away"        // the artisan's time off
	ReasonNotice     = "notice"      // inside the minimum notice
	ReasonHorizon    = "horizon"     // beyond the booking horizon
	ReasonOffGrid    = "off_grid"    // not a start on the slot grid
	ReasonUnstaffed  = "unstaffed"   // no artisan offers the service, or no room for visits
)

// ErrSlotUnavailable is returned when the requested slot was free and has
// been taken: "that time is no longer available: " + reason.
func ErrSlotUnavailable(reason string) *Error {
	return &Error{Kind: ECONFLICT, Code: CodeSlotUnavailable, Reason: ReasonTaken, Message: "that time is no longer available: " + reason}
}

// ErrSlotNotBookable is returned for a start that never was bookable;
// message says why ("the atelier is closed at 20:30 on Tuesday 2 June").
func ErrSlotNotBookable(reason, message string) *Error {
	return &Error{Kind: ECONFLICT, Code: CodeSlotUnavailable, Reason: reason, Message: message}
}

// SlotTaken reports whether err says that a slot was free and has been
// taken, as opposed to a time that was never bookable.
func SlotTaken(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == CodeSlotUnavailable && e.Reason == ReasonTaken
}

// ErrNotFound is the error for unknown ids and wrong manage tokens alike.
func ErrNotFound(what string) *Error {
	return &Error{Kind: ENOTFOUND, Code: CodeNotFound, Message: what + " not found"}
}

// ErrUnavailable is the error for a store that cannot answer just now (a
// database locked past its busy timeout, a full disk, an I/O error):
// nothing was changed and the same request may be sent again. cause is
// kept for the logs.
func ErrUnavailable(cause error) *Error {
	return &Error{Kind: EUNAVAILABLE, Code: CodeUnavailable,
		Message: "the booking system is busy just now and nothing was changed; please try again in a moment", Err: cause}
}
