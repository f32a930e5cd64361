package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/atelier-app/atelier/internal/auth"
	"github.com/atelier-app/atelier/internal/availability"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/i18n"
	"github.com/atelier-app/atelier/internal/invite"
)

// BookingRequest asks for a booking. Text fields are read without
// surrounding spaces; a zero Start is a start not given.
type BookingRequest struct {
	Service string
	Mode    booking.Mode
	Start   time.Time
	Artisan string // "": any free artisan
	// Artisans, for a service that needs several artisans together, are
	// those the customer chose (Artisan, when given, must be the first);
	// the rest are picked by the engine's fairness rule.
	Artisans []string
	Customer booking.Customer
	Notes    string
	// Answers are the answers to the service's questions, by question id,
	// as JSON values (booking.Service.CheckAnswers).
	Answers map[string]json.RawMessage
	// Discreet books a surprise (booking.Booking.Discreet).
	Discreet bool
	// Invitation is the token of an invitation to book a commission's
	// next step (invitations.go): it books its service, even one that is
	// not public, with the customer details left out taken from the
	// commission, and is used up by the booking.
	Invitation string
	// Unread are the fields the adapter could not read (such as a start
	// that is not a time), with its messages: they are answered together
	// with the use case's own checks, in one EINVALID.
	Unread booking.FieldErrors
}

// RescheduleRequest asks to move a booking: a new start and, optionally,
// who hosts the moved booking: "" keeps its artisan, AnyArtisan lets any
// free one take it, an id asks for that artisan.
type RescheduleRequest struct {
	Start   time.Time // zero: not given
	Artisan string
	Unread  booking.FieldErrors // as in BookingRequest
}

// CreateOptions qualify a booking request.
type CreateOptions struct {
	// IdempotencyKey is the client's Idempotency-Key header ("" for none).
	IdempotencyKey string
	// Fingerprint is the request as the client sent it, in the adapter's
	// canonical form (the JSON adapter: its body as decoded, encoded
	// again): the same IdempotencyKey with another fingerprint is refused.
	// Nil means the canonical form of the BookingRequest itself.
	Fingerprint []byte
	// Replay renders the answer that a repeat of the request gets; it is
	// required with an IdempotencyKey.
	Replay Replayer
}

// placing qualifies how a booking is made: by its customer, or by staff
// on a customer's behalf (StaffCreateBooking: minimum notice and horizon
// do not apply; clashes and the past still do).
type placing struct {
	staff bool
	actor booking.Actor // recorded in the audit trail
}

// zone is where the answer shows b: in the customer's zone to customers,
// in the atelier's to staff.
func (how placing) zone(b *booking.Booking, c *booking.Catalog) *time.Location {
	if how.staff {
		return zoneOf(c)
	}
	return viewZone(b, c)
}

var customerActor = booking.Actor{Kind: "customer"}

// CreateBooking validates req, places it and stores it. Errors are
// *booking.Error values: EINVALID with a field map, ECONFLICT when the
// slot is not free, EINVALID idempotency_key_reused when the
// Idempotency-Key was used for another request, or internal errors.
func (a *App) CreateBooking(ctx context.Context, req BookingRequest, opt CreateOptions) (*Created, error) {
	return a.createBooking(ctx, req, opt, placing{actor: customerActor})
}

// canonicalRequest is the form of a booking request its Idempotency-Key
// is checked against when the adapter gives no fingerprint of its own:
// the fields as given, the start in RFC 3339 in its own zone.
func canonicalRequest(req BookingRequest) ([]byte, error) {
	start := ""
	if !req.Start.IsZero() {
		start = req.Start.Format(time.RFC3339)
	}
	return json.Marshal(struct {
		Service  string                     `json:"service"`
		Mode     string                     `json:"mode"`
		Start    string                     `json:"start"`
		Artisan  string                     `json:"artisan,omitempty"`
		Customer booking.Customer           `json:"customer"`
		Notes    string                     `json:"notes,omitempty"`
		Answers  map[string]json.RawMessage `json:"answers,omitempty"`
		Discreet bool                       `json:"discreet,omitempty"`
		Artisans []string                   `json:"artisans,omitempty"`
		Invited  []byte                     `json:"invitation,omitempty"`
	}{req.Service, string(req.Mode), start, req.Artisan, req.Customer, req.Notes, req.Answers, req.Discreet, req.Artisans,
		invitationKey(req.Invitation)})
}

// idempotency checks the request's Idempotency-Key (none: nil, nil, nil)
// and returns the record to store with the booking, or the first answer
// again when the key was used already.
func (a *App) idempotency(ctx context.Context, req BookingRequest, opt CreateOptions) (*booking.IdempotencyRecord, *Created, error) {
	if opt.IdempotencyKey == "" {
		return nil, nil, nil
	}
	if !ValidIdempotencyKey(opt.IdempotencyKey) {
		return nil, nil, &booking.Error{Kind: booking.EMALFORMED, Code: booking.CodeMalformed,
			Message: "the Idempotency-Key header must be 1 to 255 printable ASCII characters"}
	}
	if opt.Replay == nil {
		return nil, nil, internal("idempotency key", errors.New("no Replayer to render the first response"))
	}
	canon := opt.Fingerprint
	if canon == nil {
		var err error
		if canon, err = canonicalRequest(req); err != nil {
			return nil, nil, internal("canonical request", err)
		}
	}
	reqHash := sha256.Sum256(canon)
	idem := &booking.IdempotencyRecord{KeyHash: idempotencyKeyHash(opt.IdempotencyKey), RequestHash: reqHash[:]}
	rec, err := a.store.LookupIdempotency(ctx, idem.KeyHash)
	if err != nil {
		return nil, nil, internal("look up idempotency key", err)
	}
	if rec != nil {
		created, err := a.replay(rec, opt.IdempotencyKey, idem.RequestHash)
		return nil, created, err
	}
	return idem, nil, nil
}

func (a *App) createBooking(ctx context.Context, req BookingRequest, opt CreateOptions, how placing) (*Created, error) {
	idem, replayed, err := a.idempotency(ctx, req, opt)
	if err != nil || replayed != nil {
		return replayed, err
	}

	c, err := a.catalog(ctx)
	if err != nil {
		return nil, err
	}
	req = normalize(req)
	errs := booking.FieldErrors{}
	// A service that is not public is unknown to customers, unless they
	// come with an invitation to it (invitations.go).
	offered, invited, err := a.offerFor(ctx, c, &req, how)
	if err != nil {
		return nil, err
	}
	svc := validateService(offered, errs, req.Service, string(req.Mode), req.Artisan)
	req.Artisan = validateArtisans(c, errs, svc, req.Artisan, req.Artisans) // team.go
	now := a.now()
	unread(errs, req.Unread)
	start, _ := validateStart(errs, c, req.Start, now)
	validateCustomer(errs, req.Customer, a.utf8LocalParts)
	req.Customer.Language = a.customerLanguage(errs, req.Customer.Language)
	if m := validNotes(req.Notes); m != "" {
		errs.Add("notes", m)
	}
	var answers booking.Answers
	if svc != nil {
		// Invited by staff, as booked by staff: no answer is required.
		answers = svc.CheckAnswers(req.Answers, errs, how.staff || invited != nil)
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}

	mode := req.Mode
	token, tokenHash := newManageToken()
	b := newBookingRow(a.publicURL, c, svc, req, start, answers, now, how)
	var use *booking.InvitationUse
	if invited != nil {
		b.CommissionID, use = invited.Invitation.CommissionID, &booking.InvitationUse{ID: invited.Invitation.ID}
	}
	placeReq := availability.Request{ServiceID: svc.ID, Mode: mode, Start: start, ArtisanID: req.Artisan, Artisans: req.Artisans, Staff: how.staff}
	// Google's answer for the exact slot, asked before a Meet link creates
	// the booking's own event (google.go).
	gbusy := a.googleBusy(ctx, c, placeReq, b.BlockStart, b.BlockEnd, booking.Busy{})

	if a.linksNow(&b) {
		// The link needs the host, so choose the artisan now against the
		// current schedule; the store re-checks that artisan atomically.
		if err := a.linkMeeting(ctx, &b, c, &placeReq, now); err != nil {
			return nil, err
		}
	}

	var created *Created
	place := func(s *booking.Schedule) (booking.Placement, error) {
		p, err := availability.Place(gbusy.into(s), placeReq, now)
		if err != nil || idem == nil {
			return p, err
		}
		// Seal the response now that the placement is known: the store
		// writes the record in the same transaction as the booking.
		placed := b
		placed.ArtisanID, placed.RoomID, placed.Artisans = p.ArtisanID, p.RoomID, p.Artisans
		created = &Created{Booking: result(&placed, c, how.zone(&placed, c), now), ManageToken: token}
		body, err := opt.Replay.FirstResponse(created)
		if err != nil {
			return p, internal("render the first response", err)
		}
		if idem.Response, err = seal(sealKey(opt.IdempotencyKey), body, idem.RequestHash); err != nil {
			return p, internal("seal response", err)
		}
		idem.BookingID, idem.CreatedAt = b.ID, now.UTC()
		return p, nil
	}
	stored, rec, err := a.store.CreateBooking(ctx, booking.NewBooking{Booking: b, TokenHash: tokenHash, Idempotency: idem, Actor: how.actor, Invitation: use}, place)
	if err != nil {
		if booking.ErrorKind(err) != booking.EINTERNAL {
			// Refused (the slot was taken meanwhile): nothing was stored.
			a.abandonMeeting(ctx, &b, c)
		}
		return nil, wrapStore("create booking", err)
	}
	if rec != nil {
		// A concurrent request with the same key won the race.
		a.abandonMeeting(ctx, &b, c)
		return a.replay(rec, opt.IdempotencyKey, idem.RequestHash)
	}
	if created == nil {
		created = &Created{Booking: result(stored, c, how.zone(stored, c), a.now()), ManageToken: token}
	}
	return created, nil
}

// newBookingRow is the booking req asks for, as it is to be stored: in
// person at the atelier's address; a request (requests.go) when its
// service needs staff to confirm it and staff are not the ones booking,
// holding the time until staff decide.
func newBookingRow(publicURL string, c *booking.Catalog, svc *booking.Service, req BookingRequest, start time.Time,
	answers booking.Answers, now time.Time, how placing) booking.Booking {
	end, blockStart, blockEnd := availability.Times(svc, req.Mode, start)
	id := booking.NewID(booking.BookingIDPrefix)
	b := booking.Booking{
		ID:         id,
		UID:        invite.UID(id, publicURL),
		Status:     booking.Confirmed,
		ServiceID:  svc.ID,
		Mode:       req.Mode,
		ArtisanID:  req.Artisan,
		Start:      start.UTC(),
		End:        end.UTC(),
		BlockStart: blockStart.UTC(),
		BlockEnd:   blockEnd.UTC(),
		Customer:   req.Customer,
		Notes:      req.Notes,
		Answers:    answers,
		Discreet:   req.Discreet,
		CreatedAt:  now.UTC(),
		UpdatedAt:  now.UTC(),
	}
	if req.Mode == booking.InPerson {
		b.Location = c.Atelier.Address
	}
	if svc.RequiresConfirmation && !how.staff {
		b.Status, b.DecideBy = booking.Pending, now.UTC().Add(pendingFor(c))
	}
	return b
}

// linksNow reports whether b gets its video-call link as it is made: a
// virtual booking, when links are made, unless it is a request (it gets
// its link when it is confirmed).
func (a *App) linksNow(b *booking.Booking) bool {
	return b.Mode == booking.Virtual && a.meetings != nil && b.Status != booking.Pending
}

// linkMeeting picks the host of a virtual booking (if the customer did not)
// and asks Meetings for the call link.
func (a *App) linkMeeting(ctx context.Context, b *booking.Booking, c *booking.Catalog, r *availability.Request, now time.Time) error {
	if r.ArtisanID == "" {
		s, err := a.store.Schedule(ctx, b.Start.Add(-scheduleMargin), b.End.Add(scheduleMargin))
		if err != nil {
			return internal("load schedule", err)
		}
		p, err := availability.Place(s, *r, now)
		if err != nil {
			return err
		}
		r.ArtisanID, b.ArtisanID = p.ArtisanID, p.ArtisanID
	}
	url, err := a.meetings.Link(ctx, b, c.Artisan(r.ArtisanID))
	if err != nil {
		a.logger().ErrorContext(ctx, "create meeting link", "booking", b.ID, "err", err)
		return booking.Errorf(booking.EUNAVAILABLE, "meeting_unavailable", "the video call could not be set up; please try again shortly")
	}
	b.MeetingURL = url
	return nil
}

// MeetingAbandoner is implemented by a MeetingLinker whose Link leaves
// something behind, such as the Google Calendar event that carries a Meet
// link, to be removed when the booking is not stored after all.
type MeetingAbandoner interface {
	Abandon(ctx context.Context, b *booking.Booking, a *booking.Artisan) error
}

// abandonTimeout bounds the clean-up of a link whose booking was refused.
const abandonTimeout = 10 * time.Second

// abandonMeeting tells Meetings that the link made for b will not be used
// because b was not stored. Failures are logged: the booking's answer
// does not depend on them.
func (a *App) abandonMeeting(ctx context.Context, b *booking.Booking, c *booking.Catalog) {
	ab, ok := a.meetings.(MeetingAbandoner)
	if !ok || b.MeetingURL == "" {
		return
	}
	// The customer may have gone; the artisan's calendar is still cleaned.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), abandonTimeout)
	defer cancel()
	if err := ab.Abandon(ctx, b, c.Artisan(b.ArtisanID)); err != nil {
		a.logger().WarnContext(ctx, "remove the meeting of a refused booking", "booking", b.ID, "err", err)
	}
}

// manageURL is the link to booking id's manage page with token.
func (a *App) manageURL(id, token string) string {
	return a.publicURL + "/bookings/" + url.PathEscape(id) + "?" + url.Values{"token": {token}}.Encode()
}

// replay answers a repeated Idempotency-Key with the first response, which
// only the holder of the key can decrypt.
func (a *App) replay(rec *booking.IdempotencyRecord, key string, reqHash []byte) (*Created, error) {
	if !bytes.Equal(rec.RequestHash, reqHash) {
		return nil, booking.Errorf(booking.EINVALID, booking.CodeIdempotencyMismatch,
			"this Idempotency-Key was already used with a different request")
	}
	if !rec.CreatedAt.IsZero() && a.now().Sub(rec.CreatedAt) > a.idempotencyTTL {
		return nil, booking.Errorf(booking.EINVALID, booking.CodeIdempotencyMismatch,
			"this Idempotency-Key has expired; use a new key")
	}
	body, err := open(sealKey(key), rec.Response, reqHash)
	if err != nil {
		return nil, internal("replay idempotent response", err)
	}
	return &Created{Replayed: true, Response: body}, nil
}

// normalize trims surrounding white space from single-line fields.
func normalize(r BookingRequest) BookingRequest {
	r.Service = strings.TrimSpace(r.Service)
	r.Mode = booking.Mode(strings.TrimSpace(string(r.Mode)))
	r.Artisan = strings.TrimSpace(r.Artisan)
	for i := range r.Artisans {
		r.Artisans[i] = strings.TrimSpace(r.Artisans[i])
	}
	r.Customer.Name = strings.TrimSpace(r.Customer.Name)
	r.Customer.Email = strings.TrimSpace(r.Customer.Email)
	r.Customer.Phone = strings.TrimSpace(r.Customer.Phone)
	r.Customer.Timezone = strings.TrimSpace(r.Customer.Timezone)
	return r
}

func validateCustomer(errs booking.FieldErrors, c booking.Customer, utf8Local bool) {
	if m := validName(c.Name); m != "" {
		errs.Add("customer.name", m)
	}
	if m := validEmail(c.Email, utf8Local); m != "" {
		errs.Add("customer.email", m)
	}
	if m := validPhone(c.Phone); m != "" {
		errs.Add("customer.phone", m)
	}
	if c.Timezone != "" {
		if _, err := booking.LoadZone(c.Timezone); err != nil {
			errs.Add("customer.timezone", "must be an IANA time zone such as Asia/Singapore")
		}
	}
}

// customerLanguage is the configured language a booking is made in (the
// one the tag names, "zh-CN" being zh-Hans, or the default one when none
// is given); one not configured is a field error.
func (a *App) customerLanguage(errs booking.FieldErrors, lang string) string {
	lang = strings.TrimSpace(lang)
	if lang == "" {
		return a.langs.Lang("").Name()
	}
	if l, ok := a.langs.Find(lang); ok {
		return l.Name()
	}
	names := []string{i18n.Default}
	if a.langs != nil {
		names = names[:0]
		for _, l := range a.langs.Languages() {
			names = append(names, l.Name())
		}
	}
	errs.Add("customer.language", "must be one of the atelier's languages: "+strings.Join(names, ", "))
	return lang
}

// loadBooking loads the booking of a reference given from outside (read
// by ParseBookingID, so in any case). Callers use the loaded b.ID from
// then on, never the reference as given.
func (a *App) loadBooking(ctx context.Context, id string) (*booking.Booking, error) {
	b, err := a.store.Booking(ctx, ParseBookingID(id))
	if err != nil {
		return nil, wrapStore("load booking", err)
	}
	return b, nil
}

// authorize loads booking id with one of its manage tokens: the one of
// the answer that made it or of any e-mail sent about it, until
// ManageTokenGrace after the appointment. An unknown id, a wrong token
// and an expired one give the same ENOTFOUND.
func (a *App) authorize(ctx context.Context, id, token string) (*booking.Booking, error) {
	if token == "" || len(token) > maxTokenLen {
		return nil, booking.ErrNotFound("booking")
	}
	b, err := a.store.BookingByManageToken(ctx, ParseBookingID(id), auth.HashSecret(token))
	if booking.ErrorKind(err) == booking.ENOTFOUND {
		// The token of another booking of the same commission opens it
		// too (commissions.go).
		b, err = a.commissionSibling(ctx, id, auth.HashSecret(token))
	}
	if err != nil {
		return nil, wrapStore("load booking", err)
	}
	if !manageTokenLive(b, a.now()) {
		return nil, booking.ErrNotFound("booking")
	}
	return b, nil
}

// maxTokenLen bounds what is hashed and looked up: a manage token is 43
// characters.
const maxTokenLen = 256

// GetBooking returns booking id to the holder of its manage token.
func (a *App) GetBooking(ctx context.Context, id, token string) (*Booking, error) {
	b, err := a.authorize(ctx, id, token)
	if err != nil {
		return nil, err
	}
	return a.view(ctx, b)
}

// CancelBooking cancels booking id for the holder of its manage token; the
// time is free again at once. Cancelling twice is ECONFLICT.
func (a *App) CancelBooking(ctx context.Context, id, token string) (*Booking, error) {
	b, err := a.authorize(ctx, id, token)
	if err != nil {
		return nil, err
	}
	if err := a.customerMayCancel(ctx, b); err != nil {
		return nil, err
	}
	b, err = a.cancel(ctx, b, customerActor)
	if err != nil {
		return nil, err
	}
	return a.view(ctx, b)
}

// RescheduleBooking moves booking id for the holder of its manage token.
// On ECONFLICT the booking is unchanged.
func (a *App) RescheduleBooking(ctx context.Context, id, token string, req RescheduleRequest) (*Booking, error) {
	b, err := a.authorize(ctx, id, token)
	if err != nil {
		return nil, err
	}
	moved, c, err := a.reschedule(ctx, b, req, customerActor, false)
	if err != nil {
		return nil, err
	}
	return customerResult(moved, c, a.now()), nil
}

// customerMayCancel refuses a customer's cancel that the booking policy
// does not allow now (the store checks again as it writes).
func (a *App) customerMayCancel(ctx context.Context, b *booking.Booking) error {
	if b.Status != booking.Confirmed {
		return nil // cancelling twice says so
	}
	c, err := a.catalog(ctx)
	if err != nil {
		return err
	}
	return c.PolicyOf(b.ServiceID).CheckCustomerCancel(b, a.now(), &c.Atelier)
}

// customerMayMove refuses a customer's move that the booking policy does
// not allow now: inside the change window, or past the limit of moves
// (unless the move is to where the booking already is, a form sent
// twice, which changes nothing). The store checks again as it writes.
func customerMayMove(m *move) error {
	p := m.c.PolicyOf(m.b.ServiceID)
	if m.start.Equal(m.b.Start) && (m.req.ArtisanID == m.b.ArtisanID || m.keep == m.b.ArtisanID) {
		return p.CheckCustomerCancel(m.b, m.now, &m.c.Atelier)
	}
	return p.CheckCustomerReschedule(m.b, m.now, &m.c.Atelier)
}

// Invite returns the iCalendar invite of booking id to the holder of its
// manage token, and its iTIP method: "REQUEST", or "CANCEL" once
// cancelled.
func (a *App) Invite(ctx context.Context, id, token string) (ics []byte, method string, err error) {
	b, err := a.authorize(ctx, id, token)
	if err != nil {
		return nil, "", err
	}
	if b.Status == booking.Pending {
		// No calendar holds a time the atelier has not confirmed: the
		// invitation comes with the confirmation.
		return nil, "", booking.Errorf(booking.ECONFLICT, booking.CodeRequestPending,
			"the atelier has not confirmed this request yet; its calendar invitation comes with the confirmation")
	}
	c, err := a.catalog(ctx)
	if err != nil {
		return nil, "", err
	}
	d := invite.Details{
		Booking:   b,
		Atelier:   &c.Atelier,
		PublicURL: a.publicURL,
		// The token it was asked with: the calendar's copy keeps a link
		// that opens the booking, as the e-mailed invites do.
		ManageURL: a.manageURL(b.ID, token),
		Now:       a.now().UTC(),
		RSVP:      a.replies,
		Lang:      a.langs.Lang(b.Customer.Language),
	}
	d.Bring = a.advice.For(b.ServiceID, b.Mode, d.Lang)
	// A team's invite names every one of its artisans.
	d.ServiceName, d.ArtisanName = c.ServiceNameOf(b), d.Lang.Join(c.ArtisanNamesOf(b))
	if ar := c.Artisan(b.ArtisanID); ar != nil {
		d.ArtisanEmail = ar.Email
	}
	ics, err = invite.Build(d)
	if err != nil {
		return nil, "", internal("build invite", err)
	}
	return ics, invite.Method(b), nil
}

// visibleBooking loads booking id if u may see it (booking.User.MaySee);
// another artisan's booking is ENOTFOUND, like an unknown id, so that an
// artisan account learns nothing of other calendars.
func (a *App) visibleBooking(ctx context.Context, u *booking.User, id string) (*booking.Booking, error) {
	b, err := a.loadBooking(ctx, id)
	if err != nil {
		return nil, err
	}
	if !u.MaySee(b) {
		return nil, booking.ErrNotFound("booking")
	}
	return b, nil
}

// staffCancel cancels booking id on behalf of u, if u may see it.
func (a *App) staffCancel(ctx context.Context, u *booking.User, id string) (*booking.Booking, error) {
	b, err := a.visibleBooking(ctx, u, id)
	if err != nil {
		return nil, err
	}
	return a.cancel(ctx, b, u.Actor())
}

// staffReschedule moves booking id on behalf of u, if u may see it,
// without minimum notice or horizon; it returns the moved booking and
// the catalogue it was placed against. Only an admin may hand the
// booking to another artisan (booking.User.Scope): an artisan account's
// bookings stay with its artisan.
func (a *App) staffReschedule(ctx context.Context, u *booking.User, id string, req RescheduleRequest) (*booking.Booking, *booking.Catalog, error) {
	b, err := a.visibleBooking(ctx, u, id)
	if err != nil {
		return nil, nil, err
	}
	if req.Artisan, err = scope(u, req.Artisan); err != nil {
		return nil, nil, err
	}
	return a.reschedule(ctx, b, req, u.Actor(), true)
}

// view is b as its customer sees it.
func (a *App) view(ctx context.Context, b *booking.Booking) (*Booking, error) {
	c, err := a.catalog(ctx)
	if err != nil {
		return nil, err
	}
	return customerResult(b, c, a.now()), nil
}

func errCancelled() error {
	return booking.Errorf(booking.ECONFLICT, booking.CodeBookingCancelled, "the booking is cancelled")
}

// cancel cancels b on behalf of actor and returns it as stored.
func (a *App) cancel(ctx context.Context, b *booking.Booking, actor booking.Actor) (*booking.Booking, error) {
	if b.Status == booking.Cancelled {
		return nil, errCancelled()
	}
	b, err := a.store.CancelBooking(ctx, b.ID, actor)
	if err != nil {
		return nil, wrapStore("cancel booking", err)
	}
	return b, nil
}

// AnyArtisan is the artisan of a reschedule request that lets any free
// artisan offering the service take the booking.
const AnyArtisan = "any"

// move is a validated reschedule: where the booking should go and how
// its host is chosen.
type move struct {
	b          *booking.Booking
	c          *booking.Catalog
	start, end time.Time
	bs, be     time.Time // the block: start and end widened by the buffers
	// req asks the engine for the slot: with ArtisanID set only that
	// artisan may take it; empty means any free one (after keep).
	req availability.Request
	// keep is, for "any", the booking's own artisan, tried first so that
	// a move changes the host only when it has to ("" when they can no
	// longer take it).
	keep string
	// team is, for a booking of several artisans, those of them who still
	// offer its service: kept by a move with no artisan, tried first with
	// "any".
	team []string
	now  time.Time
}

// place decides the host of the move against s.
func (m *move) place(s *booking.Schedule) (booking.Placement, error) {
	if m.req.ArtisanID == "" && m.keep != "" {
		keep := m.req
		keep.ArtisanID, keep.Artisans = m.keep, m.team
		if p, err := availability.Place(s, keep, m.now); err == nil {
			return p, nil
		}
	}
	return availability.Place(s, m.req, m.now)
}

// fixed reports whether the host is known before placing: the booking's
// own artisan, or the one asked for by id.
func (m *move) fixed() bool { return m.req.ArtisanID != "" }

// prepareMove validates a reschedule of b. The artisan of req decides who
// hosts the moved booking: "" keeps the booking's artisan (the move is
// refused with slot_unavailable when they are not free then), AnyArtisan
// lets any free artisan offering the service take it (the booking's own
// first), and an id asks for that artisan (422 on artisan when unknown or
// not offering the service).
func (a *App) prepareMove(ctx context.Context, b *booking.Booking, req RescheduleRequest, staff bool) (*move, error) {
	if b.Status == booking.Cancelled {
		return nil, errCancelled()
	}
	c, err := a.catalog(ctx)
	if err != nil {
		return nil, err
	}
	req.Artisan = strings.TrimSpace(req.Artisan)
	errs := booking.FieldErrors{}
	svc := c.Service(b.ServiceID)
	if svc == nil {
		errs.Add("start", "the service of this booking is no longer offered")
	}
	now := a.now()
	unread(errs, req.Unread)
	start, _ := validateStart(errs, c, req.Start, now)
	target, keep := b.ArtisanID, ""
	switch req.Artisan {
	case "":
	case AnyArtisan:
		target = ""
		if svc != nil && hosts(svc, c.Artisan(b.ArtisanID)) {
			keep = b.ArtisanID
		}
	default:
		switch ar := c.Artisan(req.Artisan); {
		case ar == nil:
			errs.Add("artisan", `unknown artisan (give an artisan's id, "any", or leave it out to keep the booking's artisan)`)
		case svc != nil && !hosts(svc, ar):
			errs.Add("artisan", "does not offer this service")
		}
		target = req.Artisan
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	if req.Artisan == "" && !hosts(svc, c.Artisan(b.ArtisanID)) {
		return nil, booking.ErrSlotUnavailable(`the booking's artisan no longer offers this service; ask for "any" artisan or another one`)
	}
	end, bs, be := availability.Times(svc, b.Mode, start)
	m := &move{
		b: b, c: c, start: start, end: end, bs: bs, be: be, keep: keep, now: now,
		req: availability.Request{ServiceID: svc.ID, Mode: b.Mode, Start: start, ArtisanID: target, IgnoreBookingID: b.ID, Staff: staff},
	}
	keepTeam(m, svc, req.Artisan) // team.go
	return m, nil
}

// hosts reports whether ar (nil: not in the catalogue) takes bookings of
// svc: the artisan offers it and the service lists them, as the engine
// requires.
func hosts(svc *booking.Service, ar *booking.Artisan) bool {
	return ar != nil && ar.Offers(svc.ID) && slices.Contains(svc.Artisans, ar.ID)
}

// reschedule moves b on behalf of actor and returns it as stored, with
// the catalogue it was placed against (for rendering). See prepareMove
// for who hosts the moved booking. A virtual booking that changes host
// gets a new call link from Meetings (the new artisan's room), made before
// the store re-checks the slot and abandoned if the move is refused.
func (a *App) reschedule(ctx context.Context, b *booking.Booking, req RescheduleRequest, actor booking.Actor, staff bool) (*booking.Booking, *booking.Catalog, error) {
	m, err := a.prepareMove(ctx, b, req, staff)
	if err != nil {
		return nil, nil, err
	}
	if actor == customerActor {
		if err := customerMayMove(m); err != nil {
			return nil, nil, err
		}
	}
	// Google's answer for the new slot, less the booking's own event (google.go).
	gbusy := a.googleBusy(ctx, m.c, m.req, m.bs, m.be, ownBusy(b)...)

	var link *booking.Booking // the moved booking with its new host's link, if one was made
	if b.Mode == booking.Virtual && a.meetings != nil && m.req.ArtisanID != b.ArtisanID {
		if link, err = a.linkMove(ctx, m, gbusy); err != nil {
			return nil, nil, err
		}
	}
	place := func(s *booking.Schedule) (booking.Placement, error) {
		p, err := m.place(gbusy.into(s))
		if err == nil && link != nil && p.ArtisanID == link.ArtisanID {
			p.MeetingURL = link.MeetingURL
		}
		return p, err
	}
	moved, err := a.store.RescheduleBooking(ctx, b.ID, m.start.UTC(), m.end.UTC(), m.bs.UTC(), m.be.UTC(), actor, place)
	if err != nil {
		if link != nil && booking.ErrorKind(err) != booking.EINTERNAL {
			// Refused: the booking stays with its artisan and link.
			a.abandonMeeting(ctx, link, m.c)
		}
		return nil, nil, wrapStore("reschedule booking", err)
	}
	return moved, m.c, nil
}

// linkMove chooses the host of a virtual move that may change it, against
// the current schedule, and when that is another artisan asks Meetings for
// their link. It then fixes m to that host, so that the store either
// places the booking with the artisan the link was made for or refuses
// the move. It returns the moved booking with the link, or nil when the
// host stays.
func (a *App) linkMove(ctx context.Context, m *move, gbusy googleBusy) (*booking.Booking, error) {
	if !m.fixed() {
		s, err := a.store.Schedule(ctx, m.bs.Add(-scheduleMargin), m.be.Add(scheduleMargin))
		if err != nil {
			return nil, internal("load schedule", err)
		}
		p, err := m.place(gbusy.into(s))
		if err != nil {
			return nil, err
		}
		m.req.ArtisanID, m.keep = p.ArtisanID, ""
	}
	if m.req.ArtisanID == m.b.ArtisanID {
		return nil, nil
	}
	moved := *m.b
	moved.ArtisanID, moved.MeetingURL, moved.Sequence = m.req.ArtisanID, "", m.b.Sequence+1
	moved.Start, moved.End, moved.BlockStart, moved.BlockEnd = m.start.UTC(), m.end.UTC(), m.bs.UTC(), m.be.UTC()
	url, err := a.meetings.Link(ctx, &moved, m.c.Artisan(moved.ArtisanID))
	if err != nil {
		a.logger().ErrorContext(ctx, "create meeting link", "booking", moved.ID, "err", err)
		return nil, booking.Errorf(booking.EUNAVAILABLE, "meeting_unavailable", "the video call could not be set up with the new artisan; the booking is unchanged, please try again shortly")
	}
	moved.MeetingURL = url
	return &moved, nil
}

// MovePreview is what a reschedule would do if made now: who would host
// the booking, for a confirmation step to show.
type MovePreview struct {
	Artisan  string // who would host the moved booking
	Previous string // who hosts it now
}

// Changes reports whether the move would change the artisan.
func (p *MovePreview) Changes() bool { return p.Artisan != p.Previous }

// PreviewReschedule checks a reschedule of booking id for the holder of
// its manage token against the current schedule, without changing
// anything: the errors are those RescheduleBooking would give now.
func (a *App) PreviewReschedule(ctx context.Context, id, token string, req RescheduleRequest) (*MovePreview, error) {
	b, err := a.authorize(ctx, id, token)
	if err != nil {
		return nil, err
	}
	m, err := a.prepareMove(ctx, b, req, false)
	if err != nil {
		return nil, err
	}
	if err := customerMayMove(m); err != nil {
		return nil, err
	}
	s, err := a.store.Schedule(ctx, m.bs.Add(-scheduleMargin), m.be.Add(scheduleMargin))
	if err != nil {
		return nil, internal("load schedule", err)
	}
	p, err := m.place(s)
	if err != nil {
		return nil, err
	}
	return &MovePreview{Artisan: p.ArtisanID, Previous: b.ArtisanID}, nil
}

// wrapStore passes domain errors from the store through (they carry a
// kind and a safe message) and marks anything else as internal.
func wrapStore(op string, err error) error {
	var e *booking.Error
	if errors.As(err, &e) {
		return e
	}
	return internal(op, err)
}
