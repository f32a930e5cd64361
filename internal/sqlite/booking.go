package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

const bookingColumns = `id, status, service_id, mode, artisan_id, coalesce(room_id, ''),
	start_at, end_at, block_start, block_end,
	customer_name, customer_email, customer_phone, customer_timezone,
	notes, location, meeting_url, sequence, created_at, updated_at,
	coalesce(uid, ''), service_name, artisan_name, answers, reschedules, customer_language, discreet,
	coalesce(commission_id, ''), extra_artisans,
	coalesce(erased_at, ''), coalesce(decide_by, ''), decline_reason`

func scanBooking(s scanner) (*booking.Booking, error) {
	var b booking.Booking
	var start, end, bstart, bend, created, updated, answers, extras, erased, decideBy string
	err := s.Scan(&b.ID, &b.Status, &b.ServiceID, &b.Mode, &b.ArtisanID, &b.RoomID,
		&start, &end, &bstart, &bend,
		&b.Customer.Name, &b.Customer.Email, &b.Customer.Phone, &b.Customer.Timezone,
		&b.Notes, &b.Location, &b.MeetingURL, &b.Sequence, &created, &updated,
		&b.UID, &b.ServiceName, &b.ArtisanName, &answers, &b.Reschedules, &b.Customer.Language, &b.Discreet,
		&b.CommissionID, &extras, &erased, &decideBy, &b.DeclineReason)
	if err != nil {
		return nil, fmt.Errorf("booking: %w", err)
	}
	setExtras(&b, extras)
	if erased != "" {
		if b.ErasedAt, err = parseTime(erased); err != nil {
			return nil, fmt.Errorf("booking %s: %w", b.ID, err)
		}
	}
	if decideBy != "" {
		if b.DecideBy, err = parseTime(decideBy); err != nil {
			return nil, fmt.Errorf("booking %s: %w", b.ID, err)
		}
	}
	if b.Answers, err = booking.ParseAnswers(answers); err != nil {
		return nil, fmt.Errorf("booking %s: %w", b.ID, err)
	}
	for _, f := range []struct {
		dst *time.Time
		src string
	}{{&b.Start, start}, {&b.End, end}, {&b.BlockStart, bstart}, {&b.BlockEnd, bend}, {&b.CreatedAt, created}, {&b.UpdatedAt, updated}} {
		if *f.dst, err = parseTime(f.src); err != nil {
			return nil, fmt.Errorf("booking %s: %w", b.ID, err)
		}
	}
	return &b, nil
}

// Booking returns the booking with id (ENOTFOUND if there is none).
func (st *BookingStore) Booking(ctx context.Context, id string) (*booking.Booking, error) {
	b, err := getBooking(ctx, st.db.read, id)
	if err != nil {
		return nil, unavailable(fmt.Errorf("sqlite: booking: %w", err))
	}
	return b, nil
}

// getBookingSQL reads one booking by id.
const getBookingSQL = `SELECT ` + bookingColumns + ` FROM bookings WHERE id = ?`

func getBooking(ctx context.Context, q queryer, id string) (*booking.Booking, error) {
	b, err := scanBooking(q.QueryRowContext(ctx, getBookingSQL, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, booking.ErrNotFound("booking")
	}
	return b, err
}

// insertBookingSQL is CreateBooking's INSERT. The names of the service and
// the artisan are kept from the catalogue as it is now (see schema.sql).
const insertBookingSQL = `INSERT INTO bookings (id, status, service_id, mode, artisan_id, room_id,
			start_at, end_at, block_start, block_end, customer_name, customer_email, customer_phone, customer_timezone,
			notes, location, meeting_url, sequence, created_at, updated_at, uid, answers, customer_language, discreet, commission_id, extra_artisans, decide_by,
			service_name, artisan_name)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
				coalesce((SELECT name FROM services WHERE id = ?), ''), coalesce((SELECT name FROM artisans WHERE id = ?), ''))
			RETURNING service_name, artisan_name`

// CreateBooking checks and inserts a booking in one write transaction.
//
// With nb.Idempotency set and a record for its KeyHash already stored, it
// returns that record and its booking and inserts nothing; comparing the
// request hashes is the caller's job. Otherwise it loads the schedule for a
// day either side of the booking inside the transaction (narrowed when the
// booking names its artisan: see placeScoped), calls place (whose
// error is returned unchanged), inserts the booking with the placement's
// artisan and room, the idempotency record, an audit row and the jobs of
// DB.Jobs, and commits. If the database's overlap triggers refuse the
// booking, the error is booking.ErrSlotUnavailable.
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
	if nb.Booking.ID == "" {
		nb.Booking.ID = booking.NewID(booking.BookingIDPrefix)
	}
	// The e-mails, when the placement is known beforehand (prerender).
	pre := st.prerender(ctx, nb, st.db.now().Truncate(timePrecision))
	err := st.db.inTxAt(ctx, pre.time(), func(tx *Tx) error {
		tx.pre = pre
		if nb.Idempotency != nil {
			r, err := lookupIdempotency(ctx, tx, nb.Idempotency.KeyHash)
			if err != nil {
				return err
			}
			if r != nil {
				if r.BookingID != "" {
					if out, err = getBooking(ctx, tx, r.BookingID); err != nil {
						return err
					}
				}
				rec = r
				return nil
			}
		}

		b := storedTimes(nb.Booking)
		p, err := st.placeScoped(ctx, tx, b.ArtisanID, b.Mode, b.BlockStart, b.BlockEnd, place)
		if err != nil {
			return err
		}
		b = createdRow(b, p, tx.now)
		if err := booking.PrepareNew(&b); err != nil {
			return err
		}
		answers, err := booking.AnswersJSON(b.Answers)
		if err != nil {
			return fmt.Errorf("insert booking: %w", err)
		}
		// The names of the service and the artisan are kept from the
		// catalogue as it is now (see schema.sql).
		err = tx.QueryRowContext(ctx, insertBookingSQL,
			b.ID, string(b.Status), b.ServiceID, string(b.Mode), b.ArtisanID, nullString(b.RoomID),
			fmtTime(b.Start), fmtTime(b.End), fmtTime(b.BlockStart), fmtTime(b.BlockEnd),
			b.Customer.Name, b.Customer.Email, b.Customer.Phone, b.Customer.Timezone,
			b.Notes, b.Location, b.MeetingURL, b.Sequence, fmtTime(b.CreatedAt), fmtTime(b.UpdatedAt),
			nullString(b.UID), answers, b.Customer.Language, b.Discreet, nullString(b.CommissionID), extrasColumn(&b), nullTime(b.DecideBy), b.ServiceID, b.ArtisanID).Scan(&b.ServiceName, &b.ArtisanName)
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
			r.BookingID, r.CreatedAt = b.ID, b.CreatedAt
			_, err := tx.ExecContext(ctx, insertIdempotencySQL, r.KeyHash, r.RequestHash, b.ID, r.Response, fmtTime(r.CreatedAt))
			if err != nil {
				return fmt.Errorf("insert idempotency key: %w", err)
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
		return nil, nil, fmt.Errorf("sqlite: create booking: %w", err)
	}
	return out, rec, nil
}

// placeScoped runs place for a booking of artisanID (empty: none named)
// in mode with the block [blockStart, blockEnd), inside tx, against the
// committed schedule of a day either side of the block.
//
// With an artisan, the schedule first holds only that artisan's bookings
// and, for a visit, every booking that holds a room: scanning all the
// others was most of the transaction's time on a full calendar, and they
// cannot change a placement with that artisan. A placement with another
// artisan is asked again with every booking. Fewer bookings never make a
// slot less free, so a refusal on the narrow schedule stands.
func (st *BookingStore) placeScoped(ctx context.Context, tx *Tx, artisanID string, mode booking.Mode, blockStart, blockEnd time.Time, place booking.PlaceFunc) (booking.Placement, error) {
	from, to := blockStart.Add(-24*time.Hour), blockEnd.Add(24*time.Hour)
	var scope scheduleScope
	if artisanID != "" {
		scope = scheduleScope{artisanID: artisanID, rooms: mode != booking.Virtual}
	}
	s, err := st.db.loadScheduleOf(ctx, tx, from, to, scope)
	if err != nil {
		return booking.Placement{}, err
	}
	p, err := place(s)
	// A team is asked again with every booking too: the others' bookings
	// were not all in the narrow schedule.
	if err != nil || scope.artisanID == "" || p.ArtisanID == scope.artisanID && len(p.Artisans) < 2 {
		return p, err
	}
	if s, err = st.db.loadSchedule(ctx, tx, from, to); err != nil {
		return booking.Placement{}, err
	}
	return place(s)
}

// CancelBooking marks a confirmed booking cancelled and bumps its sequence.
// Cancelling a cancelled booking is ECONFLICT (booking_cancelled).
func (st *BookingStore) CancelBooking(ctx context.Context, id string, actor booking.Actor) (*booking.Booking, error) {
	var out *booking.Booking
	err := st.db.inTx(ctx, func(tx *Tx) error {
		prev, err := getBooking(ctx, tx, id)
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
		return nil, fmt.Errorf("sqlite: cancel booking: %w", err)
	}
	return out, nil
}

// cancelBookingSQL is cancelIn's UPDATE.
const cancelBookingSQL = `UPDATE bookings SET status = ?, sequence = ?, updated_at = ? WHERE id = ?`

// cancelIn cancels prev, as read inside tx, on behalf of actor: the status,
// the bumped sequence, the audit row and the jobs of the change. A
// cancelled booking is ECONFLICT (booking_cancelled).
func cancelIn(ctx context.Context, tx *Tx, prev *booking.Booking, actor booking.Actor) (*booking.Booking, error) {
	if err := booking.CancelRefusal(prev); err != nil {
		return nil, err
	}
	now := tx.now
	b := *prev
	b.Status, b.Sequence, b.UpdatedAt = booking.Cancelled, prev.Sequence+1, now
	_, err := tx.ExecContext(ctx, cancelBookingSQL,
		string(b.Status), b.Sequence, fmtTime(now), b.ID)
	if err != nil {
		return nil, fmt.Errorf("update booking: %w", err)
	}
	ev := booking.Event{Kind: booking.EventCancelled, Booking: copyBooking(&b), Previous: prev, Actor: actor}
	if err := recordEvent(ctx, tx, ev); err != nil {
		return nil, err
	}
	return &b, nil
}

// rescheduleBookingSQL is RescheduleBooking's UPDATE. A move to another
// artisan keeps that artisan's name instead.
const rescheduleBookingSQL = `UPDATE bookings SET artisan_id = ?, room_id = ?, start_at = ?, end_at = ?,
			block_start = ?, block_end = ?, meeting_url = ?, sequence = ?, updated_at = ?, reschedules = ?, extra_artisans = ?,
			artisan_name = CASE WHEN artisan_id = ? THEN artisan_name
				ELSE coalesce((SELECT name FROM artisans WHERE id = ?), '') END
			WHERE id = ? RETURNING artisan_name`

// RescheduleBooking moves a confirmed booking to [start, end) with the
// block [blockStart, blockEnd), re-checking with place inside the
// transaction (the booking's own row is in the schedule; place must ignore
// it). The placement may change the artisan and the room, and with them
// the video-call link (Placement.MeetingURL); place is first given only
// the current artisan's bookings (see placeScoped). The sequence is bumped.
// A move to the booking's own time with its own artisan (a form sent twice)
// changes nothing and returns the booking as it is. Moving a cancelled
// booking is ECONFLICT (booking_cancelled); a refusal by place or by the
// overlap triggers leaves the booking unchanged.
func (st *BookingStore) RescheduleBooking(ctx context.Context, id string, start, end, blockStart, blockEnd time.Time, actor booking.Actor, place booking.PlaceFunc) (*booking.Booking, error) {
	var out *booking.Booking
	err := st.db.inTx(ctx, func(tx *Tx) error {
		prev, err := getBooking(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := booking.MoveRefusal(prev); err != nil {
			return err
		}
		b := *prev
		b.Start, b.End = start.UTC().Truncate(timePrecision), end.UTC().Truncate(timePrecision)
		b.BlockStart, b.BlockEnd = blockStart.UTC().Truncate(timePrecision), blockEnd.UTC().Truncate(timePrecision)
		// Scoped to the current artisan: a move usually keeps them.
		p, err := st.placeScoped(ctx, tx, prev.ArtisanID, b.Mode, b.BlockStart, b.BlockEnd, place)
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
		counted := 0
		if actor == customer {
			counted = 1 // the policy's limit counts the customer's own moves
		}
		b.Reschedules = prev.Reschedules + counted
		now := tx.now
		b.ArtisanID, b.RoomID, b.Artisans = p.ArtisanID, p.RoomID, p.Artisans
		// The others are written again for the new time (team.go).
		if err := deleteExtras(ctx, tx, prev); err != nil {
			return err
		}
		if p.MeetingURL != "" {
			b.MeetingURL = p.MeetingURL
		}
		b.Sequence, b.UpdatedAt = prev.Sequence+1, now
		// A move to another artisan keeps that artisan's name instead.
		err = tx.QueryRowContext(ctx, rescheduleBookingSQL,
			b.ArtisanID, nullString(b.RoomID), fmtTime(b.Start), fmtTime(b.End),
			fmtTime(b.BlockStart), fmtTime(b.BlockEnd), b.MeetingURL, b.Sequence, fmtTime(now), b.Reschedules, extrasColumn(&b),
			b.ArtisanID, b.ArtisanID, b.ID).Scan(&b.ArtisanName)
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
		return nil, fmt.Errorf("sqlite: reschedule booking: %w", err)
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
		more, ok := tx.prerenderedJobs(ev)
		if !ok {
			var err error
			if more, err = tx.db.Jobs(ev); err != nil {
				return fmt.Errorf("jobs for %s booking: %w", ev.Kind, err)
			}
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
	r, err := lookupIdempotency(ctx, st.db.read, keyHash)
	if err != nil {
		return nil, unavailable(fmt.Errorf("sqlite: lookup idempotency key: %w", err))
	}
	return r, nil
}

// lookupIdempotencySQL and insertIdempotencySQL read and write an
// idempotency record.
const (
	lookupIdempotencySQL = `SELECT key_hash, request_hash, booking_id, response, created_at
		FROM idempotency_keys WHERE key_hash = ?`
	insertIdempotencySQL = `INSERT INTO idempotency_keys (key_hash, request_hash, booking_id, response, created_at)
				VALUES (?, ?, ?, ?, ?)`
)

func lookupIdempotency(ctx context.Context, q queryer, keyHash []byte) (*booking.IdempotencyRecord, error) {
	var r booking.IdempotencyRecord
	var bookingID sql.NullString
	var created string
	err := q.QueryRowContext(ctx, lookupIdempotencySQL, keyHash).Scan(&r.KeyHash, &r.RequestHash, &bookingID, &r.Response, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("idempotency key: %w", err)
	}
	r.BookingID = bookingID.String
	if r.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	return &r, nil
}

// PurgeIdempotency deletes the idempotency records created before
// olderThan and returns how many went.
func (st *BookingStore) PurgeIdempotency(ctx context.Context, olderThan time.Time) (int64, error) {
	var n int64
	err := st.db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE created_at < ?`, fmtTime(olderThan))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("sqlite: purge idempotency keys: %w", err)
	}
	return n, nil
}

// FillBookingUIDs stores the UID uid(id) for every booking that has none
// (those made before schema version 7, whose invites carried a UID made
// from the public URL of the time) and returns how many it filled. The
// server calls it at each start, before it serves, with the rule and the
// public URL its invites were made with; once filled, a booking's UID no
// longer follows the public URL.
func (st *BookingStore) FillBookingUIDs(ctx context.Context, uid func(id string) string) (int, error) {
	var n int
	err := st.db.inTx(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id FROM bookings WHERE uid IS NULL`)
		if err != nil {
			return err
		}
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		if err := closeRows(rows); err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `UPDATE bookings SET uid = ? WHERE id = ? AND uid IS NULL`, uid(id), id); err != nil {
				return err
			}
		}
		n = len(ids)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("sqlite: fill booking UIDs: %w", err)
	}
	return n, nil
}

// OrphanBooking is a coming confirmed booking whose service or artisan is
// no longer in the catalogue (removed from the configuration file).
type OrphanBooking struct {
	ID                   string
	Start, End           time.Time
	ServiceID, ArtisanID string
	// ServiceRemoved and ArtisanRemoved say which of the two has gone.
	ServiceRemoved, ArtisanRemoved bool
}

// OrphanBookings returns the confirmed and pending bookings not ended at now whose
// service or artisan is inactive, in start order. It reads no customer
// details.
func (st *BookingStore) OrphanBookings(ctx context.Context, now time.Time) ([]OrphanBooking, error) {
	// start_at after now less the longest booking: bookings_start.
	rows, err := st.db.read.QueryContext(ctx, `SELECT b.id, b.start_at, b.end_at, b.service_id, b.artisan_id,
			NOT s.active, NOT a.active
		FROM bookings AS b JOIN services AS s ON s.id = b.service_id JOIN artisans AS a ON a.id = b.artisan_id
		WHERE b.start_at > ? AND b.end_at > ? AND b.status IN ('confirmed', 'pending') AND (NOT s.active OR NOT a.active)
		ORDER BY b.start_at, b.id`, fmtTime(now.Add(-maxBlock)), fmtTime(now))
	if err != nil {
		return nil, fmt.Errorf("sqlite: orphan bookings: %w", err)
	}
	defer rows.Close()
	var out []OrphanBooking
	for rows.Next() {
		var o OrphanBooking
		var start, end string
		if err := rows.Scan(&o.ID, &start, &end, &o.ServiceID, &o.ArtisanID, &o.ServiceRemoved, &o.ArtisanRemoved); err != nil {
			return nil, fmt.Errorf("sqlite: orphan bookings: %w", err)
		}
		if o.Start, err = parseTime(start); err != nil {
			return nil, fmt.Errorf("sqlite: orphan bookings: %w", err)
		}
		if o.End, err = parseTime(end); err != nil {
			return nil, fmt.Errorf("sqlite: orphan bookings: %w", err)
		}
		out = append(out, o)
	}
	if err := closeRows(rows); err != nil {
		return nil, fmt.Errorf("sqlite: orphan bookings: %w", err)
	}
	return out, nil
}

// customer is the actor of a customer's own change through the manage
// link (app's), whom the booking policy binds. Staff, the system and a
// customer's reply to an invitation (booking.ReplyActor) are not bound.
var customer = booking.Actor{Kind: "customer"}

// customerPolicy refuses a change by the customer that the booking policy
// of prev's service does not allow now (booking.Policy), checked against
// the committed catalogue inside the write transaction, so that two moves
// sent at once cannot both pass the limit.
func customerPolicy(ctx context.Context, tx *Tx, prev *booking.Booking, actor booking.Actor, move bool) error {
	if actor != customer {
		return nil
	}
	c, err := tx.db.fullCatalog(ctx, tx)
	if err != nil {
		return err
	}
	p := c.PolicyOf(prev.ServiceID)
	if move {
		return p.CheckCustomerReschedule(prev, tx.now, &c.Atelier)
	}
	return p.CheckCustomerCancel(prev, tx.now, &c.Atelier)
}
