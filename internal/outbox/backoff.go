package outbox

import "time"

// Backoff is an exponential backoff with jitter.
type Backoff struct {
	Base time.Duration // delay before the first retry
	Max  time.Duration // longest delay
}

// Delay returns the delay before retry n (0-based): Base*2^n capped at Max,
// with "equal jitter" (a random point in the upper half) so that many
// clients retrying together spread out and a recovering server is not hit
// by every job at once. atLeast (a Retry-After) wins when it is longer. r
// is a random number in [0,1).
func (b Backoff) Delay(n int, atLeast time.Duration, r float64) time.Duration {
	d := b.Base
	for i := 0; i < n && d < b.Max; i++ {
		d *= 2
	}
	d = min(d, b.Max)
	d = d/2 + time.Duration(r*float64(d/2))
	return max(d, atLeast)
}
