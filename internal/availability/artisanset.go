package availability

import (
	"fmt"
	"iter"
	"math/bits"
	"slices"
)

// ArtisanSet is the set of artisans free for a slot, in catalogue order.
//
// A 62-day answer of 100 artisans has some 3,000 slots listing about 95
// artisans each: as a []string per slot that was 4.6 MB of ids, most of an
// answer's memory. A set is instead a bitset over the answer's candidates
// (one list, shared by every slot of the answer): 16 bytes for 100
// artisans, and consecutive slots free for the same artisans share one
// set. Sets are read-only once made; the zero ArtisanSet is empty.
type ArtisanSet struct{ p *artisanSet }

type artisanSet struct {
	ids  []string // the candidates the bits are over (shared, read-only)
	bits []uint64 // bit i set: ids[i] is free
	n    int      // the number of bits set
}

// NewArtisanSet returns the set of ids, in the order given (which callers
// keep in catalogue order, as the engine's sets are). The slice is kept:
// do not change it afterwards.
func NewArtisanSet(ids ...string) ArtisanSet {
	if len(ids) == 0 {
		return ArtisanSet{}
	}
	w := make([]uint64, (len(ids)+63)/64)
	for i := range ids {
		w[i/64] |= 1 << (i % 64)
	}
	return ArtisanSet{&artisanSet{ids: ids, bits: w, n: len(ids)}}
}

// ArtisanSubset returns the set of candidates[i] for each i of members,
// over the list candidates (kept: do not change it afterwards), as the
// sets of one Slots answer are over its candidates.
func ArtisanSubset(candidates []string, members ...int) ArtisanSet {
	w := make([]uint64, (len(candidates)+63)/64)
	n := 0
	for _, i := range members {
		if w[i/64]&(1<<(i%64)) == 0 {
			w[i/64] |= 1 << (i % 64)
			n++
		}
	}
	return ArtisanSet{&artisanSet{ids: candidates, bits: w, n: n}}
}

// Len is the number of artisans in the set.
func (a ArtisanSet) Len() int {
	if a.p == nil {
		return 0
	}
	return a.p.n
}

// All yields the artisans' ids in catalogue order.
func (a ArtisanSet) All() iter.Seq[string] {
	return func(yield func(string) bool) {
		if a.p == nil {
			return
		}
		for wi, w := range a.p.bits {
			for w != 0 {
				i := wi*64 + bits.TrailingZeros64(w)
				if !yield(a.p.ids[i]) {
					return
				}
				w &= w - 1
			}
		}
	}
}

// IDs returns the artisans' ids in catalogue order, in a new slice (never
// nil: [] when the set is empty, as the API writes it).
func (a ArtisanSet) IDs() []string {
	out := make([]string, 0, a.Len())
	for id := range a.All() {
		out = append(out, id)
	}
	return out
}

// String lists the ids as fmt prints a []string: [mei arjun].
func (a ArtisanSet) String() string {
	return fmt.Sprint(a.IDs())
}

// First is the first artisan of the set in catalogue order, or "".
func (a ArtisanSet) First() string {
	for id := range a.All() {
		return id
	}
	return ""
}

// Contains reports whether artisan id is in the set.
func (a ArtisanSet) Contains(id string) bool {
	if a.p == nil {
		return false
	}
	for wi, w := range a.p.bits {
		for w != 0 {
			if a.p.ids[wi*64+bits.TrailingZeros64(w)] == id {
				return true
			}
			w &= w - 1
		}
	}
	return false
}

// Equal reports whether a and b hold the same artisans.
func (a ArtisanSet) Equal(b ArtisanSet) bool {
	if a.p == b.p {
		return true
	}
	if a.Len() != b.Len() {
		return false
	}
	if a.SameCandidates(b) {
		return slices.Equal(a.p.bits, b.p.bits)
	}
	return slices.Equal(a.IDs(), b.IDs())
}

// SameCandidates reports whether a and b are over the same candidate list
// (those of one answer are), so that Candidates' numbers mean the same in
// both; for encoders.
func (a ArtisanSet) SameCandidates(b ArtisanSet) bool {
	if a.p == nil || b.p == nil {
		return a.p == b.p
	}
	return len(a.p.ids) == len(b.p.ids) && (len(a.p.ids) == 0 || &a.p.ids[0] == &b.p.ids[0])
}

// Candidates returns the list the set is over and its members' positions
// in it (bit i of words[i/64] set: candidates[i] is free), shared: read
// them only. An encoder that writes many sets of one answer encodes each
// candidate once from these.
func (a ArtisanSet) Candidates() (candidates []string, words []uint64) {
	if a.p == nil {
		return nil, nil
	}
	return a.p.ids, a.p.bits
}

// setMaker makes the slots' sets of one Slots call: the candidates' ids
// once, the sets and their words from chunks that are never grown (one
// array grown by append would copy itself each time it doubles, and the
// sets handed out point into it), and a slot free for the same artisans
// as the slot made before it shares that slot's set.
type setMaker struct {
	ids   []string
	words int // per set
	cur   []uint64
	sets  []artisanSet
	last  ArtisanSet
}

// setChunk is how many sets a chunk holds: small beside a 62-day answer
// (about 3,000 slots), large enough that a chunk is rarely made.
const setChunk = 64

func newSetMaker(cands []string) setMaker {
	return setMaker{ids: cands, words: (len(cands) + 63) / 64}
}

// scratch returns the words to fill for the next set, cleared.
func (m *setMaker) scratch() []uint64 {
	if len(m.cur) < m.words {
		m.cur = make([]uint64, m.words*setChunk)
	}
	w := m.cur[:m.words:m.words]
	clear(w)
	return w
}

// keep makes the set of w (from scratch) with n members, or hands out the
// last one again when it holds the same artisans.
func (m *setMaker) keep(w []uint64, n int) ArtisanSet {
	if m.last.p != nil && m.last.p.n == n && slices.Equal(m.last.p.bits, w) {
		return m.last
	}
	m.cur = m.cur[m.words:]
	if len(m.sets) == 0 {
		m.sets = make([]artisanSet, setChunk)
	}
	p := &m.sets[0]
	m.sets = m.sets[1:]
	*p = artisanSet{ids: m.ids, bits: w, n: n}
	m.last = ArtisanSet{p}
	return m.last
}
