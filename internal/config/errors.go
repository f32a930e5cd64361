package config

import (
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Problem is one thing wrong with a configuration file.
type Problem struct {
	Path    string // key path, e.g. "artisans[2].services[1]"; empty for the whole file
	Line    int    // 1-based line in the file, 0 when the key is absent
	Message string
}

func (p Problem) String() string {
	var b strings.Builder
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	} else if p.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", p.Line)
	}
	b.WriteString(p.Message)
	if p.Path != "" && p.Line > 0 {
		fmt.Fprintf(&b, " (line %d)", p.Line)
	}
	return b.String()
}

// Error lists every problem found in a configuration file.
type Error struct {
	File     string // as given to Load; empty for Parse
	Problems []Problem
}

// Error returns one problem per line, each prefixed with the file name.
func (e *Error) Error() string {
	prefix := ""
	if e.File != "" {
		prefix = e.File + ": "
	}
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = prefix + p.String()
	}
	return strings.Join(lines, "\n")
}

// newError orders problems by line, with problems about absent keys last.
func newError(file string, ps []Problem) *Error {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i].Line, ps[j].Line
		if a == 0 || b == 0 {
			return a != 0 && b == 0
		}
		return a < b
	})
	return &Error{File: file, Problems: ps}
}

// merge drops validation problems about values the decoder already
// complained about: a key that could not be decoded keeps its zero value or
// default, and a second message about it would only mislead.
func merge(decode, validate []Problem) []Problem {
	out := append([]Problem(nil), decode...)
next:
	for _, v := range validate {
		for _, d := range decode {
			if d.Path != "" && (v.Path == d.Path || strings.HasPrefix(v.Path, d.Path+".") || strings.HasPrefix(v.Path, d.Path+"[")) {
				continue next
			}
		}
		out = append(out, v)
	}
	return out
}

var (
	reSyntax    = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	reUnknown   = regexp.MustCompile(`^line (\d+): field (.+) not found in type (\S+)$`)
	reDuplicate = regexp.MustCompile(`^line (\d+): mapping key (".*") already defined at line (\d+)$`)
	reCannot    = regexp.MustCompile("^line (\\d+): cannot unmarshal !!(\\w+)(?: `(.*)`)? into (.+)$")
)

// syntaxProblem turns a YAML syntax error into a Problem with its line.
func syntaxProblem(err error) Problem {
	msg := err.Error()
	if m := reSyntax.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return Problem{Line: line, Message: "not valid YAML: " + m[2]}
	}
	return Problem{Message: "not valid YAML: " + strings.TrimPrefix(msg, "yaml: ")}
}

// nodeIndex knows the key path and line of every node of the file, so that
// the decoder's line-numbered messages can name keys and validation messages
// can give lines.
type nodeIndex struct {
	lines   map[string]int // key path → line
	entries []nodeEntry    // in document order
}

type nodeEntry struct {
	path  string
	line  int
	key   bool   // a mapping key rather than a value
	value string // scalar text, or the key's name
	kind  yaml.Kind
	used  bool
}

func indexNodes(root *yaml.Node) *nodeIndex {
	idx := &nodeIndex{lines: map[string]int{}}
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		idx.walk(root.Content[0], "")
	}
	return idx
}

func (idx *nodeIndex) walk(n *yaml.Node, path string) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			if _, seen := idx.lines[p]; !seen {
				idx.lines[p] = k.Line
			}
			idx.entries = append(idx.entries, nodeEntry{path: p, line: k.Line, key: true, value: k.Value, kind: k.Kind})
			idx.add(v, p)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			idx.lines[p] = c.Line
			idx.add(c, p)
		}
	}
}

func (idx *nodeIndex) add(n *yaml.Node, path string) {
	idx.entries = append(idx.entries, nodeEntry{path: path, line: n.Line, value: n.Value, kind: n.Kind})
	idx.walk(n, path)
}

// line returns the line of path, or 0 when the file does not have it.
func (idx *nodeIndex) line(path string) int { return idx.lines[path] }

// find returns the first unused entry on line that satisfies ok.
func (idx *nodeIndex) find(line int, ok func(e *nodeEntry) bool) *nodeEntry {
	for i := range idx.entries {
		e := &idx.entries[i]
		if e.line == line && !e.used && ok(e) {
			e.used = true
			return e
		}
	}
	return nil
}

// typeProblem translates one message of a *yaml.TypeError ("line 12: field
// colour not found in type config.Server") into a Problem with a key path.
// skipped is true when the decoder dropped the whole mapping holding the key.
func (idx *nodeIndex) typeProblem(msg string) (p Problem, skipped bool) {
	if m := reUnknown.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		text := "unknown key"
		if keys := knownKeys(m[3]); keys != "" {
			text += " (allowed here: " + keys + ")"
		}
		if e := idx.find(line, func(e *nodeEntry) bool { return e.key && e.value == m[2] }); e != nil {
			return Problem{Path: e.path, Line: line, Message: text}, false
		}
		return Problem{Line: line, Message: fmt.Sprintf("%s %q", text, m[2])}, false
	}
	if m := reDuplicate.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		name, err := strconv.Unquote(m[2])
		if err != nil {
			name = m[2]
		}
		text := "key given twice (first at line " + m[3] + ")"
		if e := idx.find(line, func(e *nodeEntry) bool { return e.key && e.value == name }); e != nil {
			return Problem{Path: e.path, Line: line, Message: text}, true
		}
		return Problem{Line: line, Message: fmt.Sprintf("key %q given twice (first at line %s)", name, m[3])}, true
	}
	if m := reCannot.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		tag, shown, target := m[2], m[3], m[4]
		e := idx.find(line, func(e *nodeEntry) bool {
			if e.key {
				return false
			}
			switch tag {
			case "seq":
				return e.kind == yaml.SequenceNode
			case "map":
				return e.kind == yaml.MappingNode
			}
			return e.kind == yaml.ScalarNode &&
				(e.value == shown || strings.HasSuffix(shown, "...") && strings.HasPrefix(e.value, strings.TrimSuffix(shown, "...")))
		})
		got := describeValue(tag, shown)
		if e != nil && e.kind == yaml.ScalarNode {
			got = strconv.Quote(e.value)
		}
		text := fmt.Sprintf("%s is not %s", got, want(target))
		if e != nil {
			return Problem{Path: e.path, Line: line, Message: text}, false
		}
		return Problem{Line: line, Message: text}, false
	}
	line := 0
	if i := strings.Index(msg, ": "); strings.HasPrefix(msg, "line ") && i > 0 {
		line, _ = strconv.Atoi(msg[len("line "):i])
		msg = msg[i+2:]
	}
	return Problem{Line: line, Message: msg}, false
}

func describeValue(tag, shown string) string {
	switch tag {
	case "seq":
		return "a list"
	case "map":
		return "a mapping"
	}
	return strconv.Quote(shown)
}

// want describes what a Go type accepts, in the words of the file.
func want(typ string) string {
	switch {
	case typ == "int":
		return "a whole number"
	case typ == "time.Duration":
		return "a duration such as 30s, 2m or 12h"
	case typ == "bool":
		return "true or false"
	case typ == "string":
		return "a single text value"
	case typ == "config.Hours":
		return `a mapping of days to spans, such as {tue: [["10:00", "19:00"]]}`
	case strings.HasPrefix(typ, "[]"):
		return "a list"
	}
	return "a mapping of keys"
}

// knownKeys lists the YAML keys of the configuration struct type named typ
// (as the decoder prints it, e.g. "config.Server").
func knownKeys(typ string) string {
	t := structTypes()[typ]
	if t == nil {
		return ""
	}
	var keys []string
	for i := range t.NumField() {
		tag := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]
		if tag != "" && tag != "-" {
			keys = append(keys, tag)
		}
	}
	return strings.Join(keys, ", ")
}

// structTypes maps the printed name of every struct type reachable from
// Config to the type.
func structTypes() map[string]reflect.Type {
	out := map[string]reflect.Type{}
	var visit func(t reflect.Type)
	visit = func(t reflect.Type) {
		switch t.Kind() {
		case reflect.Slice, reflect.Map, reflect.Pointer:
			visit(t.Elem())
		case reflect.Struct:
			if _, seen := out[t.String()]; seen {
				return
			}
			out[t.String()] = t
			for i := range t.NumField() {
				visit(t.Field(i).Type)
			}
		}
	}
	visit(reflect.TypeOf(Config{}))
	return out
}
