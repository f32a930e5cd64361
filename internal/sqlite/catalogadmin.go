package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// The admins' edits of the catalogue (booking.CatalogEditor). Each write
// marks its row source 'staff', so that SyncCatalog leaves it alone from
// then on, and writes an audit row with the item before and after.

// SharedCatalog returns the whole current catalogue (every closure and
// time off, past ones too) as the store keeps it in memory, without the
// copy Catalog makes: a reader that only reads names and addresses, such
// as the mail renderer, must not change it. It costs no I/O while the
// cached catalogue is current (a booking's transaction has read it
// already).
func (st *CatalogStore) SharedCatalog(ctx context.Context) (*booking.Catalog, error) {
	c, err := st.db.fullCatalog(ctx, st.db.read)
	if err != nil {
		return nil, unavailable(fmt.Errorf("sqlite: catalog: %w", err))
	}
	return c, nil
}

// CatalogItems returns every room, service and artisan, active or not, in
// catalogue order, with the booking rules.
func (st *CatalogStore) CatalogItems(ctx context.Context) (*booking.CatalogItems, error) {
	out, err := catalogItems(ctx, st.db.read)
	if err != nil {
		return nil, unavailable(fmt.Errorf("sqlite: catalogue items: %w", err))
	}
	return out, nil
}

func catalogItems(ctx context.Context, q queryer) (*booking.CatalogItems, error) {
	out := &booking.CatalogItems{}
	var notice, horizon, interval, pending int
	err := q.QueryRowContext(ctx, `SELECT min_notice_minutes, horizon_days, slot_interval_minutes, rules_source, pending_hours
		FROM atelier WHERE id = 1`).Scan(&notice, &horizon, &interval, &out.RulesSource, &pending)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, booking.Errorf(booking.EUNAVAILABLE, booking.CodeInternal, "the atelier is not configured yet")
	}
	if err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	out.Rules = booking.Rules{MinNotice: time.Duration(notice) * time.Minute, HorizonDays: horizon,
		SlotInterval: time.Duration(interval) * time.Minute, PendingFor: time.Duration(pending) * time.Hour}
	steps := []func(context.Context, queryer, *booking.CatalogItems) error{itemRooms, itemServices, itemModes, itemArtisans, itemLinks}
	for _, step := range steps {
		if err := step(ctx, q, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// eachRow runs query and calls scan for each row.
func eachRow(ctx context.Context, q queryer, what, query string, scan func(*sql.Rows) error, args ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	if err := closeRows(rows); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// parseUpdated reads an updated_at column (empty: never changed in the app).
func parseUpdated(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return parseTime(s)
}

func itemRooms(ctx context.Context, q queryer, out *booking.CatalogItems) error {
	return eachRow(ctx, q, "rooms", `SELECT id, name, active, source, updated_at FROM rooms ORDER BY active DESC, position, id`,
		func(rows *sql.Rows) error {
			var r booking.RoomItem
			var updated string
			if err := rows.Scan(&r.ID, &r.Name, &r.Active, &r.Source, &updated); err != nil {
				return err
			}
			var err error
			r.UpdatedAt, err = parseUpdated(updated)
			out.Rooms = append(out.Rooms, r)
			return err
		})
}

func itemServices(ctx context.Context, q queryer, out *booking.CatalogItems) error {
	return eachRow(ctx, q, "services", `SELECT id, name, description, duration_minutes, active, source, updated_at,
		questions, change_cutoff_hours, max_reschedules, public, CASE WHEN artisans_needed > 1 THEN artisans_needed ELSE 0 END,
		requires_confirmation
		FROM services ORDER BY active DESC, position, id`,
		func(rows *sql.Rows) error {
			var s booking.ServiceItem
			var public bool
			var minutes int
			var updated, questions string
			var cutoff, moves sql.NullInt64
			if err := rows.Scan(&s.ID, &s.Name, &s.Description, &minutes, &s.Active, &s.Source, &updated,
				&questions, &cutoff, &moves, &public, &s.ArtisansNeeded, &s.RequiresConfirmation); err != nil {
				return err
			}
			s.Private = !public
			s.Duration = time.Duration(minutes) * time.Minute
			s.Buffers = map[booking.Mode]booking.Buffer{}
			s.ChangeCutoff, s.MaxReschedules = servicePolicy(cutoff, moves)
			var err error
			if s.Questions, err = booking.ParseQuestions(questions); err != nil {
				return fmt.Errorf("service %s: %w", s.ID, err)
			}
			s.UpdatedAt, err = parseUpdated(updated)
			out.Services = append(out.Services, s)
			return err
		})
}

func itemModes(ctx context.Context, q queryer, out *booking.CatalogItems) error {
	return eachRow(ctx, q, "service modes", `SELECT service_id, mode, buffer_before_minutes, buffer_after_minutes
		FROM service_modes ORDER BY service_id, position`,
		func(rows *sql.Rows) error {
			var id string
			var m booking.Mode
			var before, after int
			if err := rows.Scan(&id, &m, &before, &after); err != nil {
				return err
			}
			if s := out.Service(id); s != nil {
				s.Modes = append(s.Modes, m)
				s.Buffers[m] = booking.Buffer{Before: time.Duration(before) * time.Minute, After: time.Duration(after) * time.Minute}
			}
			return nil
		})
}

func itemArtisans(ctx context.Context, q queryer, out *booking.CatalogItems) error {
	return eachRow(ctx, q, "artisans", `SELECT id, name, bio, email, working_hours, daily_cap, meeting_url, active, source, updated_at
		FROM artisans ORDER BY active DESC, position, id`,
		func(rows *sql.Rows) error {
			var a booking.ArtisanItem
			var hours, updated string
			if err := rows.Scan(&a.ID, &a.Name, &a.Bio, &a.Email, &hours, &a.DailyCap, &a.MeetingURL, &a.Active, &a.Source, &updated); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(hours), &a.Hours); err != nil {
				return fmt.Errorf("working hours of %s: %w", a.ID, err)
			}
			var err error
			a.UpdatedAt, err = parseUpdated(updated)
			out.Artisans = append(out.Artisans, a)
			return err
		})
}

// itemLinks reads which artisan offers which service, in each artisan's
// order; each service's artisans come out in the artisans' order.
func itemLinks(ctx context.Context, q queryer, out *booking.CatalogItems) error {
	return eachRow(ctx, q, "artisan services", `SELECT x.artisan_id, x.service_id FROM artisan_services AS x
		JOIN artisans AS a ON a.id = x.artisan_id ORDER BY a.active DESC, a.position, a.id, x.position`,
		func(rows *sql.Rows) error {
			var aid, sid string
			if err := rows.Scan(&aid, &sid); err != nil {
				return err
			}
			a, s := out.Artisan(aid), out.Service(sid)
			if a != nil && s != nil {
				a.Services = append(a.Services, sid)
				s.Artisans = append(s.Artisans, aid)
			}
			return nil
		})
}

// prepareSave reads the items inside tx and checks that id exists (or,
// with create, that it does not).
func prepareSave(found, create bool, what string) error {
	switch {
	case create && found:
		return booking.Errorf(booking.ECONFLICT, booking.CodeIDTaken, "a %s with this id exists already (offered or not); choose another id", what)
	case !create && !found:
		return booking.ErrNotFound(what)
	}
	return nil
}

// checkRefs returns an EINVALID error on field for each id that is not
// known.
func checkRefs(field string, ids []string, known func(string) bool) error {
	for i, id := range ids {
		if !known(id) {
			return &booking.Error{Kind: booking.EINVALID, Code: booking.CodeInvalid, Message: "unknown " + field,
				Fields: map[string]string{fmt.Sprintf("%s[%d]", field, i): fmt.Sprintf("no %s has the id %q", field[:len(field)-1], id)}}
		}
	}
	return nil
}

// SaveService creates or replaces a service, its modes and who offers it.
func (st *CatalogStore) SaveService(ctx context.Context, s booking.ServiceItem, create bool, actor booking.Actor) error {
	err := st.db.inTx(ctx, func(tx *Tx) error {
		items, err := catalogItems(ctx, tx)
		if err != nil {
			return err
		}
		before := items.Service(s.ID)
		if err := prepareSave(before != nil, create, "service"); err != nil {
			return err
		}
		if err := checkRefs("artisans", s.Artisans, func(id string) bool { return items.Artisan(id) != nil }); err != nil {
			return err
		}
		now := fmtTime(tx.now)
		questions, err := booking.QuestionsJSON(s.Questions)
		if err != nil {
			return err
		}
		cutoff, moves := policyColumns(&s.Service)
		_, err = tx.ExecContext(ctx, `INSERT INTO services (id, name, description, duration_minutes, position, active, source, updated_at,
			questions, change_cutoff_hours, max_reschedules, public, artisans_needed, requires_confirmation)
			VALUES (?, ?, ?, ?, (SELECT coalesce(max(position), -1) + 1 FROM services), ?, 'staff', ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description,
			duration_minutes = excluded.duration_minutes, active = excluded.active, source = 'staff', updated_at = excluded.updated_at,
			questions = excluded.questions, change_cutoff_hours = excluded.change_cutoff_hours,
			max_reschedules = excluded.max_reschedules, public = excluded.public,
			artisans_needed = excluded.artisans_needed, requires_confirmation = excluded.requires_confirmation`,
			s.ID, s.Name, s.Description, int(s.Duration/time.Minute), s.Active, now, questions, cutoff, moves, !s.Private, s.Needed(), s.RequiresConfirmation)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM service_modes WHERE service_id = ?`, s.ID); err != nil {
			return err
		}
		for j, m := range s.Modes {
			b := s.Buffers[m]
			if _, err := tx.ExecContext(ctx, `INSERT INTO service_modes (service_id, mode, buffer_before_minutes, buffer_after_minutes, position)
				VALUES (?, ?, ?, ?, ?)`, s.ID, string(m), int(b.Before/time.Minute), int(b.After/time.Minute), j); err != nil {
				return err
			}
		}
		if err := linkService(ctx, tx, s.ID, s.Artisans); err != nil {
			return err
		}
		action := "service.updated"
		if create {
			action = "service.created"
		}
		var b any
		if before != nil {
			b = before.Snapshot()
		}
		return writeAudit(ctx, tx, actor, action, "", "service:"+s.ID, b, s.Snapshot())
	})
	if err != nil {
		return fmt.Errorf("sqlite: save service: %w", err)
	}
	return nil
}

// linkService makes artisans exactly those who offer service id. A link
// kept keeps its place in the artisan's list; a new one comes last.
func linkService(ctx context.Context, tx *Tx, id string, artisans []string) error {
	keep, err := json.Marshal(nonNilStrings(artisans))
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM artisan_services WHERE service_id = ?
		AND artisan_id NOT IN (SELECT value FROM json_each(?))`, id, string(keep)); err != nil {
		return err
	}
	for _, aid := range artisans {
		if _, err := tx.ExecContext(ctx, `INSERT INTO artisan_services (artisan_id, service_id, position)
			VALUES (?, ?, (SELECT coalesce(max(position), -1) + 1 FROM artisan_services WHERE artisan_id = ?))
			ON CONFLICT (artisan_id, service_id) DO NOTHING`, aid, id, aid); err != nil {
			return err
		}
	}
	return nil
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// SaveArtisan creates or replaces an artisan and the services they offer.
// A new artisan's hours are marked the staff's, as an existing one's are
// once changed here.
func (st *CatalogStore) SaveArtisan(ctx context.Context, a booking.ArtisanItem, create bool, actor booking.Actor) error {
	hours, err := hoursJSON(a.Hours)
	if err != nil {
		return booking.Errorf(booking.EINVALID, booking.CodeInvalid, "invalid working hours: %v", err)
	}
	err = st.db.inTx(ctx, func(tx *Tx) error {
		items, err := catalogItems(ctx, tx)
		if err != nil {
			return err
		}
		before := items.Artisan(a.ID)
		if err := prepareSave(before != nil, create, "artisan"); err != nil {
			return err
		}
		if err := checkRefs("services", a.Services, func(id string) bool { return items.Service(id) != nil }); err != nil {
			return err
		}
		now := fmtTime(tx.now)
		_, err = tx.ExecContext(ctx, `INSERT INTO artisans (id, name, bio, email, working_hours, working_hours_source,
			working_hours_updated_at, daily_cap, position, active, updated_at, meeting_url, source)
			VALUES (?, ?, ?, ?, ?, 'staff', ?, ?, (SELECT coalesce(max(position), -1) + 1 FROM artisans), ?, ?, ?, 'staff')
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, bio = excluded.bio, email = excluded.email,
			working_hours = excluded.working_hours,
			working_hours_source = CASE WHEN artisans.working_hours = excluded.working_hours THEN artisans.working_hours_source ELSE 'staff' END,
			working_hours_updated_at = CASE WHEN artisans.working_hours = excluded.working_hours THEN artisans.working_hours_updated_at ELSE excluded.updated_at END,
			daily_cap = excluded.daily_cap, active = excluded.active, updated_at = excluded.updated_at,
			meeting_url = excluded.meeting_url, source = 'staff'`,
			a.ID, a.Name, a.Bio, a.Email, hours, now, a.DailyCap, a.Active, now, a.MeetingURL)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM artisan_services WHERE artisan_id = ?`, a.ID); err != nil {
			return err
		}
		for j, sid := range a.Services {
			if _, err := tx.ExecContext(ctx, `INSERT INTO artisan_services (artisan_id, service_id, position) VALUES (?, ?, ?)`,
				a.ID, sid, j); err != nil {
				return err
			}
		}
		action := "artisan.updated"
		if create {
			action = "artisan.created"
		}
		var b any
		if before != nil {
			b = before.Snapshot()
		}
		return writeAudit(ctx, tx, actor, action, "", "artisan:"+a.ID, b, a.Snapshot())
	})
	if err != nil {
		return fmt.Errorf("sqlite: save artisan: %w", err)
	}
	return nil
}

// SaveRoom adds, renames, offers again or withdraws a room.
func (st *CatalogStore) SaveRoom(ctx context.Context, r booking.RoomItem, create bool, actor booking.Actor) error {
	err := st.db.inTx(ctx, func(tx *Tx) error {
		var before *booking.RoomItem
		var cur booking.RoomItem
		err := tx.QueryRowContext(ctx, `SELECT id, name, active FROM rooms WHERE id = ?`, r.ID).Scan(&cur.ID, &cur.Name, &cur.Active)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		default:
			before = &cur
		}
		// Adding a room that was withdrawn offers it again.
		if reoffer := create && before != nil && !before.Active; !reoffer {
			if err := prepareSave(before != nil, create, "room"); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO rooms (id, name, position, active, source, updated_at)
			VALUES (?, ?, (SELECT coalesce(max(position), -1) + 1 FROM rooms), ?, 'staff', ?)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, active = excluded.active, source = 'staff',
			updated_at = excluded.updated_at`, r.ID, r.Name, r.Active, fmtTime(tx.now))
		if err != nil {
			return err
		}
		action := "room.updated"
		switch {
		case create:
			action = "room.added"
		case !r.Active:
			action = "room.deactivated"
		}
		var b any
		if before != nil {
			b = before.Snapshot()
		}
		return writeAudit(ctx, tx, actor, action, "", "room:"+r.ID, b, r.Snapshot())
	})
	if err != nil {
		return fmt.Errorf("sqlite: save room: %w", err)
	}
	return nil
}

// SetRules replaces the booking rules.
func (st *CatalogStore) SetRules(ctx context.Context, r booking.Rules, actor booking.Actor) error {
	err := st.db.inTx(ctx, func(tx *Tx) error {
		var b booking.RulesSnapshot
		err := tx.QueryRowContext(ctx, `SELECT min_notice_minutes, horizon_days, slot_interval_minutes, pending_hours FROM atelier WHERE id = 1`).
			Scan(&b.MinNoticeMinutes, &b.HorizonDays, &b.SlotIntervalMinutes, &b.PendingHours)
		if errors.Is(err, sql.ErrNoRows) {
			return booking.ErrNotFound("atelier")
		}
		if err != nil {
			return err
		}
		a := r.Snapshot()
		_, err = tx.ExecContext(ctx, `UPDATE atelier SET min_notice_minutes = ?, horizon_days = ?, slot_interval_minutes = ?,
			pending_hours = ?, rules_source = 'staff', rules_updated_at = ?, updated_at = ? WHERE id = 1`,
			a.MinNoticeMinutes, a.HorizonDays, a.SlotIntervalMinutes, a.PendingHours, fmtTime(tx.now), fmtTime(tx.now))
		if err != nil {
			return err
		}
		return writeAudit(ctx, tx, actor, "booking_rules.set", "", "booking_rules", b, a)
	})
	if err != nil {
		return fmt.Errorf("sqlite: set booking rules: %w", err)
	}
	return nil
}
