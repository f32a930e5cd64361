package app

import (
	"context"
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/config"
)

// The admins' catalogue: services, artisans, rooms and booking rules,
// edited in the app and applied at once. Every change is validated here
// (field errors, EINVALID), stored by the CatalogEditor (which audits it)
// and answered with the confirmed bookings it leaves outside the rules, as
// a change of hours is.

// idPattern is the shape of room, service and artisan ids, as in the
// configuration file: they appear in URLs and in the API.
var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)

// Limits of the catalogue's fields.
const (
	maxItemNameLen   = 120
	maxDescription   = 2000
	maxBufferMinutes = 1440
	maxDailyCap      = 100
	maxNoticeMinutes = 60 * 24 * 60 // 60 days
)

// CatalogueAdmin is the whole catalogue as admins edit it (every item,
// offered or not), with the atelier's zone for showing times.
type CatalogueAdmin struct {
	booking.CatalogItems
	Zone *time.Location
}

// CatalogueChange is the answer to a change of the catalogue: the item as
// stored (one of Service, Artisan, Room, or the rules) and the confirmed
// bookings the catalogue now leaves outside the rules.
type CatalogueChange struct {
	Service   *booking.ServiceItem
	Artisan   *booking.ArtisanItem
	Room      *booking.RoomItem
	Rules     *booking.Rules
	Conflicts []Conflict
	Zone      *time.Location // the atelier's, where times are shown
}

// editor is the store's catalogue editor.
func (a *App) editor() booking.CatalogEditor { return a.store }

// CatalogueItems returns every service, artisan and room, offered or not,
// and the booking rules (admins only).
func (a *App) CatalogueItems(ctx context.Context, u *booking.User) (*CatalogueAdmin, error) {
	if err := requireAdmin(u); err != nil {
		return nil, err
	}
	return a.catalogueItems(ctx)
}

func (a *App) catalogueItems(ctx context.Context) (*CatalogueAdmin, error) {
	items, err := a.editor().CatalogItems(ctx)
	if err != nil {
		return nil, wrapStore("load catalogue items", err)
	}
	c, err := a.catalog(ctx)
	if err != nil {
		return nil, err
	}
	return &CatalogueAdmin{CatalogItems: *items, Zone: zoneOf(c)}, nil
}

// BufferMinutes are a mode's buffers as an admin gives them.
type BufferMinutes struct{ Before, After int }

// ServiceRequest is a service as an admin sends it. A nil member (left
// out of the request) keeps the service's current value when it is edited
// and takes the default when it is made: no description, no buffers,
// nobody offering it yet, offered.
type ServiceRequest struct {
	ID              string // made from the name when empty (new services only)
	Name            *string
	Description     *string
	DurationMinutes *int
	Modes           []booking.Mode
	Buffers         map[booking.Mode]BufferMinutes
	Artisans        []string
	Active          *bool
	// Public false keeps the service off the customers' lists (booked
	// through an invitation or by staff); nil keeps it (new: public).
	Public *bool
	// Questions replace the intake form when not nil (empty: none); they
	// are checked as the configuration file's services[].questions.
	Questions []config.Question
	// ChangeCutoffHours and MaxReschedules override the atelier's booking
	// policy for the service when Set (V nil: the atelier's applies).
	ChangeCutoffHours PolicyOverride
	MaxReschedules    PolicyOverride
	// ArtisansNeeded, when set, is how many of its artisans each booking
	// takes together (1 to the number of Artisans).
	ArtisansNeeded *int
	// RequiresConfirmation, when set, says whether its bookings are
	// requests staff confirm (requests.go).
	RequiresConfirmation *bool
	Unread               booking.FieldErrors // as in BookingRequest
}

// PolicyOverride is a member of a service's booking policy as an admin
// sends it: Set when given, with V nil to go back to the atelier's.
type PolicyOverride struct {
	Set bool
	V   *int
}

// CreateService adds a service (admins only); it is bookable at once by
// the artisans named.
func (a *App) CreateService(ctx context.Context, u *booking.User, req ServiceRequest) (*CatalogueChange, error) {
	return a.saveService(ctx, u, "", req)
}

// UpdateService replaces service id's members given in req (admins only).
func (a *App) UpdateService(ctx context.Context, u *booking.User, id string, req ServiceRequest) (*CatalogueChange, error) {
	if strings.TrimSpace(id) == "" {
		return nil, booking.ErrNotFound("service")
	}
	return a.saveService(ctx, u, id, req)
}

// DeactivateService withdraws service id: it is no longer offered, and its
// bookings stay (admins only).
func (a *App) DeactivateService(ctx context.Context, u *booking.User, id string) (*CatalogueChange, error) {
	off := false
	return a.UpdateService(ctx, u, id, ServiceRequest{Active: &off})
}

func (a *App) saveService(ctx context.Context, u *booking.User, id string, req ServiceRequest) (*CatalogueChange, error) {
	if err := requireAdmin(u); err != nil {
		return nil, err
	}
	items, err := a.catalogueItems(ctx)
	if err != nil {
		return nil, err
	}
	create := id == ""
	s := booking.ServiceItem{Active: true}
	var cur *booking.ServiceItem
	if !create {
		if cur = items.Service(id); cur == nil {
			return nil, booking.ErrNotFound("service")
		}
		s = *cur
	}
	errs := booking.FieldErrors{}
	unread(errs, req.Unread)
	applyService(&s, req, items, create, errs)
	if err := errs.Err(); err != nil {
		return nil, err
	}
	if cur != nil && reflect.DeepEqual(s, *cur) {
		// Nothing changes (a second withdrawal, a form saved as it was):
		// nothing is written or audited, and the item keeps its source.
		return a.changed(ctx, &CatalogueChange{Service: &s}, s.ID, nil)
	}
	before, err := a.outside(ctx)
	if err != nil {
		return nil, err
	}
	if err := a.editor().SaveService(ctx, s, create, u.Actor()); err != nil {
		return nil, wrapStore("save service", err)
	}
	return a.changed(ctx, &CatalogueChange{Service: &s}, s.ID, before)
}

// applyService sets the members req gives on s, checking each.
func applyService(s *booking.ServiceItem, req ServiceRequest, items *CatalogueAdmin, create bool, errs booking.FieldErrors) {
	if req.Name != nil || create {
		s.Name = itemName(errs, "name", deref(req.Name))
	}
	if create {
		s.ID = newItemID(errs, req.ID, s.Name, func(id string) bool { return items.Service(id) != nil })
	}
	if req.Description != nil {
		s.Description = validDescription(errs, "description", *req.Description)
	}
	if req.DurationMinutes != nil || create {
		d := deref(req.DurationMinutes)
		if d <= 0 || d%5 != 0 || d > 1440 {
			errs.Add("duration_minutes", "must be a positive multiple of 5 minutes, at most 1440")
		}
		s.Duration = time.Duration(d) * time.Minute
	}
	if req.Modes != nil || create {
		s.Modes = validModes(errs, req.Modes)
	}
	if req.Buffers != nil || req.Modes != nil || create {
		s.Buffers = validBuffers(errs, req.Buffers, s.Buffers, s.Modes)
	}
	if slices.Contains(s.Modes, booking.InPerson) && !hasActiveRoom(items) {
		errs.Add("modes", "a visit (in_person) needs a consultation room: add one under Rooms first")
	}
	if req.Artisans != nil {
		s.Artisans = validRefs(errs, "artisans", req.Artisans, func(id string) bool {
			ar := items.Artisan(id)
			return ar != nil && ar.Active
		})
	}
	if req.Active != nil {
		s.Active = *req.Active
	}
	if req.Public != nil {
		s.Private = !*req.Public
	}
	if req.RequiresConfirmation != nil {
		s.RequiresConfirmation = *req.RequiresConfirmation
	}
	applyIntake(s, req, errs)
	applyTeam(s, req, errs) // team.go
}

// applyIntake sets the intake form and the policy overrides req gives on
// s, by the configuration file's rules.
func applyIntake(s *booking.ServiceItem, req ServiceRequest, errs booking.FieldErrors) {
	if req.Questions != nil {
		qs, problems := config.ServiceQuestions(req.Questions)
		for _, p := range problems {
			errs.Add(p.Path, p.Message)
		}
		s.Questions = qs
	}
	var cutoff, moves *int
	if req.ChangeCutoffHours.Set {
		cutoff = req.ChangeCutoffHours.V
	}
	if req.MaxReschedules.Set {
		moves = req.MaxReschedules.V
	}
	for _, p := range config.ServicePolicy(cutoff, moves) {
		errs.Add(p.Path, p.Message)
	}
	if req.ChangeCutoffHours.Set {
		s.ChangeCutoff = nil
		if cutoff != nil {
			d := time.Duration(*cutoff) * time.Hour
			s.ChangeCutoff = &d
		}
	}
	if req.MaxReschedules.Set {
		s.MaxReschedules = nil
		if moves != nil {
			n := *moves
			s.MaxReschedules = &n
		}
	}
}

func hasActiveRoom(items *CatalogueAdmin) bool {
	return slices.ContainsFunc(items.Rooms, func(r booking.RoomItem) bool { return r.Active })
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// itemName checks the name of a service, artisan or room.
func itemName(errs booking.FieldErrors, field, s string) string {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		errs.Add(field, "is required")
	case utf8.RuneCountInString(s) > maxItemNameLen:
		errs.Add(field, fmt.Sprintf("must be at most %d characters", maxItemNameLen))
	case hasControl(s, false):
		errs.Add(field, "must be on one line, without control characters")
	}
	return s
}

func validDescription(errs booking.FieldErrors, field, s string) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > maxDescription || hasControl(s, true) {
		errs.Add(field, fmt.Sprintf("must be at most %d characters of text", maxDescription))
	}
	return s
}

// newItemID checks the id asked for a new item, or makes one from its
// name ("Ring sizing" → "ring-sizing", with -2, -3… when taken).
func newItemID(errs booking.FieldErrors, asked, name string, taken func(string) bool) string {
	asked = strings.TrimSpace(asked)
	if asked != "" {
		// An id taken is the store's ECONFLICT (CodeIDTaken), checked
		// in the transaction that would add it.
		if !idPattern.MatchString(asked) {
			errs.Add("id", "must be lower-case letters, digits and '-', starting with a letter or digit, at most 40")
		}
		return asked
	}
	base := Slug(name)
	if base == "" {
		if name != "" {
			errs.Add("id", "cannot be made from this name: give an id of lower-case letters, digits and '-'")
		}
		return ""
	}
	id := base
	for n := 2; taken(id); n++ {
		suffix := fmt.Sprintf("-%d", n)
		id = strings.TrimRight(base[:min(len(base), 40-len(suffix))], "-") + suffix
	}
	return id
}

// Slug makes an id from a name: letters without their accents, lower
// case, runs of anything else as one '-', at most 40 characters (the
// catalogue's items, and a question of the admin's intake editor).
func Slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFKD.String(strings.ToLower(name)) {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		case unicode.Is(unicode.Mn, r): // a combining accent
		default:
			dash = true
		}
		if b.Len() >= 40 {
			break
		}
	}
	return strings.Trim(b.String(), "-")
}

func validModes(errs booking.FieldErrors, modes []booking.Mode) []booking.Mode {
	var out []booking.Mode
	for i, m := range modes {
		switch {
		case !m.Valid():
			errs.Add(fmt.Sprintf("modes[%d]", i), "must be in_person or virtual")
		case slices.Contains(out, m):
			errs.Add(fmt.Sprintf("modes[%d]", i), "is listed twice")
		default:
			out = append(out, m)
		}
	}
	if len(modes) == 0 {
		errs.Add("modes", "needs at least one of in_person, virtual")
	}
	return out
}

// validBuffers returns the buffers of each of modes: those given, else
// the current ones (cur).
func validBuffers(errs booking.FieldErrors, given map[booking.Mode]BufferMinutes, cur map[booking.Mode]booking.Buffer, modes []booking.Mode) map[booking.Mode]booking.Buffer {
	out := map[booking.Mode]booking.Buffer{}
	for m, b := range given {
		field := "buffers." + string(m)
		switch {
		case !slices.Contains(modes, m):
			errs.Add(field, "is for a mode the service is not offered in")
			continue
		case b.Before < 0 || b.Before > maxBufferMinutes:
			errs.Add(field+".before_minutes", "must be between 0 and 1440")
		case b.After < 0 || b.After > maxBufferMinutes:
			errs.Add(field+".after_minutes", "must be between 0 and 1440")
		}
		out[m] = booking.Buffer{Before: time.Duration(b.Before) * time.Minute, After: time.Duration(b.After) * time.Minute}
	}
	for _, m := range modes {
		if _, ok := out[m]; !ok {
			out[m] = cur[m]
		}
	}
	return out
}

// validRefs checks a list of ids: each known (ok) and listed once.
func validRefs(errs booking.FieldErrors, field string, ids []string, ok func(string) bool) []string {
	out := []string{}
	for i, id := range ids {
		id = strings.TrimSpace(id)
		switch {
		case !ok(id):
			errs.Add(fmt.Sprintf("%s[%d]", field, i), fmt.Sprintf("%q is not an id of the catalogue that is offered", id))
		case slices.Contains(out, id):
			errs.Add(fmt.Sprintf("%s[%d]", field, i), "is listed twice")
		default:
			out = append(out, id)
		}
	}
	return out
}

// changed completes a change's answer: the item id as stored (read
// again, with its source and time), and the confirmed bookings the
// catalogue now leaves outside the rules.
func (a *App) changed(ctx context.Context, ch *CatalogueChange, id string, before outsideSet) (*CatalogueChange, error) {
	items, err := a.editor().CatalogItems(ctx)
	if err != nil {
		return nil, wrapStore("load catalogue items", err)
	}
	switch {
	case ch.Service != nil && items.Service(id) != nil:
		ch.Service = items.Service(id)
	case ch.Artisan != nil && items.Artisan(id) != nil:
		ch.Artisan = items.Artisan(id)
	case ch.Room != nil && items.Room(id) != nil:
		ch.Room = items.Room(id)
	case ch.Rules != nil:
		ch.Rules = &items.Rules
	}
	ch.Conflicts = []Conflict{}
	if before != nil {
		cs, err := a.comingConflicts(ctx)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			if before[c.ID] != c.Reason {
				ch.Conflicts = append(ch.Conflicts, c) // caused by this change, not found by it
			}
		}
	}
	c, err := a.catalog(ctx)
	if err != nil {
		return nil, err
	}
	ch.Zone = zoneOf(c)
	return ch, nil
}

// outsideSet is the coming confirmed bookings outside the rules before a
// change, by id, with the reason: a change answers with the conflicts it
// causes, not those that were there already (the calendar flags those).
// nil stands for a change that changed nothing.
type outsideSet map[string]string

// comingConflicts are the coming bookings outside the rules now, within
// conflictWindow.
func (a *App) comingConflicts(ctx context.Context) ([]Conflict, error) {
	now := a.now()
	return a.conflicts(ctx, now, now.Add(conflictWindow), "")
}

// outside is comingConflicts by booking id, with the reason.
func (a *App) outside(ctx context.Context) (outsideSet, error) {
	cs, err := a.comingConflicts(ctx)
	if err != nil {
		return nil, err
	}
	out := outsideSet{}
	for _, c := range cs {
		out[c.ID] = c.Reason
	}
	return out, nil
}

// ArtisanRequest is an artisan as an admin sends it; nil members keep
// their value (an edit) or take the default (a new artisan: no bio, no
// e-mail, no services yet, no working hours, no cap, offered).
type ArtisanRequest struct {
	ID         string
	Name       *string
	Bio        *string
	Email      *string
	Services   []string
	Hours      *booking.WeekHours
	DailyCap   *int
	MeetingURL *string
	Active     *bool
	Unread     booking.FieldErrors
}

// CreateArtisan adds an artisan (admins only).
func (a *App) CreateArtisan(ctx context.Context, u *booking.User, req ArtisanRequest) (*CatalogueChange, error) {
	return a.saveArtisan(ctx, u, "", req)
}

// UpdateArtisan replaces artisan id's members given in req (admins only).
func (a *App) UpdateArtisan(ctx context.Context, u *booking.User, id string, req ArtisanRequest) (*CatalogueChange, error) {
	if strings.TrimSpace(id) == "" {
		return nil, booking.ErrNotFound("artisan")
	}
	return a.saveArtisan(ctx, u, id, req)
}

// DeactivateArtisan withdraws artisan id: no new bookings with them, and
// their bookings stay (admins only).
func (a *App) DeactivateArtisan(ctx context.Context, u *booking.User, id string) (*CatalogueChange, error) {
	off := false
	return a.UpdateArtisan(ctx, u, id, ArtisanRequest{Active: &off})
}

func (a *App) saveArtisan(ctx context.Context, u *booking.User, id string, req ArtisanRequest) (*CatalogueChange, error) {
	if err := requireAdmin(u); err != nil {
		return nil, err
	}
	items, err := a.catalogueItems(ctx)
	if err != nil {
		return nil, err
	}
	create := id == ""
	ar := booking.ArtisanItem{Active: true}
	var cur *booking.ArtisanItem
	if !create {
		if cur = items.Artisan(id); cur == nil {
			return nil, booking.ErrNotFound("artisan")
		}
		ar = *cur
	}
	errs := booking.FieldErrors{}
	unread(errs, req.Unread)
	a.applyArtisan(&ar, req, items, create, errs)
	if err := errs.Err(); err != nil {
		return nil, err
	}
	if cur != nil && reflect.DeepEqual(ar, *cur) {
		return a.changed(ctx, &CatalogueChange{Artisan: &ar}, ar.ID, nil) // nothing changes, as for a service
	}
	before, err := a.outside(ctx)
	if err != nil {
		return nil, err
	}
	if err := a.editor().SaveArtisan(ctx, ar, create, u.Actor()); err != nil {
		return nil, wrapStore("save artisan", err)
	}
	return a.changed(ctx, &CatalogueChange{Artisan: &ar}, ar.ID, before)
}

func (a *App) applyArtisan(ar *booking.ArtisanItem, req ArtisanRequest, items *CatalogueAdmin, create bool, errs booking.FieldErrors) {
	if req.Name != nil || create {
		ar.Name = itemName(errs, "name", deref(req.Name))
	}
	if create {
		ar.ID = newItemID(errs, req.ID, ar.Name, func(id string) bool { return items.Artisan(id) != nil })
	}
	if req.Bio != nil {
		ar.Bio = validDescription(errs, "bio", *req.Bio)
	}
	if req.Email != nil {
		ar.Email = strings.TrimSpace(*req.Email)
		if ar.Email != "" {
			if msg := validEmail(ar.Email, a.utf8LocalParts); msg != "" {
				errs.Add("email", msg)
			}
		}
	}
	if req.Services != nil {
		ar.Services = validRefs(errs, "services", req.Services, func(id string) bool {
			s := items.Service(id)
			return s != nil && s.Active
		})
	}
	if req.Hours != nil {
		ar.Hours = *req.Hours
	}
	if req.DailyCap != nil {
		if *req.DailyCap < 0 || *req.DailyCap > maxDailyCap {
			errs.Add("daily_cap", fmt.Sprintf("must be between 0 (no cap) and %d", maxDailyCap))
		}
		ar.DailyCap = *req.DailyCap
	}
	if req.MeetingURL != nil {
		ar.MeetingURL = strings.TrimSpace(*req.MeetingURL)
		if ar.MeetingURL != "" && !httpURL(ar.MeetingURL) {
			errs.Add("meeting_url", "must be an https:// (or http://) address, such as https://zoom.us/j/123")
		}
	}
	if req.Active != nil {
		ar.Active = *req.Active
	}
}

func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && len(s) <= 500 && !hasControl(s, false)
}

// RoomRequest is a room as an admin adds it.
type RoomRequest struct {
	ID     string // made from the name when empty
	Name   string
	Unread booking.FieldErrors
}

// AddRoom adds a consultation room, or offers a withdrawn one again under
// the name given (admins only).
func (a *App) AddRoom(ctx context.Context, u *booking.User, req RoomRequest) (*CatalogueChange, error) {
	if err := requireAdmin(u); err != nil {
		return nil, err
	}
	items, err := a.catalogueItems(ctx)
	if err != nil {
		return nil, err
	}
	errs := booking.FieldErrors{}
	unread(errs, req.Unread)
	r := booking.RoomItem{Active: true}
	r.Name = itemName(errs, "name", req.Name)
	r.ID = newItemID(errs, req.ID, r.Name, func(id string) bool { return items.Room(id) != nil })
	if err := errs.Err(); err != nil {
		return nil, err
	}
	before, err := a.outside(ctx)
	if err != nil {
		return nil, err
	}
	if err := a.editor().SaveRoom(ctx, r, true, u.Actor()); err != nil {
		return nil, wrapStore("add room", err)
	}
	return a.changed(ctx, &CatalogueChange{Room: &r}, r.ID, before)
}

// DeactivateRoom withdraws room id: visits are no longer placed in it,
// and its bookings stay (admins only).
func (a *App) DeactivateRoom(ctx context.Context, u *booking.User, id string) (*CatalogueChange, error) {
	if err := requireAdmin(u); err != nil {
		return nil, err
	}
	items, err := a.catalogueItems(ctx)
	if err != nil {
		return nil, err
	}
	cur := items.Room(id)
	if cur == nil {
		return nil, booking.ErrNotFound("room")
	}
	r := *cur
	if !r.Active {
		return a.changed(ctx, &CatalogueChange{Room: &r}, r.ID, nil) // withdrawn already: nothing changes
	}
	r.Active = false
	before, err := a.outside(ctx)
	if err != nil {
		return nil, err
	}
	if err := a.editor().SaveRoom(ctx, r, false, u.Actor()); err != nil {
		return nil, wrapStore("withdraw room", err)
	}
	return a.changed(ctx, &CatalogueChange{Room: &r}, r.ID, before)
}

// RulesRequest is the booking rules as an admin sends them; nil members
// keep their value.
type RulesRequest struct {
	MinNoticeMinutes    *int
	HorizonDays         *int
	SlotIntervalMinutes *int
	PendingHours        *int // how long a request waits for staff (issue 13)
	Unread              booking.FieldErrors
}

// SetBookingRules replaces the booking rules (admins only).
func (a *App) SetBookingRules(ctx context.Context, u *booking.User, req RulesRequest) (*CatalogueChange, error) {
	if err := requireAdmin(u); err != nil {
		return nil, err
	}
	items, err := a.catalogueItems(ctx)
	if err != nil {
		return nil, err
	}
	r := items.Rules
	errs := booking.FieldErrors{}
	unread(errs, req.Unread)
	if p := req.MinNoticeMinutes; p != nil {
		if *p < 0 || *p > maxNoticeMinutes {
			errs.Add("min_notice_minutes", "must be between 0 and 86400 (60 days)")
		}
		r.MinNotice = time.Duration(*p) * time.Minute
	}
	if p := req.HorizonDays; p != nil {
		if *p < 1 || *p > 730 {
			errs.Add("horizon_days", "must be between 1 and 730")
		}
		r.HorizonDays = *p
	}
	if p := req.SlotIntervalMinutes; p != nil {
		if n := *p; n < 5 || n > 240 || 1440%n != 0 {
			errs.Add("slot_interval_minutes", "must divide a day evenly and be between 5 and 240, such as 15, 30 or 60")
		}
		r.SlotInterval = time.Duration(*p) * time.Minute
	}
	if p := req.PendingHours; p != nil {
		if *p < 1 || *p > booking.MaxPendingHours {
			errs.Add("pending_hours", fmt.Sprintf("must be between 1 and %d hours", booking.MaxPendingHours))
		}
		r.PendingFor = time.Duration(*p) * time.Hour
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	before, err := a.outside(ctx)
	if err != nil {
		return nil, err
	}
	if err := a.editor().SetRules(ctx, r, u.Actor()); err != nil {
		return nil, wrapStore("set booking rules", err)
	}
	return a.changed(ctx, &CatalogueChange{Rules: &r}, "", before)
}
