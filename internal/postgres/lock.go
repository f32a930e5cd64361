package postgres

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/atelier-app/atelier/internal/booking"
)

// lockKey names a transaction-level advisory lock: a class (what is
// locked) and the id of the thing. Two ids whose hashes collide share a
// lock, which only makes them queue together.
type lockKey struct {
	class int32
	id    string
}

// The classes of lockKey.
const (
	lockArtisan  int32 = 1
	lockRoom     int32 = 2
	lockReply    int32 = 3 // a message read from the mailbox (ApplyReply)
	lockClaim    int32 = 4 // a queue's claims (ClaimJobs), taken one at a time
	lockClosures int32 = 5 // the staff's closures (AddClosure), one add at a time
)

func artisanLock(id string) lockKey { return lockKey{lockArtisan, id} }
func roomLock(id string) lockKey    { return lockKey{lockRoom, id} }

// placementLocks returns the locks a booking placed at p needs.
func placementLocks(p booking.Placement) []lockKey {
	keys := []lockKey{artisanLock(p.ArtisanID)}
	for _, id := range p.Artisans { // a team's: each of them
		keys = append(keys, artisanLock(id))
	}
	if p.RoomID != "" {
		keys = append(keys, roomLock(p.RoomID))
	}
	return keys
}

func compareLocks(a, b lockKey) int {
	return cmp.Or(cmp.Compare(a.class, b.class), cmp.Compare(a.id, b.id))
}

// lock takes the advisory locks of keys that tx does not hold yet, in
// (class, id) order, so that transactions taking their locks in one round
// never deadlock; they are released at COMMIT or ROLLBACK.
func (tx *Tx) lock(ctx context.Context, keys ...lockKey) error {
	var missing []lockKey
	for _, k := range keys {
		if k.id != "" && !tx.locked[k] && !slices.Contains(missing, k) {
			missing = append(missing, k)
		}
	}
	slices.SortFunc(missing, compareLocks)
	for _, k := range missing {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, k.class, k.id); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		tx.locked[k] = true
	}
	return nil
}

// maxPlaceRounds bounds lockAndPlace's rounds: each round adds at least
// one lock, and a placement names two.
const maxPlaceRounds = 4

// lockAndPlace takes the locks of first, then reads the schedule (load)
// and runs place on it, until place answers with a placement whose locks
// were all held before the schedule it was given was read: then no other
// transaction can change what the placement depends on before tx commits,
// and the answer stands. A refusal by place is returned at once (a
// schedule read without every lock can only be older, never hold a booking
// that is not committed).
func (tx *Tx) lockAndPlace(ctx context.Context, first []lockKey, load func() (*booking.Schedule, error), place booking.PlaceFunc) (booking.Placement, error) {
	if err := tx.lock(ctx, first...); err != nil {
		return booking.Placement{}, err
	}
	for range maxPlaceRounds {
		held := maps.Clone(tx.locked)
		s, err := load()
		if err != nil {
			return booking.Placement{}, err
		}
		p, err := place(s)
		if err != nil {
			return booking.Placement{}, err
		}
		need := placementLocks(p)
		if !slices.ContainsFunc(need, func(k lockKey) bool { return !held[k] }) {
			return p, nil
		}
		if err := tx.lock(ctx, need...); err != nil {
			return booking.Placement{}, err
		}
	}
	return booking.Placement{}, booking.ErrUnavailable(fmt.Errorf("the placement changed at each of %d reads", maxPlaceRounds))
}
