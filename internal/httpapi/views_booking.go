package httpapi

import (
	"encoding/json"
	"fmt"
	"net/url"
	"time"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
)

// The JSON views of bookings: how the API writes what the use cases
// answer (app.Booking, app.StaffBooking, app.Created).

// bookingView is a booking as the API shows it, with times in one zone.
type bookingView struct {
	ID      string         `json:"id"`
	Status  booking.Status `json:"status"`
	Service string         `json:"service"`
	// ServiceName and ArtisanName (additions to the contract) are the
	// names to show: the catalogue's, or for a service or artisan that
	// has left it the names kept with the booking.
	ServiceName string       `json:"service_name"`
	Mode        booking.Mode `json:"mode"`
	Artisan     string       `json:"artisan"`
	// Artisans lists every artisan the booking holds, artisan first: one
	// for most services, more for one that needs several together.
	Artisans    []string         `json:"artisans"`
	ArtisanName string           `json:"artisan_name"`
	Start       Time             `json:"start"`
	End         Time             `json:"end"`
	Customer    booking.Customer `json:"customer"`
	Notes       string           `json:"notes"`
	Location    string           `json:"location,omitempty"`
	MeetingURL  string           `json:"meeting_url,omitempty"`
	// Answers are the customer's answers to the service's questions, by
	// question id ({} when none).
	Answers booking.Answers `json:"answers"`
	// Discreet marks a surprise (its customer's e-mail subjects and
	// invitations name no service).
	Discreet  bool  `json:"discreet"`
	Sequence  int   `json:"sequence"`
	CreatedAt Time  `json:"created_at"`
	UpdatedAt Time  `json:"updated_at"`
	Links     links `json:"links"`
	// Policy is the booking policy as it stands for this booking.
	Policy policyView `json:"policy"`
	// DecideBy is when a request expires undecided (issue 13): set on
	// every booking made as a request. DeclineReason is what staff told
	// the customer when they declined it.
	DecideBy      *Time  `json:"decide_by,omitempty"`
	DeclineReason string `json:"decline_reason,omitempty"`
	// ManageToken is set only in the response that creates the booking.
	ManageToken string `json:"manage_token,omitempty"`
}

// links are the URLs of a booking. Manage holds the manage token and is
// only filled in the response that creates the booking; there ICS holds
// the token too, elsewhere the caller adds it.
type links struct {
	Manage string `json:"manage,omitempty"`
	ICS    string `json:"ics"`
}

// bookingView renders b with its times to the second in its zone.
func (s *Server) bookingView(b *app.Booking) *bookingView {
	at := func(t time.Time) Time { return At(t.In(b.Zone).Truncate(time.Second)) }
	return &bookingView{
		ID:          b.ID,
		Status:      b.Status,
		Service:     b.ServiceID,
		ServiceName: b.ServiceName,
		Mode:        b.Mode,
		Artisan:     b.ArtisanID,
		Artisans:    b.ArtisanIDs(),
		ArtisanName: b.ArtisanName,
		Start:       at(b.Start),
		End:         at(b.End),
		Customer:    b.Customer,
		Notes:       b.Notes,
		Location:    b.Location,
		MeetingURL:  b.MeetingURL,
		Answers:     answersOrEmpty(b.Answers),
		Discreet:    b.Discreet,
		Sequence:    b.Sequence,
		CreatedAt:   at(b.CreatedAt),
		UpdatedAt:   at(b.UpdatedAt),
		Links:       links{ICS: s.app.PublicURL() + "/api/v1/bookings/" + b.ID + "/invite.ics"},
		Policy:      newPolicyView(b.Changes, b.Reschedules, at),
		DecideBy:    decideBy(b.DecideBy, at),

		DeclineReason: b.DeclineReason,
	}
}

// decideBy is a request's expiry as the API shows it, nil for a booking
// never made as a request.
func decideBy(t time.Time, at func(time.Time) Time) *Time {
	if t.IsZero() {
		return nil
	}
	v := at(t)
	return &v
}

// policyView is the booking policy of a booking (issue 13): what its
// customer may still change themselves; staff are never bound.
type policyView struct {
	ChangeCutoffHours int    `json:"change_cutoff_hours"`
	MaxReschedules    int    `json:"max_reschedules"`
	Reschedules       int    `json:"reschedules"`
	ReschedulesLeft   *int   `json:"reschedules_left,omitempty"`
	ChangesCloseAt    Time   `json:"changes_close_at"`
	CanCancel         bool   `json:"can_cancel"`
	CanReschedule     bool   `json:"can_reschedule"`
	Text              string `json:"text"`
}

func newPolicyView(ch app.Changes, moves int, at func(time.Time) Time) policyView {
	v := policyView{
		ChangeCutoffHours: int(ch.Policy.ChangeCutoff / time.Hour),
		MaxReschedules:    ch.Policy.MaxReschedules,
		Reschedules:       moves,
		ChangesCloseAt:    at(ch.ClosesAt),
		CanCancel:         ch.Open,
		CanReschedule:     ch.CanReschedule,
		Text:              ch.Policy.Text(),
	}
	if ch.ReschedulesLeft >= 0 {
		left := ch.ReschedulesLeft
		v.ReschedulesLeft = &left
	}
	return v
}

// createdView is the response to a booking request: the only one that
// carries the manage token.
func (s *Server) createdView(c *app.Created) *bookingView {
	v := s.bookingView(c.Booking)
	v.ManageToken = c.ManageToken
	v.Links.Manage = s.app.PublicURL() + "/bookings/" + url.PathEscape(v.ID) + "?" + url.Values{"token": {c.ManageToken}}.Encode()
	// The invite link works as given, like the manage link: a customer
	// or a calendar app following it has no other way to add the token.
	v.Links.ICS += "?token=" + c.ManageToken
	return v
}

// replayer is the API's app.Replayer: a repeat of a booking request gets
// the created view again.
type replayer struct{ s *Server }

func (r replayer) FirstResponse(c *app.Created) ([]byte, error) {
	return json.Marshal(r.s.createdView(c))
}

// createdOrReplayed is the view of c: the booking made, or the first
// response to the request again.
func (s *Server) createdOrReplayed(c *app.Created) (*bookingView, error) {
	if !c.Replayed {
		return s.createdView(c), nil
	}
	var v bookingView
	if err := json.Unmarshal(c.Response, &v); err != nil {
		return nil, fmt.Errorf("decode the first response: %w", err)
	}
	return &v, nil
}

// staffBookingView is a booking as staff see it: the customer view plus
// the room and the staff notes, which customers never see.
type staffBookingView struct {
	*bookingView
	Room       string `json:"room,omitempty"`
	StaffNotes string `json:"staff_notes"`
	// CustomerReply is the customer's latest answer to the invitations,
	// read from the organizer's mailbox; nil when none.
	CustomerReply *customerReplyView `json:"customer_reply,omitempty"`
	// Commission names the commission the booking belongs to, if any.
	Commission *commissionRefView `json:"commission,omitempty"`
	// ErasedAt is when the booking's personal data was erased (its
	// customer, notes and answers are blank); absent otherwise.
	ErasedAt *Time `json:"erased_at,omitempty"`
}

func (s *Server) staffBookingView(b *app.StaffBooking) *staffBookingView {
	v := &staffBookingView{bookingView: s.bookingView(&b.Booking), Room: b.RoomID, StaffNotes: b.StaffNotes,
		Commission: newCommissionRefView(b.Commission)}
	if !b.ErasedAt.IsZero() {
		t := At(b.ErasedAt.In(b.Zone))
		v.ErasedAt = &t
	}
	if b.Reply != nil {
		v.CustomerReply = newCustomerReplyView(b.Reply, b.Zone)
	}
	return v
}

func (s *Server) staffBookingViews(bs []app.StaffBooking) []staffBookingView {
	out := make([]staffBookingView, len(bs))
	for i := range bs {
		out[i] = *s.staffBookingView(&bs[i])
	}
	return out
}

// customerReplyView is the customer's latest answer to a booking's
// invitations, as staff see it ("customer_reply").
type customerReplyView struct {
	// Status is ACCEPTED, TENTATIVE or DECLINED; empty when the customer
	// has only proposed another time.
	Status booking.PartStat `json:"status,omitempty"`
	// At is when they answered.
	At *Time `json:"at,omitempty"`
	// Sequence is the SEQUENCE of the invitation answered; Current says
	// it is the booking's as it is now (false once it moved since).
	Sequence int  `json:"sequence"`
	Current  bool `json:"current"`
	// Counter is the latest other time the customer proposed.
	Counter *counterView `json:"counter,omitempty"`
}

// counterView is another time the customer proposed (an iTIP COUNTER).
type counterView struct {
	Start    Time `json:"start"`
	End      Time `json:"end"`
	At       Time `json:"at"` // when it was proposed
	Sequence int  `json:"sequence"`
	// Current says it answers the booking as it is now.
	Current bool `json:"current"`
	// Free says whether the booking can move there now, with its artisan
	// (staff rules: minimum notice does not apply); Reason says why not.
	// Both are given on the view of one booking only.
	Free   *bool  `json:"free,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// newCustomerReplyView renders r with times in loc.
func newCustomerReplyView(r *app.CustomerReply, loc *time.Location) *customerReplyView {
	at := func(t time.Time) Time { return At(t.In(loc).Truncate(time.Second)) }
	v := &customerReplyView{Status: r.PartStat, Sequence: r.Sequence}
	if r.PartStat != "" {
		t := at(r.At)
		v.At = &t
		v.Current = r.Current
	}
	if c := r.Counter; c != nil {
		v.Counter = &counterView{Start: at(c.Start), End: at(c.End), At: at(c.At), Sequence: c.Sequence,
			Current: r.CounterCurrent, Free: r.CounterFree, Reason: r.CounterReason}
	}
	return v
}

// answersOrEmpty is a, or an empty object for none (never null).
func answersOrEmpty(a booking.Answers) booking.Answers {
	if a == nil {
		return booking.Answers{}
	}
	return a
}
