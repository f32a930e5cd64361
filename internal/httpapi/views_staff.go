package httpapi

import (
	"encoding/json"
	"regexp"
	"time"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
)

// The JSON views of the staff use cases' answers.

// userView is a staff account as the API shows it.
type userView struct {
	ID      string       `json:"id"`
	Email   string       `json:"email"`
	Name    string       `json:"name"`
	Role    booking.Role `json:"role"`
	Artisan string       `json:"artisan,omitempty"`
}

func newUserView(u *booking.User) userView {
	return userView{ID: u.ID, Email: u.Email, Name: u.Name, Role: u.Role, Artisan: u.ArtisanID}
}

// timeOffView is time off with times in the atelier's zone.
type timeOffView struct {
	ID     string `json:"id"`
	Start  Time   `json:"start"`
	End    Time   `json:"end"`
	Reason string `json:"reason"`
}

func newTimeOffView(t booking.TimeOff, loc *time.Location) timeOffView {
	return timeOffView{ID: t.ID, Start: At(t.Start.In(loc)), End: At(t.End.In(loc)), Reason: t.Reason}
}

// staffArtisanView is an artisan with working hours and time off.
type staffArtisanView struct {
	artisanView
	Email        string            `json:"email,omitempty"`
	DailyCap     int               `json:"daily_cap"`
	WorkingHours booking.WeekHours `json:"working_hours"`
	TimeOff      []timeOffView     `json:"time_off"`
}

func newStaffArtisanView(a *app.Artisan) staffArtisanView {
	v := staffArtisanView{
		artisanView:  newArtisanView(&a.Artisan),
		Email:        a.Email,
		DailyCap:     a.DailyCap,
		WorkingHours: a.Hours,
		TimeOff:      make([]timeOffView, 0, len(a.TimeOff)),
	}
	for _, t := range a.TimeOff {
		v.TimeOff = append(v.TimeOff, newTimeOffView(t, a.Zone))
	}
	return v
}

// conflictView is a confirmed booking that a change to hours, closures or
// time off left outside the times it may take place; staff should move it.
type conflictView struct {
	ID       string           `json:"id"`
	Service  string           `json:"service"`
	Mode     booking.Mode     `json:"mode"`
	Artisan  string           `json:"artisan"`
	Start    Time             `json:"start"`
	End      Time             `json:"end"`
	Customer booking.Customer `json:"customer"`
	Reason   string           `json:"reason"`
}

func newConflictViews(cs []app.Conflict) []conflictView {
	out := make([]conflictView, 0, len(cs))
	for _, c := range cs {
		out = append(out, conflictView{
			ID: c.ID, Service: c.ServiceID, Mode: c.Mode, Artisan: c.ArtisanID,
			Start: At(c.Start.In(c.Zone)), End: At(c.End.In(c.Zone)), Customer: c.Customer, Reason: c.Reason,
		})
	}
	return out
}

// hoursChangeView is the answer to a change of hours.
type hoursChangeView struct {
	OpeningHours *booking.WeekHours `json:"opening_hours,omitempty"`
	WorkingHours *booking.WeekHours `json:"working_hours,omitempty"`
	Conflicts    []conflictView     `json:"conflicts"`
}

func newHoursChangeView(ch *app.HoursChange) *hoursChangeView {
	v := &hoursChangeView{Conflicts: newConflictViews(ch.Conflicts)}
	if ch.Artisan == "" {
		v.OpeningHours = &ch.Hours
	} else {
		v.WorkingHours = &ch.Hours
	}
	return v
}

// closureAddedView is a closure just added, with the confirmed bookings
// it leaves on a closed day.
type closureAddedView struct {
	ID        string         `json:"id"`
	From      booking.Date   `json:"from"`
	To        booking.Date   `json:"to"`
	Reason    string         `json:"reason"`
	Conflicts []conflictView `json:"conflicts"`
}

func newClosureAddedView(c *app.ClosureAdded) *closureAddedView {
	return &closureAddedView{ID: c.ID, From: c.From, To: c.To, Reason: c.Reason, Conflicts: newConflictViews(c.Conflicts)}
}

// timeOffAddedView is stored time off with the bookings it leaves stranded.
type timeOffAddedView struct {
	timeOffView
	Conflicts []conflictView `json:"conflicts"`
}

func newTimeOffAddedView(t *app.TimeOffAdded) *timeOffAddedView {
	return &timeOffAddedView{timeOffView: newTimeOffView(t.TimeOff, t.Zone), Conflicts: newConflictViews(t.Conflicts)}
}

// auditView is an audit row as the API shows it. At shadows the entry's
// own, so that the time is written with a numeric offset (TimeLayout).
type auditView struct {
	booking.AuditEntry
	At    Time      `json:"at"`
	Actor actorView `json:"actor"`
}

// actorView is who made a change.
type actorView struct {
	Kind string `json:"kind"`
	ID   string `json:"id,omitempty"`
}

func newAuditViews(l *app.AuditLog) []auditView {
	out := make([]auditView, 0, len(l.Entries))
	for _, e := range l.Entries {
		e.At = e.At.In(l.Zone)
		e.Before, e.After = zuluToOffset(e.Before), zuluToOffset(e.After)
		out = append(out, auditView{AuditEntry: e, At: At(e.At), Actor: actorView{Kind: e.Actor.Kind, ID: e.Actor.ID}})
	}
	return out
}

// zuluTime is a JSON string that is an RFC 3339 time in UTC written "Z".
var zuluTime = regexp.MustCompile(`"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?)Z"`)

// zuluToOffset rewrites the UTC times of a stored audit snapshot from "Z"
// to "+00:00" (TimeLayout's numeric offset), leaving the rest of the JSON
// as it was stored, field order included.
func zuluToOffset(raw json.RawMessage) json.RawMessage {
	if !zuluTime.Match(raw) {
		return raw
	}
	return zuluTime.ReplaceAll(raw, []byte(`"$1+00:00"`))
}

// messageView is one e-mail about a booking and how its delivery went,
// its times in TimeLayout ("+00:00" for these UTC times rather than "Z").
type messageView struct {
	ID        int64  `json:"id"`
	Kind      string `json:"kind"`  // confirmation, update, cancellation, reminder, staff_notice
	State     string `json:"state"` // pending, sent, failed
	Attempts  int    `json:"attempts"`
	LastError string `json:"last_error,omitempty"`
	// CreatedAt is when the change that caused the message was made.
	CreatedAt Time `json:"created_at"`
	// DueAt is when a pending message is (next) tried; absent otherwise.
	DueAt *Time `json:"due_at,omitempty"`
	// SentAt is when it was delivered; FailedAt when it was given up.
	SentAt   *Time `json:"sent_at,omitempty"`
	FailedAt *Time `json:"failed_at,omitempty"`
}

func newMessageViews(ms []app.Message) []messageView {
	out := make([]messageView, 0, len(ms))
	for _, m := range ms {
		out = append(out, messageView{
			ID: m.ID, Kind: m.Kind, State: m.State, Attempts: m.Attempts, LastError: m.LastError,
			CreatedAt: At(m.CreatedAt), DueAt: timePtr(m.DueAt), SentAt: timePtr(m.SentAt), FailedAt: timePtr(m.FailedAt),
		})
	}
	return out
}

// googleOverviewView is the Google Calendar sync as admins see it.
type googleOverviewView struct {
	Enabled  bool                `json:"enabled"`
	Artisans []googleArtisanView `json:"artisans"`
}

func newGoogleOverviewView(o *app.GoogleOverview) *googleOverviewView {
	v := &googleOverviewView{Enabled: o.Enabled, Artisans: make([]googleArtisanView, 0, len(o.Artisans))}
	for i := range o.Artisans {
		v.Artisans = append(v.Artisans, *newGoogleArtisanView(&o.Artisans[i]))
	}
	return v
}

// googleArtisanView is one artisan's calendar connection (the members in
// the order the API has always written them).
type googleArtisanView struct {
	ArtisanID   string `json:"artisan_id"`
	CalendarID  string `json:"calendar_id"`
	State       string `json:"state"` // not_connected, connected, disconnected, error
	LastError   string `json:"last_error,omitempty"`
	LastSuccess *Time  `json:"last_success_at"`
	ErrorAt     *Time  `json:"error_at,omitempty"`
}

func newGoogleArtisanView(g *app.GoogleArtisan) *googleArtisanView {
	if g == nil {
		return nil
	}
	return &googleArtisanView{ArtisanID: g.ArtisanID, CalendarID: g.CalendarID, State: g.State,
		LastSuccess: timePtr(g.LastSuccess), LastError: g.LastError, ErrorAt: timePtr(g.ErrorAt)}
}

// googleBookingView is whether a booking is in its artisan's Google
// Calendar (the members in the order the API has always written them).
type googleBookingView struct {
	State     string `json:"state"` // pending, synced, failed
	LastError string `json:"last_error,omitempty"`
	MeetURL   string `json:"meet_url,omitempty"`
	SyncedAt  *Time  `json:"synced_at"`
}

func newGoogleBookingView(g *app.GoogleBooking) *googleBookingView {
	if g == nil {
		return nil
	}
	return &googleBookingView{State: g.State, SyncedAt: timePtr(g.SyncedAt), LastError: g.LastError, MeetURL: g.MeetURL}
}

// feedLinkView is the secret address of a calendar feed.
type feedLinkView struct {
	URL    string `json:"url"`    // https://…/feeds/TOKEN.ics
	Webcal string `json:"webcal"` // the same as webcal://…, which opens a calendar app
}

// timePtr returns *p as a *Time, nil for nil.
func timePtr(p *time.Time) *Time {
	if p == nil {
		return nil
	}
	return &Time{*p}
}
