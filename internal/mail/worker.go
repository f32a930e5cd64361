package mail

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/outbox"
)

// BookingGetter loads a booking as it is now (to render a reminder when it
// is due). booking.Store satisfies it.
type BookingGetter interface {
	Booking(ctx context.Context, id string) (*booking.Booking, error)
}

// LinkStore is what the messages rendered when they are sent (a change's
// message to the customer, reminders, links sent again) need besides the
// booking: a place to keep the hashes of the fresh manage tokens they
// carry, stored before the message goes out, and a customer's coming
// bookings. sqlite.Store satisfies it.
type LinkStore interface {
	AddManageTokens(ctx context.Context, tokens ...booking.ManageToken) error
	// CustomerBookings returns the confirmed bookings made with email (in
	// any case) not ended at now, soonest first, at most limit.
	CustomerBookings(ctx context.Context, email string, now time.Time, limit int) ([]booking.Booking, error)
}

// Sender sends the jobs of the mail queue: it is the outbox.Handler of
// Queue, run by an outbox.Runner (which claims, retries and fails the jobs).
// A job is done only after the transport accepted its message. A 5xx reply
// to the envelope or the message, and a job that can never be sent (a
// malformed payload, an address the server cannot take), fail at once and
// stay for staff to see; any other failure (a refused connection, a
// timeout, a 4xx reply) is temporary and retried.
type Sender struct {
	Transport Transport
	// Bookings loads bookings for reminders; without it reminders fail.
	Bookings BookingGetter
	// Links keeps the manage tokens of the customers' messages and
	// finds the bookings of the links sent again; without it those fail
	// (and are retried).
	Links LinkStore
	// Options render reminders and links at send time.
	Options Options

	mu sync.Mutex
	// prepared are the messages of the current claim rendered by Prepare,
	// their manage tokens stored, by job id.
	prepared map[int64][]byte
}

// Prepare renders the messages of a claim's jobs that are rendered from
// their facts and stores the manage tokens they carry in one write,
// before any of them is sent (outbox.Preparer): one write, one wait for
// the disk, a claim, rather than one a customer's message. A job it could
// not prepare (its facts do not render, the store failed) is prepared
// again by Handle, alone, which also reports why.
func (s *Sender) Prepare(ctx context.Context, jobs []booking.QueuedJob) {
	s.mu.Lock()
	s.prepared = nil // what the last claim left unsent
	s.mu.Unlock()
	if s.Links == nil || s.Options.check() != nil {
		return
	}
	ready := make(map[int64][]byte, len(jobs))
	var tokens []booking.ManageToken
	for _, j := range jobs {
		pl, err := decodePayload(j.Payload)
		if err != nil || pl.Render == nil || len(pl.To) == 0 || pl.From == "" {
			continue
		}
		msg, token, err := s.Options.renderFacts(j.Kind, pl)
		if err != nil {
			continue
		}
		if token != nil {
			tokens = append(tokens, *token)
		}
		ready[j.ID] = msg
	}
	if len(tokens) > 0 {
		if err := s.Links.AddManageTokens(ctx, tokens...); err != nil {
			return
		}
	}
	s.mu.Lock()
	s.prepared = ready
	s.mu.Unlock()
}

var _ outbox.Preparer = (*Sender)(nil)

// takePrepared returns the message Prepare rendered for job id, once.
func (s *Sender) takePrepared(id int64) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	msg, ok := s.prepared[id]
	delete(s.prepared, id)
	return msg, ok
}

// Handle sends the message of j.
func (s *Sender) Handle(ctx context.Context, j booking.QueuedJob) error {
	if err := s.Options.check(); err != nil {
		return err
	}
	env, msg, skip, err := s.prepare(ctx, &j)
	if err == nil && skip != "" {
		return outbox.Skip(skip)
	}
	if err == nil {
		// Sent but not marked done (the store failing just after): it is
		// sent again, with the same Message-ID. At least once is the best
		// SMTP allows.
		err = s.Transport.Send(ctx, env, msg)
	}
	if Permanent(err) {
		return outbox.Permanent(err)
	}
	return err
}

// SafeError describes err for the log (outbox.SafeErrorHandler): SMTP
// replies by code only, since a server's text may repeat the address.
func (s *Sender) SafeError(err error) string { return safeError(err) }

// prepare returns the envelope and message of j, or a reason to skip it.
func (s *Sender) prepare(ctx context.Context, j *booking.QueuedJob) (env Envelope, msg []byte, skip string, err error) {
	pl, err := decodePayload(j.Payload)
	if err != nil {
		return env, nil, "", &permanentError{fmt.Errorf("mail job payload: %w", err)}
	}
	env = Envelope{From: pl.From, To: pl.To, Kind: j.Kind, BookingID: j.BookingID, JobID: j.ID}
	if j.Kind == KindLinks {
		return s.prepareLinks(ctx, env, pl)
	}
	if pl.Render != nil {
		if len(pl.To) == 0 || pl.From == "" {
			return env, nil, "", &permanentError{errors.New("mail job without envelope")}
		}
		if msg, ok := s.takePrepared(j.ID); ok {
			return env, msg, "", nil
		}
		msg, token, err := s.Options.renderFacts(j.Kind, pl)
		if err != nil {
			return env, nil, "", &permanentError{err}
		}
		if token != nil {
			// Its manage token, stored before the message can reach anyone.
			if s.Links == nil {
				return env, nil, "", errors.New("no store for the message's manage token configured")
			}
			if err := s.Links.AddManageTokens(ctx, *token); err != nil {
				return env, nil, "", fmt.Errorf("store the message's manage token: %w", err)
			}
		}
		return env, msg, "", nil
	}
	if j.Kind != KindReminder {
		if len(pl.Message) == 0 || len(pl.To) == 0 || pl.From == "" {
			return env, nil, "", &permanentError{errors.New("mail job without message or envelope")}
		}
		return env, pl.Message, "", nil
	}
	if s.Bookings == nil {
		return env, nil, "", errors.New("reminder: no booking source configured")
	}
	b, err := s.Bookings.Booking(ctx, j.BookingID)
	if booking.ErrorKind(err) == booking.ENOTFOUND {
		return env, nil, "booking no longer exists", nil
	}
	if err != nil {
		return env, nil, "", fmt.Errorf("reminder: load booking: %w", err)
	}
	now := s.Options.Now()
	if !reminderApplies(b, pl, now) {
		return env, nil, "booking cancelled, moved or begun since the reminder was queued", nil
	}
	if s.Links == nil {
		return env, nil, "", errors.New("reminder: no store for its manage token configured")
	}
	// A fresh manage token, stored before the message can reach anyone.
	links, grants := mintLinks([]booking.Booking{*b}, KindReminder)
	if err := s.Links.AddManageTokens(ctx, grants...); err != nil {
		return env, nil, "", fmt.Errorf("reminder: store its manage token: %w", err)
	}
	msg, err = s.Options.renderReminder(b, now, links[0].token)
	if err != nil {
		return env, nil, "", &permanentError{err}
	}
	env.To = []string{b.Customer.Email}
	return env, msg, "", nil
}

// prepareLinks renders the e-mail of the links sent again to the address
// of pl: a fresh manage link for each of its coming bookings, their
// tokens stored first. An address without coming bookings gets nothing.
func (s *Sender) prepareLinks(ctx context.Context, env Envelope, pl payload) (Envelope, []byte, string, error) {
	if len(pl.To) != 1 || pl.From == "" {
		return env, nil, "", &permanentError{errors.New("links job without its address")}
	}
	if s.Links == nil {
		return env, nil, "", errors.New("links: no booking store configured")
	}
	now := s.Options.Now()
	bs, err := s.Links.CustomerBookings(ctx, pl.To[0], now, MaxLinks)
	if err != nil {
		return env, nil, "", fmt.Errorf("links: find the bookings: %w", err)
	}
	if len(bs) == 0 {
		return env, nil, "no coming bookings for the address", nil
	}
	links, grants := mintLinks(bs, KindLinks)
	if err := s.Links.AddManageTokens(ctx, grants...); err != nil {
		return env, nil, "", fmt.Errorf("links: store the manage tokens: %w", err)
	}
	// To the address as the bookings hold it, not as it was typed.
	to := bs[0].Customer.Email
	msg, err := s.Options.linksMessage(to, links, now)
	if err != nil {
		return env, nil, "", &permanentError{err}
	}
	env.To = []string{to}
	return env, msg, "", nil
}
