package web

import (
	"strings"
	"time"

	"github.com/atelier-app/atelier/internal/backup"
	"github.com/atelier-app/atelier/internal/booking"
)

// backupNotice warns admins on the staff home page that the scheduled
// backups need attention.
type backupNotice struct {
	Headline, Detail string
}

// backupNotice returns the warning for u, or nil: only admins see it (they
// run the server), and only while the backups are failing.
func (s *Server) backupNotice(u *booking.User, loc *time.Location) *backupNotice {
	staffLang := s.langs.Staff()
	if s.staff.cfg.Backups == nil || !u.IsAdmin() {
		return nil
	}
	now := s.app.Now()
	st := s.staff.cfg.Backups()
	if !st.Failing(now) {
		return nil
	}
	when := func(t time.Time) string {
		t = t.In(loc)
		return fmtShortDate(staffLang, t) + " at " + fmtTime(staffLang, t)
	}
	n := &backupNotice{}
	if st.LastError != "" {
		n.Headline = "The last backup of the database failed (" + when(st.LastAttempt) + ")."
		n.Detail = "The reason: " + strings.TrimRight(st.LastError, ". ") + ". "
	} else {
		n.Headline = "No backup of the database has been made for a while."
	}
	if st.LastSuccess.IsZero() {
		n.Detail += "There is no backup yet."
	} else {
		n.Detail += "The newest good backup is from " + when(st.LastSuccess) + "."
	}
	if !st.Next.IsZero() && st.Next.After(now) {
		n.Detail += " The next attempt is at " + fmtTime(staffLang, st.Next.In(loc)) + "."
	}
	n.Detail += " Bookings are not affected; whoever runs the server should look at its log."
	return n
}

// backupStatus is what the staff pages need to know of the backups.
type backupStatus = func() backup.Status
