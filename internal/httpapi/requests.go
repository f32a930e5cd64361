package httpapi

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
)

// The bodies of the requests that carry times and dates. Those stay
// strings here, so that a badly written one is a field error answered
// with the use case's own checks (app's Unread), not malformed JSON.

// bookingRequest is the body of POST /api/v1/bookings and of the staff
// booking on a customer's behalf.
type bookingRequest struct {
	Service  string           `json:"service"`
	Mode     string           `json:"mode"`
	Start    string           `json:"start"`
	Artisan  string           `json:"artisan,omitempty"`
	Customer booking.Customer `json:"customer"`
	Notes    string           `json:"notes,omitempty"`
	// Answers are the answers to the service's questions, by id.
	Answers map[string]json.RawMessage `json:"answers,omitempty"`
	// Discreet books a surprise: the customer's e-mail subjects and
	// invitations name no service.
	Discreet bool `json:"discreet,omitempty"`
	// Artisans, for a service that needs several artisans together, are
	// those chosen (artisan, when given, is the first).
	Artisans []string `json:"artisans,omitempty"`
	// Invitation is the token of an invitation to book a commission's
	// next step; the customer may then be left out.
	Invitation string `json:"invitation,omitempty"`
}

// request is the use case's request, and the options of its
// Idempotency-Key: the body as decoded is what the key is checked against.
func (b bookingRequest) request(idempotencyKey string) (app.BookingRequest, app.CreateOptions, error) {
	req := app.BookingRequest{Service: b.Service, Mode: booking.Mode(b.Mode), Artisan: b.Artisan, Customer: b.Customer, Notes: b.Notes, Answers: b.Answers, Discreet: b.Discreet, Artisans: b.Artisans,
		Invitation: b.Invitation}
	req.Start = instantField(&req.Unread, "start", b.Start)
	opt := app.CreateOptions{IdempotencyKey: idempotencyKey}
	if idempotencyKey != "" {
		fp, err := json.Marshal(b)
		if err != nil {
			return req, opt, err
		}
		opt.Fingerprint = fp
	}
	return req, opt, nil
}

// rescheduleRequest is the body of a reschedule, the customer's or staff's.
type rescheduleRequest struct {
	Start   string `json:"start"`
	Artisan string `json:"artisan,omitempty"`
}

func (b rescheduleRequest) request() app.RescheduleRequest {
	req := app.RescheduleRequest{Artisan: b.Artisan}
	req.Start = instantField(&req.Unread, "start", b.Start)
	return req
}

// closureRequest is the body of POST /api/v1/staff/closures. Without to
// the closure is the one day from, as in the configuration file.
type closureRequest struct {
	From   string `json:"from"`
	To     string `json:"to,omitempty"`
	Reason string `json:"reason"`
}

func (b closureRequest) request() app.ClosureRequest {
	req := app.ClosureRequest{Reason: b.Reason}
	req.From = dateField(&req.Unread, "from", b.From)
	req.To = dateField(&req.Unread, "to", b.To)
	return req
}

// timeOffRequest is the body of POST /api/v1/staff/artisans/{id}/time-off.
type timeOffRequest struct {
	Start  string `json:"start"`
	End    string `json:"end"`
	Reason string `json:"reason"`
}

func (b timeOffRequest) request() app.TimeOffRequest {
	req := app.TimeOffRequest{Reason: b.Reason}
	req.Start = instantField(&req.Unread, "start", b.Start)
	req.End = instantField(&req.Unread, "end", b.End)
	return req
}

// instantField reads an RFC 3339 time that carries an explicit offset
// ("Z" or "+08:00"), without surrounding spaces. Empty is the zero time
// (the use case says whether it is required); anything else that is not
// such a time is a message in *unread (made when the first is added).
func instantField(unread *booking.FieldErrors, field, s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		addUnread(unread, field, "must be an RFC 3339 time with an offset, such as 2026-12-01T10:00:00+08:00")
		return time.Time{}
	}
	return t
}

// addUnread adds a field that could not be read to *unread, making it
// first if need be: a request read in full allocates nothing for it.
func addUnread(unread *booking.FieldErrors, field, msg string) {
	if *unread == nil {
		*unread = booking.FieldErrors{}
	}
	unread.Add(field, msg)
}

// dateField reads a date (YYYY-MM-DD) as instantField reads a time.
func dateField(unread *booking.FieldErrors, field, s string) booking.Date {
	s = strings.TrimSpace(s)
	if s == "" {
		return booking.Date{}
	}
	d, err := booking.ParseDate(s)
	if err != nil {
		addUnread(unread, field, "must be a date (YYYY-MM-DD)")
		return booking.Date{}
	}
	return d
}
