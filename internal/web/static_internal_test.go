package web

import (
	"strings"
	"testing"
	"testing/fstest"

	atelier "github.com/atelier-app/atelier"
	"io/fs"
)

// TestStyleSheetReferences checks that a style sheet naming a file that is
// not there stops the start, and that the font licence is shipped.
func TestStyleSheetReferences(t *testing.T) {
	fsys := fstest.MapFS{"static/app.css": {Data: []byte(`@font-face { src: url("fonts/gone.woff2"); }`)}}
	if _, err := loadAssets(fsys); err == nil || !strings.Contains(err.Error(), "fonts/gone.woff2") {
		t.Errorf("loadAssets = %v, want an error naming fonts/gone.woff2", err)
	}
	root, err := fs.Sub(atelier.Web, "web")
	if err != nil {
		t.Fatal(err)
	}
	as, err := loadAssets(root)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := as.URL("fonts/LICENSE-EBGaramond.txt"); err != nil {
		t.Error("the font licence is not shipped:", err)
	}
}
