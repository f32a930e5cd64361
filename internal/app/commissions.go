package app

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/atelier-app/atelier/internal/auth"
	"github.com/atelier-app/atelier/internal/booking"
)

// Commissions: a piece made over several appointments (issue 13). Staff
// open one from a booking (usually the consultation) or fresh, move it
// through the configured stages, and attach and detach bookings. The
// customer sees it, without the staff's notes, with the manage token of
// any of its bookings.
//
// Who may do what: an admin sees and changes every commission; an artisan
// account sees and changes only the commissions of its own artisan (others
// are ENOTFOUND, like an unknown id, as for bookings), opens them only for
// its artisan and may not hand one to another artisan (EFORBIDDEN).

// overdueWithin is how close the needed-by date must be, with no coming
// appointment booked, for a commission to be overdue.
const overdueWithin = 14

// maxCommissionTitle and maxCommissionNotes bound the staff's texts.
const (
	maxCommissionTitle = 200
	maxCommissionNotes = 4000
)

// Stage is a commission stage with its label.
type Stage struct {
	ID    string
	Label string
}

// StageLabel shows a stage identifier as words: "ready_to_collect" is
// "Ready to collect".
func StageLabel(id string) string {
	s := strings.ReplaceAll(id, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// CommissionStages are the configured stages, in order.
func (a *App) CommissionStages() []Stage {
	out := make([]Stage, len(a.stages))
	for i, s := range a.stages {
		out[i] = Stage{ID: s, Label: StageLabel(s)}
	}
	return out
}

// finishedStage reports whether a commission at stage is finished: at or
// after "collected" when the stages have it, else at the last stage. A
// finished commission is never overdue.
func (a *App) finishedStage(stage string) bool {
	i := slices.Index(a.stages, stage)
	if i < 0 {
		return false
	}
	from := slices.Index(a.stages, "collected")
	if from < 0 {
		from = len(a.stages) - 1
	}
	return i >= from
}

// Commission is a commission as staff see it: with its bookings (by
// start), the next coming one, and whether it is overdue.
type Commission struct {
	booking.Commission
	StageLabel  string
	ArtisanName string
	Bookings    []StaffBooking
	// Next is the first confirmed booking that has not ended; nil when
	// none is booked.
	Next *StaffBooking
	// Overdue says the needed-by date is within 14 days, or past, with no
	// coming appointment booked (and the piece not yet collected);
	// OverdueReason says why in words, as a phrase ("needed by 2027-02-14
	// and no next appointment is booked").
	Overdue       bool
	OverdueReason string
	Zone          *time.Location
}

// CommissionRequest opens a commission. Customer and Artisan may be left
// out when Booking is given: they come from that booking. Stage "" is the
// first stage.
type CommissionRequest struct {
	Title    string
	Customer booking.Customer
	Artisan  string
	Notes    string
	Stage    string
	NeededBy string // YYYY-MM-DD, optional; from the booking's answers when left out
	Booking  string // the booking it started from, optional
}

// CommissionPatch changes a commission: each field given (not nil)
// replaces the stored one ("" NeededBy removes the date).
type CommissionPatch struct {
	Title, Stage, Notes, Artisan, NeededBy *string
}

// CreateCommission opens a commission for u.
func (a *App) CreateCommission(ctx context.Context, u *booking.User, req CommissionRequest) (*Commission, error) {
	if err := requireStaff(u); err != nil {
		return nil, err
	}
	c, err := a.catalog(ctx)
	if err != nil {
		return nil, err
	}
	var from *booking.Booking
	errs := booking.FieldErrors{}
	if id := ParseBookingID(req.Booking); id != "" {
		from, err = a.store.Booking(ctx, id)
		switch {
		case booking.ErrorKind(err) == booking.ENOTFOUND || (err == nil && !u.MaySee(from)):
			errs.Add("booking", "is not a known booking")
			from = nil
		case err != nil:
			return nil, internal("load booking", err)
		case from.CommissionID != "":
			errs.Add("booking", "already belongs to a commission")
		}
	}
	cm := booking.Commission{
		Title: strings.TrimSpace(req.Title), Notes: strings.TrimSpace(req.Notes),
		Stage: strings.TrimSpace(req.Stage), ArtisanID: strings.TrimSpace(req.Artisan),
		Customer: trimCustomer(req.Customer),
	}
	if from != nil {
		fillFromBooking(&cm, from, c, strings.TrimSpace(req.NeededBy) == "")
		if !strings.EqualFold(cm.Customer.Email, from.Customer.Email) && cm.Customer.Email != "" {
			errs.Add("booking", "is another customer's booking")
		}
	}
	if cm.Stage == "" && len(a.stages) > 0 {
		cm.Stage = a.stages[0]
	}
	if cm.ArtisanID == "" && !u.IsAdmin() {
		cm.ArtisanID = u.ArtisanID
	}
	a.checkCommission(errs, &cm, c, "")
	if req.NeededBy != "" {
		a.checkNeededBy(errs, &cm, req.NeededBy)
	}
	validateCustomer(errs, cm.Customer, a.utf8LocalParts)
	cm.Customer.Language = a.customerLanguage(errs, cm.Customer.Language)
	if err := errs.Err(); err != nil {
		return nil, err
	}
	if !u.MayManage(cm.ArtisanID) {
		return nil, errForbidden()
	}
	bookingID := ""
	if from != nil {
		bookingID = from.ID
	}
	made, err := a.store.CreateCommission(ctx, cm, bookingID, u.Actor())
	if err != nil {
		return nil, wrapStore("open the commission", err)
	}
	return a.commissionView(ctx, made, c)
}

func trimCustomer(c booking.Customer) booking.Customer {
	c.Name, c.Email, c.Phone = strings.TrimSpace(c.Name), strings.TrimSpace(c.Email), strings.TrimSpace(c.Phone)
	c.Timezone, c.Language = strings.TrimSpace(c.Timezone), strings.TrimSpace(c.Language)
	return c
}

// fillFromBooking fills what the request left out from the booking the
// commission starts from: the customer, the artisan, and (when neededBy)
// the needed-by date the customer gave in the intake.
func fillFromBooking(cm *booking.Commission, b *booking.Booking, c *booking.Catalog, neededBy bool) {
	if cm.Customer.Email == "" {
		cm.Customer = b.Customer
	}
	if cm.ArtisanID == "" {
		cm.ArtisanID = b.ArtisanID
	}
	if neededBy {
		cm.NeededBy = NeededByAnswer(b, c)
	}
}

// NeededByAnswer is the "needed by" date b's customer gave in the intake:
// the answer to the first date question of its service whose id or label
// speaks of needing ("needed-by", "Needed by"); zero when none.
func NeededByAnswer(b *booking.Booking, c *booking.Catalog) booking.Date {
	svc := c.Service(b.ServiceID)
	if svc == nil {
		return booking.Date{}
	}
	for _, q := range svc.Questions {
		if q.Type != booking.QDate {
			continue
		}
		if !strings.Contains(strings.ToLower(q.ID+" "+q.Label), "need") {
			continue
		}
		var s string
		if raw, ok := b.Answers[q.ID]; !ok || json.Unmarshal(raw, &s) != nil {
			continue
		}
		if d, err := booking.ParseDate(s); err == nil {
			return d
		}
	}
	return booking.Date{}
}

// checkCommission adds the field errors of cm's title, notes, stage and
// artisan. The stage must be a configured one, or keepStage (the stored
// one, which may since have left the configuration) when it is not "".
func (a *App) checkCommission(errs booking.FieldErrors, cm *booking.Commission, c *booking.Catalog, keepStage string) {
	switch {
	case cm.Title == "":
		errs.Add("title", "is required")
	case utf8.RuneCountInString(cm.Title) > maxCommissionTitle:
		errs.Add("title", "must be at most 200 characters")
	case hasControl(cm.Title, false) || !utf8.ValidString(cm.Title):
		errs.Add("title", "must not contain control characters")
	}
	if len(cm.Notes) > maxCommissionNotes || !utf8.ValidString(cm.Notes) {
		errs.Add("notes", "must be text of at most 4000 bytes")
	}
	if !slices.Contains(a.stages, cm.Stage) && (keepStage == "" || cm.Stage != keepStage) {
		errs.Add("stage", "must be one of "+strings.Join(a.stages, ", "))
	}
	if c.Artisan(cm.ArtisanID) == nil {
		if cm.ArtisanID == "" {
			errs.Add("artisan", "is required")
		} else {
			errs.Add("artisan", "is not a known artisan")
		}
	}
}

func (a *App) checkNeededBy(errs booking.FieldErrors, cm *booking.Commission, s string) {
	s = strings.TrimSpace(s)
	if s == "" {
		cm.NeededBy = booking.Date{}
		return
	}
	d, err := booking.ParseDate(s)
	if err != nil {
		errs.Add("needed_by", "must be a date (YYYY-MM-DD)")
		return
	}
	cm.NeededBy = d
}

// visibleCommission loads commission id if u may see it.
func (a *App) visibleCommission(ctx context.Context, u *booking.User, id string) (*booking.Commission, error) {
	if err := requireStaff(u); err != nil {
		return nil, err
	}
	cm, err := a.store.Commission(ctx, strings.ToLower(strings.TrimSpace(id)))
	if err != nil {
		return nil, wrapStore("load the commission", err)
	}
	if !u.MayManage(cm.ArtisanID) {
		return nil, booking.ErrNotFound("commission")
	}
	return cm, nil
}

// StaffCommission is commission id with its bookings, for u.
func (a *App) StaffCommission(ctx context.Context, u *booking.User, id string) (*Commission, error) {
	cm, err := a.visibleCommission(ctx, u, id)
	if err != nil {
		return nil, err
	}
	c, err := a.catalog(ctx)
	if err != nil {
		return nil, err
	}
	return a.commissionView(ctx, cm, c)
}

// StaffCommissions lists the commissions u may see, at stage and of
// artisan when they are given, the latest changed first. An unknown stage
// is EINVALID on "stage"; an artisan account asking for another artisan's
// is EFORBIDDEN.
func (a *App) StaffCommissions(ctx context.Context, u *booking.User, stage, artisan string) ([]Commission, error) {
	artisan, err := scope(u, artisan)
	if err != nil {
		return nil, err
	}
	return a.listCommissions(ctx, booking.CommissionQuery{Stage: strings.TrimSpace(stage), ArtisanID: artisan})
}

func (a *App) listCommissions(ctx context.Context, q booking.CommissionQuery) ([]Commission, error) {
	if q.Stage != "" && !slices.Contains(a.stages, q.Stage) {
		return nil, invalid(booking.FieldErrors{"stage": "must be one of " + strings.Join(a.stages, ", ")})
	}
	c, err := a.catalog(ctx)
	if err != nil {
		return nil, err
	}
	cms, err := a.store.Commissions(ctx, q)
	if err != nil {
		return nil, internal("list commissions", err)
	}
	out := make([]Commission, 0, len(cms))
	for i := range cms {
		v, err := a.commissionView(ctx, &cms[i], c)
		if err != nil {
			return nil, err
		}
		out = append(out, *v)
	}
	return out, nil
}

// customerCommissions are the commissions of customer id that u may see.
func (a *App) customerCommissions(ctx context.Context, u *booking.User, id string) ([]Commission, error) {
	artisan, err := ownArtisan(u)
	if err != nil {
		return nil, err
	}
	return a.listCommissions(ctx, booking.CommissionQuery{CustomerID: id, ArtisanID: artisan})
}

// UpdateCommission changes commission id for u.
func (a *App) UpdateCommission(ctx context.Context, u *booking.User, id string, p CommissionPatch) (*Commission, error) {
	cm, err := a.visibleCommission(ctx, u, id)
	if err != nil {
		return nil, err
	}
	c, err := a.catalog(ctx)
	if err != nil {
		return nil, err
	}
	apply := func(x *booking.Commission) error {
		errs := booking.FieldErrors{}
		set := func(dst *string, v *string) {
			if v != nil {
				*dst = strings.TrimSpace(*v)
			}
		}
		set(&x.Title, p.Title)
		set(&x.Stage, p.Stage)
		set(&x.Notes, p.Notes)
		set(&x.ArtisanID, p.Artisan)
		if p.NeededBy != nil {
			a.checkNeededBy(errs, x, *p.NeededBy)
		}
		keep := ""
		if p.Stage == nil {
			keep = x.Stage
		}
		a.checkCommission(errs, x, c, keep)
		if err := errs.Err(); err != nil {
			return err
		}
		if !u.MayManage(x.ArtisanID) {
			return errForbidden()
		}
		return nil
	}
	up, err := a.store.UpdateCommission(ctx, cm.ID, apply, u.Actor())
	if err != nil {
		return nil, wrapStore("save the commission", err)
	}
	return a.commissionView(ctx, up, c)
}

// AttachBooking makes booking bookingID belong to commission id. The
// booking must be one u may see, of the commission's customer, and not of
// another commission (EINVALID on "booking").
func (a *App) AttachBooking(ctx context.Context, u *booking.User, id, bookingID string) (*Commission, error) {
	cm, err := a.visibleCommission(ctx, u, id)
	if err != nil {
		return nil, err
	}
	b, err := a.store.Booking(ctx, ParseBookingID(bookingID))
	switch {
	case booking.ErrorKind(err) == booking.ENOTFOUND || (err == nil && !u.MaySee(b)):
		return nil, invalid(booking.FieldErrors{"booking": "is not a known booking"})
	case err != nil:
		return nil, internal("load booking", err)
	case b.CommissionID == cm.ID:
	case b.CommissionID != "":
		return nil, invalid(booking.FieldErrors{"booking": "already belongs to another commission"})
	case !strings.EqualFold(b.Customer.Email, cm.Customer.Email):
		return nil, invalid(booking.FieldErrors{"booking": "is another customer's booking"})
	default:
		if err := a.store.LinkBooking(ctx, b.ID, cm.ID, u.Actor()); err != nil {
			return nil, wrapStore("attach the booking", err)
		}
	}
	return a.StaffCommission(ctx, u, cm.ID)
}

// DetachBooking takes booking bookingID out of commission id (ENOTFOUND
// when it is not one of its bookings).
func (a *App) DetachBooking(ctx context.Context, u *booking.User, id, bookingID string) (*Commission, error) {
	cm, err := a.visibleCommission(ctx, u, id)
	if err != nil {
		return nil, err
	}
	b, err := a.store.Booking(ctx, ParseBookingID(bookingID))
	if err != nil {
		return nil, wrapStore("load booking", err)
	}
	if b.CommissionID != cm.ID {
		return nil, booking.ErrNotFound("booking")
	}
	if err := a.store.LinkBooking(ctx, b.ID, "", u.Actor()); err != nil {
		return nil, wrapStore("detach the booking", err)
	}
	return a.StaffCommission(ctx, u, cm.ID)
}

// commissionView is cm as staff see it.
func (a *App) commissionView(ctx context.Context, cm *booking.Commission, c *booking.Catalog) (*Commission, error) {
	bs, err := a.store.CommissionBookings(ctx, cm.ID)
	if err != nil {
		return nil, internal("load the commission's bookings", err)
	}
	v := &Commission{Commission: *cm, StageLabel: StageLabel(cm.Stage), Zone: zoneOf(c)}
	v.ArtisanName = cm.ArtisanID
	if ar := c.Artisan(cm.ArtisanID); ar != nil && ar.Name != "" {
		v.ArtisanName = ar.Name
	}
	if v.Bookings, err = a.staffViews(ctx, bs, c); err != nil {
		return nil, err
	}
	now := a.now()
	for i := range v.Bookings {
		b := &v.Bookings[i]
		if b.Status.Holds() && b.End.After(now) {
			v.Next = b
			break
		}
	}
	v.Overdue, v.OverdueReason = a.overdue(cm, v.Next != nil, now.In(v.Zone))
	return v, nil
}

// overdue says whether cm is overdue at now (in the atelier's zone) and
// why, in words.
func (a *App) overdue(cm *booking.Commission, booked bool, now time.Time) (bool, string) {
	if cm.NeededBy.IsZero() || booked || a.finishedStage(cm.Stage) {
		return false, ""
	}
	days := booking.DateOf(now).DaysUntil(cm.NeededBy)
	switch {
	case days < 0:
		return true, "needed by " + cm.NeededBy.String() + ", which has passed, and no appointment is booked"
	case days <= overdueWithin:
		return true, "needed by " + cm.NeededBy.String() + " and no next appointment is booked"
	}
	return false, ""
}

// commissionRefs names the commission of each booking of bs that has one,
// by booking id.
func (a *App) commissionRefs(ctx context.Context, bs []booking.Booking) (map[string]*booking.CommissionRef, error) {
	var ids []string
	for i := range bs {
		if id := bs[i].CommissionID; id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	out := map[string]*booking.CommissionRef{}
	if len(ids) == 0 {
		return out, nil
	}
	cms, err := a.store.Commissions(ctx, booking.CommissionQuery{IDs: ids})
	if err != nil {
		return nil, internal("load commissions", err)
	}
	byID := map[string]*booking.CommissionRef{}
	for _, cm := range cms {
		byID[cm.ID] = &booking.CommissionRef{ID: cm.ID, Title: cm.Title}
	}
	for i := range bs {
		if r, ok := byID[bs[i].CommissionID]; ok {
			out[bs[i].ID] = r
		}
	}
	return out, nil
}

// CustomerCommission is a commission as its customer sees it: its title
// and stage, and its appointments past and coming (not cancelled ones),
// each opened with the same token. No staff notes.
type CustomerCommission struct {
	ID, Title         string
	Stage, StageLabel string
	// Stages are the configured stages, for showing where the piece is.
	Stages       []Stage
	Past, Coming []Booking
	Token        string // the token it was opened with, for the links
	Customer     booking.Customer
	// ManageURL is each appointment's manage link (with Token), by
	// booking id; URL is the commission's own page.
	ManageURL map[string]string
	URL       string
}

// GetCommission returns commission id to the holder of the manage token
// of any of its bookings; an unknown id and a wrong token are the same
// ENOTFOUND.
func (a *App) GetCommission(ctx context.Context, id, token string) (*CustomerCommission, error) {
	if token == "" || len(token) > maxTokenLen {
		return nil, booking.ErrNotFound("commission")
	}
	id = strings.ToLower(strings.TrimSpace(id))
	cm, err := a.store.CommissionByManageToken(ctx, id, auth.HashSecret(token))
	byInvitation := false
	if booking.ErrorKind(err) == booking.ENOTFOUND {
		cm, err = a.commissionByInvitation(ctx, id, token)
		byInvitation = err == nil
	}
	if err != nil {
		return nil, wrapStore("load the commission", err)
	}
	c, err := a.catalog(ctx)
	if err != nil {
		return nil, err
	}
	bs, err := a.store.CommissionBookings(ctx, cm.ID)
	if err != nil {
		return nil, internal("load the commission's bookings", err)
	}
	out := &CustomerCommission{ID: cm.ID, Title: cm.Title, Stage: cm.Stage, StageLabel: StageLabel(cm.Stage),
		Stages: a.CommissionStages(), Token: token, Customer: cm.Customer, ManageURL: map[string]string{},
		URL: a.CommissionURL(cm.ID, token)}
	now := a.now()
	for i := range bs {
		if !bs[i].Status.Holds() { // cancelled and declined ones are left out
			continue
		}
		v := customerResult(&bs[i], c, now)
		if !byInvitation {
			// An invitation's token opens the commission, not its
			// bookings: each is changed from its own e-mails' link.
			out.ManageURL[v.ID] = a.manageURL(v.ID, token)
		}
		if bs[i].End.After(now) {
			out.Coming = append(out.Coming, *v)
		} else {
			out.Past = append(out.Past, *v)
		}
	}
	slices.Reverse(out.Past) // the latest first
	return out, nil
}

// commissionByInvitation is commission id to the holder of one of its
// invitations' tokens, used or still open; one revoked or expired opens
// nothing (ENOTFOUND, as a wrong token).
func (a *App) commissionByInvitation(ctx context.Context, id, token string) (*booking.Commission, error) {
	iv, err := a.store.InvitationByToken(ctx, auth.HashSecret(token))
	if err != nil || iv.CommissionID != id {
		return nil, booking.ErrNotFound("commission")
	}
	if st := iv.State(a.now()); st != booking.InvitationOpen && st != booking.InvitationUsed {
		return nil, booking.ErrNotFound("commission")
	}
	return a.store.Commission(ctx, id)
}

// commissionSibling loads booking id for the holder of the manage token of
// another booking of the same commission: a customer's commission page
// links each of its appointments with the token it was opened with.
func (a *App) commissionSibling(ctx context.Context, id string, hash []byte) (*booking.Booking, error) {
	b, err := a.store.Booking(ctx, ParseBookingID(id))
	if err != nil || b.CommissionID == "" {
		return nil, booking.ErrNotFound("booking")
	}
	if _, err := a.store.CommissionByManageToken(ctx, b.CommissionID, hash); err != nil {
		if booking.ErrorKind(err) == booking.ENOTFOUND {
			return nil, booking.ErrNotFound("booking")
		}
		return nil, err
	}
	return b, nil
}

// invalid is the EINVALID error of the field errors f.
func invalid(f booking.FieldErrors) error { return f.Err() }

// CommissionURL is the customer's page of commission id, opened with the
// manage token of one of its bookings.
func (a *App) CommissionURL(id, token string) string {
	return a.publicURL + "/commissions/" + url.PathEscape(id) + "?" + url.Values{"token": {token}}.Encode()
}
