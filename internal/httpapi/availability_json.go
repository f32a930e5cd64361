package httpapi

import (
	"io"
	"math/bits"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/availability"
)

// The availability answer is the largest and most frequent one the API
// gives (a 62-day window holds thousands of times), and encoding/json
// spent most of its time there in reflection and in formatting times
// through a layout. appendAvailability writes the same bytes by hand:
// the tests compare it with encoding/json on generated answers.

// appendAvailability appends the view of v (newAvailabilityView) as
// encoding/json would marshal it, straight from the answer: no view is
// built.
func appendAvailability(b []byte, v *app.Availability) []byte {
	aw := answerWriter{b: b}
	aw.encode(v)
	return aw.b
}

// answerWriter encodes one answer into b and, when w is set, hands it to
// w in pieces of about answerPiece bytes as it goes: a 62-day answer of
// 100 artisans is 2.3 MB of JSON, which is never held whole in memory
// (writeAvailability). With no w, the whole answer stays in b.
type answerWriter struct {
	w   io.Writer
	b   []byte
	err error // the first error of w; encoding stops at it
	// max is the size of a piece (answerPiece when 0).
	max int
	zc  zoneCache
	set setEncoder
}

// answerPiece is the size of the pieces an answer is written in: large
// enough that each write into the compressor or the connection is cheap
// beside its bytes, small beside the answer.
const answerPiece = 32 << 10

func (aw *answerWriter) pieceSize() int {
	if aw.max > 0 {
		return aw.max
	}
	return answerPiece
}

// flush hands what b holds to w.
func (aw *answerWriter) flush() {
	if aw.w == nil || aw.err != nil || len(aw.b) == 0 {
		return
	}
	_, aw.err = aw.w.Write(aw.b)
	aw.b = aw.b[:0]
}

// encode writes v: with a w, all but the last piece, which the caller
// flushes (after its newline).
func (aw *answerWriter) encode(v *app.Availability) {
	b := aw.b
	b = append(b, `{"service":`...)
	b = appendJSONString(b, v.Service)
	b = append(b, `,"mode":`...)
	b = appendJSONString(b, string(v.Mode))
	b = append(b, `,"timezone":`...)
	b = appendJSONString(b, v.Timezone)
	b = append(b, `,"slots":[`...)
	if aw.w == nil {
		b = slices.Grow(b, answerSizeHint(v.Slots))
	}
	for i := range v.Slots {
		sl := &v.Slots[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"start":`...)
		b = aw.zc.appendTime(b, sl.Start.In(v.Zone))
		b = append(b, `,"end":`...)
		b = aw.zc.appendTime(b, sl.End.In(v.Zone))
		b = append(b, `,"artisans":`...)
		b = aw.set.append(b, sl.Artisans)
		b = append(b, '}')
		if aw.w != nil && len(b) >= aw.pieceSize() {
			aw.b = b
			aw.flush()
			if aw.err != nil {
				return
			}
			b = aw.b
		}
	}
	aw.b = append(b, "]}"...)
}

// answerSize is the length of appendAvailability(nil, v), worked out
// without writing it, for the Content-Length of an answer written in
// pieces: the strings and the times each as long as they are written
// (appendJSONString, zoneCache.timeLen), each artisan set as setEncoder
// writes it.
func answerSize(v *app.Availability) int {
	var scratch [64]byte
	n := len(`{"service":,"mode":,"timezone":,"slots":[]}`)
	n += len(appendJSONString(scratch[:0], v.Service))
	n += len(appendJSONString(scratch[:0], string(v.Mode)))
	n += len(appendJSONString(scratch[:0], v.Timezone))
	var zc zoneCache
	var se setEncoder
	for i := range v.Slots {
		sl := &v.Slots[i]
		if i > 0 {
			n++
		}
		n += len(`{"start":,"end":,"artisans":}`)
		n += zc.timeLen(sl.Start.In(v.Zone)) + zc.timeLen(sl.End.In(v.Zone))
		n += se.size(sl.Artisans)
	}
	return n
}

// setEncoder writes the slots' artisan sets of one answer: each
// candidate's id is encoded once (all sets of an answer are over one
// candidate list), and a set equal to the one written before (neighbouring
// slots mostly list the same artisans: with many artisans, a long list)
// is copied from the bytes kept of it.
type setEncoder struct {
	cands []string // the candidate list enc was made for
	enc   []byte   // the candidates' ids as JSON strings, one after the other...
	at    []int    // ...candidate i's at enc[at[i]:at[i+1]]
	prev  availability.ArtisanSet
	arr   []byte // the array written for prev
	n     int    // its length (size)
	have  bool   // prev, arr and n are set
}

// table makes enc and at for the candidates of s, unless made already.
func (e *setEncoder) table(s availability.ArtisanSet) (words []uint64) {
	cands, words := s.Candidates()
	if len(cands) == len(e.cands) && (len(cands) == 0 || &cands[0] == &e.cands[0]) {
		return words
	}
	e.cands, e.enc, e.at = cands, e.enc[:0], append(e.at[:0], 0)
	for _, id := range cands {
		e.enc = appendJSONString(e.enc, id)
		e.at = append(e.at, len(e.enc))
	}
	return words
}

// append appends s as a JSON array of ids; the empty set is [] (nonNil),
// as in the views.
func (e *setEncoder) append(b []byte, s availability.ArtisanSet) []byte {
	if e.have && e.arr != nil && s.Equal(e.prev) {
		return append(b, e.arr...)
	}
	at := len(b)
	b = append(b, '[')
	words := e.table(s)
	first := true
	for wi, w := range words {
		for w != 0 {
			i := wi*64 + bits.TrailingZeros64(w)
			w &= w - 1
			if !first {
				b = append(b, ',')
			}
			first = false
			b = append(b, e.enc[e.at[i]:e.at[i+1]]...)
		}
	}
	b = append(b, ']')
	e.prev, e.arr, e.n, e.have = s, append(e.arr[:0], b[at:]...), len(b)-at, true
	return b
}

// size is the length of the array append writes for s.
func (e *setEncoder) size(s availability.ArtisanSet) int {
	if e.have && s.Equal(e.prev) {
		return e.n
	}
	words := e.table(s)
	n, k := 2, 0
	for wi, w := range words {
		for w != 0 {
			i := wi*64 + bits.TrailingZeros64(w)
			w &= w - 1
			n += e.at[i+1] - e.at[i]
			k++
		}
	}
	if k > 1 {
		n += k - 1
	}
	e.prev, e.arr, e.n, e.have = s, nil, n, true
	return n
}

// answerSizeHint is about the size of the slots' JSON (a little over for
// plain ids), so that an answer written whole grows its buffer once
// rather than doubling its way up to a many-artisan answer of megabytes.
func answerSizeHint(slots []availability.Slot) int {
	// {"start":"2026-12-01T10:00:00+08:00","end":"...","artisans":[]}, is 86
	// bytes, and each plain id its length and 3 (quotes and comma)
	n := 0
	var prev availability.ArtisanSet
	m := 0
	for i := range slots {
		n += 86
		if a := slots[i].Artisans; i == 0 || !a.Equal(prev) {
			m = 0
			for id := range a.All() {
				m += len(id) + 3
			}
			prev = a
		}
		n += m
	}
	return n + 2
}

// appendJSONString quotes s as encoding/json does by default: HTML
// characters (<, >, &), control characters, U+2028 and U+2029 escaped,
// invalid UTF-8 replaced by \ufffd.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if plainASCII[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// plainASCII tells the ASCII bytes appendJSONString writes as they are.
var plainASCII = func() (t [utf8.RuneSelf]bool) {
	for c := byte(0x20); c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// zoneCache remembers the offset of the zone period (between two
// transitions) the last time fell in, so that consecutive times of one
// answer, which nearly all share one period, skip the zone lookup.
type zoneCache struct {
	loc    *time.Location
	lo, hi int64 // the period's bounds in Unix seconds, [lo, hi)
	offset int   // seconds east of UTC
}

func (zc *zoneCache) offsetOf(t time.Time) int {
	sec := t.Unix()
	if loc := t.Location(); loc == zc.loc && sec >= zc.lo && sec < zc.hi {
		return zc.offset
	}
	_, off := t.Zone()
	start, end := t.ZoneBounds()
	zc.loc, zc.offset = t.Location(), off
	zc.lo, zc.hi = -1<<63, 1<<63-1
	if !start.IsZero() {
		zc.lo = start.Unix()
	}
	if !end.IsZero() {
		zc.hi = end.Unix()
	}
	return off
}

// safeLo and safeHi bound the instants (Unix seconds) whose local year is
// within 0000-9999 whatever their offset (under a day either way), so
// that timeLen need not look their zone up.
var (
	safeLo = time.Date(1, 1, 2, 0, 0, 0, 0, time.UTC).Unix()
	safeHi = time.Date(9998, 12, 31, 0, 0, 0, 0, time.UTC).Unix()
)

// timeLen is the length of what appendTime appends for t.
func (zc *zoneCache) timeLen(t time.Time) int {
	if sec := t.Unix(); sec < safeLo || sec > safeHi {
		return zc.edgeTimeLen(t)
	}
	return timeLenIn(t)
}

// timeLenIn is timeLen for a time of a four-digit local year.
func timeLenIn(t time.Time) int {
	n := len(`"2006-01-02T15:04:05+07:00"`)
	if ns := t.Nanosecond(); ns != 0 {
		n += 10 // the point and nine digits, less the trailing zeros
		for ns%10 == 0 {
			ns /= 10
			n--
		}
	}
	return n
}

// edgeTimeLen is timeLen near the ends of the four-digit years.
func (zc *zoneCache) edgeTimeLen(t time.Time) int {
	off := zc.offsetOf(t)
	sec := t.Unix() + int64(off)
	days := sec / 86400
	if sec%86400 < 0 {
		days--
	}
	if y, _, _ := civil(days); y < 0 || y > 9999 {
		var scratch [64]byte
		return len(t.AppendFormat(scratch[:0], TimeLayout)) + 2
	}
	return timeLenIn(t)
}

// appendTime appends t quoted in TimeLayout: RFC 3339, a fraction
// only when there is one (trailing zeros dropped), and always a numeric
// offset in hours and minutes ("+00:00", never "Z").
func (zc *zoneCache) appendTime(b []byte, t time.Time) []byte {
	off := zc.offsetOf(t)
	sec := t.Unix() + int64(off)
	// Days since 1970-01-01 in local time, and the second of that day.
	days := sec / 86400
	sod := sec % 86400
	if sod < 0 {
		sod += 86400
		days--
	}
	y, m, d := civil(days)
	if y < 0 || y > 9999 {
		// Out of the four-digit range the layout writes differently;
		// such times never come from the engine, but stay exact.
		b = append(b, '"')
		b = t.AppendFormat(b, TimeLayout)
		return append(b, '"')
	}
	b = append(b, '"')
	b = append4(b, y)
	b = append(b, '-')
	b = append2(b, m)
	b = append(b, '-')
	b = append2(b, d)
	b = append(b, 'T')
	b = append2(b, int(sod/3600))
	b = append(b, ':')
	b = append2(b, int(sod/60%60))
	b = append(b, ':')
	b = append2(b, int(sod%60))
	if ns := t.Nanosecond(); ns != 0 {
		var frac [10]byte
		frac[0] = '.'
		for i := 9; i >= 1; i-- {
			frac[i] = byte('0' + ns%10)
			ns /= 10
		}
		n := 10
		for frac[n-1] == '0' {
			n--
		}
		b = append(b, frac[:n]...)
	}
	if off < 0 {
		b = append(b, '-')
		off = -off
	} else {
		b = append(b, '+')
	}
	// The layout's "-07:00" writes hours and minutes; seconds of an
	// offset (old local mean times) are dropped, as Format drops them.
	b = append2(b, off/3600)
	b = append(b, ':')
	b = append2(b, off/60%60)
	return append(b, '"')
}

// civil converts days since 1970-01-01 into a proleptic Gregorian date
// (Howard Hinnant's days_from_civil inverse).
func civil(days int64) (year, month, day int) {
	z := days + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097                                  // [0, 146096]
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // [0, 399]
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100) // [0, 365]
	mp := (5*doy + 2) / 153                  // [0, 11]
	d := doy - (153*mp+2)/5 + 1              // [1, 31]
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return int(y), int(m), int(d)
}

func append2(b []byte, n int) []byte {
	return append(b, byte('0'+n/10), byte('0'+n%10))
}

func append4(b []byte, n int) []byte {
	return append(b, byte('0'+n/1000), byte('0'+n/100%10), byte('0'+n/10%10), byte('0'+n%10))
}
