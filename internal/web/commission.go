package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gorilla/mux"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/i18n"
)

// The customer's page of a commission (issue 13): /commissions/{id}?token=
// with the manage token of any of its bookings. The piece's title and
// stage, where it is among the atelier's stages, and its appointments
// coming and past, each with its manage link (the same token opens every
// booking of the commission). Nothing staff-only: no notes, no other
// customer. A wrong token is the manage pages' "link not valid" page.

func (s *Server) registerCommissionRoutes(r *mux.Router) {
	r.Handle("/commissions/{id}", s.managePage(s.handleCommission)).Methods(http.MethodGet, http.MethodHead)
}

// commissionLink is the path of the customer's page of commission id.
func commissionLink(id, token string) string {
	return "/commissions/" + url.PathEscape(id) + "?" + url.Values{"token": {token}}.Encode()
}

// customerCommissionData is the customer's page of a commission.
type customerCommissionData struct {
	Title, Stage string
	Stages       []stageStep
	Coming, Past []commissionAppointment
}

// stageStep is one of the atelier's stages, as the piece stands.
type stageStep struct {
	Label         string
	Done, Current bool
}

// commissionAppointment is an appointment on the customer's page.
type commissionAppointment struct {
	When, Service, Artisan, Mode, Status, ManageURL string
}

// stageName is a stage in the customer's language: the catalogue's words
// for the default stages, else the stage's own label.
func stageName(l *i18n.Lang, id, label string) string {
	if t := l.T("commission.stage." + id); !strings.HasPrefix(t, "[") {
		return t
	}
	return label
}

func (s *Server) handleCommission(w http.ResponseWriter, r *http.Request) error {
	token := r.URL.Query().Get("token")
	v, err := s.app.GetCommission(r.Context(), mux.Vars(r)["id"], token)
	if err != nil {
		return err
	}
	c, err := s.catalogue(r.Context())
	if err != nil {
		return err
	}
	l := s.commissionLang(r, v)
	d := customerCommissionData{Title: v.Title, Stage: stageName(l, v.Stage, v.StageLabel)}
	current := -1
	for i, st := range v.Stages {
		if st.ID == v.Stage {
			current = i
		}
	}
	for i, st := range v.Stages {
		d.Stages = append(d.Stages, stageStep{Label: stageName(l, st.ID, st.Label), Done: i < current, Current: i == current})
	}
	for _, list := range []struct {
		dst *[]commissionAppointment
		src []app.Booking
	}{{&d.Coming, v.Coming}, {&d.Past, v.Past}} {
		for i := range list.src {
			b := &list.src[i]
			loc := b.Customer.ZoneOr(c.Loc)
			a := commissionAppointment{
				When: whenLabel(l, b.Start.In(loc), b.End.In(loc)), Service: b.ServiceName, Artisan: b.ArtisanName,
				Mode: modeLabel(l, b.Mode),
			}
			if v.ManageURL[b.ID] != "" { // none when opened with an invitation's token
				a.ManageURL = manageLink(b.ID, token, nil)
			}
			if b.Status == booking.Pending {
				a.Status = l.T("commission.requested")
			}
			*list.dst = append(*list.dst, a)
		}
	}
	return s.show(w, r, "commission", &page{Title: v.Title, Atelier: c.Atelier, Data: d, Lang: l})
}

// commissionLang is the language of the customer's page: an explicit
// choice first, then the language the customer gave, then the browser's.
func (s *Server) commissionLang(r *http.Request, v *app.CustomerCommission) *i18n.Lang {
	explicit := r.URL.Query().Get(langParam)
	if c, err := r.Cookie(langCookie); err == nil && explicit == "" {
		explicit = c.Value
	}
	if explicit == "" || !s.langs.Has(explicit) {
		explicit = v.Customer.Language
	}
	return s.langs.Negotiate(explicit, "", r.Header.Get("Accept-Language"))
}
