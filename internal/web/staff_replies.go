package web

import (
	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/i18n"
)

// replyPanel is the customer's answer to the invitations on a booking's
// staff page (read from the atelier's mailbox: internal/replies).
type replyPanel struct {
	Label string // "Accepted", "Maybe", "Declined"
	Tag   string // CSS modifier of its tag: "", "wait" or "off"
	When  string // when they answered, in the atelier's zone
	// Earlier says the answer is to the invitation as it was before the
	// booking last changed.
	Earlier bool
	Counter *counterPanel
}

// counterPanel is another time the customer proposed, with the one-click
// move when it is free.
type counterPanel struct {
	When     string // the time proposed
	Proposed string // when they proposed it
	Free     bool
	Reason   string // why it is not free
	// Date and Time fill the move form, in the atelier's zone.
	Date, Time string
}

// answerLabels words an answer for staff.
var answerLabels = map[booking.PartStat]struct{ label, tag string }{
	booking.PartAccepted:  {"Accepted", ""},
	booking.PartTentative: {"Maybe", "wait"},
	booking.PartDeclined:  {"Declined", "off"},
}

// newReplyPanel words v's customer_reply; nil when there is none to show.
func newReplyPanel(c *catalogue, v *app.StaffBooking) *replyPanel {
	staffLang := i18n.English()
	cr := v.Reply
	if cr == nil {
		return nil
	}
	loc := c.Loc
	p := &replyPanel{}
	if l, ok := answerLabels[cr.PartStat]; ok {
		at := cr.At.In(loc)
		p.Label, p.Tag = l.label, l.tag
		p.When = "Answered " + fmtShortDate(staffLang, at) + ", " + fmtTime(staffLang, at)
		p.Earlier = !cr.Current
	}
	if cv := cr.Counter; cv != nil && cr.CounterCurrent {
		start, end, at := cv.Start.In(loc), cv.End.In(loc), cv.At.In(loc)
		p.Counter = &counterPanel{
			When:     whenLabel(staffLang, start, end) + " (" + cityOf(staffLang, c.Atelier.Timezone) + ")",
			Proposed: fmtShortDate(staffLang, at) + ", " + fmtTime(staffLang, at),
			Free:     cr.CounterFree != nil && *cr.CounterFree,
			Reason:   cr.CounterReason,
			Date:     booking.DateOf(start).String(), Time: start.Format("15:04"),
		}
	}
	if p.Label == "" && p.Counter == nil {
		return nil
	}
	return p
}

// replyTag is the short word of a booking's answer on a calendar tile:
// the current answer, or a proposal of another time; "" for none.
func replyTag(v app.StaffBooking) string {
	cr := v.Reply
	switch {
	case cr == nil || v.Status != booking.Confirmed:
		return ""
	case cr.Counter != nil && cr.CounterCurrent:
		return "New time proposed"
	case cr.Current:
		return answerLabels[cr.PartStat].label
	}
	return ""
}
