package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/atelier-app/atelier/internal/booking"
)

const bookingColumns = `id, status, service_id, mode, artisan_id, coalesce(room_id, ''),
	start_at, end_at, block_start, block_end,
	customer_name, customer_email, customer_phone, customer_timezone,
	notes, location, meeting_url, sequence, created_at, updated_at,
	coalesce(uid, ''), service_name, artisan_name, answers, reschedules, customer_language, discreet,
	coalesce(commission_id, ''), extra_artisans,
	erased_at, decide_by, decline_reason`

func scanBooking(s scanner) (*booking.Booking, error) {
	var b booking.Booking
	var status, mode, answers, extras string
	var erased, decideBy *time.Time
	err := s.Scan(&b.ID, &status, &b.ServiceID, &mode, &b.ArtisanID, &b.RoomID,
		&b.Start, &b.End, &b.BlockStart, &b.BlockEnd,
		&b.Customer.Name, &b.Customer.Email, &b.Customer.Phone, &b.Customer.Timezone,
		&b.Notes, &b.Location, &b.MeetingURL, &b.Sequence, &b.CreatedAt, &b.UpdatedAt,
		&b.UID, &b.ServiceName, &b.ArtisanName, &answers, &b.Reschedules, &b.Customer.Language, &b.Discreet,
		&b.CommissionID, &extras, &erased, &decideBy, &b.DeclineReason)
	if err != nil {
		return nil, fmt.Errorf("booking: %w", err)
	}
	setExtras(&b, extras)
	if erased != nil {
		b.ErasedAt = erased.UTC()
	}
	if decideBy != nil {
		b.DecideBy = decideBy.UTC()
	}
	if b.Answers, err = booking.ParseAnswers(answers); err != nil {
		return nil, fmt.Errorf("booking %s: %w", b.ID, err)
	}
	b.Status, b.Mode = booking.Status(status), booking.Mode(mode)
	for _, t := range []*time.Time{&b.Start, &b.End, &b.BlockStart, &b.BlockEnd, &b.CreatedAt, &b.UpdatedAt} {
		*t = t.UTC()
	}
	return &b, nil
}

// Booking returns the booking with id (ENOTFOUND if there is none).
func (st *BookingStore) Booking(ctx context.Context, id string) (*booking.Booking, error) {
	b, err := getBooking(ctx, st.db.pool, id, false)
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: booking: %w", err))
	}
	return b, nil
}

// getBooking reads booking id; forUpdate locks its row until the end of
// the transaction q (a change to one booking waits for the previous one).
func getBooking(ctx context.Context, q querier, id string, forUpdate bool) (*booking.Booking, error) {
	query := `SELECT ` + bookingColumns + ` FROM bookings WHERE id = $1`
	if forUpdate {
		query += ` FOR UPDATE`
	}
	b, err := scanBooking(q.QueryRow(ctx, query, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, booking.ErrNotFound("booking")
	}
	return b, err
}

// placementWindow is the schedule a placement is checked against: a day
// either side of the block (booking.PlaceFunc).
func placementWindow(blockStart, blockEnd time.Time) (from, to time.Time) {
	return blockStart.Add(-24 * time.Hour), blockEnd.Add(24 * time.Hour)
}

// CreateBooking checks and inserts a booking in one transaction (see the
// package doc for its locks).
//
// With nb.Idempotency set and a record for its KeyHash already stored, it
// returns that record and its booking and inserts nothing; comparing the
// request hashes is the caller's job. Two requests with one new key at
// once: the second waits for the first's key row, then finds the record.
// Otherwise it takes the locks of the booking's artisan (and of the
// placement's), reads the schedule of a day either side of the booking,
// calls place (whose error is returned unchanged), inserts the booking with
// the placement's artisan and room, the idempotency record, an audit row
// and the jobs of DB.Jobs, and commits. If the exclusion constraints
// refuse the booking, the error is booking.ErrSlotUnavailable.
//
// nb.Booking.ID is used if set, else a random id is made. Status is
// pending when nb.Booking.Status says so (a request staff decide on, which
// holds its time all the same), else confirmed; CreatedAt/UpdatedAt are
// DB.Now.
func (st *BookingStore) CreateBooking(ctx context.Context, nb booking.NewBooking, place booking.PlaceFunc) (*booking.Booking, *booking.IdempotencyRecord, error) {
	var (
		out *booking.Booking
		rec *booking.IdempotencyRecord
	)
	err := st.db.inTx(ctx, func(tx *Tx) error {
		out, rec = nil, nil
		if nb.Idempotency != nil {
			r, err := claimIdempotency(ctx, tx, nb.Idempotency.KeyHash)
			if err != nil {
				return err
			}
			if r != nil {
				if r.BookingID != "" {
					if out, err = getBooking(ctx, tx, r.BookingID, false); err != nil {
						return err
					}
				}
				rec = r
				return nil
			}
		}

		b := nb.Booking
		b.Start, b.End = utc(b.Start), utc(b.End)
		b.BlockStart, b.BlockEnd = utc(b.BlockStart), utc(b.BlockEnd)
		from, to := placementWindow(b.BlockStart, b.BlockEnd)
		load := func() (*booking.Schedule, error) { return loadSchedule(ctx, tx, from, to) }
		p, err := tx.lockAndPlace(ctx, []lockKey{artisanLock(b.ArtisanID)}, load, place)
		if err != nil {
			return err
		}
		if b.ID == "" {
			b.ID = booking.NewID(booking.BookingIDPrefix)
		}
		if err := booking.PrepareNew(&b); err != nil {
			return err
		}
		if !b.DecideBy.IsZero() {
			b.DecideBy = utc(b.DecideBy)
		}
		b.ArtisanID, b.RoomID, b.Artisans = p.ArtisanID, p.RoomID, p.Artisans
		b.CreatedAt, b.UpdatedAt = tx.now, tx.now
		answers, err := booking.AnswersJSON(b.Answers)
		if err != nil {
			return fmt.Errorf("insert booking: %w", err)
		}
		// The names of the service and the artisan are kept from the
		// catalogue as it is now (see schema.sql).
		err = tx.QueryRow(ctx, `INSERT INTO bookings (id, status, service_id, mode, artisan_id, room_id,
			start_at, end_at, block_start, block_end, customer_name, customer_email, customer_phone, customer_timezone,
			notes, location, meeting_url, sequence, created_at, updated_at, uid, answers, customer_language, discreet, commission_id, extra_artisans, decide_by,
			service_name, artisan_name)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27,
				coalesce((SELECT name FROM services WHERE id = $3), ''), coalesce((SELECT name FROM artisans WHERE id = $5), ''))
			RETURNING service_name, artisan_name`,
			b.ID, string(b.Status), b.ServiceID, string(b.Mode), b.ArtisanID, nullString(b.RoomID),
			b.Start, b.End, b.BlockStart, b.BlockEnd,
			b.Customer.Name, b.Customer.Email, b.Customer.Phone, b.Customer.Timezone,
			b.Notes, b.Location, b.MeetingURL, b.Sequence, b.CreatedAt, b.UpdatedAt,
			nullString(b.UID), answers, b.Customer.Language, b.Discreet, nullString(b.CommissionID), extrasColumn(&b), nullTime(b.DecideBy)).Scan(&b.ServiceName, &b.ArtisanName)
		if isOverlapRefusal(err) {
			return booking.ErrSlotUnavailable("it overlaps another booking")
		}
		if err != nil {
			return fmt.Errorf("insert booking: %w", err)
		}
		if err := insertExtras(ctx, tx, &b); err != nil { // team.go
			return err
		}
		if len(nb.TokenHash) > 0 {
			t := booking.ManageToken{BookingID: b.ID, Hash: nb.TokenHash, Purpose: TokenCreated}
			if err := insertManageTokens(ctx, tx, t); err != nil {
				return err
			}
		}
		if nb.Idempotency != nil {
			r := *nb.Idempotency
			_, err := tx.Exec(ctx, `UPDATE idempotency_keys SET request_hash = $2, booking_id = $3, response = $4, created_at = $5
				WHERE key_hash = $1`, r.KeyHash, r.RequestHash, b.ID, r.Response, b.CreatedAt)
			if err != nil {
				return fmt.Errorf("store idempotency key: %w", err)
			}
		}
		if nb.Invitation != nil {
			if err := useInvitation(ctx, tx, nb.Invitation.ID, &b); err != nil { // invitation.go
				return err
			}
		}
		ev := booking.Event{Kind: booking.EventCreated, Booking: copyBooking(&b), Actor: nb.Actor}
		if err := recordEvent(ctx, tx, ev); err != nil {
			return err
		}
		out = &b
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("postgres: create booking: %w", err)
	}
	return out, rec, nil
}

// claimIdempotency returns the stored record for keyHash, or, when there
// is none, inserts a placeholder row for it and returns nil: the
// transaction then holds the key, and another one with the same key waits
// at its own INSERT until this one commits (and then finds the record) or
// rolls back (and then claims the key itself). The placeholder is filled
// in before the commit; a rollback leaves nothing.
func claimIdempotency(ctx context.Context, tx *Tx, keyHash []byte) (*booking.IdempotencyRecord, error) {
	tag, err := tx.Exec(ctx, `INSERT INTO idempotency_keys (key_hash, request_hash, created_at)
		VALUES ($1, '\x', $2) ON CONFLICT (key_hash) DO NOTHING`, keyHash, tx.now)
	if err != nil {
		return nil, fmt.Errorf("idempotency key: %w", err)
	}
	if tag.RowsAffected() == 1 {
		return nil, nil
	}
	r, err := lookupIdempotency(ctx, tx, keyHash)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, fmt.Errorf("idempotency key: the stored record vanished")
	}
	return r, nil
}

// CancelBooking marks a confirmed booking cancelled and bumps its sequence.
// Cancelling a cancelled booking is ECONFLICT (booking_cancelled).
func (st *BookingStore) CancelBooking(ctx context.Context, id string, actor booking.Actor) (*booking.Booking, error) {
	var out *booking.Booking
	err := st.db.inTx(ctx, func(tx *Tx) error {
		prev, err := getBooking(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if prev.Status == booking.Confirmed {
			if err := customerPolicy(ctx, tx, prev, actor, false); err != nil {
				return err
			}
		}
		out, err = cancelIn(ctx, tx, prev, actor)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: cancel booking: %w", err)
	}
	return out, nil
}

// cancelIn cancels prev (read with its row locked) in tx, with its audit
// row and jobs, and returns the booking as it is after. A cancelled
// booking is ECONFLICT (booking_cancelled).
func cancelIn(ctx context.Context, tx *Tx, prev *booking.Booking, actor booking.Actor) (*booking.Booking, error) {
	if err := booking.CancelRefusal(prev); err != nil {
		return nil, err
	}
	b := *prev
	b.Status, b.Sequence, b.UpdatedAt = booking.Cancelled, prev.Sequence+1, tx.now
	_, err := tx.Exec(ctx, `UPDATE bookings SET status = $1, sequence = $2, updated_at = $3 WHERE id = $4`,
		string(b.Status), b.Sequence, b.UpdatedAt, b.ID)
	if err != nil {
		return nil, fmt.Errorf("update booking: %w", err)
	}
	ev := booking.Event{Kind: booking.EventCancelled, Booking: copyBooking(&b), Previous: prev, Actor: actor}
	if err := recordEvent(ctx, tx, ev); err != nil {
		return nil, err
	}
	return &b, nil
}

// RescheduleBooking moves a confirmed booking to [start, end) with the
// block [blockStart, blockEnd), re-checking with place inside the
// transaction under the locks of the placement (the booking's own row is
// in the schedule; place must ignore it). The placement may change the
// artisan and the room, and with them the video-call link
// (Placement.MeetingURL). The sequence is bumped. A move to the booking's
// own time with its own artisan (a form sent twice) changes nothing and
// returns the booking as it is. Moving a cancelled booking is ECONFLICT
// (booking_cancelled); a refusal by place or by the exclusion constraints
// leaves the booking unchanged.
func (st *BookingStore) RescheduleBooking(ctx context.Context, id string, start, end, blockStart, blockEnd time.Time, actor booking.Actor, place booking.PlaceFunc) (*booking.Booking, error) {
	var out *booking.Booking
	err := st.db.inTx(ctx, func(tx *Tx) error {
		prev, err := getBooking(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if err := booking.MoveRefusal(prev); err != nil {
			return err
		}
		b := *prev
		b.Start, b.End = utc(start), utc(end)
		b.BlockStart, b.BlockEnd = utc(blockStart), utc(blockEnd)
		from, to := placementWindow(b.BlockStart, b.BlockEnd)
		load := func() (*booking.Schedule, error) { return loadSchedule(ctx, tx, from, to) }
		// The current artisan first: a move usually keeps them.
		p, err := tx.lockAndPlace(ctx, []lockKey{artisanLock(prev.ArtisanID)}, load, place)
		if err != nil {
			return err
		}
		if sameTeam(prev, p) && b.Start.Equal(prev.Start) && b.End.Equal(prev.End) {
			// Already there (the move sent twice): nothing to change, so no
			// new sequence, audit row or update e-mail.
			out = prev
			return nil
		}
		if err := customerPolicy(ctx, tx, prev, actor, true); err != nil {
			return err
		}
		if actor == customer {
			b.Reschedules = prev.Reschedules + 1 // the policy's limit counts the customer's own moves
		}
		b.ArtisanID, b.RoomID, b.Artisans = p.ArtisanID, p.RoomID, p.Artisans
		// The others are written again for the new time (team.go).
		if err := deleteExtras(ctx, tx, prev); err != nil {
			return err
		}
		if p.MeetingURL != "" {
			b.MeetingURL = p.MeetingURL
		}
		b.Sequence, b.UpdatedAt = prev.Sequence+1, tx.now
		// A move to another artisan keeps that artisan's name instead.
		err = tx.QueryRow(ctx, `UPDATE bookings SET artisan_id = $1, room_id = $2, start_at = $3, end_at = $4,
			block_start = $5, block_end = $6, meeting_url = $7, sequence = $8, updated_at = $9, reschedules = $11, extra_artisans = $12,
			artisan_name = CASE WHEN artisan_id = $1 THEN artisan_name
				ELSE coalesce((SELECT name FROM artisans WHERE id = $1), '') END
			WHERE id = $10 RETURNING artisan_name`,
			b.ArtisanID, nullString(b.RoomID), b.Start, b.End, b.BlockStart, b.BlockEnd,
			b.MeetingURL, b.Sequence, b.UpdatedAt, b.ID, b.Reschedules, extrasColumn(&b)).Scan(&b.ArtisanName)
		if isOverlapRefusal(err) {
			return booking.ErrSlotUnavailable("it overlaps another booking")
		}
		if err != nil {
			return fmt.Errorf("update booking: %w", err)
		}
		if err := insertExtras(ctx, tx, &b); err != nil {
			return err
		}
		ev := booking.Event{Kind: booking.EventRescheduled, Booking: copyBooking(&b), Previous: prev, Actor: actor}
		if err := recordEvent(ctx, tx, ev); err != nil {
			return err
		}
		out = &b
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: reschedule booking: %w", err)
	}
	return out, nil
}

func copyBooking(b *booking.Booking) *booking.Booking {
	c := *b
	return &c
}

// recordEvent writes the audit row and the jobs (DB.Jobs) for a booking
// change.
func recordEvent(ctx context.Context, tx *Tx, ev booking.Event) error {
	if err := writeAudit(ctx, tx, ev.Actor, "booking."+string(ev.Kind), ev.Booking.ID, "",
		ev.Previous, ev.Booking); err != nil {
		return err
	}
	// A request never waits without the job that expires it, whatever
	// the hook.
	jobs := booking.RequestExpiryJob(ev)
	if tx.db.Jobs != nil {
		more, err := tx.db.Jobs(ev)
		if err != nil {
			return fmt.Errorf("jobs for %s booking: %w", ev.Kind, err)
		}
		jobs = append(more, jobs...)
	}
	if len(jobs) == 0 {
		return nil
	}
	return enqueue(ctx, tx, jobs)
}

// LookupIdempotency returns the record for keyHash, or nil if there is none.
func (st *BookingStore) LookupIdempotency(ctx context.Context, keyHash []byte) (*booking.IdempotencyRecord, error) {
	r, err := lookupIdempotency(ctx, st.db.pool, keyHash)
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: lookup idempotency key: %w", err))
	}
	return r, nil
}

// lookupIdempotency reads the record of keyHash. A placeholder of a
// transaction still running is not committed, so it is never seen here.
func lookupIdempotency(ctx context.Context, q querier, keyHash []byte) (*booking.IdempotencyRecord, error) {
	var r booking.IdempotencyRecord
	var bookingID *string
	err := q.QueryRow(ctx, `SELECT key_hash, request_hash, booking_id, response, created_at
		FROM idempotency_keys WHERE key_hash = $1`, keyHash).Scan(&r.KeyHash, &r.RequestHash, &bookingID, &r.Response, &r.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("idempotency key: %w", err)
	}
	if bookingID != nil {
		r.BookingID = *bookingID
	}
	r.CreatedAt = r.CreatedAt.UTC()
	return &r, nil
}

// customer is the actor of a customer's own change through the manage
// link (app's), whom the booking policy binds. Staff, the system and a
// customer's reply to an invitation (booking.ReplyActor) are not bound.
var customer = booking.Actor{Kind: "customer"}

// customerPolicy refuses a change by the customer that the booking policy
// of prev's service does not allow now (booking.Policy), checked inside
// the transaction that holds prev's row (FOR UPDATE), so that two moves
// sent at once cannot both pass the limit.
func customerPolicy(ctx context.Context, tx *Tx, prev *booking.Booking, actor booking.Actor, move bool) error {
	if actor != customer {
		return nil
	}
	c, err := loadCatalog(ctx, tx, tx.now, tx.now)
	if err != nil {
		return err
	}
	p := c.PolicyOf(prev.ServiceID)
	if move {
		return p.CheckCustomerReschedule(prev, tx.now, &c.Atelier)
	}
	return p.CheckCustomerCancel(prev, tx.now, &c.Atelier)
}
