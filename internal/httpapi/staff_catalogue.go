package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/gorilla/mux"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/config"
)

// The admins' catalogue: services, artisans, rooms and booking rules,
// edited in the app (app/catalogue.go). Every answer to a change carries
// the item as stored and "conflicts", the confirmed bookings the
// catalogue now leaves outside the rules.

func (sa *staffAPI) registerCatalogueRoutes(r *mux.Router) {
	r.Handle("/catalogue", sa.staffOnly(sa.handleCatalogue)).Methods(http.MethodGet)
	r.Handle("/services", sa.staffOnly(sa.handleCreateService)).Methods(http.MethodPost)
	r.Handle("/services/{id}", sa.staffOnly(sa.handleUpdateService)).Methods(http.MethodPut)
	r.Handle("/services/{id}", sa.staffOnly(sa.handleDeactivateService)).Methods(http.MethodDelete)
	r.Handle("/artisans", sa.staffOnly(sa.handleCreateArtisan)).Methods(http.MethodPost)
	r.Handle("/artisans/{id}", sa.staffOnly(sa.handleUpdateArtisan)).Methods(http.MethodPut)
	r.Handle("/artisans/{id}", sa.staffOnly(sa.handleDeactivateArtisan)).Methods(http.MethodDelete)
	r.Handle("/rooms", sa.staffOnly(sa.handleAddRoom)).Methods(http.MethodPost)
	r.Handle("/rooms/{id}", sa.staffOnly(sa.handleDeactivateRoom)).Methods(http.MethodDelete)
	r.Handle("/booking-rules", sa.staffOnly(sa.handleBookingRules)).Methods(http.MethodPut)
}

// bufferBody is a mode's buffers in a service body.
type bufferBody struct {
	BeforeMinutes int `json:"before_minutes"`
	AfterMinutes  int `json:"after_minutes"`
}

// serviceBody is the body of POST /services and PUT /services/{id}: the
// shape of GET /api/v1/services with what admins set besides. A member
// left out keeps its value (PUT) or takes its default (POST).
type serviceBody struct {
	ID              string                      `json:"id"`
	Name            *string                     `json:"name"`
	Description     *string                     `json:"description"`
	DurationMinutes *int                        `json:"duration_minutes"`
	Modes           []booking.Mode              `json:"modes"`
	Buffers         map[booking.Mode]bufferBody `json:"buffers"`
	Artisans        []string                    `json:"artisans"`
	Active          *bool                       `json:"active"`
	// Public false: customers are not shown it (invitations and staff
	// book it).
	Public *bool `json:"public"`
	// Questions and the policy overrides have the configuration file's
	// names and shape (services[].questions, change_cutoff_hours,
	// max_reschedules); null for an override goes back to the atelier's.
	Questions         []questionBody `json:"questions"`
	ChangeCutoffHours override       `json:"change_cutoff_hours"`
	MaxReschedules    override       `json:"max_reschedules"`
	// ArtisansNeeded is how many of its artisans each booking takes together.
	ArtisansNeeded *int `json:"artisans_needed"`
	// RequiresConfirmation makes its bookings requests staff decide on.
	RequiresConfirmation *bool `json:"requires_confirmation"`
}

// questionBody is one question of a service body (config.Question).
type questionBody struct {
	ID       string   `json:"id"`
	Label    string   `json:"label"`
	Type     string   `json:"type"`
	Required bool     `json:"required"`
	Help     string   `json:"help"`
	Options  []string `json:"options"`
	Unit     string   `json:"unit"`
	Units    []string `json:"units"`
	Min      *float64 `json:"min"`
	Max      *float64 `json:"max"`
}

// override is a policy override in a body: given (a number or null) or
// left out.
type override app.PolicyOverride

func (o *override) UnmarshalJSON(b []byte) error {
	o.Set = true
	return json.Unmarshal(b, &o.V)
}

func (b serviceBody) request() app.ServiceRequest {
	req := app.ServiceRequest{ID: b.ID, Name: b.Name, Description: b.Description, DurationMinutes: b.DurationMinutes,
		Modes: b.Modes, Artisans: b.Artisans, Active: b.Active, Public: b.Public,
		ArtisansNeeded:    b.ArtisansNeeded,
		ChangeCutoffHours: app.PolicyOverride(b.ChangeCutoffHours), MaxReschedules: app.PolicyOverride(b.MaxReschedules),
		RequiresConfirmation: b.RequiresConfirmation}
	if b.Questions != nil {
		req.Questions = make([]config.Question, len(b.Questions))
		for i, q := range b.Questions {
			req.Questions[i] = config.Question(q)
		}
	}
	if b.Buffers != nil {
		req.Buffers = map[booking.Mode]app.BufferMinutes{}
		for m, x := range b.Buffers {
			req.Buffers[m] = app.BufferMinutes{Before: x.BeforeMinutes, After: x.AfterMinutes}
		}
	}
	return req
}

// artisanBody is the body of POST /artisans and PUT /artisans/{id}.
type artisanBody struct {
	ID           string                       `json:"id"`
	Name         *string                      `json:"name"`
	Bio          *string                      `json:"bio"`
	Email        *string                      `json:"email"`
	Services     []string                     `json:"services"`
	WorkingHours map[string][]json.RawMessage `json:"working_hours"`
	DailyCap     *int                         `json:"daily_cap"`
	MeetingURL   *string                      `json:"meeting_url"`
	Active       *bool                        `json:"active"`
}

func (b artisanBody) request() app.ArtisanRequest {
	req := app.ArtisanRequest{ID: b.ID, Name: b.Name, Bio: b.Bio, Email: b.Email, Services: b.Services,
		DailyCap: b.DailyCap, MeetingURL: b.MeetingURL, Active: b.Active}
	if b.WorkingHours != nil {
		req.Unread = booking.FieldErrors{}
		h := hoursFrom(b.WorkingHours, "working_hours.", req.Unread)
		req.Hours = &h
	}
	return req
}

// hoursFrom reads an hours object; a span that is not a pair of HH:MM
// times is a field error under prefix ("working_hours.mon[0]").
func hoursFrom(raw map[string][]json.RawMessage, prefix string, errs booking.FieldErrors) booking.WeekHours {
	m := make(map[string][]booking.Span, len(raw))
	for day, spans := range raw {
		m[day] = make([]booking.Span, 0, len(spans))
		for i, b := range spans {
			var s booking.Span
			if err := json.Unmarshal(b, &s); err != nil {
				errs.Add(fmt.Sprintf("%s%s[%d]", prefix, day, i), err.Error())
				continue
			}
			m[day] = append(m[day], s)
		}
	}
	v, more := booking.WeekHoursFromMap(m)
	for k, msg := range more {
		errs.Add(prefix+k, msg)
	}
	return v
}

// roomBody is the body of POST /rooms.
type roomBody struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// rulesBody is the body of PUT /booking-rules: the "booking" member of
// GET /api/v1/atelier; a member left out keeps its value.
type rulesBody struct {
	MinNoticeMinutes    *int `json:"min_notice_minutes"`
	HorizonDays         *int `json:"horizon_days"`
	SlotIntervalMinutes *int `json:"slot_interval_minutes"`
	PendingHours        *int `json:"pending_hours"`
}

// adminServiceView is a service as admins see it.
type adminServiceView struct {
	serviceView
	Buffers map[booking.Mode]bufferBody `json:"buffers"`
	// ChangeCutoffHours and MaxReschedules are the service's policy
	// overrides (left out: the atelier's apply).
	ChangeCutoffHours *int `json:"change_cutoff_hours,omitempty"`
	MaxReschedules    *int `json:"max_reschedules,omitempty"`
	Active            bool `json:"active"`
	// Public is false for a service only invitations and staff book.
	Public    bool   `json:"public"`
	Source    string `json:"source"`
	UpdatedAt *Time  `json:"updated_at,omitempty"`
}

func updatedAt(t time.Time, loc *time.Location) *Time {
	if t.IsZero() {
		return nil
	}
	v := At(t.In(loc))
	return &v
}

func newAdminServiceView(s *booking.ServiceItem, loc *time.Location) adminServiceView {
	v := adminServiceView{serviceView: newServiceView(&s.Service), Buffers: map[booking.Mode]bufferBody{},
		Active: s.Active, Public: !s.Private, Source: s.Source, UpdatedAt: updatedAt(s.UpdatedAt, loc)}
	for _, m := range s.Modes {
		b := s.Buffers[m]
		v.Buffers[m] = bufferBody{int(b.Before / time.Minute), int(b.After / time.Minute)}
	}
	if s.ChangeCutoff != nil {
		n := int(*s.ChangeCutoff / time.Hour)
		v.ChangeCutoffHours = &n
	}
	v.MaxReschedules = s.MaxReschedules
	return v
}

// adminArtisanView is an artisan as admins see it.
type adminArtisanView struct {
	artisanView
	Email        string            `json:"email"`
	WorkingHours booking.WeekHours `json:"working_hours"`
	DailyCap     int               `json:"daily_cap"`
	MeetingURL   string            `json:"meeting_url"`
	Active       bool              `json:"active"`
	Source       string            `json:"source"`
	UpdatedAt    *Time             `json:"updated_at,omitempty"`
}

func newAdminArtisanView(a *booking.ArtisanItem, loc *time.Location) adminArtisanView {
	return adminArtisanView{artisanView: newArtisanView(&a.Artisan), Email: a.Email, WorkingHours: a.Hours,
		DailyCap: a.DailyCap, MeetingURL: a.MeetingURL, Active: a.Active, Source: a.Source, UpdatedAt: updatedAt(a.UpdatedAt, loc)}
}

// adminRoomView is a room as admins see it.
type adminRoomView struct {
	booking.Room
	Active    bool   `json:"active"`
	Source    string `json:"source"`
	UpdatedAt *Time  `json:"updated_at,omitempty"`
}

func newAdminRoomView(r *booking.RoomItem, loc *time.Location) adminRoomView {
	return adminRoomView{Room: r.Room, Active: r.Active, Source: r.Source, UpdatedAt: updatedAt(r.UpdatedAt, loc)}
}

func newRulesView(r booking.Rules) rulesView {
	s := r.Snapshot()
	return rulesView{MinNoticeMinutes: s.MinNoticeMinutes, HorizonDays: s.HorizonDays,
		SlotIntervalMinutes: s.SlotIntervalMinutes, PendingHours: s.PendingHours}
}

// catalogueView is the answer to GET /catalogue.
type catalogueView struct {
	Services    []adminServiceView `json:"services"`
	Artisans    []adminArtisanView `json:"artisans"`
	Rooms       []adminRoomView    `json:"rooms"`
	Booking     rulesView          `json:"booking"`
	RulesSource string             `json:"booking_source"`
}

// catalogueChangeView is the answer to a change: the item under its kind's
// name, and the conflicts.
type catalogueChangeView struct {
	Service   *adminServiceView `json:"service,omitempty"`
	Artisan   *adminArtisanView `json:"artisan,omitempty"`
	Room      *adminRoomView    `json:"room,omitempty"`
	Booking   *rulesView        `json:"booking,omitempty"`
	Conflicts []conflictView    `json:"conflicts"`
}

func (sa *staffAPI) writeChange(w http.ResponseWriter, status int, ch *app.CatalogueChange, err error) error {
	if err != nil {
		return err
	}
	loc := ch.Zone
	v := catalogueChangeView{Conflicts: newConflictViews(ch.Conflicts)}
	switch {
	case ch.Service != nil:
		x := newAdminServiceView(ch.Service, loc)
		v.Service = &x
	case ch.Artisan != nil:
		x := newAdminArtisanView(ch.Artisan, loc)
		v.Artisan = &x
	case ch.Room != nil:
		x := newAdminRoomView(ch.Room, loc)
		v.Room = &x
	case ch.Rules != nil:
		x := newRulesView(*ch.Rules)
		v.Booking = &x
	}
	return writeJSON(w, status, v)
}

func (sa *staffAPI) handleCatalogue(w http.ResponseWriter, r *http.Request) error {
	c, err := sa.staff.CatalogueItems(r.Context(), userOf(r))
	if err != nil {
		return err
	}
	v := catalogueView{Services: []adminServiceView{}, Artisans: []adminArtisanView{}, Rooms: []adminRoomView{},
		Booking: newRulesView(c.Rules), RulesSource: c.RulesSource}
	for i := range c.Services {
		v.Services = append(v.Services, newAdminServiceView(&c.Services[i], c.Zone))
	}
	for i := range c.Artisans {
		v.Artisans = append(v.Artisans, newAdminArtisanView(&c.Artisans[i], c.Zone))
	}
	for i := range c.Rooms {
		v.Rooms = append(v.Rooms, newAdminRoomView(&c.Rooms[i], c.Zone))
	}
	return writeJSON(w, http.StatusOK, v)
}

func (sa *staffAPI) handleCreateService(w http.ResponseWriter, r *http.Request) error {
	var body serviceBody
	if err := decodeJSON(w, r, &body); err != nil {
		return err
	}
	ch, err := sa.staff.CreateService(r.Context(), userOf(r), body.request())
	return sa.writeChange(w, http.StatusCreated, ch, err)
}

func (sa *staffAPI) handleUpdateService(w http.ResponseWriter, r *http.Request) error {
	var body serviceBody
	if err := decodeJSON(w, r, &body); err != nil {
		return err
	}
	if err := sameID(body.ID, mux.Vars(r)["id"]); err != nil {
		return err
	}
	ch, err := sa.staff.UpdateService(r.Context(), userOf(r), mux.Vars(r)["id"], body.request())
	return sa.writeChange(w, http.StatusOK, ch, err)
}

// sameID refuses a body whose id names another item than the path.
func sameID(body, path string) error {
	if body != "" && body != path {
		errs := booking.FieldErrors{}
		errs.Add("id", "cannot be changed: it must be the id in the address, or left out")
		return errs.Err()
	}
	return nil
}

func (sa *staffAPI) handleDeactivateService(w http.ResponseWriter, r *http.Request) error {
	ch, err := sa.staff.DeactivateService(r.Context(), userOf(r), mux.Vars(r)["id"])
	return sa.writeChange(w, http.StatusOK, ch, err)
}

func (sa *staffAPI) handleCreateArtisan(w http.ResponseWriter, r *http.Request) error {
	var body artisanBody
	if err := decodeJSON(w, r, &body); err != nil {
		return err
	}
	ch, err := sa.staff.CreateArtisan(r.Context(), userOf(r), body.request())
	return sa.writeChange(w, http.StatusCreated, ch, err)
}

func (sa *staffAPI) handleUpdateArtisan(w http.ResponseWriter, r *http.Request) error {
	var body artisanBody
	if err := decodeJSON(w, r, &body); err != nil {
		return err
	}
	if err := sameID(body.ID, mux.Vars(r)["id"]); err != nil {
		return err
	}
	ch, err := sa.staff.UpdateArtisan(r.Context(), userOf(r), mux.Vars(r)["id"], body.request())
	return sa.writeChange(w, http.StatusOK, ch, err)
}

func (sa *staffAPI) handleDeactivateArtisan(w http.ResponseWriter, r *http.Request) error {
	ch, err := sa.staff.DeactivateArtisan(r.Context(), userOf(r), mux.Vars(r)["id"])
	return sa.writeChange(w, http.StatusOK, ch, err)
}

func (sa *staffAPI) handleAddRoom(w http.ResponseWriter, r *http.Request) error {
	var body roomBody
	if err := decodeJSON(w, r, &body); err != nil {
		return err
	}
	ch, err := sa.staff.AddRoom(r.Context(), userOf(r), app.RoomRequest{ID: body.ID, Name: body.Name})
	return sa.writeChange(w, http.StatusCreated, ch, err)
}

func (sa *staffAPI) handleDeactivateRoom(w http.ResponseWriter, r *http.Request) error {
	ch, err := sa.staff.DeactivateRoom(r.Context(), userOf(r), mux.Vars(r)["id"])
	return sa.writeChange(w, http.StatusOK, ch, err)
}

func (sa *staffAPI) handleBookingRules(w http.ResponseWriter, r *http.Request) error {
	var body rulesBody
	if err := decodeJSON(w, r, &body); err != nil {
		return err
	}
	ch, err := sa.staff.SetBookingRules(r.Context(), userOf(r), app.RulesRequest{MinNoticeMinutes: body.MinNoticeMinutes,
		HorizonDays: body.HorizonDays, SlotIntervalMinutes: body.SlotIntervalMinutes, PendingHours: body.PendingHours})
	return sa.writeChange(w, http.StatusOK, ch, err)
}
