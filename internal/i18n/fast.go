package i18n

import (
	"fmt"
	"io/fs"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// A message without plural forms whose only placeholders are {{.Name}}
// (nearly all of them) is filled here by joining its pieces, instead of by
// go-i18n, which looks the language up and executes a text/template with a
// map for every call: a tenth of the CPU of a booking's e-mails (issue 18).
// Anything else (plural forms, a value that is not a string, a placeholder
// not given, a message missing from the language) goes to go-i18n as
// before. TestFastMessagesMatchGoI18n fills every message of every shipped
// language both ways.

// piece is a literal (field == "") or a placeholder's field name.
type piece struct{ text, field string }

var (
	simpleOnce sync.Once
	simpleVal  map[string]map[string][]piece // language → id → pieces
	simpleErr  error
)

// simpleMessages returns the pieces of the shipped languages' simple
// messages, parsed once from the embedded files.
func simpleMessages() (map[string]map[string][]piece, error) {
	simpleOnce.Do(func() {
		simpleVal = map[string]map[string][]piece{}
		for _, name := range shipped {
			buf, err := fs.ReadFile(localeFS, "locales/"+name+".yaml")
			if err != nil {
				simpleErr = fmt.Errorf("i18n: %w", err)
				return
			}
			var raw map[string]any
			if err := yaml.Unmarshal(buf, &raw); err != nil {
				simpleErr = fmt.Errorf("i18n: %s: %w", name, err)
				return
			}
			m := map[string][]piece{}
			for id, v := range raw {
				if s, ok := v.(string); ok {
					if ps, ok := compile(s); ok {
						m[id] = ps
					}
				}
			}
			simpleVal[name] = m
		}
	})
	return simpleVal, simpleErr
}

// compile splits s into literals and {{.Name}} placeholders; ok is false
// for any other use of "{{" or "}}".
func compile(s string) (ps []piece, ok bool) {
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			if strings.Contains(s, "}}") {
				return nil, false
			}
			if s != "" {
				ps = append(ps, piece{text: s})
			}
			return ps, true
		}
		if strings.Contains(s[:i], "}}") {
			return nil, false
		}
		if i > 0 {
			ps = append(ps, piece{text: s[:i]})
		}
		rest := s[i+2:]
		j := strings.Index(rest, "}}")
		if j < 0 || !isField(rest[:j]) {
			return nil, false
		}
		ps = append(ps, piece{field: rest[1:j]})
		s = rest[j+2:]
	}
}

// isField reports whether a is ".Name": a dot and a Go identifier of
// ASCII letters, digits and underscores.
func isField(a string) bool {
	if len(a) < 2 || a[0] != '.' || a[1] >= '0' && a[1] <= '9' {
		return false
	}
	for _, c := range []byte(a[1:]) {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// fill writes ps with the string values of kv's pairs; ok is false if a
// placeholder has no value or a value that is not a string.
func fill(ps []piece, kv []any) (string, bool) {
	switch len(ps) {
	case 0:
		return "", true
	case 1:
		if ps[0].field == "" {
			return ps[0].text, true
		}
	}
	n := 0
	vals := make([]string, len(ps))
	for i, p := range ps {
		if p.field == "" {
			n += len(p.text)
			continue
		}
		v, ok := lookup(kv, p.field)
		if !ok {
			return "", false
		}
		vals[i] = v
		n += len(v)
	}
	var b strings.Builder
	b.Grow(n)
	for i, p := range ps {
		if p.field == "" {
			b.WriteString(p.text)
		} else {
			b.WriteString(vals[i])
		}
	}
	return b.String(), true
}

// lookup is the value of name in kv, as the map T builds from it would
// hold it (the last pair of a name wins), if it is a string.
func lookup(kv []any, name string) (string, bool) {
	var v any
	found := false
	for i := 0; i+1 < len(kv); i += 2 {
		if k, _ := kv[i].(string); k == name {
			v, found = kv[i+1], true
		}
	}
	s, ok := v.(string)
	return s, found && ok
}
