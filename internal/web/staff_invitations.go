package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
)

// "Invite to book the next step" on a commission's staff page: a plain form
// (service, including those customers are not shown; optional mode and
// artisan; how long the link works; a note for the customer) and the list
// of the commission's invitations, each open one with a Revoke button. The
// link goes to the customer by e-mail; the page never shows the token.

func (s *Server) registerStaffInvitationRoutes(r *mux.Router) {
	r.Handle("/staff/commissions/{cmid}/invitations", s.staffOnly(s.handleInvitationCreate)).Methods(http.MethodPost)
	r.Handle("/staff/commissions/{cmid}/invitations/{iid}/revoke", s.staffOnly(s.handleInvitationRevoke)).Methods(http.MethodPost)
}

// stepInviteForm is the invitation form of a commission's page, with the
// commission's invitations.
type stepInviteForm struct {
	Action             string
	Services, Modes    []option
	Artisans           []option
	Days, Note         string
	Errors             map[string]string
	Customer, Email    string
	Invitations        []inviteRow
	ServiceID, ModeID  string // as chosen (to select them again)
	ArtisanID, Revoked string
}

// inviteRow is one invitation in the list.
type inviteRow struct {
	Step, State, StateTag, Expires string
	BookingURL, RevokeURL          string
	Open                           bool
}

var inviteStates = map[string]struct{ label, tag string }{
	booking.InvitationOpen:    {"Waiting for the customer", "wait"},
	booking.InvitationUsed:    {"Booked", ""},
	booking.InvitationExpired: {"Expired", "off"},
	booking.InvitationRevoked: {"Revoked", "off"},
}

// newInviteForm fills the form and the list of commission v's invitations.
func (s *Server) newInviteForm(r *http.Request, v *app.Commission, c *catalogue) (*stepInviteForm, error) {
	ivs, err := s.staff.app.CommissionInvitations(r.Context(), staffUser(r), v.ID)
	if err != nil {
		return nil, err
	}
	f := &stepInviteForm{Action: commissionPath(v.ID) + "/invitations", Days: strconv.Itoa(app.DefaultInvitationDays),
		Customer: v.Customer.Name, Email: v.Customer.Email, Errors: map[string]string{}}
	loc, now, l := c.Loc, s.staff.app.Now(), s.langs.Staff()
	for i := range ivs {
		iv := &ivs[i]
		st := iv.State(now)
		row := inviteRow{Step: c.serviceName(iv.ServiceID), State: inviteStates[st].label, StateTag: inviteStates[st].tag,
			Expires: l.DateTime(iv.ExpiresAt.In(loc)), Open: st == booking.InvitationOpen}
		if iv.Mode != "" {
			row.Step += " · " + staffModesLabel([]booking.Mode{iv.Mode})
		}
		if iv.ArtisanID != "" {
			row.Step += " · " + c.artisanName(iv.ArtisanID)
		}
		if iv.UsedBy != "" {
			row.BookingURL = "/staff/bookings/" + url.PathEscape(iv.UsedBy)
		}
		if row.Open {
			row.RevokeURL = f.Action + "/" + url.PathEscape(iv.ID) + "/revoke"
		}
		f.Invitations = append(f.Invitations, row)
	}
	f.fillChoices(c)
	return f, nil
}

// fillChoices lists the services (those customers are not shown first:
// the steps of a commission), the modes and the artisans, with the chosen
// ones selected.
func (f *stepInviteForm) fillChoices(c *catalogue) {
	f.Services, f.Modes, f.Artisans = nil, nil, nil
	for _, private := range []bool{true, false} {
		for _, sv := range c.Services {
			if sv.Private != private {
				continue
			}
			label := sv.Name
			if sv.Private {
				label += " (invitation only)"
			}
			f.Services = append(f.Services, option{Value: sv.ID, Label: label, Selected: sv.ID == f.ServiceID})
		}
	}
	f.Modes = []option{{Value: "", Label: "The customer chooses", Selected: f.ModeID == ""}}
	for _, ml := range modeLabels {
		f.Modes = append(f.Modes, option{Value: string(ml.Mode), Label: ml.Label, Selected: string(ml.Mode) == f.ModeID})
	}
	f.Artisans = []option{{Value: "", Label: "Whoever is free", Selected: f.ArtisanID == ""}}
	for _, a := range c.Artisans {
		f.Artisans = append(f.Artisans, option{Value: a.ID, Label: a.Name, Selected: a.ID == f.ArtisanID})
	}
}

// inviteFields are the fields of the invitation form, as the app names
// them.
var inviteFields = []string{"service", "mode", "artisan", "expires_days", "note"}

func (s *Server) handleInvitationCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseStaffForm(w, r); err != nil {
		return err
	}
	id, pf := mux.Vars(r)["cmid"], r.PostForm
	req := app.InvitationRequest{Service: pf.Get("service"), Mode: pf.Get("mode"), Artisan: pf.Get("artisan"), Note: pf.Get("note")}
	days := strings.TrimSpace(pf.Get("expires_days"))
	if n, err := strconv.Atoi(days); err == nil {
		req.ExpiresDays = &n
	} else {
		req.Unread = booking.FieldErrors{"expires_days": "must be a number of days, such as 30"}
	}
	_, err := s.staff.app.CreateInvitation(r.Context(), staffUser(r), id, req)
	if err == nil {
		http.Redirect(w, r, commissionPath(strings.ToLower(id))+"?saved=invited", http.StatusSeeOther)
		return nil
	}
	var e *booking.Error
	if !errors.As(err, &e) || e.Kind != booking.EINVALID {
		return err
	}
	// The form's own errors, beside its fields, with what was typed.
	return s.commissionAgain(r, id, err, func(d *commissionData) {
		if d.Invite == nil {
			return
		}
		f := d.Invite
		for _, k := range inviteFields {
			if m, ok := e.Fields[k]; ok {
				f.Errors[k] = m
				delete(d.Errors, k)
			}
		}
		f.ServiceID, f.ModeID, f.ArtisanID, f.Days, f.Note = req.Service, req.Mode, req.Artisan, days, req.Note
		c, cerr := s.catalogue(r.Context())
		if cerr == nil {
			f.fillChoices(c)
		}
		d.Error = "The invitation was not sent: please correct what is marked below."
	})
}

func (s *Server) handleInvitationRevoke(w http.ResponseWriter, r *http.Request) error {
	if err := parseStaffForm(w, r); err != nil {
		return err
	}
	v := mux.Vars(r)
	if _, err := s.staff.app.RevokeInvitation(r.Context(), staffUser(r), v["cmid"], v["iid"]); err != nil {
		return err
	}
	http.Redirect(w, r, commissionPath(strings.ToLower(v["cmid"]))+"?saved=revoked", http.StatusSeeOther)
	return nil
}
