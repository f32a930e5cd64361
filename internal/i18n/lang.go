package i18n

import (
	"fmt"
	"strings"
	"time"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Lang is one language: its messages and its writing of dates and times.
type Lang struct {
	name   string
	tag    language.Tag
	loc    *goi18n.Localizer
	clock  Clock
	format *formats
	simple map[string][]piece // the messages T fills without go-i18n (fast.go)
}

func newLang(b *goi18n.Bundle, name string, clock Clock) *Lang {
	f := formatsOf(name)
	if clock == ClockDefault {
		clock = f.clock
	}
	simple, _ := simpleMessages() // on an error, none: go-i18n fills every message
	return &Lang{name: name, tag: language.Make(name), loc: goi18n.NewLocalizer(b, name), clock: clock, format: f, simple: simple[name]}
}

// Name is the language's tag as configured and stored: "en", "zh-Hans".
func (l *Lang) Name() string { return l.name }

// HTML is the value of <html lang> (and of Content-Language).
func (l *Lang) HTML() string { return l.format.html }

// Native is the language's name in itself, for the language switch.
func (l *Lang) Native() string { return l.format.native }

// Clock is how the language writes times of day here.
func (l *Lang) Clock() Clock { return l.clock }

// T is the message id, filled from the pairs of names and values in kv
// ("Name", "Mei"). A message missing from the catalogue is written as its
// id in brackets (the catalogue test fails on any).
func (l *Lang) T(id string, kv ...any) string {
	return l.localize(id, nil, kv)
}

// N is T for a message with plural forms, chosen by count; the message
// reads the number as {{.Count}}.
func (l *Lang) N(id string, count int, kv ...any) string {
	return l.localize(id, count, kv)
}

func (l *Lang) localize(id string, count any, kv []any) string {
	if ps, ok := l.simple[id]; ok && count == nil {
		if s, ok := fill(ps, kv); ok {
			return s
		}
	}
	return l.localizeSlow(id, count, kv)
}

// localizeSlow is localize through go-i18n.
func (l *Lang) localizeSlow(id string, count any, kv []any) string {
	data := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		k, _ := kv[i].(string)
		data[k] = kv[i+1]
	}
	if count != nil {
		data["Count"] = count
	}
	s, err := l.loc.Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: count})
	if err != nil && s == "" {
		return "[" + id + "]"
	}
	return s
}

// formats is a language's way of writing dates and times.
type formats struct {
	html, native string
	clock        Clock
	// date is the full date with its weekday; dateNoYear the same
	// without the year; short a date in a list; month a month's title.
	date, dateNoYear, short, month func(t time.Time) string
	time12                         func(t time.Time) string
	// join writes a date and a time together.
	join func(date, clock string) string
	// rangeSep joins two dates or times of a span; sentenceSep two
	// sentences (Chinese sets none after its full stop).
	rangeSep, sentenceSep string
}

var (
	enWeekdays   = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	zhWeekdays   = []string{"星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"}
	zhShortDays  = []string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}
	formatsByTag = map[string]*formats{
		"en": {
			html: "en-GB", native: "English", clock: Clock12,
			date:       func(t time.Time) string { return t.Format("Monday 2 January 2006") },
			dateNoYear: func(t time.Time) string { return t.Format("Monday 2 January") },
			short:      func(t time.Time) string { return t.Format("Mon 2 Jan") },
			month:      func(t time.Time) string { return t.Format("January 2006") },
			time12:     func(t time.Time) string { return t.Format("3:04 pm") },
			join:       func(d, c string) string { return d + ", " + c },
			rangeSep:   " – ", sentenceSep: " ",
		},
		"zh-Hans": {
			html: "zh-Hans", native: "简体中文", clock: Clock24,
			date: func(t time.Time) string {
				return fmt.Sprintf("%d年%d月%d日 %s", t.Year(), t.Month(), t.Day(), zhWeekdays[t.Weekday()])
			},
			dateNoYear: func(t time.Time) string {
				return fmt.Sprintf("%d月%d日 %s", t.Month(), t.Day(), zhWeekdays[t.Weekday()])
			},
			short: func(t time.Time) string {
				return fmt.Sprintf("%d月%d日 %s", t.Month(), t.Day(), zhShortDays[t.Weekday()])
			},
			month: func(t time.Time) string { return fmt.Sprintf("%d年%d月", t.Year(), t.Month()) },
			time12: func(t time.Time) string {
				h, m := t.Hour(), t.Minute()
				part := "上午"
				switch {
				case h >= 12 && h < 18:
					part = "下午"
				case h >= 18:
					part = "晚上"
				}
				h12 := h % 12
				if h12 == 0 {
					h12 = 12
				}
				return fmt.Sprintf("%s%d:%02d", part, h12, m)
			},
			join:     func(d, c string) string { return d + " " + c },
			rangeSep: "至", sentenceSep: "",
		},
	}
)

func formatsOf(name string) *formats {
	if f, ok := formatsByTag[name]; ok {
		return f
	}
	return formatsByTag[Default]
}

// Date is the full date with its weekday: "Tuesday 8 December 2026",
// "2026年12月8日 星期二".
func (l *Lang) Date(t time.Time) string { return l.format.date(t) }

// DateNoYear is Date without the year.
func (l *Lang) DateNoYear(t time.Time) string { return l.format.dateNoYear(t) }

// ShortDate is a date in a list: "Tue 8 Dec", "12月8日 周二".
func (l *Lang) ShortDate(t time.Time) string { return l.format.short(t) }

// Month is a month's title: "December 2026", "2026年12月".
func (l *Lang) Month(t time.Time) string { return l.format.month(t) }

// Time is a time of day on the configured clock: "2:30 pm" or "14:30";
// "下午2:30" or "14:30".
func (l *Lang) Time(t time.Time) string {
	if l.clock == Clock24 {
		return t.Format("15:04")
	}
	return l.format.time12(t)
}

// ClockTime is Time for a wall-clock time given in minutes after
// midnight; 24:00 is midnight at the end of the day.
func (l *Lang) ClockTime(minutes int) string {
	if minutes >= 24*60 {
		return l.T("time.midnight")
	}
	return l.Time(time.Date(2000, 1, 1, minutes/60, minutes%60, 0, 0, time.UTC))
}

// DateTime is a date and a time together: "Tuesday 8 December 2026,
// 2:30 pm".
func (l *Lang) DateTime(t time.Time) string { return l.format.join(l.Date(t), l.Time(t)) }

// Span is the time of an appointment from start to end, both in the
// zone they carry: the date once, then "2:30 pm – 4:00 pm"; an end on
// another day has its date too.
func (l *Lang) Span(start, end time.Time) string {
	s := l.DateTime(start)
	if end.IsZero() {
		return s
	}
	if y1, m1, d1 := start.Date(); true {
		if y2, m2, d2 := end.Date(); y1 != y2 || m1 != m2 || d1 != d2 {
			return s + l.format.rangeSep + l.DateTime(end)
		}
	}
	return s + l.format.rangeSep + l.Time(end)
}

// Range joins two already written parts of a span: "10:00 am – 6:00 pm".
func (l *Lang) Range(from, to string) string { return from + l.format.rangeSep + to }

// DateRange is the days from to to, both included: the first day's year
// is left out when both share it; one date when they are one day.
func (l *Lang) DateRange(from, to time.Time) string {
	switch {
	case from.Equal(to):
		return l.Date(from)
	case from.Year() == to.Year():
		return l.DateNoYear(from) + l.format.rangeSep + l.Date(to)
	default:
		return l.Date(from) + l.format.rangeSep + l.Date(to)
	}
}

// Weekday is the day's name: "Monday", "星期一".
func (l *Lang) Weekday(d time.Weekday) string {
	if l.name == "zh-Hans" {
		return zhWeekdays[d]
	}
	return enWeekdays[d]
}

// Duration is minutes in words: "90 minutes" is "1 hour 30 minutes",
// "1小时30分钟".
func (l *Lang) Duration(minutes int) string {
	h, m := minutes/60, minutes%60
	switch {
	case h == 0:
		return l.N("duration.minutes", m)
	case m == 0:
		return l.N("duration.hours", h)
	}
	return l.T("duration.hours_minutes", "Hours", l.N("duration.hours", h), "Minutes", l.N("duration.minutes", m))
}

// Join lists items as the language does: "a, b and c", "a、b和c".
func (l *Lang) Join(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return l.T("list.and", "Head", strings.Join(items[:len(items)-1], l.T("list.sep")), "Last", items[len(items)-1])
}

// zhCities are the Chinese names of the cities of common time zones; a
// zone not listed keeps its English city name.
var zhCities = map[string]string{
	"Singapore": "新加坡", "Kuala_Lumpur": "吉隆坡", "Hong_Kong": "香港", "Shanghai": "上海",
	"Taipei": "台北", "Tokyo": "东京", "Seoul": "首尔", "Bangkok": "曼谷", "Jakarta": "雅加达",
	"Manila": "马尼拉", "Ho_Chi_Minh": "胡志明市", "Kolkata": "加尔各答", "Dubai": "迪拜",
	"London": "伦敦", "Paris": "巴黎", "Berlin": "柏林", "Amsterdam": "阿姆斯特丹", "Zurich": "苏黎世",
	"New_York": "纽约", "Los_Angeles": "洛杉矶", "Chicago": "芝加哥", "Toronto": "多伦多", "Vancouver": "温哥华",
	"Sydney": "悉尼", "Melbourne": "墨尔本", "Perth": "珀斯", "Auckland": "奥克兰", "Macau": "澳门",
}

// City is the city of an IANA zone as l writes it: "Asia/Singapore" is
// "Singapore", "新加坡"; "America/New_York" "New York"; "UTC" stays.
func City(l *Lang, zone string) string {
	name := zone
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	if l != nil && l.name == "zh-Hans" {
		if zh, ok := zhCities[name]; ok {
			return zh
		}
	}
	return strings.ReplaceAll(name, "_", " ")
}

// Sentences joins sentences as the language does: with a space in
// English, with none in Chinese. Empty ones are left out.
func (l *Lang) Sentences(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, l.format.sentenceSep)
}
