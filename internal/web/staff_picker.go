package web

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/i18n"
)

// The picker of free times on the staff's New booking and Move forms: the
// free times of one day from the staff availability (app.StaffAvailability:
// no minimum notice, no horizon, never a clash), each a radio button whose
// value is the start instant, with the customer's time beside the
// atelier's. It is plain HTML inside the form: "Show free times", the day
// buttons and "Next free day" submit the form with action=times (or
// goto=DATE) and the page comes back with that day's times, keeping what
// was typed. app.js only clicks "Show free times" when a choice changes.

// pickerQuery is what the picker lists.
type pickerQuery struct {
	Service, Mode string
	Artisan       string // "" for whoever is free
	Moving        string // the booking being moved (its own time does not block)
	Date          string // as asked; today when empty, today again when unreadable
	CustomerTZ    string // the customer's zone, "" when not known
	Selected      string // the start chosen before, kept checked
}

// freeTimes is the picker of one day.
type freeTimes struct {
	DateValue, DateLabel string
	Prev, Next           string // dates of the day buttons ("" for none)
	Times                []freeTime
	NextFree             string // the next day with a free time, when this one has none
	NextFreeLabel        string
	Closed               string // the closure's reason that day
	AtelierCity          string
	CustomerZone         string // label of the customer's zone when it differs
	Problem              string // why no time can be listed, in plain words
	Err                  string // what was wrong with the time sent
	Horizon              int    // days "Next free day" looks ahead
}

// freeTime is one free start.
type freeTime struct {
	ID       string // the radio's id
	Value    string // RFC 3339, the form's start
	Atelier  string // "10:30 am"
	Customer string // "2:30 am in London" when the customer's zone differs
	Who      string // who is free then, when anyone may take it
	Selected bool
}

// pickerHorizon is how far ahead "Next free day" looks.
const pickerHorizon = app.MaxAvailabilityDays

// freeTimes builds the picker of q for the signed-in user u.
func (s *Server) freeTimes(ctx context.Context, u *booking.User, c *catalogue, q pickerQuery) (*freeTimes, error) {
	staffLang := s.langs.Staff()
	today := booking.DateOf(s.staff.app.Now().In(c.Loc))
	day := today
	ft := &freeTimes{AtelierCity: cityOf(staffLang, c.Atelier.Timezone), Horizon: pickerHorizon}
	if q.Date != "" {
		d, err := booking.ParseDate(strings.TrimSpace(q.Date))
		if err != nil {
			ft.Problem = "That date could not be read, so today's times are shown."
		} else {
			day = d
		}
	}
	ft.DateValue, ft.DateLabel = day.String(), fmtDate(staffLang, day.In(c.Loc))
	ft.Next = day.AddDays(1).String()
	if day.After(today) {
		ft.Prev = day.AddDays(-1).String()
	}
	ft.Closed = closureOn(staffLang, c.Atelier, day)
	var custLoc *time.Location
	if l, ok := loadZone(q.CustomerTZ); ok && q.CustomerTZ != c.Atelier.Timezone {
		custLoc = l
	}
	if problem := pickerProblem(c, q); problem != "" {
		ft.Problem = problem
		return ft, nil
	}
	if day.Before(today) {
		ft.Problem = "That day has passed."
		return ft, nil
	}
	av, err := s.staff.app.StaffAvailability(ctx, u, app.AvailabilityQuery{
		Service: q.Service, Mode: q.Mode, Artisan: q.Artisan, From: day, To: day, Moving: q.Moving,
	})
	if err != nil {
		if k := booking.ErrorKind(err); k == booking.EINVALID || k == booking.EFORBIDDEN {
			ft.Problem = "No times can be listed for that choice of service, way and artisan."
			return ft, nil
		}
		return nil, err
	}
	for _, sl := range av.Slots {
		at := sl.Start.In(c.Loc)
		t := freeTime{ID: "t" + at.Format("1504"), Value: at.Format(time.RFC3339), Atelier: fmtTime(staffLang, at)}
		if custLoc != nil && !sameOffsets(custLoc, c.Loc, sl.Start) {
			there := sl.Start.In(custLoc)
			t.Customer = fmtTime(staffLang, there)
			if booking.DateOf(there) != booking.DateOf(at) {
				t.Customer = there.Format("Mon") + " " + t.Customer
			}
			t.Customer += " for the customer"
			ft.CustomerZone = zoneLabel(q.CustomerTZ)
		}
		if q.Artisan == "" {
			names := make([]string, 0, sl.Artisans.Len())
			for id := range sl.Artisans.All() {
				names = append(names, c.artisanName(id))
			}
			t.Who = strings.Join(names, ", ")
		}
		if sel, err := time.Parse(time.RFC3339, q.Selected); err == nil && sel.Equal(sl.Start) {
			t.Selected = true
		}
		ft.Times = append(ft.Times, t)
	}
	if len(ft.Times) == 0 {
		next, err := s.staff.app.StaffAvailability(ctx, u, app.AvailabilityQuery{
			Service: q.Service, Mode: q.Mode, Artisan: q.Artisan, From: day.AddDays(1), To: day.AddDays(pickerHorizon), Moving: q.Moving,
		})
		if err != nil {
			return nil, err
		}
		if len(next.Slots) > 0 {
			d := booking.DateOf(next.Slots[0].Start.In(c.Loc))
			ft.NextFree, ft.NextFreeLabel = d.String(), fmtDate(staffLang, d.In(c.Loc))
		}
	}
	return ft, nil
}

// pickerProblem says in plain words why q cannot list times, or "".
func pickerProblem(c *catalogue, q pickerQuery) string {
	staffLang := i18n.English()
	svc := c.service(q.Service)
	switch {
	case svc == nil:
		return "Choose a service to see its free times."
	case !svc.Offers(booking.Mode(q.Mode)):
		return svc.Name + " is not offered as a " + strings.ToLower(modeLabel(staffLang, booking.Mode(q.Mode))) + ": choose another way."
	case q.Artisan != "" && c.artisan(q.Artisan) == nil:
		return "That artisan is not in the catalogue: choose another."
	}
	if q.Artisan != "" {
		for _, a := range c.artisansFor(svc) {
			if a.ID == q.Artisan {
				return ""
			}
		}
		return c.artisanName(q.Artisan) + " does not offer " + svc.Name + ": choose another artisan or whoever is free."
	}
	return ""
}

// errNoTimePicked is a staff form sent without a free time chosen.
var errNoTimePicked = errors.New("no time picked")

// pickProblem is the message of a start pickedStart refused.
func pickProblem(err error) string {
	if errors.Is(err, errNoTimePicked) {
		return "Choose one of the free times."
	}
	return whenProblem(err)
}

// pickedStart reads the start of a staff form: the picker's start, or
// for a form without one (an older page, a script) its date and time at
// the atelier.
func pickedStart(form interface{ Get(string) string }, loc *time.Location) (time.Time, error) {
	if v := strings.TrimSpace(form.Get("start")); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return time.Time{}, errNoTimePicked
		}
		return t, nil
	}
	if strings.TrimSpace(form.Get("time")) == "" {
		return time.Time{}, errNoTimePicked
	}
	return localTime(form.Get("date"), form.Get("time"), loc)
}
