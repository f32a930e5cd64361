package web

import (
	"bytes"
	"fmt"
	"slices"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/i18n"
)

// The staff calendar's time grid. Each column (a day of the week view, an
// artisan of the day view) is a CSS grid whose rows are gridStep minutes
// each, so a tile spanning its appointment's rows is exactly as tall as
// the appointment is long: a 90-minute tile twice a 45-minute one. The
// pages' Content-Security-Policy allows no inline style, so positions are
// classes ("gr-13 gs-18": from row 13, 18 rows tall) of a style sheet made
// here at start (gridCSS, served as the hashed static file
// staff-grid.css); side-by-side lanes of overlapping appointments are
// classes too ("ln-1-3": the second of three).

// gridStep is the height of one row of the grid, in minutes.
const gridStep = 5

// gridMaxRows is the number of rows of a whole day.
const gridMaxRows = 24 * 60 / gridStep

// gridMaxLanes is the most appointments shown side by side; more that
// overlap at once share the last lanes (never seen in practice: a column
// is one artisan, or a day of the whole atelier's rooms and calls).
const gridMaxLanes = 8

// gridCSSName is the static file name of the generated sheet.
const gridCSSName = "staff-grid.css"

// gridCSS is the style sheet of the grid's position classes.
func gridCSS() []byte {
	var b bytes.Buffer
	b.WriteString("/* Made by internal/web/staff_grid.go (gridCSS): the row and lane classes of the staff calendar's grid. */\n")
	for n := 1; n <= gridMaxRows+1; n++ {
		fmt.Fprintf(&b, ".gr-%d{grid-row-start:%d}", n, n)
	}
	b.WriteByte('\n')
	for n := 1; n <= gridMaxRows; n++ {
		fmt.Fprintf(&b, ".gs-%d{grid-row-end:span %d}", n, n)
	}
	b.WriteByte('\n')
	for n := 1; n <= gridMaxLanes; n++ {
		for k := range n {
			fmt.Fprintf(&b, ".ln-%d-%d{margin-left:%.4f%%;width:%.4f%%}", k, n, float64(k)*100/float64(n), 100/float64(n))
		}
	}
	b.WriteByte('\n')
	return b.Bytes()
}

// gridFrame is the part of the day the grid shows: [first, last) in
// minutes since local midnight, whole hours.
type gridFrame struct {
	first, last int
}

// pos is the position classes of [from, to) (minutes since local
// midnight) clipped to the frame, "" when nothing of it is inside. The
// start is rounded down and the end up to the grid's step.
func (f gridFrame) pos(from, to int) string {
	from, to = max(from, f.first), min(to, f.last)
	if to <= from {
		return ""
	}
	r := (from - f.first) / gridStep
	n := (to - f.first + gridStep - 1) / gridStep
	return fmt.Sprintf("gr-%d gs-%d", r+1, max(n-r, 1))
}

// hours are the labels of the time axis.
func (f gridFrame) hours() []gridHour {
	staffLang := i18n.English()
	var out []gridHour
	for m := f.first; m < f.last; m += 60 {
		out = append(out, gridHour{Label: clockLabel(staffLang, booking.Clock(m)), Pos: f.pos(m, m+60)})
	}
	return out
}

// gridHour is a label of the time axis.
type gridHour struct{ Label, Pos string }

// frameFor is the frame that holds every span of spans (minutes since
// midnight), widened to whole hours; 9:00 to 18:00 when there is none.
func frameFor(spans [][2]int) gridFrame {
	first, last := 24*60, 0
	for _, s := range spans {
		if s[1] <= s[0] {
			continue
		}
		first, last = min(first, s[0]), max(last, s[1])
	}
	if first >= last {
		return gridFrame{first: 9 * 60, last: 18 * 60}
	}
	first = max(first/60*60, 0)
	last = min((last+59)/60*60, 24*60)
	return gridFrame{first: first, last: last}
}

// wallMinutes is t's wall clock on local date d in minutes since
// midnight: 0 before the day, 1440 after it.
func wallMinutes(t time.Time, d booking.Date, loc *time.Location) int {
	lt := t.In(loc)
	switch td := booking.DateOf(lt); {
	case td.Before(d):
		return 0
	case td.After(d):
		return 24 * 60
	}
	return lt.Hour()*60 + lt.Minute()
}

// laneItem is an interval of a column to place in a lane.
type laneItem struct{ from, to int }

// assignLanes places items (any order) in lanes so that overlapping ones
// sit side by side: each group of items that overlap one another
// (directly or through others) is split into as many lanes as it needs at
// most at once, and each item gets its lane and the group's lane count,
// as a class "ln-k-n".
func assignLanes(items []laneItem) []string {
	out := make([]string, len(items))
	order := make([]int, len(items))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if items[a].from != items[b].from {
			return items[a].from - items[b].from
		}
		return items[b].to - items[a].to
	})
	for start := 0; start < len(order); {
		// One group: items until one starts after every earlier one ended.
		end, groupEnd := start, items[order[start]].to
		for end < len(order) && (end == start || items[order[end]].from < groupEnd) {
			groupEnd = max(groupEnd, items[order[end]].to)
			end++
		}
		var laneEnds []int
		lane := make([]int, end-start)
		for j := start; j < end; j++ {
			it := items[order[j]]
			k := slices.IndexFunc(laneEnds, func(e int) bool { return e <= it.from })
			if k < 0 {
				if len(laneEnds) < gridMaxLanes {
					laneEnds = append(laneEnds, 0)
					k = len(laneEnds) - 1
				} else {
					k = slices.Index(laneEnds, slices.Min(laneEnds))
				}
			}
			laneEnds[k] = it.to
			lane[j-start] = k
		}
		for j := start; j < end; j++ {
			out[order[j]] = fmt.Sprintf("ln-%d-%d", lane[j-start], len(laneEnds))
		}
		start = end
	}
	return out
}

// minusSpans is [from, to) less every span of cut, as the pieces left.
func minusSpans(from, to int, cut [][2]int) [][2]int {
	left := [][2]int{{from, to}}
	for _, c := range cut {
		var next [][2]int
		for _, p := range left {
			if c[1] <= p[0] || c[0] >= p[1] {
				next = append(next, p)
				continue
			}
			if p[0] < c[0] {
				next = append(next, [2]int{p[0], c[0]})
			}
			if c[1] < p[1] {
				next = append(next, [2]int{c[1], p[1]})
			}
		}
		left = next
	}
	return left
}

// clockSpans turns wall-clock spans into minute pairs.
func clockSpans(spans []booking.Span) [][2]int {
	out := make([][2]int, 0, len(spans))
	for _, s := range spans {
		out = append(out, [2]int{int(s.Start), int(s.End)})
	}
	return out
}
