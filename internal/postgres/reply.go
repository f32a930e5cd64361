package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/atelier-app/atelier/internal/booking"
)

// ApplyReply processes the reply r to the booking bookingID exactly once,
// across every server reading the mailbox.
//
// In one write transaction it takes the advisory lock of r.Key (a second
// server, or a retry, with the same message waits here, then finds the
// first's record: ReplyDuplicate), loads the booking with its row locked
// and its recorded answer, asks decide what to do with them as committed,
// and does it: cancels the booking (as CancelBooking does, with the jobs
// of the change), records the answer or the proposal, writes an audit row,
// queues DB.ReplyJobs when staff are to be told, and records r.Key with
// the outcome. Either all of it is committed or none. A booking that does
// not exist is ReplyUnknown, and nothing is recorded.
func (st *ReplyStore) ApplyReply(ctx context.Context, r booking.InboundReply, bookingID string, decide booking.ReplyDecision) (booking.ReplyOutcome, *booking.Booking, error) {
	if r.Key == "" {
		return "", nil, fmt.Errorf("postgres: apply reply: no message key")
	}
	var (
		outcome booking.ReplyOutcome
		out     *booking.Booking
	)
	err := st.db.inTx(ctx, func(tx *Tx) error {
		outcome, out = "", nil
		if err := tx.lock(ctx, lockKey{lockReply, r.Key}); err != nil {
			return err
		}
		done, err := replyProcessed(ctx, tx, r.Key)
		if err != nil {
			return err
		}
		if done {
			outcome = booking.ReplyDuplicate
			return nil
		}
		b, prev, err := replyBooking(ctx, tx, bookingID)
		if err != nil {
			return err
		}
		act := decide(b, prev)
		if b == nil || act.Outcome == booking.ReplyUnknown || act.Outcome == "" {
			outcome = booking.ReplyUnknown
			return nil
		}
		if b, err = st.act(ctx, tx, &r, b, act); err != nil {
			return err
		}
		outcome, out = act.Outcome, b
		return nil
	})
	if err != nil {
		return "", nil, fmt.Errorf("postgres: apply reply: %w", err)
	}
	return outcome, out, nil
}

// replyProcessed reports whether the message with key was processed
// before.
func replyProcessed(ctx context.Context, tx *Tx, key string) (bool, error) {
	var done string
	err := tx.QueryRow(ctx, `SELECT outcome FROM reply_messages WHERE message_key = $1`, key).Scan(&done)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, pgx.ErrNoRows):
		return false, nil
	}
	return false, fmt.Errorf("look up message: %w", err)
}

// replyBooking loads the booking a reply names, its row locked, and its
// recorded answer; nil for no id or a booking that does not exist.
func replyBooking(ctx context.Context, tx *Tx, bookingID string) (*booking.Booking, *booking.CustomerReply, error) {
	if bookingID == "" {
		return nil, nil, nil
	}
	b, err := getBooking(ctx, tx, bookingID, true)
	if booking.ErrorKind(err) == booking.ENOTFOUND {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	replies, err := customerReplies(ctx, tx, []string{b.ID})
	if err != nil {
		return nil, nil, err
	}
	if cr, ok := replies[b.ID]; ok {
		return b, &cr, nil
	}
	return b, nil, nil
}

// act does what decide chose for reply r to b, in tx: cancels, records the
// answer, writes its audit row, queues the staff notice, and records the
// message with its outcome. It returns the booking as it is after.
func (st *ReplyStore) act(ctx context.Context, tx *Tx, r *booking.InboundReply, b *booking.Booking, act booking.ReplyAction) (*booking.Booking, error) {
	now := tx.now
	var err error
	if act.Cancel {
		if b, err = cancelIn(ctx, tx, b, act.Actor); err != nil {
			return nil, err
		}
	}
	if act.Record {
		if err := recordCustomerReply(ctx, tx, b.ID, r, now); err != nil {
			return nil, err
		}
	}
	if act.Outcome.Acted() && !act.Cancel {
		// A cancel has its own audit row; an answer recorded or told to
		// staff gets one of its own (no addresses: the booking's row has
		// the customer).
		if err := writeAudit(ctx, tx, act.Actor, "booking.reply", b.ID, "", nil, replyAudit(r, act.Outcome)); err != nil {
			return nil, err
		}
	}
	if act.Notify && st.db.ReplyJobs != nil {
		jobs, err := st.db.ReplyJobs(booking.ReplyEvent{Booking: copyBooking(b), Reply: r, Outcome: act.Outcome})
		if err != nil {
			return nil, fmt.Errorf("jobs for a reply: %w", err)
		}
		if err := enqueue(ctx, tx, jobs); err != nil {
			return nil, err
		}
	}
	_, err = tx.Exec(ctx, `INSERT INTO reply_messages (message_key, mailbox, uid_validity, uid, booking_id, outcome, processed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, r.Key, r.Mailbox, int64(r.UIDValidity), int64(r.MessageUID), b.ID, string(act.Outcome), now)
	if err != nil {
		return nil, fmt.Errorf("record message: %w", err)
	}
	return b, nil
}

// replyAudit is the after-image of an audit row of a reply.
func replyAudit(r *booking.InboundReply, o booking.ReplyOutcome) map[string]any {
	a := map[string]any{"method": r.Method, "sequence": r.Sequence, "outcome": string(o), "at": r.Stamp.UTC()}
	if r.Method == booking.MethodCounter {
		a["start"], a["end"] = r.Start.UTC(), r.End.UTC()
	} else {
		a["partstat"] = string(r.PartStat)
	}
	return a
}

// recordCustomerReply stores r as the latest answer (a REPLY) or the
// latest proposal (a COUNTER) of booking id.
func recordCustomerReply(ctx context.Context, tx *Tx, id string, r *booking.InboundReply, now time.Time) error {
	var err error
	if r.Method == booking.MethodCounter {
		_, err = tx.Exec(ctx, `INSERT INTO booking_replies (booking_id, counter_start, counter_end, counter_sequence, countered_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (booking_id) DO UPDATE SET counter_start = excluded.counter_start, counter_end = excluded.counter_end,
				counter_sequence = excluded.counter_sequence, countered_at = excluded.countered_at, updated_at = excluded.updated_at`,
			id, utc(r.Start), utc(r.End), r.Sequence, utc(r.Stamp), now)
	} else {
		_, err = tx.Exec(ctx, `INSERT INTO booking_replies (booking_id, partstat, sequence, replied_at, updated_at)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (booking_id) DO UPDATE SET partstat = excluded.partstat, sequence = excluded.sequence,
				replied_at = excluded.replied_at, updated_at = excluded.updated_at`,
			id, string(r.PartStat), r.Sequence, utc(r.Stamp), now)
	}
	if err != nil {
		return fmt.Errorf("record reply: %w", err)
	}
	return nil
}

// CustomerReplies returns the recorded answers and proposals of the
// bookings ids; a booking with none has no entry.
func (st *ReplyStore) CustomerReplies(ctx context.Context, ids ...string) (map[string]booking.CustomerReply, error) {
	out, err := customerReplies(ctx, st.db.pool, ids)
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: customer replies: %w", err))
	}
	return out, nil
}

func customerReplies(ctx context.Context, q querier, ids []string) (map[string]booking.CustomerReply, error) {
	out := make(map[string]booking.CustomerReply)
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := q.Query(ctx, `SELECT booking_id, coalesce(partstat, ''), coalesce(sequence, 0), replied_at,
			counter_start, counter_end, coalesce(counter_sequence, 0), countered_at
		FROM booking_replies WHERE booking_id = ANY($1)`, ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var cr booking.CustomerReply
		var partstat string
		var replied, cStart, cEnd, cAt *time.Time
		var cSeq int
		if err := rows.Scan(&cr.BookingID, &partstat, &cr.Sequence, &replied, &cStart, &cEnd, &cSeq, &cAt); err != nil {
			return nil, err
		}
		cr.PartStat = booking.PartStat(partstat)
		if replied != nil {
			cr.At = replied.UTC()
		}
		if cStart != nil && cEnd != nil {
			c := &booking.Counter{Sequence: cSeq, Start: cStart.UTC(), End: cEnd.UTC()}
			if cAt != nil {
				c.At = cAt.UTC()
			}
			cr.Counter = c
		}
		out[cr.BookingID] = cr
	}
	return out, rows.Err()
}

// ReplyCursor returns the UIDVALIDITY and the last UID examined of
// mailbox, zeros when it was never read.
func (st *ReplyStore) ReplyCursor(ctx context.Context, mailbox string) (uidValidity, lastUID uint32, err error) {
	var v, u int64
	err = st.db.pool.QueryRow(ctx, `SELECT uid_validity, last_uid FROM reply_cursor WHERE mailbox = $1`, mailbox).Scan(&v, &u)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, unavailable(fmt.Errorf("postgres: reply cursor: %w", err))
	}
	return uint32(v), uint32(u), nil
}

// SetReplyCursor records that every message of mailbox up to lastUID under
// uidValidity has been examined. Under the same UIDVALIDITY the cursor
// never moves back (two servers reading the same mailbox included).
func (st *ReplyStore) SetReplyCursor(ctx context.Context, mailbox string, uidValidity, lastUID uint32) error {
	err := st.db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO reply_cursor (mailbox, uid_validity, last_uid, updated_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (mailbox) DO UPDATE SET
				last_uid = CASE WHEN reply_cursor.uid_validity = excluded.uid_validity
					THEN greatest(reply_cursor.last_uid, excluded.last_uid) ELSE excluded.last_uid END,
				uid_validity = excluded.uid_validity, updated_at = excluded.updated_at`,
			mailbox, int64(uidValidity), int64(lastUID), tx.now)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: set reply cursor: %w", err)
	}
	return nil
}
