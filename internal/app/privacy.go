package app

import (
	"archive/zip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/atelier-app/atelier/internal/auth"
	"github.com/atelier-app/atelier/internal/booking"
)

// Personal data (issue 13; GDPR articles 15, 17 and 20). A customer asks,
// from any of their bookings' manage pages, for a copy of what the atelier
// holds about them or for its erasure; the answer is a link e-mailed to the
// address on record, never the data itself on the manage page, whose link
// may have been forwarded. Staff (admins) do both from the customer's page.
//
// The copy is a ZIP: data.json (every booking with its answers, notes,
// staff notes, e-mails' states and replies, and the customer's notes) and
// each photo as its own file. Staff notes are personal data about the
// customer and are in the copy.
//
// Erasure blanks the personal data of the customer's past bookings and of
// their cancelled ones (booking.PrivacyStore.ErasePersonalData); a coming
// appointment is kept as it is until it is over or cancelled, since the
// atelier needs the customer's details to hold it. A customer who wants
// them gone too cancels them first. The retention job erases every
// booking's data RetentionYears after its appointment.

// PrivacyLinkTTL is how long a privacy link works.
const PrivacyLinkTTL = 24 * time.Hour

// Uses of a privacy link: a copy can be downloaded again should a
// download break; an erasure is confirmed once.
const (
	exportLinkUses = 3
	eraseLinkUses  = 1
)

// PrivacyPath is the page a privacy link opens; the token follows as
// ?token=.
const PrivacyPath = "/privacy"

// PrivacyLinkJob builds the outbox job of the e-mail that carries a
// privacy link to the customer of b (mail.PrivacyLinkJob).
type PrivacyLinkJob func(b *booking.Booking, purpose, link string, expires time.Time) (booking.Job, error)

// Export is everything the atelier holds about one customer, as of At.
type Export struct {
	At       time.Time
	Atelier  string
	Customer booking.CustomerProfile
	Bookings []ExportBooking
	// Photos are the photos' data, by photo id.
	Photos map[string][]byte
	// Commissions are the customer's commissions (pieces made over
	// several appointments).
	Commissions []booking.Commission
}

// ExportBooking is one booking in a copy.
type ExportBooking struct {
	Booking    booking.Booking
	Service    string
	Artisan    string
	StaffNotes string
	Photos     []booking.Photo
	Messages   []Message
	Reply      booking.PartStat // the latest answer to the invitation
}

// exportView is data.json: field names a customer can read.
type exportView struct {
	Format      string             `json:"format"`
	GeneratedAt time.Time          `json:"generated_at"`
	Atelier     string             `json:"atelier"`
	Customer    exportCustomer     `json:"customer"`
	Bookings    []exportBookingV   `json:"bookings"`
	Commissions []exportCommission `json:"commissions"`
	About       string             `json:"about"`
}

type exportCustomer struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Email       string    `json:"email"`
	Phone       string    `json:"phone,omitempty"`
	Timezone    string    `json:"timezone,omitempty"`
	FirstBooked time.Time `json:"first_booked"`
	Notes       string    `json:"notes_by_staff,omitempty"`
}

type exportBookingV struct {
	Reference   string          `json:"reference"`
	Status      booking.Status  `json:"status"`
	Service     string          `json:"service"`
	Artisan     string          `json:"artisan"`
	Mode        booking.Mode    `json:"mode"`
	Start       time.Time       `json:"start"`
	End         time.Time       `json:"end"`
	Location    string          `json:"location,omitempty"`
	MeetingURL  string          `json:"video_call,omitempty"`
	Customer    exportWho       `json:"customer"`
	Language    string          `json:"language,omitempty"`
	Discreet    bool            `json:"discreet"`
	Notes       string          `json:"notes,omitempty"`
	Answers     booking.Answers `json:"answers,omitempty"`
	Reschedules int             `json:"moves_made"`
	StaffNotes  string          `json:"notes_by_staff,omitempty"`
	Photos      []exportPhoto   `json:"photos,omitempty"`
	Emails      []exportEmail   `json:"emails,omitempty"`
	Reply       string          `json:"invitation_reply,omitempty"`
	CreatedAt   time.Time       `json:"booked_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
	ErasedAt    *time.Time      `json:"erased_at,omitempty"`
}

type exportCommission struct {
	Reference string    `json:"reference"`
	Title     string    `json:"title"`
	Stage     string    `json:"stage"`
	Artisan   string    `json:"artisan"`
	Customer  exportWho `json:"customer"`
	NeededBy  string    `json:"needed_by,omitempty"`
	Notes     string    `json:"notes_by_staff,omitempty"`
	CreatedAt time.Time `json:"opened_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

type exportWho struct {
	Name     string `json:"name"`
	Email    string `json:"email"`
	Phone    string `json:"phone,omitempty"`
	Timezone string `json:"timezone,omitempty"`
}

type exportPhoto struct {
	File        string    `json:"file"`
	ContentType string    `json:"content_type"`
	Width       int       `json:"width"`
	Height      int       `json:"height"`
	AddedAt     time.Time `json:"added_at"`
}

type exportEmail struct {
	Kind   string     `json:"kind"`
	State  string     `json:"state"`
	SentAt *time.Time `json:"sent_at,omitempty"`
}

// photoFile is the name of a photo in the ZIP.
func photoFile(p booking.Photo) string {
	ext := ".jpg"
	if p.ContentType == "image/png" {
		ext = ".png"
	}
	return "photos/" + p.BookingID + "/" + p.ID + ext
}

// JSON is data.json of the copy.
func (e *Export) JSON() ([]byte, error) {
	v := exportView{
		Format: "atelier-personal-data/1", GeneratedAt: e.At.UTC(), Atelier: e.Atelier,
		Customer: exportCustomer{ID: e.Customer.ID, Name: e.Customer.Name, Email: e.Customer.Email, Phone: e.Customer.Phone,
			Timezone: e.Customer.Timezone, FirstBooked: e.Customer.FirstBooked.UTC(), Notes: e.Customer.Notes},
		Bookings:    []exportBookingV{},
		Commissions: []exportCommission{},
		About: "Everything this atelier holds about you: your details, each of your bookings with your answers, notes, photos " +
			"(the files beside this one), your commissions, the notes staff keep about you and the state of the e-mails sent to you. " +
			"Times are in UTC (RFC 3339).",
	}
	for _, x := range e.Bookings {
		b := x.Booking
		bv := exportBookingV{
			Reference: strings.ToUpper(b.ID), Status: b.Status, Service: x.Service, Artisan: x.Artisan, Mode: b.Mode,
			Start: b.Start.UTC(), End: b.End.UTC(), Location: b.Location, MeetingURL: b.MeetingURL,
			Customer: exportWho{b.Customer.Name, b.Customer.Email, b.Customer.Phone, b.Customer.Timezone},
			Language: b.Customer.Language, Discreet: b.Discreet, Notes: b.Notes, Answers: b.Answers,
			Reschedules: b.Reschedules, StaffNotes: x.StaffNotes, CreatedAt: b.CreatedAt.UTC(), UpdatedAt: b.UpdatedAt.UTC(),
		}
		if !b.ErasedAt.IsZero() {
			t := b.ErasedAt.UTC()
			bv.ErasedAt = &t
		}
		for _, p := range x.Photos {
			bv.Photos = append(bv.Photos, exportPhoto{File: photoFile(p), ContentType: p.ContentType, Width: p.Width, Height: p.Height, AddedAt: p.CreatedAt.UTC()})
		}
		for _, m := range x.Messages {
			bv.Emails = append(bv.Emails, exportEmail{Kind: m.Kind, State: m.State, SentAt: m.SentAt})
		}
		bv.Reply = strings.ToLower(string(x.Reply))
		v.Bookings = append(v.Bookings, bv)
	}
	for _, c := range e.Commissions {
		cv := exportCommission{Reference: strings.ToUpper(c.ID), Title: c.Title, Stage: c.Stage, Artisan: c.ArtisanID,
			Customer: exportWho{c.Customer.Name, c.Customer.Email, c.Customer.Phone, c.Customer.Timezone},
			Notes:    c.Notes, CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC()}
		if !c.NeededBy.IsZero() {
			cv.NeededBy = c.NeededBy.String()
		}
		v.Commissions = append(v.Commissions, cv)
	}
	return json.MarshalIndent(v, "", "  ")
}

// WriteZip writes the copy as a ZIP: data.json and the photos.
func (e *Export) WriteZip(w io.Writer) error {
	data, err := e.JSON()
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	zw := zip.NewWriter(w)
	add := func(name string, body []byte, at time.Time) error {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: at.UTC()})
		if err != nil {
			return err
		}
		_, err = f.Write(body)
		return err
	}
	if err := add("data.json", data, e.At); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	for _, x := range e.Bookings {
		for _, p := range x.Photos {
			if err := add(photoFile(p), e.Photos[p.ID], p.CreatedAt); err != nil {
				return fmt.Errorf("export: %w", err)
			}
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// ExportFileName is the name the copy is downloaded as.
func (e *Export) ExportFileName() string {
	return "personal-data-" + e.Customer.ID + "-" + e.At.UTC().Format("20060102") + ".zip"
}

// maxExportBookings bounds the bookings of one copy.
const maxExportBookings = 10000

// export gathers everything held about customer id.
func (a *App) export(ctx context.Context, id string) (*Export, error) {
	p, err := a.store.Customer(ctx, id, "")
	if err != nil {
		return nil, wrapStore("load the customer", err)
	}
	c, err := a.catalog(ctx)
	if err != nil {
		return nil, err
	}
	bs, err := a.store.CustomerHistory(ctx, id, "", maxExportBookings)
	if err != nil {
		return nil, internal("load the customer's bookings", err)
	}
	ids := make([]string, len(bs))
	for i := range bs {
		ids[i] = bs[i].ID
	}
	notes, err := a.store.StaffNotes(ctx, ids...)
	if err != nil {
		return nil, internal("load staff notes", err)
	}
	photos, err := a.store.Photos(ctx, ids...)
	if err != nil {
		return nil, internal("load photos", err)
	}
	replies, err := a.store.CustomerReplies(ctx, ids...)
	if err != nil {
		return nil, internal("load replies", err)
	}
	out := &Export{At: a.now(), Atelier: c.Atelier.Name, Customer: *p, Photos: map[string][]byte{}}
	if out.Commissions, err = a.store.Commissions(ctx, booking.CommissionQuery{CustomerID: id}); err != nil {
		return nil, internal("load the customer's commissions", err)
	}
	for i := range bs {
		b := bs[i]
		x := ExportBooking{Booking: b, Service: c.ServiceNameOf(&b), Artisan: c.ArtisanNameOf(&b), StaffNotes: notes[b.ID], Photos: photos[b.ID]}
		for _, ph := range x.Photos {
			_, data, err := a.store.PhotoData(ctx, b.ID, ph.ID, false)
			if err != nil {
				return nil, internal("load a photo", err)
			}
			out.Photos[ph.ID] = data
		}
		jobs, err := a.store.BookingJobs(ctx, b.ID, mailQueue)
		if err != nil {
			return nil, internal("load the booking's mail", err)
		}
		for _, j := range jobs {
			if j.Kind != booking.MailStaffNotice {
				x.Messages = append(x.Messages, newMessage(j))
			}
		}
		x.Reply = replies[b.ID].PartStat
		out.Bookings = append(out.Bookings, x)
	}
	return out, nil
}

// StaffExport is the copy of everything held about customer id (admins
// only: it spans every artisan's bookings).
func (a *App) StaffExport(ctx context.Context, u *booking.User, id string) (*Export, error) {
	if err := requireAdmin(u); err != nil {
		return nil, err
	}
	e, err := a.export(ctx, strings.ToLower(strings.TrimSpace(id)))
	if err != nil {
		return nil, err
	}
	a.logger().Info("personal data exported by staff", "customer", e.Customer.ID, "user", u.ID, "bookings", len(e.Bookings))
	return e, nil
}

// StaffErase erases the personal data of customer id's past and cancelled
// bookings (admins only); their coming appointments are kept.
func (a *App) StaffErase(ctx context.Context, u *booking.User, id string) (booking.ErasureResult, error) {
	if err := requireAdmin(u); err != nil {
		return booking.ErasureResult{}, err
	}
	return a.erase(ctx, strings.ToLower(strings.TrimSpace(id)), u.Actor())
}

func (a *App) erase(ctx context.Context, id string, actor booking.Actor) (booking.ErasureResult, error) {
	res, err := a.store.ErasePersonalData(ctx, booking.Erasure{CustomerID: id, EndedBefore: a.now(), Cancelled: true}, actor)
	if err != nil {
		return res, wrapStore("erase the customer's data", err)
	}
	a.logger().Info("personal data erased", "customer", id, "actor", actor.Kind, "bookings", res.Bookings, "photos", res.Photos, "kept", res.Kept)
	return res, nil
}

// RequestPrivacyLink e-mails the customer of booking id (opened with its
// manage token) a link to a copy of their data (booking.PrivacyExport) or
// to confirm its erasure (booking.PrivacyErase). The link goes to the
// address on record only, works PrivacyLinkTTL, and its token is stored as
// a hash.
func (a *App) RequestPrivacyLink(ctx context.Context, id, token, purpose string) error {
	if purpose != booking.PrivacyExport && purpose != booking.PrivacyErase {
		errs := booking.FieldErrors{}
		errs.Add("purpose", "must be export or erase")
		return errs.Err()
	}
	b, err := a.authorize(ctx, id, token)
	if err != nil {
		return err
	}
	if a.privacyLink == nil {
		return booking.Errorf(booking.EUNAVAILABLE, "unavailable", "links cannot be sent here; please contact the atelier")
	}
	if b.Customer.Email == "" || !b.ErasedAt.IsZero() {
		return booking.Errorf(booking.ECONFLICT, "erased", "the personal data of this booking has been erased already")
	}
	ids, err := a.store.CustomerIDs(ctx, b.Customer.Email)
	if err != nil {
		return internal("load customer id", err)
	}
	if ids[b.Customer.Email] == "" {
		return booking.ErrNotFound("customer")
	}
	secret, hash := auth.NewSecret()
	expires := a.now().Add(PrivacyLinkTTL).UTC()
	job, err := a.privacyLink(b, purpose, a.publicURL+PrivacyPath+"?token="+secret, expires)
	if err != nil {
		return internal("privacy link e-mail", err)
	}
	job.BookingID = b.ID
	uses := exportLinkUses
	if purpose == booking.PrivacyErase {
		uses = eraseLinkUses
	}
	l := booking.PrivacyLink{TokenHash: hash, Purpose: purpose, CustomerID: ids[b.Customer.Email], BookingID: b.ID, ExpiresAt: expires, Uses: uses}
	if err := a.store.AddPrivacyLink(ctx, l, job); err != nil {
		return wrapStore("send the link", err)
	}
	return nil
}

// PrivacyLinkInfo is what a privacy link's page shows before it is used.
type PrivacyLinkInfo struct {
	Purpose   string
	ExpiresAt time.Time
	// Past and Coming count the customer's bookings: an erasure takes the
	// past (and cancelled) ones, and keeps the coming ones.
	Past, Coming int
}

// PrivacyLink returns what the link with token is for (purpose "": either),
// without using it.
func (a *App) PrivacyLink(ctx context.Context, token, purpose string) (*PrivacyLinkInfo, error) {
	l, err := a.privacyLinkOf(ctx, token, purpose, false)
	if err != nil {
		return nil, err
	}
	info := &PrivacyLinkInfo{Purpose: l.Purpose, ExpiresAt: l.ExpiresAt}
	bs, err := a.store.CustomerHistory(ctx, l.CustomerID, "", maxExportBookings)
	if err != nil {
		return nil, internal("load the customer's bookings", err)
	}
	now := a.now()
	for i := range bs {
		if (bs[i].Status == booking.Confirmed || bs[i].Status == booking.Pending) && !bs[i].End.Before(now) {
			info.Coming++
		} else if bs[i].ErasedAt.IsZero() {
			info.Past++
		}
	}
	return info, nil
}

func (a *App) privacyLinkOf(ctx context.Context, token, purpose string, spend bool) (*booking.PrivacyLink, error) {
	if token == "" || len(token) > maxTokenLen {
		return nil, booking.ErrNotFound("link")
	}
	l, err := a.store.UsePrivacyLink(ctx, auth.HashSecret(token), purpose, a.now(), spend)
	if err != nil {
		return nil, wrapStore("privacy link", err)
	}
	return l, nil
}

// ExportByLink is the copy a privacy link of purpose export gives; each
// call spends one of the link's uses.
func (a *App) ExportByLink(ctx context.Context, token string) (*Export, error) {
	l, err := a.privacyLinkOf(ctx, token, booking.PrivacyExport, true)
	if err != nil {
		return nil, err
	}
	e, err := a.export(ctx, l.CustomerID)
	if err != nil {
		return nil, err
	}
	a.logger().Info("personal data exported by its customer", "customer", l.CustomerID, "bookings", len(e.Bookings))
	return e, nil
}

// EraseByLink erases the personal data of the customer of an erase link
// (their past and cancelled bookings; coming ones are kept) and spends
// the link.
func (a *App) EraseByLink(ctx context.Context, token string) (booking.ErasureResult, error) {
	l, err := a.privacyLinkOf(ctx, token, booking.PrivacyErase, true)
	if err != nil {
		return booking.ErasureResult{}, err
	}
	return a.erase(ctx, l.CustomerID, booking.Actor{Kind: "customer"})
}

// RunRetention erases the personal data of every booking whose appointment
// ended more than the retention period ago (Deps.Retention; nothing when
// it is zero). The job of booking.PrivacyQueue calls it daily.
func (a *App) RunRetention(ctx context.Context) (booking.ErasureResult, error) {
	if a.retentionYears <= 0 {
		return booking.ErasureResult{}, nil
	}
	cutoff := a.now().AddDate(-a.retentionYears, 0, 0)
	res, err := a.store.ErasePersonalData(ctx, booking.Erasure{EndedBefore: cutoff}, booking.Actor{Kind: "system", ID: "retention"})
	if err != nil {
		return res, wrapStore("retention erasure", err)
	}
	if res.Bookings > 0 {
		a.logger().Info("personal data past its retention erased", "bookings", res.Bookings, "photos", res.Photos,
			"ended_before", cutoff.UTC().Format(time.DateOnly))
	}
	return res, nil
}
