package config

import (
	"fmt"
	"net/url"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/atelier-app/atelier/internal/i18n"
)

// Text is a configured text customers read, in one language for all or
// in several: a plain string is every language's; a map gives each
// language its own ({en: ..., zh-Hans: ...}), and a language it leaves
// out reads the default language's (the first of atelier.languages) or,
// failing that, any given.
type Text map[string]string

// allLanguages is the key of a plain string in a Text.
const allLanguages = ""

// UnmarshalYAML accepts a string or a map of language → string.
func (t *Text) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*t = Text{allLanguages: n.Value}
		return nil
	case yaml.MappingNode:
		m := map[string]string{}
		if err := n.Decode(&m); err != nil {
			return err
		}
		*t = Text(m)
		return nil
	}
	return fmt.Errorf("line %d: want a text or a map of language to text", n.Line)
}

// String is the text in the default language.
func (t Text) String() string { return t.In(i18n.Default) }

// In is the text in lang: its own, else the plain text, else the
// default language's, else any (i18n.Text).
func (t Text) In(lang string) string { return i18n.Text(t).In(lang) }

// Catalogue builds the message catalogue of atelier.languages and
// atelier.clock (validated by Parse).
func (c *Config) Catalogue() (*i18n.Catalogue, error) {
	return i18n.New(c.Atelier.Languages, i18n.Clock(c.Atelier.Clock))
}

// languages validates atelier.languages, atelier.clock, the translated
// texts' language keys and server.embed_origins.
func (v *validator) languages(c *Config) {
	seen := map[string]bool{}
	for i, l := range c.Atelier.Languages {
		key := fmt.Sprintf("atelier.languages[%d]", i)
		canon := i18n.Canonical(l)
		switch {
		case canon == "":
			v.add(key, "%q is not a shipped language (%s)", l, strings.Join(i18n.Shipped(), ", "))
		case seen[canon]:
			v.add(key, "%q is listed twice", l)
		}
		seen[canon] = true
	}
	v.oneOf("atelier.clock", c.Atelier.Clock, "", "12h", "24h")
	for i, s := range c.Services {
		v.text(fmt.Sprintf("services[%d].bring.in_person", i), s.Bring.InPerson)
		v.text(fmt.Sprintf("services[%d].bring.virtual", i), s.Bring.Virtual)
	}
	for i, o := range c.Server.EmbedOrigins {
		key := fmt.Sprintf("server.embed_origins[%d]", i)
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			v.add(key, "%q is not an origin (scheme and host, e.g. https://www.example.com)", o)
		}
	}
}

// text checks a translated text: every language key shipped, each at
// most 500 characters.
func (v *validator) text(key string, t Text) { v.textMax(key, t, 500) }

// textMax is text with a limit of max characters.
func (v *validator) textMax(key string, t Text, max int) {
	for lang, s := range t {
		if lang != allLanguages && i18n.Canonical(lang) != lang {
			v.add(key, "language %q is not a shipped language (%s)", lang, strings.Join(i18n.Shipped(), ", "))
		}
		k := key
		if lang != allLanguages {
			k += "." + lang
		}
		v.maxLen(k, s, max)
	}
}

// EmbedAncestors is the CSP frame-ancestors source list of the embed
// pages: the configured origins without a trailing slash, or 'none'.
func (s Server) EmbedAncestors() string {
	if len(s.EmbedOrigins) == 0 {
		return "'none'"
	}
	out := make([]string, len(s.EmbedOrigins))
	for i, o := range s.EmbedOrigins {
		out[i] = strings.TrimRight(o, "/")
	}
	return strings.Join(out, " ")
}
