package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gorilla/mux"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
)

// The staff accounts page (admins): invite by e-mail, change role and
// artisan, disable and enable, sign out everywhere; and the page an
// invitation link opens, where the new account chooses its password.

func (s *Server) registerAccountRoutes(r *mux.Router) {
	get := []string{http.MethodGet, http.MethodHead}
	r.Handle("/staff/accounts", s.staffOnly(s.handleAccountsPage)).Methods(get...)
	r.Handle("/staff/accounts", s.staffOnly(s.handleInvite)).Methods(http.MethodPost)
	r.Handle("/staff/accounts/{uid}", s.staffOnly(s.handleAccountPage)).Methods(get...)
	r.Handle("/staff/accounts/{uid}", s.staffOnly(s.handleAccountSave)).Methods(http.MethodPost)
	r.Handle("/staff/accounts/{uid}/{action:disable|enable|signout|resend}", s.staffOnly(s.handleAccountAction)).Methods(http.MethodPost)
	r.Handle(app.InvitePath, s.page(s.handleInvitePage)).Methods(get...)
	r.Handle(app.InvitePath, s.page(s.handleInviteAccept)).Methods(http.MethodPost)
}

// accountRow is one account in the list.
type accountRow struct {
	ID, Name, Email, Access, State string
	Disabled, Invited, Self        bool
}

// accountsPage is the Accounts page, with the invitation form.
type accountsPage struct {
	Rows   []accountRow
	Invite inviteForm
	Access accessFields
	Saved  string
}

// accessFields are the role and artisan fields of a form
// (partials/accounts.html).
type accessFields struct {
	Role     string
	Artisans []check
	Errors   map[string]string
}

// inviteForm is what an admin types to invite someone.
type inviteForm struct {
	Email, Name, Role, Artisan string
	Errors                     map[string]string
}

// accountForm is one account's page.
type accountForm struct {
	accountRow
	Access accessFields
	Errors map[string]string
	Saved  string
}

func accountSaved(r *http.Request) string {
	name := r.URL.Query().Get("name")
	switch r.URL.Query().Get("saved") {
	case "invited":
		return name + " is invited: an e-mail with a link to choose a password is on its way. The link works for 3 days."
	case "resend":
		return "A new invitation is on its way to " + name + "; the link sent before no longer works."
	case "access":
		return "The changes to " + name + "'s account are saved. If what it may see changed, it was signed out everywhere."
	case "disable":
		return name + "'s account is disabled: it is signed out everywhere and cannot sign in."
	case "enable":
		return name + "'s account can sign in again."
	case "signout":
		return name + " is signed out everywhere."
	}
	return ""
}

func (s *Server) accountRows(r *http.Request, c *catalogue, accs []app.Account) []accountRow {
	names := map[string]string{}
	for _, a := range c.Artisans {
		names[a.ID] = a.Name
	}
	me := staffUser(r).ID
	out := make([]accountRow, 0, len(accs))
	for _, a := range accs {
		row := accountRow{ID: a.ID, Name: a.Name, Email: a.Email, Disabled: a.Disabled, Invited: a.Invited, Self: a.ID == me}
		row.Access = "Administrator"
		if a.Role == booking.RoleArtisan {
			n := names[a.ArtisanID]
			if n == "" {
				n = a.ArtisanID
			}
			row.Access = "Artisan: " + n
		}
		switch {
		case a.Disabled:
			row.State = "Disabled"
		case a.Invited && a.InviteExpires.IsZero():
			row.State = "Invited; the link has expired"
		case a.Invited:
			l := s.langs.Staff()
			row.State = "Invited, until " + fmtDate(l, a.InviteExpires.In(c.Loc)) + ", " + fmtTime(l, a.InviteExpires.In(c.Loc))
		default:
			row.State = "Active"
		}
		out = append(out, row)
	}
	return out
}

func artisanChecks(c *catalogue, chosen string) []check {
	var out []check
	for _, a := range c.Artisans {
		out = append(out, check{Value: a.ID, Label: a.Name, Checked: a.ID == chosen})
	}
	return out
}

func (s *Server) accountsData(r *http.Request, f inviteForm) (*accountsPage, error) {
	accs, err := s.staff.app.StaffAccounts(r.Context(), staffUser(r))
	if err != nil {
		return nil, err
	}
	c, err := s.catalogue(r.Context())
	if err != nil {
		return nil, err
	}
	if f.Role == "" {
		f.Role = string(booking.RoleArtisan)
	}
	return &accountsPage{Rows: s.accountRows(r, c, accs), Invite: f, Saved: accountSaved(r),
		Access: accessFields{Role: f.Role, Artisans: artisanChecks(c, f.Artisan), Errors: f.Errors}}, nil
}

func (s *Server) handleAccountsPage(w http.ResponseWriter, r *http.Request) error {
	d, err := s.accountsData(r, inviteForm{})
	if err != nil {
		return err
	}
	return s.show(w, r, "staff_accounts", s.staffPage(r, "Accounts", "accounts", d))
}

func (s *Server) handleInvite(w http.ResponseWriter, r *http.Request) error {
	if err := parseStaffForm(w, r); err != nil {
		return err
	}
	p := r.PostForm
	f := inviteForm{Email: strings.TrimSpace(p.Get("email")), Name: p.Get("name"), Role: p.Get("role"), Artisan: p.Get("artisan")}
	u, err := s.staff.app.InviteStaff(r.Context(), staffUser(r), app.InviteRequest{Email: f.Email, Name: f.Name,
		Role: booking.Role(f.Role), Artisan: f.Artisan})
	if err != nil {
		switch booking.ErrorKind(err) {
		case booking.EINVALID:
			f.Errors = fieldErrors(err)
		case booking.ECONFLICT:
			f.Errors = map[string]string{"email": "already has a staff account"}
		default:
			return err
		}
		d, derr := s.accountsData(r, f)
		if derr != nil {
			return derr
		}
		return again(err, "staff_accounts", s.staffPage(r, "Accounts", "accounts", d))
	}
	http.Redirect(w, r, "/staff/accounts?"+url.Values{"saved": {"invited"}, "name": {u.Name}}.Encode(), http.StatusSeeOther)
	return nil
}

func (s *Server) accountData(r *http.Request, id string) (*accountForm, error) {
	acc, err := s.staff.app.StaffAccount(r.Context(), staffUser(r), id)
	if err != nil {
		return nil, err
	}
	c, err := s.catalogue(r.Context())
	if err != nil {
		return nil, err
	}
	row := s.accountRows(r, c, []app.Account{*acc})[0]
	return &accountForm{accountRow: row, Saved: accountSaved(r),
		Access: accessFields{Role: string(acc.Role), Artisans: artisanChecks(c, acc.ArtisanID)}}, nil
}

func (s *Server) handleAccountPage(w http.ResponseWriter, r *http.Request) error {
	d, err := s.accountData(r, mux.Vars(r)["uid"])
	if err != nil {
		return err
	}
	return s.show(w, r, "staff_account", s.staffPage(r, d.Name, "accounts", d))
}

func (s *Server) handleAccountSave(w http.ResponseWriter, r *http.Request) error {
	if err := parseStaffForm(w, r); err != nil {
		return err
	}
	id := mux.Vars(r)["uid"]
	p := r.PostForm
	err := s.staff.app.SetAccountAccess(r.Context(), staffUser(r), id, p.Get("name"), booking.Role(p.Get("role")), p.Get("artisan"))
	if err != nil {
		k := booking.ErrorKind(err)
		if k != booking.EINVALID && k != booking.ECONFLICT {
			return err
		}
		d, derr := s.accountData(r, id)
		if derr != nil {
			return derr
		}
		d.Name, d.Errors = p.Get("name"), fieldErrors(err)
		d.Access.Role, d.Access.Errors = p.Get("role"), d.Errors
		for i := range d.Access.Artisans {
			d.Access.Artisans[i].Checked = d.Access.Artisans[i].Value == p.Get("artisan")
		}
		return again(err, "staff_account", s.staffPage(r, d.Name, "accounts", d))
	}
	http.Redirect(w, r, "/staff/accounts/"+url.PathEscape(id)+"?"+url.Values{"saved": {"access"}, "name": {strings.TrimSpace(p.Get("name"))}}.Encode(), http.StatusSeeOther)
	return nil
}

func (s *Server) handleAccountAction(w http.ResponseWriter, r *http.Request) error {
	v := mux.Vars(r)
	id, action := v["uid"], v["action"]
	acc, err := s.staff.app.StaffAccount(r.Context(), staffUser(r), id)
	if err != nil {
		return err
	}
	switch action {
	case "disable", "enable":
		err = s.staff.app.SetAccountDisabled(r.Context(), staffUser(r), id, action == "disable")
	case "signout":
		_, err = s.staff.app.SignOutEverywhere(r.Context(), staffUser(r), id)
	case "resend":
		err = s.staff.app.ResendInvite(r.Context(), staffUser(r), id)
	}
	if err != nil {
		return err
	}
	if action == "signout" && id == staffUser(r).ID {
		http.Redirect(w, r, "/staff/login", http.StatusSeeOther) // this session ended too
		return nil
	}
	http.Redirect(w, r, "/staff/accounts?"+url.Values{"saved": {action}, "name": {acc.Name}}.Encode(), http.StatusSeeOther)
	return nil
}

// invitePage is the page an invitation link opens.
type invitePage struct {
	Token, Name, Email string
	Errors             map[string]string
}

// inviteGone is the page of a link that no longer works.
func inviteGone(err error) error {
	msg := "This link does not work: it was used already, or a newer invitation replaced it. Ask an administrator to send a new one."
	if app.ErrInviteExpired(err) {
		msg = "This invitation has expired. Ask an administrator to send a new one."
	}
	return withWords(err, words{Heading: "This invitation no longer works", Message: msg, BackURL: "/staff/login", BackLabel: "Staff sign-in"})
}

func (s *Server) handleInvitePage(w http.ResponseWriter, r *http.Request) error {
	token := r.URL.Query().Get("token")
	u, err := s.staff.app.InvitedAccount(r.Context(), token)
	if booking.ErrorKind(err) == booking.ENOTFOUND {
		return inviteGone(err)
	}
	if err != nil {
		return err
	}
	d := &invitePage{Token: token, Name: u.Name, Email: u.Email}
	return s.show(w, r, "staff_invite", &page{Title: "Choose your password", Nav: "staff", Data: d})
}

func (s *Server) handleInviteAccept(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	p := r.PostForm
	token := p.Get("token")
	u, err := s.staff.app.AcceptInvite(r.Context(), token, p.Get("password"), p.Get("confirm"))
	switch {
	case booking.ErrorKind(err) == booking.ENOTFOUND:
		return inviteGone(err)
	case booking.ErrorKind(err) == booking.EINVALID:
		inv, ierr := s.staff.app.InvitedAccount(r.Context(), token)
		if ierr != nil {
			return inviteGone(ierr)
		}
		d := &invitePage{Token: token, Name: inv.Name, Email: inv.Email, Errors: fieldErrors(err)}
		return again(err, "staff_invite", &page{Title: "Choose your password", Nav: "staff", Data: d})
	case err != nil:
		return err
	}
	http.Redirect(w, r, "/staff/login?"+url.Values{"email": {u.Email}, "welcome": {"1"}}.Encode(), http.StatusSeeOther)
	return nil
}
