// Package i18n is the one message catalogue of every customer-facing
// string (pages, e-mails, invitations, the API's problem details), with
// plural rules (github.com/nicksnyder/go-i18n/v2), and the per-language
// writing of dates and times that pages and e-mails share.
//
// The shipped languages' messages are embedded (locales/*.yaml, one flat
// map of dotted ids per language). A Catalogue holds the configured
// languages (atelier.languages) and the clock (atelier.clock); a Lang is
// one of them, chosen per request or kept by a booking. It does no I/O
// after New.
package i18n

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
)

//go:embed locales/*.yaml
var localeFS embed.FS

// Default is the language of a catalogue that names none, of a booking
// made before languages were kept, and the fallback of a missing message.
const Default = "en"

// shipped lists the languages with a message file, in the order the
// language switch shows them; each has its writing of dates (formats).
var shipped = []string{"en", "zh-Hans"}

// Shipped lists the languages this binary carries messages for.
func Shipped() []string { return slices.Clone(shipped) }

// Clock is how times of day are written: "12h" (2:30 pm) or "24h"
// (14:30); "" takes each language's usual one.
type Clock string

const (
	Clock12      Clock = "12h"
	Clock24      Clock = "24h"
	ClockDefault Clock = ""
)

// Catalogue is the configured languages with their messages.
type Catalogue struct {
	bundle  *goi18n.Bundle
	langs   map[string]*Lang
	order   []string
	matcher language.Matcher
	staff   *Lang // English on the configured clock, for staff pages and mail
}

// New builds the catalogue of languages (their first one is the default
// for a visitor whose browser asks for none of them) writing times with
// clock. An unknown language or clock is an error naming it.
func New(languages []string, clock Clock) (*Catalogue, error) {
	if len(languages) == 0 {
		languages = []string{Default}
	}
	switch clock {
	case Clock12, Clock24, ClockDefault:
	default:
		return nil, fmt.Errorf("i18n: clock %q: want 12h or 24h", clock)
	}
	b, err := loadBundle()
	if err != nil {
		return nil, err
	}
	c := &Catalogue{bundle: b, langs: map[string]*Lang{}}
	var tags []language.Tag
	for _, name := range languages {
		canon := Canonical(name)
		if canon == "" {
			return nil, fmt.Errorf("i18n: language %q is not shipped (shipped: %s)", name, strings.Join(shipped, ", "))
		}
		if _, dup := c.langs[canon]; dup {
			return nil, fmt.Errorf("i18n: language %q listed twice", name)
		}
		l := newLang(b, canon, clock)
		c.langs[canon] = l
		c.order = append(c.order, canon)
		tags = append(tags, l.tag)
	}
	c.matcher = language.NewMatcher(tags)
	c.staff = newLang(b, Default, clock)
	return c, nil
}

var (
	bundleOnce sync.Once
	bundleVal  *goi18n.Bundle
	bundleErr  error
)

// loadBundle parses the embedded message files once: they never change,
// so every catalogue shares the one parsed bundle (read only).
func loadBundle() (*goi18n.Bundle, error) {
	bundleOnce.Do(func() {
		b := goi18n.NewBundle(language.English)
		b.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
		for _, name := range shipped {
			p := "locales/" + name + ".yaml"
			buf, err := fs.ReadFile(localeFS, p)
			if err != nil {
				bundleErr = fmt.Errorf("i18n: %w", err)
				return
			}
			if _, err := b.ParseMessageFileBytes(buf, p); err != nil {
				bundleErr = fmt.Errorf("i18n: %s: %w", p, err)
				return
			}
		}
		bundleVal = b
	})
	return bundleVal, bundleErr
}

// Canonical is the shipped language name matching name ("zh-hans",
// "zh_Hans" → "zh-Hans"), or "" for none.
func Canonical(name string) string {
	name = strings.ReplaceAll(strings.TrimSpace(name), "_", "-")
	for _, s := range shipped {
		if strings.EqualFold(s, name) {
			return s
		}
	}
	return ""
}

// Languages lists the configured languages, the default first.
func (c *Catalogue) Languages() []*Lang {
	out := make([]*Lang, len(c.order))
	for i, n := range c.order {
		out[i] = c.langs[n]
	}
	return out
}

// Staff is the language of staff pages and staff e-mails: English, on
// the configured clock, whether or not customers are offered English.
func (c *Catalogue) Staff() *Lang {
	if c == nil {
		return fallback()
	}
	return c.staff
}

// Has reports whether name is a configured language.
func (c *Catalogue) Has(name string) bool {
	_, ok := c.langs[Canonical(name)]
	return ok
}

// Found says whether tag names a configured language (Find).
func (c *Catalogue) Found(tag string) bool {
	_, ok := c.Find(tag)
	return ok
}

// Find is the configured language a BCP 47 tag names: its own name in any
// case ("zh-hans"), or a tag that means it ("zh-CN", "zh-SG", "zh" for
// zh-Hans; "en-US" for en), as the language matcher judges with high
// confidence. A tag of a language not configured ("fr", "zh-TW", which is
// written in traditional characters) is not found.
func (c *Catalogue) Find(tag string) (*Lang, bool) {
	if c == nil {
		l := fallback()
		if Canonical(tag) == l.Name() {
			return l, true
		}
		return nil, false
	}
	if l, ok := c.langs[Canonical(tag)]; ok {
		return l, true
	}
	t, err := language.Parse(strings.TrimSpace(tag))
	if err != nil {
		return nil, false
	}
	if _, i, conf := c.matcher.Match(t); conf >= language.High {
		return c.langs[c.order[i]], true
	}
	return nil, false
}

// Lang is the configured language name, or the default one when name is
// not configured (a booking kept in a language since removed).
func (c *Catalogue) Lang(name string) *Lang {
	if c == nil {
		return fallback()
	}
	if l, ok := c.langs[Canonical(name)]; ok {
		return l
	}
	return c.langs[c.order[0]]
}

// Negotiate chooses the language of a request: an explicit choice
// (?lang=), then the one remembered (the cookie), then the best of the
// browser's Accept-Language among the configured ones, then the default.
func (c *Catalogue) Negotiate(explicit, remembered, acceptLanguage string) *Lang {
	if c == nil {
		return fallback()
	}
	for _, n := range []string{explicit, remembered} {
		if l, ok := c.Find(n); ok && n != "" {
			return l // a tag that means a configured language (zh-CN: zh-Hans)
		}
	}
	return c.Match(acceptLanguage)
}

// Match is the configured language that best serves an Accept-Language
// header; the default when none does.
func (c *Catalogue) Match(acceptLanguage string) *Lang {
	if c == nil {
		return fallback()
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return c.langs[c.order[0]]
	}
	_, i, conf := c.matcher.Match(tags...)
	if conf == language.No {
		return c.langs[c.order[0]]
	}
	return c.langs[c.order[i]]
}

var (
	fallbackOnce sync.Once
	fallbackLang *Lang
)

// fallback is English with its own clock, for a nil catalogue (a test or
// a tool that configures no languages): never nil.
func fallback() *Lang {
	fallbackOnce.Do(func() {
		b, err := loadBundle()
		if err != nil {
			panic(err) // the embedded files are checked by the tests
		}
		fallbackLang = newLang(b, Default, ClockDefault)
	})
	return fallbackLang
}

// English is the default language with its usual clock (never nil).
func English() *Lang { return fallback() }

// ids lists the message ids of the shipped language name (for tests).
func ids(name string) (map[string]*goi18n.Message, error) {
	buf, err := fs.ReadFile(localeFS, "locales/"+name+".yaml")
	if err != nil {
		return nil, err
	}
	msgs, err := goi18n.ParseMessageBytes(buf, yaml.Unmarshal)
	if err != nil {
		return nil, err
	}
	out := map[string]*goi18n.Message{}
	for _, m := range msgs {
		out[m.ID] = m
	}
	return out, nil
}

// Text is a configured text in one language for all ("" key) or one per
// language (services[].bring and the like; config.Text reads it).
type Text map[string]string

// In is the text in lang: its own, else the text for all languages,
// else the default language's, else any shipped language's.
func (t Text) In(lang string) string {
	if s := strings.TrimSpace(t[lang]); s != "" {
		return s
	}
	for _, k := range append([]string{""}, shipped...) {
		if s := strings.TrimSpace(t[k]); s != "" {
			return s
		}
	}
	return ""
}
