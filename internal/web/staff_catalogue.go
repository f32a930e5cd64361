package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
)

// The admins' catalogue pages: Services, Artisans (the list, each
// artisan's details; their hours and time off are on /staff/artisans/{id})
// and, under Settings, Rooms and Booking rules. Plain forms, POST then
// redirect; a change lists the bookings it leaves outside the rules.

func (s *Server) registerCatalogueRoutes(r *mux.Router) {
	get := []string{http.MethodGet, http.MethodHead}
	r.Handle("/staff/services", s.staffOnly(s.handleServicesPage)).Methods(get...)
	r.Handle("/staff/services", s.staffOnly(s.handleServiceCreate)).Methods(http.MethodPost)
	r.Handle("/staff/services/new", s.staffOnly(s.handleServiceNew)).Methods(get...)
	r.Handle("/staff/services/{sid}", s.staffOnly(s.handleServiceEdit)).Methods(get...)
	r.Handle("/staff/services/{sid}", s.staffOnly(s.handleServiceSave)).Methods(http.MethodPost)
	r.Handle("/staff/services/{sid}/{state:deactivate|activate}", s.staffOnly(s.handleServiceState)).Methods(http.MethodPost)
	r.Handle("/staff/artisans", s.staffOnly(s.handleArtisansPage)).Methods(get...)
	r.Handle("/staff/artisans", s.staffOnly(s.handleArtisanCreate)).Methods(http.MethodPost)
	r.Handle("/staff/artisans/new", s.staffOnly(s.handleArtisanNew)).Methods(get...)
	r.Handle("/staff/artisans/{aid}/edit", s.staffOnly(s.handleArtisanEdit)).Methods(get...)
	r.Handle("/staff/artisans/{aid}/edit", s.staffOnly(s.handleArtisanSave)).Methods(http.MethodPost)
	r.Handle("/staff/artisans/{aid}/{state:deactivate|activate}", s.staffOnly(s.handleArtisanState)).Methods(http.MethodPost)
	r.Handle("/staff/settings", s.staffOnly(s.handleSettingsPage)).Methods(get...)
	r.Handle("/staff/settings/booking-rules", s.staffOnly(s.handleRulesSave)).Methods(http.MethodPost)
	r.Handle("/staff/rooms", s.staffOnly(s.handleRoomAdd)).Methods(http.MethodPost)
	r.Handle("/staff/rooms/{rid}/{state:deactivate|activate}", s.staffOnly(s.handleRoomState)).Methods(http.MethodPost)
}

// itemRow is one service, artisan or room in a list.
type itemRow struct {
	ID, Name, Detail, Offered string
	Active, FromFile          bool
	Private                   bool // a service not listed to customers
}

// catalogueList is the Services or Artisans page.
type catalogueList struct {
	Rows      []itemRow
	Saved     string
	Conflicts []conflictItem
}

// check is a checkbox of a form.
type check struct {
	Value, Label string
	Checked      bool
}

// serviceForm is the page that adds or edits a service.
type serviceForm struct {
	New, Active, FromFile bool
	Public                bool // listed to customers (else invitation or staff only)
	Confirm               bool // customers' bookings are requests staff confirm (issue 13)
	ID, Name, Description string
	Duration              string
	Together              string // artisans each booking takes together ("1" for one)
	Modes                 []check
	Buffers               []bufferInput
	Artisans              []check
	Errors                map[string]string
	Intake                *intakeForm // staff_service_intake.go
}

// bufferInput is one mode's buffers in the service form.
type bufferInput struct {
	Mode, Label, Before, After string
}

var modeLabels = []struct {
	Mode  booking.Mode
	Label string
}{{booking.InPerson, "Visit to the atelier"}, {booking.Virtual, "Video call"}}

// savedCatalogue is the message after a change of the catalogue.
func savedCatalogue(r *http.Request) string {
	name := r.URL.Query().Get("name")
	switch r.URL.Query().Get("saved") {
	case "service-added":
		return name + " is added: customers can book it now."
	case "service":
		return "The changes to " + name + " are saved and apply at once."
	case "service-deactivate":
		return name + " is withdrawn: customers can no longer book it. Its bookings stand."
	case "service-activate":
		return name + " is offered again."
	case "artisan-added":
		return name + " is added. Set their working hours and time off on their page."
	case "artisan":
		return "The changes to " + name + " are saved and apply at once."
	case "artisan-deactivate":
		return name + " is withdrawn: no new bookings with them. Their bookings stand."
	case "artisan-activate":
		return name + " takes bookings again."
	case "room-added":
		return "The room " + name + " is added."
	case "room-deactivate":
		return "The room " + name + " is withdrawn: visits are no longer placed in it."
	case "room-activate":
		return "The room " + name + " is offered again."
	case "rules":
		return "The booking rules are saved and apply at once."
	}
	return ""
}

// requireAdminPage refuses the catalogue pages to artisan accounts.
func requireAdminPage(r *http.Request) error {
	if !staffUser(r).IsAdmin() {
		return booking.Errorf(booking.EFORBIDDEN, "forbidden", "admins only")
	}
	return nil
}

// afterChange redirects to path with the saved message and the conflicts
// of ch.
func afterChange(w http.ResponseWriter, r *http.Request, path, saved, name string, ch *app.CatalogueChange) {
	q := url.Values{"saved": {saved}, "name": {name}}
	if ch != nil {
		q = conflictQuery(q, ch.Conflicts)
	}
	http.Redirect(w, r, path+"?"+q.Encode(), http.StatusSeeOther)
}

// formErrors returns an EINVALID error's messages by form field: a list's
// or a mode's message under the list's name ("modes[1]" → "modes",
// "buffers.in_person.before_minutes" → "buffers.in_person").
func formErrors(err error) map[string]string {
	out := map[string]string{}
	for k, msg := range fieldErrors(err) {
		key := k
		if i := strings.IndexByte(key, '['); i > 0 {
			key = key[:i]
		}
		if strings.HasPrefix(key, "buffers.") {
			if parts := strings.SplitN(key, ".", 3); len(parts) >= 2 {
				key = parts[0] + "." + parts[1]
			}
		}
		if strings.HasPrefix(key, "working_hours.") {
			key = "hours_" + strings.TrimPrefix(key, "working_hours.")
		}
		if _, ok := out[key]; !ok {
			out[key] = msg
		}
	}
	return out
}

// ---- Services -----------------------------------------------------------

func (s *Server) handleServicesPage(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdminPage(r); err != nil {
		return err
	}
	items, err := s.staff.app.CatalogueItems(r.Context(), staffUser(r))
	if err != nil {
		return err
	}
	c, err := s.catalogue(r.Context())
	if err != nil {
		return err
	}
	d := &catalogueList{Saved: savedCatalogue(r), Conflicts: s.conflictItems(r, c)}
	for _, sv := range items.Services {
		var names []string
		for _, id := range sv.Artisans {
			if a := items.Artisan(id); a != nil && a.Active {
				names = append(names, a.Name)
			}
		}
		offered := strings.Join(names, ", ")
		if offered == "" {
			offered = "nobody yet"
		}
		d.Rows = append(d.Rows, itemRow{ID: sv.ID, Name: sv.Name, Active: sv.Active, FromFile: sv.Source == booking.SourceConfig,
			Private: sv.Private, Detail: fmt.Sprintf("%s · %s", durationLabel(sv.Duration), staffModesLabel(sv.Modes)), Offered: offered})
	}
	return s.show(w, r, "staff_services", s.staffPage(r, "Services", "services", d))
}

func durationLabel(d time.Duration) string {
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case h == 0:
		return fmt.Sprintf("%d min", m)
	case m == 0:
		return fmt.Sprintf("%d h", h)
	}
	return fmt.Sprintf("%d h %d min", h, m)
}

func staffModesLabel(ms []booking.Mode) string {
	var out []string
	for _, ml := range modeLabels {
		if slices.Contains(ms, ml.Mode) {
			out = append(out, ml.Label)
		}
	}
	return strings.Join(out, ", ")
}

// newServiceForm fills the service form from s (nil for a new one).
func newServiceForm(sv *booking.ServiceItem, items *app.CatalogueAdmin) *serviceForm {
	f := &serviceForm{New: sv == nil, Active: true, Public: true, Duration: "60", Together: "1"}
	if sv != nil {
		f.ID, f.Name, f.Description, f.Active, f.Public = sv.ID, sv.Name, sv.Description, sv.Active, !sv.Private
		f.Confirm = sv.RequiresConfirmation
		f.FromFile = sv.Source == booking.SourceConfig
		f.Duration = strconv.Itoa(int(sv.Duration / time.Minute))
		f.Together = strconv.Itoa(sv.Needed())
	}
	for _, ml := range modeLabels {
		offered := sv != nil && slices.Contains(sv.Modes, ml.Mode)
		f.Modes = append(f.Modes, check{Value: string(ml.Mode), Label: ml.Label, Checked: offered})
		b := booking.Buffer{}
		if sv != nil {
			b = sv.Buffers[ml.Mode]
		}
		f.Buffers = append(f.Buffers, bufferInput{Mode: string(ml.Mode), Label: ml.Label,
			Before: strconv.Itoa(int(b.Before / time.Minute)), After: strconv.Itoa(int(b.After / time.Minute))})
	}
	for _, a := range items.Artisans {
		if !a.Active {
			continue
		}
		f.Artisans = append(f.Artisans, check{Value: a.ID, Label: a.Name, Checked: sv != nil && slices.Contains(sv.Artisans, a.ID)})
	}
	f.Intake = newIntakeForm(sv, items.Rules)
	return f
}

// readServiceForm reads the service form into a request, and f as typed
// (to show again). A number that is not one is a message in Unread.
func readServiceForm(form url.Values, f *serviceForm) app.ServiceRequest {
	unread := booking.FieldErrors{}
	name, desc := form.Get("name"), form.Get("description")
	req := app.ServiceRequest{ID: strings.TrimSpace(form.Get("id")), Name: &name, Description: &desc, Unread: unread}
	f.ID, f.Name, f.Description, f.Duration = req.ID, name, desc, strings.TrimSpace(form.Get("duration"))
	// An unticked box is not posted: the hidden public_box says the box
	// was on the form, so its absence means a service customers are not
	// shown (a form without the box keeps the service as it is).
	if form.Get("public_box") != "" {
		f.Public = form.Get("public") != ""
		req.Public = &f.Public
	}
	if form.Get("confirm_box") != "" { // as public_box
		f.Confirm = form.Get("confirm") != ""
		req.RequiresConfirmation = &f.Confirm
	}
	if n, err := strconv.Atoi(f.Duration); err == nil {
		req.DurationMinutes = &n
	} else {
		unread.Add("duration_minutes", "must be a number of minutes, such as 60")
	}
	req.Modes = []booking.Mode{}
	for i := range f.Modes {
		f.Modes[i].Checked = slices.Contains(form["mode"], f.Modes[i].Value)
		if f.Modes[i].Checked {
			req.Modes = append(req.Modes, booking.Mode(f.Modes[i].Value))
		}
	}
	req.Buffers = map[booking.Mode]app.BufferMinutes{}
	for i := range f.Buffers {
		b := &f.Buffers[i]
		b.Before, b.After = strings.TrimSpace(form.Get("before_"+b.Mode)), strings.TrimSpace(form.Get("after_"+b.Mode))
		if !slices.Contains(req.Modes, booking.Mode(b.Mode)) {
			continue // buffers of a mode not offered are not kept
		}
		before, err1 := strconv.Atoi(orZero(b.Before))
		after, err2 := strconv.Atoi(orZero(b.After))
		if err1 != nil || err2 != nil {
			unread.Add("buffers."+b.Mode, "must be whole minutes, such as 15")
			continue
		}
		req.Buffers[booking.Mode(b.Mode)] = app.BufferMinutes{Before: before, After: after}
	}
	req.Artisans = []string{}
	for i := range f.Artisans {
		f.Artisans[i].Checked = slices.Contains(form["artisan"], f.Artisans[i].Value)
		if f.Artisans[i].Checked {
			req.Artisans = append(req.Artisans, f.Artisans[i].Value)
		}
	}
	// Artisans together: left out (an older form) keeps the service's.
	if v, ok := form["together"]; ok {
		f.Together = strings.TrimSpace(strings.Join(v, ""))
		if n, err := strconv.Atoi(orOne(f.Together)); err == nil {
			req.ArtisansNeeded = &n
		} else {
			unread.Add("artisans_needed", "must be a whole number, such as 2")
		}
	}
	readIntake(form, f.Intake, &req)
	return req
}

func orOne(s string) string {
	if s == "" {
		return "1"
	}
	return s
}

func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}

func (s *Server) handleServiceNew(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdminPage(r); err != nil {
		return err
	}
	items, err := s.staff.app.CatalogueItems(r.Context(), staffUser(r))
	if err != nil {
		return err
	}
	f := newServiceForm(nil, items)
	f.Modes[0].Checked = true
	return s.show(w, r, "staff_service", s.staffPage(r, "Add a service", "services", f))
}

func (s *Server) handleServiceEdit(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdminPage(r); err != nil {
		return err
	}
	items, err := s.staff.app.CatalogueItems(r.Context(), staffUser(r))
	if err != nil {
		return err
	}
	sv := items.Service(mux.Vars(r)["sid"])
	if sv == nil {
		return booking.ErrNotFound("service")
	}
	return s.show(w, r, "staff_service", s.staffPage(r, sv.Name, "services", newServiceForm(sv, items)))
}

func (s *Server) handleServiceCreate(w http.ResponseWriter, r *http.Request) error {
	return s.saveServiceForm(w, r, "")
}

func (s *Server) handleServiceSave(w http.ResponseWriter, r *http.Request) error {
	return s.saveServiceForm(w, r, mux.Vars(r)["sid"])
}

func (s *Server) saveServiceForm(w http.ResponseWriter, r *http.Request, id string) error {
	if err := parseStaffForm(w, r); err != nil {
		return err
	}
	if err := requireAdminPage(r); err != nil {
		return err
	}
	items, err := s.staff.app.CatalogueItems(r.Context(), staffUser(r))
	if err != nil {
		return err
	}
	var cur *booking.ServiceItem
	if id != "" {
		if cur = items.Service(id); cur == nil {
			return booking.ErrNotFound("service")
		}
	}
	f := newServiceForm(cur, items)
	req := readServiceForm(r.PostForm, f)
	var ch *app.CatalogueChange
	if id == "" {
		ch, err = s.staff.app.CreateService(r.Context(), staffUser(r), req)
	} else {
		req.ID = ""
		ch, err = s.staff.app.UpdateService(r.Context(), staffUser(r), id, req)
	}
	if err != nil {
		if k := booking.ErrorKind(err); k != booking.EINVALID && k != booking.ECONFLICT {
			return err
		}
		f.Errors = formErrors(err)
		placeIntakeErrors(fieldErrors(err), f.Intake)
		if booking.ErrorKind(err) == booking.ECONFLICT {
			f.Errors = map[string]string{"id": "is already used by another service (offered or not): choose another"}
		}
		title := "Add a service"
		if cur != nil {
			title = cur.Name
		}
		return again(err, "staff_service", s.staffPage(r, title, "services", f))
	}
	saved := "service"
	if id == "" {
		saved = "service-added"
	}
	afterChange(w, r, "/staff/services", saved, ch.Service.Name, ch)
	return nil
}

func (s *Server) handleServiceState(w http.ResponseWriter, r *http.Request) error {
	v := mux.Vars(r)
	var ch *app.CatalogueChange
	var err error
	if v["state"] == "deactivate" {
		ch, err = s.staff.app.DeactivateService(r.Context(), staffUser(r), v["sid"])
	} else {
		on := true
		ch, err = s.staff.app.UpdateService(r.Context(), staffUser(r), v["sid"], app.ServiceRequest{Active: &on})
	}
	if err != nil {
		return err
	}
	afterChange(w, r, "/staff/services", "service-"+v["state"], ch.Service.Name, ch)
	return nil
}

// ---- Artisans -------------------------------------------------------------

// artisanForm is the page that adds an artisan or edits their details.
type artisanForm struct {
	New, Active, FromFile    bool
	ID, Name, Bio, Email     string
	DailyCap, MeetingURL     string
	Services                 []check
	Hours                    []hoursRowInput // new artisans only
	Errors                   map[string]string
	HoursURL, WithdrawAction string
}

func (s *Server) handleArtisansPage(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdminPage(r); err != nil {
		return err
	}
	items, err := s.staff.app.CatalogueItems(r.Context(), staffUser(r))
	if err != nil {
		return err
	}
	c, err := s.catalogue(r.Context())
	if err != nil {
		return err
	}
	d := &catalogueList{Saved: savedCatalogue(r), Conflicts: s.conflictItems(r, c)}
	for _, a := range items.Artisans {
		var names []string
		for _, id := range a.Services {
			if sv := items.Service(id); sv != nil && sv.Active {
				names = append(names, sv.Name)
			}
		}
		offered := strings.Join(names, ", ")
		if offered == "" {
			offered = "no services yet"
		}
		detail := a.Email
		if a.DailyCap > 0 {
			detail = strings.TrimPrefix(detail+fmt.Sprintf(" · at most %d a day", a.DailyCap), " · ")
		}
		d.Rows = append(d.Rows, itemRow{ID: a.ID, Name: a.Name, Active: a.Active, FromFile: a.Source == booking.SourceConfig,
			Detail: detail, Offered: offered})
	}
	return s.show(w, r, "staff_artisans", s.staffPage(r, "Artisans", "artisans", d))
}

func newArtisanForm(a *booking.ArtisanItem, items *app.CatalogueAdmin) *artisanForm {
	f := &artisanForm{New: a == nil, Active: true, DailyCap: "0"}
	if a != nil {
		f.ID, f.Name, f.Bio, f.Email, f.Active = a.ID, a.Name, a.Bio, a.Email, a.Active
		f.DailyCap, f.MeetingURL, f.FromFile = strconv.Itoa(a.DailyCap), a.MeetingURL, a.Source == booking.SourceConfig
		f.HoursURL = "/staff/artisans/" + url.PathEscape(a.ID)
	} else {
		f.Hours = hoursInputs(booking.WeekHours{})
	}
	for _, sv := range items.Services {
		if sv.Active {
			f.Services = append(f.Services, check{Value: sv.ID, Label: sv.Name, Checked: a != nil && slices.Contains(a.Services, sv.ID)})
		}
	}
	return f
}

func (s *Server) handleArtisanNew(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdminPage(r); err != nil {
		return err
	}
	items, err := s.staff.app.CatalogueItems(r.Context(), staffUser(r))
	if err != nil {
		return err
	}
	return s.show(w, r, "staff_artisan_edit", s.staffPage(r, "Add an artisan", "artisans", newArtisanForm(nil, items)))
}

func (s *Server) handleArtisanEdit(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdminPage(r); err != nil {
		return err
	}
	items, err := s.staff.app.CatalogueItems(r.Context(), staffUser(r))
	if err != nil {
		return err
	}
	a := items.Artisan(mux.Vars(r)["aid"])
	if a == nil {
		return booking.ErrNotFound("artisan")
	}
	return s.show(w, r, "staff_artisan_edit", s.staffPage(r, a.Name, "artisans", newArtisanForm(a, items)))
}

func (s *Server) handleArtisanCreate(w http.ResponseWriter, r *http.Request) error {
	return s.saveArtisanForm(w, r, "")
}

func (s *Server) handleArtisanSave(w http.ResponseWriter, r *http.Request) error {
	return s.saveArtisanForm(w, r, mux.Vars(r)["aid"])
}

// readArtisanForm reads the artisan form into a request, and f as typed.
func readArtisanForm(form url.Values, f *artisanForm) (app.ArtisanRequest, bool) {
	unread := booking.FieldErrors{}
	name, bio, email, link := form.Get("name"), form.Get("bio"), form.Get("email"), form.Get("meeting_url")
	req := app.ArtisanRequest{ID: strings.TrimSpace(form.Get("id")), Name: &name, Bio: &bio, Email: &email, MeetingURL: &link, Unread: unread}
	f.ID, f.Name, f.Bio, f.Email, f.MeetingURL = req.ID, name, bio, email, link
	f.DailyCap = strings.TrimSpace(form.Get("daily_cap"))
	if n, err := strconv.Atoi(orZero(f.DailyCap)); err == nil {
		req.DailyCap = &n
	} else {
		unread.Add("daily_cap", "must be a whole number (0 for no cap)")
	}
	req.Services = []string{}
	for i := range f.Services {
		f.Services[i].Checked = slices.Contains(form["service"], f.Services[i].Value)
		if f.Services[i].Checked {
			req.Services = append(req.Services, f.Services[i].Value)
		}
	}
	ok := true
	if f.New {
		var h booking.WeekHours
		h, f.Hours, ok = parseHours(form)
		req.Hours = &h
	}
	return req, ok
}

func (s *Server) saveArtisanForm(w http.ResponseWriter, r *http.Request, id string) error {
	if err := parseStaffForm(w, r); err != nil {
		return err
	}
	if err := requireAdminPage(r); err != nil {
		return err
	}
	items, err := s.staff.app.CatalogueItems(r.Context(), staffUser(r))
	if err != nil {
		return err
	}
	var cur *booking.ArtisanItem
	title := "Add an artisan"
	if id != "" {
		if cur = items.Artisan(id); cur == nil {
			return booking.ErrNotFound("artisan")
		}
		title = cur.Name
	}
	f := newArtisanForm(cur, items)
	req, hoursOK := readArtisanForm(r.PostForm, f)
	if !hoursOK {
		return again(hoursInvalid(f.Hours), "staff_artisan_edit", s.staffPage(r, title, "artisans", f))
	}
	var ch *app.CatalogueChange
	if id == "" {
		ch, err = s.staff.app.CreateArtisan(r.Context(), staffUser(r), req)
	} else {
		req.ID = ""
		ch, err = s.staff.app.UpdateArtisan(r.Context(), staffUser(r), id, req)
	}
	if err != nil {
		if k := booking.ErrorKind(err); k != booking.EINVALID && k != booking.ECONFLICT {
			return err
		}
		f.Errors = formErrors(err)
		if booking.ErrorKind(err) == booking.ECONFLICT {
			f.Errors = map[string]string{"id": "is already used by another artisan (active or not): choose another"}
		}
		return again(err, "staff_artisan_edit", s.staffPage(r, title, "artisans", f))
	}
	saved := "artisan"
	if id == "" {
		saved = "artisan-added"
	}
	afterChange(w, r, "/staff/artisans", saved, ch.Artisan.Name, ch)
	return nil
}

func (s *Server) handleArtisanState(w http.ResponseWriter, r *http.Request) error {
	v := mux.Vars(r)
	var ch *app.CatalogueChange
	var err error
	if v["state"] == "deactivate" {
		ch, err = s.staff.app.DeactivateArtisan(r.Context(), staffUser(r), v["aid"])
	} else {
		on := true
		ch, err = s.staff.app.UpdateArtisan(r.Context(), staffUser(r), v["aid"], app.ArtisanRequest{Active: &on})
	}
	if err != nil {
		return err
	}
	afterChange(w, r, "/staff/artisans", "artisan-"+v["state"], ch.Artisan.Name, ch)
	return nil
}

// ---- Settings: rooms and booking rules ------------------------------------

// settingsPage is the Settings page.
type settingsPage struct {
	Rooms                     []itemRow
	RoomName, RoomID          string
	Notice, Horizon, Interval string
	RulesFromFile             bool
	Errors                    map[string]string
	Saved                     string
	Conflicts                 []conflictItem
}

func (s *Server) settingsData(r *http.Request) (*settingsPage, error) {
	items, err := s.staff.app.CatalogueItems(r.Context(), staffUser(r))
	if err != nil {
		return nil, err
	}
	c, err := s.catalogue(r.Context())
	if err != nil {
		return nil, err
	}
	rs := items.Rules.Snapshot()
	d := &settingsPage{Saved: savedCatalogue(r), Conflicts: s.conflictItems(r, c),
		Notice: strconv.Itoa(rs.MinNoticeMinutes), Horizon: strconv.Itoa(rs.HorizonDays), Interval: strconv.Itoa(rs.SlotIntervalMinutes),
		RulesFromFile: items.RulesSource == booking.SourceConfig}
	for _, rm := range items.Rooms {
		d.Rooms = append(d.Rooms, itemRow{ID: rm.ID, Name: rm.Name, Active: rm.Active, FromFile: rm.Source == booking.SourceConfig})
	}
	return d, nil
}

func (s *Server) handleSettingsPage(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdminPage(r); err != nil {
		return err
	}
	d, err := s.settingsData(r)
	if err != nil {
		return err
	}
	return s.show(w, r, "staff_settings", s.staffPage(r, "Settings", "settings", d))
}

func (s *Server) handleRoomAdd(w http.ResponseWriter, r *http.Request) error {
	if err := parseStaffForm(w, r); err != nil {
		return err
	}
	if err := requireAdminPage(r); err != nil {
		return err
	}
	f := r.PostForm
	ch, err := s.staff.app.AddRoom(r.Context(), staffUser(r), app.RoomRequest{ID: strings.TrimSpace(f.Get("room_id")), Name: f.Get("room_name")})
	if err != nil {
		if k := booking.ErrorKind(err); k != booking.EINVALID && k != booking.ECONFLICT {
			return err
		}
		d, derr := s.settingsData(r)
		if derr != nil {
			return derr
		}
		d.RoomName, d.RoomID, d.Errors = f.Get("room_name"), f.Get("room_id"), map[string]string{}
		for k, v := range formErrors(err) {
			d.Errors["room_"+k] = v
		}
		if booking.ErrorKind(err) == booking.ECONFLICT {
			d.Errors["room_id"] = "is already the id of a room that is offered: choose another"
		}
		return again(err, "staff_settings", s.staffPage(r, "Settings", "settings", d))
	}
	afterChange(w, r, "/staff/settings", "room-added", ch.Room.Name, ch)
	return nil
}

func (s *Server) handleRoomState(w http.ResponseWriter, r *http.Request) error {
	v := mux.Vars(r)
	var ch *app.CatalogueChange
	var err error
	if v["state"] == "deactivate" {
		ch, err = s.staff.app.DeactivateRoom(r.Context(), staffUser(r), v["rid"])
	} else {
		items, ierr := s.staff.app.CatalogueItems(r.Context(), staffUser(r))
		if ierr != nil {
			return ierr
		}
		rm := items.Room(v["rid"])
		if rm == nil {
			return booking.ErrNotFound("room")
		}
		ch, err = s.staff.app.AddRoom(r.Context(), staffUser(r), app.RoomRequest{ID: rm.ID, Name: rm.Name})
	}
	if err != nil {
		return err
	}
	afterChange(w, r, "/staff/settings", "room-"+v["state"], ch.Room.Name, ch)
	return nil
}

func (s *Server) handleRulesSave(w http.ResponseWriter, r *http.Request) error {
	if err := parseStaffForm(w, r); err != nil {
		return err
	}
	if err := requireAdminPage(r); err != nil {
		return err
	}
	f := r.PostForm
	unread := booking.FieldErrors{}
	num := func(field, key string) *int {
		n, err := strconv.Atoi(strings.TrimSpace(f.Get(key)))
		if err != nil {
			unread.Add(field, "must be a whole number")
			return nil
		}
		return &n
	}
	req := app.RulesRequest{MinNoticeMinutes: num("min_notice_minutes", "notice"), HorizonDays: num("horizon_days", "horizon"),
		SlotIntervalMinutes: num("slot_interval_minutes", "interval"), Unread: unread}
	ch, err := s.staff.app.SetBookingRules(r.Context(), staffUser(r), req)
	if err != nil {
		if booking.ErrorKind(err) != booking.EINVALID {
			return err
		}
		d, derr := s.settingsData(r)
		if derr != nil {
			return derr
		}
		d.Notice, d.Horizon, d.Interval, d.Errors = f.Get("notice"), f.Get("horizon"), f.Get("interval"), formErrors(err)
		return again(err, "staff_settings", s.staffPage(r, "Settings", "settings", d))
	}
	afterChange(w, r, "/staff/settings", "rules", "", ch)
	return nil
}
