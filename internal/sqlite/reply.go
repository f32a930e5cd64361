package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// ApplyReply processes the reply r to the booking bookingID exactly once.
//
// In one write transaction it looks r.Key up among the messages processed
// before (ReplyDuplicate: nothing more happens), loads the booking and its
// recorded answer, asks decide what to do with them as committed, and does
// it: cancels the booking (as CancelBooking does, with the jobs of the
// change), records the answer or the proposal, writes an audit row, queues
// DB.ReplyJobs when staff are to be told, and records r.Key with the
// outcome. Either all of it is committed or none: a reply read again after
// a crash finds its key and changes nothing. A booking that does not exist
// is ReplyUnknown, and nothing is recorded.
func (st *ReplyStore) ApplyReply(ctx context.Context, r booking.InboundReply, bookingID string, decide booking.ReplyDecision) (booking.ReplyOutcome, *booking.Booking, error) {
	if r.Key == "" {
		return "", nil, fmt.Errorf("sqlite: apply reply: no message key")
	}
	var (
		outcome booking.ReplyOutcome
		out     *booking.Booking
	)
	err := st.db.inTx(ctx, func(tx *Tx) error {
		outcome, out = "", nil
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
		return "", nil, fmt.Errorf("sqlite: apply reply: %w", err)
	}
	return outcome, out, nil
}

// replyProcessed reports whether the message with key was processed
// before.
func replyProcessed(ctx context.Context, tx *Tx, key string) (bool, error) {
	var done string
	err := tx.QueryRowContext(ctx, `SELECT outcome FROM reply_messages WHERE message_key = ?`, key).Scan(&done)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	}
	return false, fmt.Errorf("look up message: %w", err)
}

// replyBooking loads the booking a reply names, and its recorded answer;
// nil for no id or a booking that does not exist.
func replyBooking(ctx context.Context, tx *Tx, bookingID string) (*booking.Booking, *booking.CustomerReply, error) {
	if bookingID == "" {
		return nil, nil, nil
	}
	b, err := getBooking(ctx, tx, bookingID)
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
		// A cancel has its own audit row; an answer recorded or told
		// to staff gets one of its own (no addresses: the booking's
		// row has the customer).
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
	_, err = tx.ExecContext(ctx, `INSERT INTO reply_messages (message_key, mailbox, uid_validity, uid, booking_id, outcome, processed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, r.Key, r.Mailbox, int64(r.UIDValidity), int64(r.MessageUID), b.ID, string(act.Outcome), fmtTime(now))
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
		_, err = tx.ExecContext(ctx, `INSERT INTO booking_replies (booking_id, counter_start, counter_end, counter_sequence, countered_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (booking_id) DO UPDATE SET counter_start = excluded.counter_start, counter_end = excluded.counter_end,
				counter_sequence = excluded.counter_sequence, countered_at = excluded.countered_at, updated_at = excluded.updated_at`,
			id, fmtTime(r.Start), fmtTime(r.End), r.Sequence, fmtTime(r.Stamp), fmtTime(now))
	} else {
		_, err = tx.ExecContext(ctx, `INSERT INTO booking_replies (booking_id, partstat, sequence, replied_at, updated_at)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (booking_id) DO UPDATE SET partstat = excluded.partstat, sequence = excluded.sequence,
				replied_at = excluded.replied_at, updated_at = excluded.updated_at`,
			id, string(r.PartStat), r.Sequence, fmtTime(r.Stamp), fmtTime(now))
	}
	if err != nil {
		return fmt.Errorf("record reply: %w", err)
	}
	return nil
}

// CustomerReplies returns the recorded answers and proposals of the
// bookings ids; a booking with none has no entry.
func (st *ReplyStore) CustomerReplies(ctx context.Context, ids ...string) (map[string]booking.CustomerReply, error) {
	out, err := customerReplies(ctx, st.db.read, ids)
	if err != nil {
		return nil, unavailable(fmt.Errorf("sqlite: customer replies: %w", err))
	}
	return out, nil
}

// maxReplyBatch keeps the number of parameters of one query well under
// SQLite's limit.
const maxReplyBatch = 500

func customerReplies(ctx context.Context, q queryer, ids []string) (map[string]booking.CustomerReply, error) {
	out := make(map[string]booking.CustomerReply)
	for len(ids) > 0 {
		batch := ids[:min(len(ids), maxReplyBatch)]
		ids = ids[len(batch):]
		args := make([]any, len(batch))
		for i, id := range batch {
			args[i] = id
		}
		rows, err := q.QueryContext(ctx, `SELECT booking_id, coalesce(partstat, ''), coalesce(sequence, 0), coalesce(replied_at, ''),
				coalesce(counter_start, ''), coalesce(counter_end, ''), coalesce(counter_sequence, 0), coalesce(countered_at, '')
			FROM booking_replies WHERE booking_id IN (?`+strings.Repeat(", ?", len(batch)-1)+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var cr booking.CustomerReply
			var replied, cStart, cEnd, cAt string
			var cSeq int
			if err := rows.Scan(&cr.BookingID, &cr.PartStat, &cr.Sequence, &replied, &cStart, &cEnd, &cSeq, &cAt); err != nil {
				rows.Close()
				return nil, err
			}
			if replied != "" {
				if cr.At, err = parseTime(replied); err != nil {
					rows.Close()
					return nil, err
				}
			}
			if cStart != "" {
				c := &booking.Counter{Sequence: cSeq}
				for _, f := range []struct {
					dst *time.Time
					src string
				}{{&c.Start, cStart}, {&c.End, cEnd}, {&c.At, cAt}} {
					if *f.dst, err = parseTime(f.src); err != nil {
						rows.Close()
						return nil, err
					}
				}
				cr.Counter = c
			}
			out[cr.BookingID] = cr
		}
		if err := closeRows(rows); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ReplyCursor returns the UIDVALIDITY and the last UID examined of
// mailbox, zeros when it was never read.
func (st *ReplyStore) ReplyCursor(ctx context.Context, mailbox string) (uidValidity, lastUID uint32, err error) {
	var v, u int64
	err = st.db.read.QueryRowContext(ctx, `SELECT uid_validity, last_uid FROM reply_cursor WHERE mailbox = ?`, mailbox).Scan(&v, &u)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, unavailable(fmt.Errorf("sqlite: reply cursor: %w", err))
	}
	return uint32(v), uint32(u), nil
}

// SetReplyCursor records that every message of mailbox up to lastUID under
// uidValidity has been examined. Under the same UIDVALIDITY the cursor
// never moves back.
func (st *ReplyStore) SetReplyCursor(ctx context.Context, mailbox string, uidValidity, lastUID uint32) error {
	err := st.db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO reply_cursor (mailbox, uid_validity, last_uid, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (mailbox) DO UPDATE SET
				last_uid = CASE WHEN uid_validity = excluded.uid_validity THEN max(last_uid, excluded.last_uid) ELSE excluded.last_uid END,
				uid_validity = excluded.uid_validity, updated_at = excluded.updated_at`,
			mailbox, int64(uidValidity), int64(lastUID), fmtTime(tx.now))
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: set reply cursor: %w", err)
	}
	return nil
}
