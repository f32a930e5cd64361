package booking

import (
	"context"
	"time"
)

// PartStat is a customer's answer to an invitation, as calendar clients
// write it in an iTIP REPLY (RFC 5545 PARTSTAT).
type PartStat string

const (
	PartAccepted  PartStat = "ACCEPTED"
	PartTentative PartStat = "TENTATIVE"
	PartDeclined  PartStat = "DECLINED"
)

// Valid reports whether p is one of the answers the atelier records.
func (p PartStat) Valid() bool {
	return p == PartAccepted || p == PartTentative || p == PartDeclined
}

// iTIP methods of the messages the reply reader acts on (RFC 5546).
const (
	MethodReply   = "REPLY"   // an answer: accepted, tentative or declined
	MethodCounter = "COUNTER" // a proposal of another time
)

// InboundReply is an iTIP message read from the organizer's mailbox,
// reduced to what deciding on it needs. The reader fills it; who sent it
// is already worked out from the message's headers (see internal/replies).
type InboundReply struct {
	// Key identifies the message for exactly-once processing: the hex
	// SHA-256 of its Message-ID, or, for a message without one, of the
	// mailbox, UIDVALIDITY and UID it was read at.
	Key string
	// Mailbox, UIDValidity and MessageUID are where the message was read.
	Mailbox     string
	UIDValidity uint32
	MessageUID  uint32

	Method   string   // MethodReply or MethodCounter
	EventUID string   // the iCalendar UID: the booking's
	Sequence int      // the SEQUENCE of the invitation answered
	Attendee string   // the replying ATTENDEE's address (from its mailto: URI)
	PartStat PartStat // as written, upper case; may be one the atelier does not record
	// Stamp is when the customer answered (DTSTAMP), or when the message
	// arrived if it has none.
	Stamp time.Time
	// Author is the address the message is from, once the headers have
	// been checked (one From address, any Sender one that may send for
	// it); empty when they do not name one author.
	Author string
	// Unauthenticated is set when the receiving mail server recorded that
	// the message failed the author domain's DMARC check.
	Unauthenticated bool
	// Start and End are the time a COUNTER proposes.
	Start, End time.Time
}

// ReplyOutcome is what reading a reply did, as recorded with its message.
type ReplyOutcome string

const (
	// The booking is not ours (no booking has the UID): nothing is
	// recorded, and the message is left where it is.
	ReplyUnknown ReplyOutcome = "unknown"
	// A message already processed (the same Message-ID): nothing more.
	ReplyDuplicate ReplyOutcome = "duplicate"

	ReplyCancelled ReplyOutcome = "cancelled" // declined: the booking is cancelled
	ReplyNotified  ReplyOutcome = "notified"  // declined: recorded and staff told (declined_reply: notify)
	ReplyRecorded  ReplyOutcome = "recorded"  // accepted or tentative: recorded
	ReplyCountered ReplyOutcome = "countered" // a new time proposed: recorded and staff told

	ReplyNotCustomer     ReplyOutcome = "not_customer"    // the attendee or the author is not the booking's customer
	ReplyUnauthenticated ReplyOutcome = "unauthenticated" // DMARC failed at the receiving server
	ReplyStale           ReplyOutcome = "stale"           // for another SEQUENCE than the booking's
	ReplyOlder           ReplyOutcome = "older"           // older than the answer already recorded
	ReplyNotConfirmed    ReplyOutcome = "not_confirmed"   // the booking is cancelled
	ReplyPast            ReplyOutcome = "past"            // the appointment has begun
	ReplyUnsupported     ReplyOutcome = "unsupported"     // an answer the atelier does not record (NEEDS-ACTION, DELEGATED, a bad proposal)
)

// Acted reports whether the outcome changed the booking or what staff see.
func (o ReplyOutcome) Acted() bool {
	switch o {
	case ReplyCancelled, ReplyNotified, ReplyRecorded, ReplyCountered:
		return true
	}
	return false
}

// CustomerReply is the latest answer of a booking's customer to its
// invitations, as staff see it.
type CustomerReply struct {
	BookingID string
	// PartStat is the latest answer; empty when the customer has only
	// proposed another time.
	PartStat PartStat
	Sequence int       // the SEQUENCE of the invitation answered
	At       time.Time // when the customer answered
	// Counter is the latest other time the customer proposed, nil if none.
	Counter *Counter
}

// Counter is another time a customer proposed for a booking (an iTIP
// COUNTER).
type Counter struct {
	Start, End time.Time
	Sequence   int       // the SEQUENCE of the invitation it answers
	At         time.Time // when it was proposed
}

// ReplyAction is what to do with a reply, decided against the booking as
// it is inside the store's transaction.
type ReplyAction struct {
	Outcome ReplyOutcome
	// Cancel cancels the booking as the customer's own cancel would, by
	// Actor.
	Cancel bool
	Actor  Actor
	// Record stores the answer (PartStat) or the proposal (Counter) as
	// the booking's CustomerReply.
	Record bool
	// Notify queues the ReplyJobs of the store (staff are told).
	Notify bool
}

// ReplyDecision decides, inside the store's write transaction, what a
// reply does to b (nil when no booking has its UID), given the answer
// recorded so far (nil if none).
type ReplyDecision func(b *Booking, prev *CustomerReply) ReplyAction

// ReplyEvent is a reply that staff are told of (ReplyAction.Notify).
type ReplyEvent struct {
	Booking *Booking
	Reply   *InboundReply
	Outcome ReplyOutcome
}

// ReplyJobsFunc returns the jobs to enqueue for a ReplyEvent, inside the
// store's transaction (no I/O).
type ReplyJobsFunc func(e ReplyEvent) ([]Job, error)

// ReplyStore records the replies read from the organizer's mailbox.
type ReplyStore interface {
	// ApplyReply processes r exactly once: in one write transaction it
	// returns ReplyDuplicate if r.Key was processed before; otherwise it
	// loads the booking whose id the UID names, asks decide, carries out
	// the action and records r.Key with the outcome (unless ReplyUnknown).
	ApplyReply(ctx context.Context, r InboundReply, bookingID string, decide ReplyDecision) (ReplyOutcome, *Booking, error)
	// CustomerReplies returns the recorded answers of the bookings ids.
	CustomerReplies(ctx context.Context, ids ...string) (map[string]CustomerReply, error)
	// ReplyCursor returns where reading mailbox resumes: the UIDVALIDITY
	// and the last UID examined (zeros when never read).
	ReplyCursor(ctx context.Context, mailbox string) (uidValidity, lastUID uint32, err error)
	// SetReplyCursor records that every message of mailbox up to lastUID
	// under uidValidity was examined.
	SetReplyCursor(ctx context.Context, mailbox string, uidValidity, lastUID uint32) error
}

// ReplyActor is who acts on a reply read from the mailbox: the customer,
// by their answer to the invitation (the audit trail shows "customer",
// "reply").
var ReplyActor = Actor{Kind: "customer", ID: "reply"}
