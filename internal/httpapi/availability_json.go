package httpapi

import (
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
	b = append(b, `{"service":`...)
	b = appendJSONString(b, v.Service)
	b = append(b, `,"mode":`...)
	b = appendJSONString(b, string(v.Mode))
	b = append(b, `,"timezone":`...)
	b = appendJSONString(b, v.Timezone)
	b = append(b, `,"slots":[`...)
	b = slices.Grow(b, answerSizeHint(v.Slots))
	var zc zoneCache
	var prev []string     // the artisans of the slot before...
	var prevAt, prevN int // ...and where their array was written in b
	for i := range v.Slots {
		sl := &v.Slots[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"start":`...)
		b = zc.appendTime(b, sl.Start.In(v.Zone))
		b = append(b, `,"end":`...)
		b = zc.appendTime(b, sl.End.In(v.Zone))
		b = append(b, `,"artisans":`...)
		// Neighbouring slots mostly list the same artisans (with many
		// artisans, a long list): the array already written is copied
		// rather than encoded again.
		if i > 0 && slices.Equal(sl.Artisans, prev) {
			b = appendOwn(b, prevAt, prevN)
		} else {
			at := len(b)
			b = appendStrings(b, sl.Artisans)
			prev, prevAt, prevN = sl.Artisans, at, len(b)-at
		}
		b = append(b, '}')
	}
	return append(b, "]}"...)
}

// appendOwn appends b[at:at+n] to b itself.
func appendOwn(b []byte, at, n int) []byte {
	b = slices.Grow(b, n) // the copy's source stays valid when b moves
	return append(b, b[at:at+n]...)
}

// answerSizeHint is about the size of the slots' JSON (a little over for
// plain ids), so that the answer's buffer grows once rather than doubling
// its way up to a many-artisan answer of megabytes.
func answerSizeHint(slots []availability.Slot) int {
	// {"start":"2026-12-01T10:00:00+08:00","end":"...","artisans":[]}, is 86
	// bytes, and each plain id its length and 3 (quotes and comma)
	n := 0
	for i := range slots {
		n += 86
		for _, id := range slots[i].Artisans {
			n += len(id) + 3
		}
	}
	return n + 2
}

// appendStrings appends ss as a JSON array; nil is [] (nonNil), as in the
// views.
func appendStrings(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
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
