package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// SyncCatalog applies the configuration file's catalogue to the database,
// in one transaction, at start-up. The rules, so that editing the file and
// restarting applies it while changes staff make in the app are never
// silently lost:
//
//   - Identity, booking rules, rooms, services, artisans and which artisan
//     offers which service: the file is the truth. Rooms, services and
//     artisans missing from the file become inactive (not deleted: old
//     bookings keep their references) and leave the catalogue.
//   - Opening hours and each artisan's working hours: taken from the file
//     while their source is 'config'. Once staff change them in the app
//     (source 'staff') the database wins, and a warning says the file's
//     value is ignored. If the file is edited to match the staff's hours,
//     the source goes back to 'config' and later file edits apply again.
//   - Closures and time off: those from the file (source 'config') are
//     replaced by the file's; those staff added are kept.
//   - Hours for one date: as the weekly hours, date by date (datehours.go).
//   - A room, service or artisan, and the booking rules, that an admin
//     added or edited in the app (source 'staff') are the database's from
//     then on: the file neither changes nor withdraws them, and a warning
//     names each file value that differs and is ignored. Which artisan
//     offers which service follows the file only between two items the
//     file owns.
//
// The warnings are for the operator's log.
func (st *CatalogStore) SyncCatalog(ctx context.Context, cat *booking.Catalog) (warnings []string, err error) {
	err = st.db.inTxAlone(ctx, func(tx *Tx) error {
		w, err := syncAtelier(ctx, tx, &cat.Atelier)
		if err != nil {
			return err
		}
		warnings = append(warnings, w...)
		w, err = syncRooms(ctx, tx, cat.Atelier.Rooms)
		if err != nil {
			return err
		}
		warnings = append(warnings, w...)
		w, err = syncServices(ctx, tx, cat.Services)
		if err != nil {
			return err
		}
		warnings = append(warnings, w...)
		w, err = syncArtisans(ctx, tx, cat.Artisans, cat.Atelier.Location)
		if err != nil {
			return err
		}
		warnings = append(warnings, w...)
		if err := syncClosures(ctx, tx, cat.Atelier.Closures); err != nil {
			return err
		}
		w, err = syncDateHours(ctx, tx, cat, cat.Atelier.Location)
		if err != nil {
			return err
		}
		warnings = append(warnings, w...)
		return syncTimeOff(ctx, tx, cat.Artisans)
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: sync catalogue: %w", err)
	}
	return warnings, nil
}

// hoursJSON returns the canonical JSON of w: days in key order, spans sorted.
func hoursJSON(w booking.WeekHours) (string, error) {
	b, err := json.Marshal(w)
	if err != nil {
		return "", err
	}
	var n booking.WeekHours
	if err := json.Unmarshal(b, &n); err != nil {
		return "", err
	}
	b, err = json.Marshal(n)
	return string(b), err
}

// changedOn formats the day a staff change was made, in the atelier's zone
// when known.
func changedOn(stored string, loc *time.Location) string {
	t, err := parseTime(stored)
	if err != nil {
		return stored
	}
	if loc != nil {
		t = t.In(loc)
	}
	return t.Format(time.DateOnly)
}

func syncAtelier(ctx context.Context, tx *Tx, a *booking.Atelier) ([]string, error) {
	now := tx.now
	hours, err := hoursJSON(a.Hours)
	if err != nil {
		return nil, fmt.Errorf("opening hours: %w", err)
	}
	var cur, source, changed string
	var rules staffRules
	err = tx.QueryRowContext(ctx, `SELECT opening_hours, opening_hours_source, opening_hours_updated_at,
		min_notice_minutes, horizon_days, slot_interval_minutes, rules_source, rules_updated_at, pending_hours
		FROM atelier WHERE id = 1`).Scan(&cur, &source, &changed,
		&rules.notice, &rules.horizon, &rules.interval, &rules.source, &rules.changed, &rules.pending)
	if errors.Is(err, sql.ErrNoRows) {
		_, err = tx.ExecContext(ctx, `INSERT INTO atelier (id, name, timezone, address, phone, email, map_url,
			min_notice_minutes, horizon_days, slot_interval_minutes,
			opening_hours, opening_hours_source, opening_hours_updated_at, updated_at, pending_hours)
			VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'config', ?, ?, ?)`,
			a.Name, a.Timezone, a.Address, a.Phone, a.Email, a.MapURL,
			int(a.Rules.MinNotice/time.Minute), a.Rules.HorizonDays, int(a.Rules.SlotInterval/time.Minute),
			hours, fmtTime(now), fmtTime(now), a.Rules.Snapshot().PendingHours)
		if err != nil {
			return nil, fmt.Errorf("atelier: %w", err)
		}
		return nil, syncPolicy(ctx, tx, a.Rules)
	}
	if err != nil {
		return nil, fmt.Errorf("atelier: %w", err)
	}
	var warnings []string
	switch {
	case cur == hours:
		source = "config" // the file agrees (again) with the database
	case source == "staff":
		warnings = append(warnings, fmt.Sprintf(
			"opening hours were changed by staff on %s; the file's opening_hours is ignored "+
				"(make the file match the app to manage them from the file again)", changedOn(changed, a.Location)))
		hours = cur
	default:
		changed = fmtTime(now)
	}
	r, w := rules.apply(a.Rules, a.Location)
	warnings = append(warnings, w...)
	_, err = tx.ExecContext(ctx, `UPDATE atelier SET name = ?, timezone = ?, address = ?, phone = ?, email = ?,
		map_url = ?, min_notice_minutes = ?, horizon_days = ?, slot_interval_minutes = ?,
		opening_hours = ?, opening_hours_source = ?, opening_hours_updated_at = ?, updated_at = ?, rules_source = ?,
		pending_hours = ?
		WHERE id = 1`,
		a.Name, a.Timezone, a.Address, a.Phone, a.Email, a.MapURL,
		r.MinNoticeMinutes, r.HorizonDays, r.SlotIntervalMinutes, hours, source, changed, fmtTime(now), rules.source,
		r.PendingHours)
	if err != nil {
		return nil, fmt.Errorf("atelier: %w", err)
	}
	if err := syncPolicy(ctx, tx, a.Rules); err != nil {
		return nil, err
	}
	return warnings, nil
}

// syncPolicy writes the file's booking policy (issue 13). The file is its
// truth for now: the app does not edit it yet.
func syncPolicy(ctx context.Context, tx *Tx, r booking.Rules) error {
	_, err := tx.ExecContext(ctx, `UPDATE atelier SET change_cutoff_hours = ?, max_reschedules = ?, policy_text = ? WHERE id = 1`,
		int64(r.ChangeCutoff/time.Hour), r.MaxReschedules, r.PolicyNote)
	if err != nil {
		return fmt.Errorf("booking policy: %w", err)
	}
	return nil
}

func syncRooms(ctx context.Context, tx *Tx, rooms []booking.Room) ([]string, error) {
	if _, err := tx.ExecContext(ctx, `UPDATE rooms SET active = 0 WHERE source = 'config'`); err != nil {
		return nil, fmt.Errorf("rooms: %w", err)
	}
	var warnings []string
	for i, r := range rooms {
		var name, source, changed string
		var active bool
		err := tx.QueryRowContext(ctx, `SELECT name, active, source, updated_at FROM rooms WHERE id = ?`, r.ID).
			Scan(&name, &active, &source, &changed)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return nil, fmt.Errorf("room %s: %w", r.ID, err)
		case source == booking.SourceStaff:
			warnings = append(warnings, ignored("room", r.ID, changed, tx.now, active, []fileValue{{"name", name, r.Name}})...)
			continue
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO rooms (id, name, position, active) VALUES (?, ?, ?, 1)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, position = excluded.position, active = 1`,
			r.ID, r.Name, i)
		if err != nil {
			return nil, fmt.Errorf("room %s: %w", r.ID, err)
		}
	}
	return warnings, nil
}

// fileValue is one value of a catalogue item in the file, with the
// database's, for the warning that names the file values ignored.
type fileValue struct{ key, db, file string }

// ignored returns the warning for an item the app owns whose file values
// differ from the database's (none when they agree and the item is
// offered).
func ignored(kind, id, changed string, now time.Time, active bool, values []fileValue) []string {
	var keys []string
	for _, v := range values {
		if v.db != v.file {
			keys = append(keys, v.key)
		}
	}
	when := changedOn(changed, nil)
	if changed == "" {
		when = now.UTC().Format(time.DateOnly)
	}
	switch {
	case !active:
		return []string{fmt.Sprintf("%s %q was withdrawn in the app on %s; the file's entry for it is ignored "+
			"(offer it again in the app)", kind, id, when)}
	case len(keys) == 0:
		return nil
	}
	return []string{fmt.Sprintf("%s %q was edited in the app on %s; the file's %s for %q is ignored "+
		"(the app's values are kept; edit it in the app)", kind, id, when, strings.Join(keys, ", "), id)}
}

// staffRules are the booking rules in the database with their source.
type staffRules struct {
	notice, horizon, interval int
	pending                   int // pending_hours (version 18)
	source, changed           string
}

// apply returns the rules to store: the file's while the rules are the
// file's (or the file agrees with the app again, which gives them back to
// the file), else the database's, with a warning naming the file's values
// ignored.
func (r *staffRules) apply(file booking.Rules, loc *time.Location) (booking.RulesSnapshot, []string) {
	f := file.Snapshot()
	if r.source != booking.SourceStaff {
		return f, nil
	}
	db := booking.RulesSnapshot{MinNoticeMinutes: r.notice, HorizonDays: r.horizon, SlotIntervalMinutes: r.interval, PendingHours: r.pending}
	keys := db.Differences(f)
	if len(keys) == 0 {
		r.source = booking.SourceConfig
		return f, nil
	}
	return db, []string{fmt.Sprintf("booking rules were changed in the app on %s; the file's %s is ignored "+
		"(make the file match the app to manage them from the file again)", changedOn(r.changed, loc), strings.Join(keys, ", "))}
}

// staffItem is what SyncCatalog knows of an item before it applies the
// file: whether it is the app's (and since when, and whether offered).
type staffItem struct {
	staff   bool
	active  bool
	changed string
}

func itemSource(ctx context.Context, tx *Tx, table, id string) (staffItem, error) {
	var it staffItem
	var source string
	err := tx.QueryRowContext(ctx, `SELECT source, active, updated_at FROM `+table+` WHERE id = ?`, id).
		Scan(&source, &it.active, &it.changed)
	if errors.Is(err, sql.ErrNoRows) {
		return it, nil
	}
	it.staff = source == booking.SourceStaff
	return it, err
}

func syncServices(ctx context.Context, tx *Tx, services []booking.Service) ([]string, error) {
	if _, err := tx.ExecContext(ctx, `UPDATE services SET active = 0 WHERE source = 'config'`); err != nil {
		return nil, fmt.Errorf("services: %w", err)
	}
	var warnings []string
	for i, s := range services {
		it, err := itemSource(ctx, tx, "services", s.ID)
		if err != nil {
			return nil, fmt.Errorf("service %s: %w", s.ID, err)
		}
		if it.staff {
			w, err := ignoredService(ctx, tx, s, it, tx.now)
			if err != nil {
				return nil, err
			}
			warnings = append(warnings, w...)
			continue
		}
		questions, err := booking.QuestionsJSON(s.Questions)
		if err != nil {
			return nil, fmt.Errorf("service %s: %w", s.ID, err)
		}
		cutoff, moves := policyColumns(&s)
		_, err = tx.ExecContext(ctx, `INSERT INTO services (id, name, description, duration_minutes, position, active, questions,
			change_cutoff_hours, max_reschedules, public, artisans_needed, requires_confirmation)
			VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description,
			duration_minutes = excluded.duration_minutes, position = excluded.position, active = 1,
			questions = excluded.questions,
			change_cutoff_hours = excluded.change_cutoff_hours, max_reschedules = excluded.max_reschedules,
			public = excluded.public, artisans_needed = excluded.artisans_needed, requires_confirmation = excluded.requires_confirmation`,
			s.ID, s.Name, s.Description, int(s.Duration/time.Minute), i, questions, cutoff, moves, !s.Private, s.Needed(), s.RequiresConfirmation)
		if err != nil {
			return nil, fmt.Errorf("service %s: %w", s.ID, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM service_modes WHERE service_id = ?`, s.ID); err != nil {
			return nil, fmt.Errorf("service %s: %w", s.ID, err)
		}
		for j, m := range s.Modes {
			b := s.Buffers[m]
			_, err := tx.ExecContext(ctx, `INSERT INTO service_modes
				(service_id, mode, buffer_before_minutes, buffer_after_minutes, position) VALUES (?, ?, ?, ?, ?)`,
				s.ID, string(m), int(b.Before/time.Minute), int(b.After/time.Minute), j)
			if err != nil {
				return nil, fmt.Errorf("service %s mode %s: %w", s.ID, m, err)
			}
		}
	}
	return warnings, nil
}

// ignoredService is the warning for a service the app owns whose file
// entry differs.
func ignoredService(ctx context.Context, tx *Tx, s booking.Service, it staffItem, now time.Time) ([]string, error) {
	items, err := catalogItems(ctx, tx)
	if err != nil {
		return nil, err
	}
	cur := items.Service(s.ID)
	if cur == nil {
		return nil, nil
	}
	return ignored("service", s.ID, it.changed, now, it.active, []fileValue{
		{"name", cur.Name, s.Name}, {"description", cur.Description, s.Description},
		{"duration_minutes", cur.Duration.String(), s.Duration.String()},
		{"modes", fmt.Sprint(cur.Modes), fmt.Sprint(s.Modes)},
		{"buffers", buffersText(cur.Service), buffersText(s)},
		{"artisans (who offers it)", sortedText(cur.Artisans), sortedText(s.Artisans)},
		{"questions", questionsText(cur.Questions), questionsText(s.Questions)},
		{"change_cutoff_hours", overrideText(cur.ChangeCutoff), overrideText(s.ChangeCutoff)},
		{"max_reschedules", overrideText(cur.MaxReschedules), overrideText(s.MaxReschedules)},
		{"public", fmt.Sprint(!cur.Private), fmt.Sprint(!s.Private)},
		{"artisans_needed", strconv.Itoa(cur.Needed()), strconv.Itoa(s.Needed())},
		{"requires_confirmation", fmt.Sprint(cur.RequiresConfirmation), fmt.Sprint(s.RequiresConfirmation)},
	}), nil
}

// questionsText is an intake form as the warning compares it.
func questionsText(qs []booking.Question) string {
	t, err := booking.QuestionsJSON(qs)
	if err != nil {
		return fmt.Sprint(qs)
	}
	return t
}

// overrideText is a policy override as the warning compares it ("" for
// none: the atelier's applies).
func overrideText[T any](p *T) string {
	if p == nil {
		return ""
	}
	return fmt.Sprint(*p)
}

func sortedText(ids []string) string {
	c := slices.Clone(ids)
	slices.Sort(c)
	return strings.Join(c, ",")
}

func buffersText(s booking.Service) string {
	var b strings.Builder
	for _, m := range s.Modes {
		fmt.Fprintf(&b, "%s:%v/%v ", m, s.Buffers[m].Before, s.Buffers[m].After)
	}
	return b.String()
}

func syncArtisans(ctx context.Context, tx *Tx, artisans []booking.Artisan, loc *time.Location) ([]string, error) {
	now := tx.now
	if _, err := tx.ExecContext(ctx, `UPDATE artisans SET active = 0 WHERE source = 'config'`); err != nil {
		return nil, fmt.Errorf("artisans: %w", err)
	}
	// The file's links are those between two items the file owns.
	if _, err := tx.ExecContext(ctx, `DELETE FROM artisan_services
		WHERE artisan_id IN (SELECT id FROM artisans WHERE source = 'config')
		AND service_id IN (SELECT id FROM services WHERE source = 'config')`); err != nil {
		return nil, fmt.Errorf("artisan services: %w", err)
	}
	var warnings []string
	for i, a := range artisans {
		it, err := itemSource(ctx, tx, "artisans", a.ID)
		if err != nil {
			return nil, fmt.Errorf("artisan %s: %w", a.ID, err)
		}
		if it.staff {
			w, err := ignoredArtisan(ctx, tx, a, it, now)
			if err != nil {
				return nil, err
			}
			warnings = append(warnings, w...)
			continue
		}
		w, err := syncArtisan(ctx, tx, i, a, loc)
		if err != nil {
			return nil, err
		}
		warnings = append(warnings, w...)
	}
	return warnings, nil
}

// syncArtisan applies the file's entry i for an artisan the file owns.
func syncArtisan(ctx context.Context, tx *Tx, i int, a booking.Artisan, loc *time.Location) ([]string, error) {
	now := tx.now
	var warnings []string
	hours, err := hoursJSON(a.Hours)
	if err != nil {
		return nil, fmt.Errorf("working hours of %s: %w", a.ID, err)
	}
	source, changed := "config", fmtTime(now)
	var cur, curSource, curChanged string
	err = tx.QueryRowContext(ctx, `SELECT working_hours, working_hours_source, working_hours_updated_at
		FROM artisans WHERE id = ?`, a.ID).Scan(&cur, &curSource, &curChanged)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return nil, fmt.Errorf("artisan %s: %w", a.ID, err)
	case cur == hours:
		changed = curChanged
	case curSource == "staff":
		warnings = append(warnings, fmt.Sprintf(
			"working hours of artisan %q were changed by staff on %s; the file's working_hours for %q is ignored",
			a.ID, changedOn(curChanged, loc), a.ID))
		hours, source, changed = cur, curSource, curChanged
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO artisans (id, name, bio, email, working_hours, working_hours_source,
		working_hours_updated_at, daily_cap, position, active, updated_at, meeting_url)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, bio = excluded.bio, email = excluded.email,
		working_hours = excluded.working_hours, working_hours_source = excluded.working_hours_source,
		working_hours_updated_at = excluded.working_hours_updated_at, daily_cap = excluded.daily_cap,
		position = excluded.position, active = 1, updated_at = excluded.updated_at, meeting_url = excluded.meeting_url`,
		a.ID, a.Name, a.Bio, a.Email, hours, source, changed, a.DailyCap, i, fmtTime(now), a.MeetingURL)
	if err != nil {
		return nil, fmt.Errorf("artisan %s: %w", a.ID, err)
	}
	for j, sid := range a.Services {
		var svcSource string
		if err := tx.QueryRowContext(ctx, `SELECT source FROM services WHERE id = ?`, sid).Scan(&svcSource); err != nil {
			return nil, fmt.Errorf("artisan %s service %s: %w", a.ID, sid, err)
		}
		if svcSource == booking.SourceStaff {
			continue // who offers it is the app's (ignoredService names it)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO artisan_services (artisan_id, service_id, position)
			VALUES (?, ?, ?) ON CONFLICT (artisan_id, service_id) DO UPDATE SET position = excluded.position`, a.ID, sid, j)
		if err != nil {
			return nil, fmt.Errorf("artisan %s service %s: %w", a.ID, sid, err)
		}
	}
	return warnings, nil
}

// ignoredArtisan is the warning for an artisan the app owns whose file
// entry differs.
func ignoredArtisan(ctx context.Context, tx *Tx, a booking.Artisan, it staffItem, now time.Time) ([]string, error) {
	items, err := catalogItems(ctx, tx)
	if err != nil {
		return nil, err
	}
	cur := items.Artisan(a.ID)
	if cur == nil {
		return nil, nil
	}
	curHours, err := hoursJSON(cur.Hours)
	if err != nil {
		return nil, err
	}
	fileHours, err := hoursJSON(a.Hours)
	if err != nil {
		return nil, err
	}
	return ignored("artisan", a.ID, it.changed, now, it.active, []fileValue{
		{"name", cur.Name, a.Name}, {"bio", cur.Bio, a.Bio}, {"email", cur.Email, a.Email},
		{"services", strings.Join(cur.Services, ","), strings.Join(a.Services, ",")},
		{"working_hours", curHours, fileHours}, {"daily_cap", fmt.Sprint(cur.DailyCap), fmt.Sprint(a.DailyCap)},
		{"meeting_url", cur.MeetingURL, a.MeetingURL},
	}), nil
}

// syncClosures makes the 'config' closures equal to the file's. Closures
// that did not change keep their ids.
func syncClosures(ctx context.Context, tx *Tx, closures []booking.Closure) error {
	key := func(from, to, reason string) string { return from + "\x00" + to + "\x00" + reason }
	want := map[string]bool{}
	for _, c := range closures {
		want[key(c.From.String(), c.To.String(), c.Reason)] = true
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, from_date, to_date, reason FROM closures WHERE source = 'config'`)
	if err != nil {
		return fmt.Errorf("closures: %w", err)
	}
	defer rows.Close()
	have := map[string]bool{}
	var drop []int64
	for rows.Next() {
		var id int64
		var from, to, reason string
		if err := rows.Scan(&id, &from, &to, &reason); err != nil {
			return fmt.Errorf("closures: %w", err)
		}
		k := key(from, to, reason)
		if want[k] && !have[k] {
			have[k] = true
		} else {
			drop = append(drop, id)
		}
	}
	if err := closeRows(rows); err != nil {
		return fmt.Errorf("closures: %w", err)
	}
	for _, id := range drop {
		if _, err := tx.ExecContext(ctx, `DELETE FROM closures WHERE id = ?`, id); err != nil {
			return fmt.Errorf("closures: %w", err)
		}
	}
	for _, c := range closures {
		k := key(c.From.String(), c.To.String(), c.Reason)
		if have[k] {
			continue
		}
		have[k] = true
		_, err := tx.ExecContext(ctx, `INSERT INTO closures (from_date, to_date, reason, source, created_at)
			VALUES (?, ?, ?, 'config', ?)`, c.From.String(), c.To.String(), c.Reason, fmtTime(tx.now))
		if err != nil {
			return fmt.Errorf("closure %s to %s: %w", c.From, c.To, err)
		}
	}
	return nil
}

// syncTimeOff makes the 'config' time off equal to the file's (if the
// configuration has any). Unchanged entries keep their ids.
func syncTimeOff(ctx context.Context, tx *Tx, artisans []booking.Artisan) error {
	key := func(artisan, start, end, reason string) string {
		return strings.Join([]string{artisan, start, end, reason}, "\x00")
	}
	want := map[string]bool{}
	for _, a := range artisans {
		for _, t := range a.TimeOff {
			want[key(a.ID, fmtTime(t.Start), fmtTime(t.End), t.Reason)] = true
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, artisan_id, start_at, end_at, reason FROM time_off WHERE source = 'config'`)
	if err != nil {
		return fmt.Errorf("time off: %w", err)
	}
	defer rows.Close()
	have := map[string]bool{}
	var drop []int64
	for rows.Next() {
		var id int64
		var artisan, start, end, reason string
		if err := rows.Scan(&id, &artisan, &start, &end, &reason); err != nil {
			return fmt.Errorf("time off: %w", err)
		}
		k := key(artisan, start, end, reason)
		if want[k] && !have[k] {
			have[k] = true
		} else {
			drop = append(drop, id)
		}
	}
	if err := closeRows(rows); err != nil {
		return fmt.Errorf("time off: %w", err)
	}
	for _, id := range drop {
		if _, err := tx.ExecContext(ctx, `DELETE FROM time_off WHERE id = ?`, id); err != nil {
			return fmt.Errorf("time off: %w", err)
		}
	}
	for _, a := range artisans {
		for _, t := range a.TimeOff {
			k := key(a.ID, fmtTime(t.Start), fmtTime(t.End), t.Reason)
			if have[k] {
				continue
			}
			have[k] = true
			_, err := tx.ExecContext(ctx, `INSERT INTO time_off (artisan_id, start_at, end_at, reason, source, created_at)
				VALUES (?, ?, ?, ?, 'config', ?)`, a.ID, fmtTime(t.Start), fmtTime(t.End), t.Reason, fmtTime(tx.now))
			if err != nil {
				return fmt.Errorf("time off of %s: %w", a.ID, err)
			}
		}
	}
	return nil
}
