package web

import (
	"io/fs"
	"runtime"
	"testing"

	atelier "github.com/atelier-app/atelier"
)

// Each page is parsed with only the partials it uses: every template its
// layout, page and partials call, however deeply, is defined in its set,
// in every language; and the sets are far smaller than with every
// partial in each (28 MB of parse trees).
func TestEnginePagesHaveTheirPartials(t *testing.T) {
	root, err := fs.Sub(atelier.Web, "web")
	if err != nil {
		t.Fatal(err)
	}
	as, err := loadAssets(root)
	if err != nil {
		t.Fatal(err)
	}
	as.add(gridCSSName, gridCSS())
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	e, err := newEngine(root, as)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	pages := 0
	for lang, set := range e.pages {
		for name, tmpl := range set {
			pages++
			todo, seen := []string{"layout.html"}, map[string]bool{}
			for len(todo) > 0 {
				n := todo[len(todo)-1]
				todo = todo[:len(todo)-1]
				if seen[n] {
					continue
				}
				seen[n] = true
				d := tmpl.Lookup(n)
				if d == nil || d.Tree == nil {
					t.Errorf("%s, page %s: template %q is called but not defined", lang, name, n)
					continue
				}
				todo = templateRefs(d.Tree.Root, todo)
			}
			if len(seen) < 2 {
				t.Errorf("%s, page %s: the layout calls nothing", lang, name)
			}
		}
	}
	if pages < 40 {
		t.Fatalf("%d pages checked", pages)
	}
	heap := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("%d page sets: %.1f MB of heap", pages, float64(heap)/(1<<20))
	if heap > 12<<20 {
		t.Errorf("the page templates hold %.1f MB", float64(heap)/(1<<20))
	}
	runtime.KeepAlive(e)
}
