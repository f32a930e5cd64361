package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atelier-app/atelier/internal/config"
)

func TestFaceKeys(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "config.yaml")
	data := edit(t,
		"  address: 1 High Street\n", "  address: 1 High Street\n"+
			"  tagline: Rings made by hand\n  intro: Come and sit with us.\n  directions: Ring the bell at the blue door.\n"+
			"  media_dir: media\n  logo: {file: logo.png, alt: Test Atelier}\n"+
			"  photos:\n    - {file: bench.jpg, alt: The bench by the window}\n",
		"    modes: [in_person, virtual]\n", "    modes: [in_person, virtual]\n"+
			"    photo: {file: services/fitting.webp, alt: A ring on a mandrel}\n"+
			"    bring: {in_person: Your ring., virtual: A piece of string.}\n",
		"    name: Ann\n", "    name: Ann\n    photo: {file: ann.jpg, alt: Ann at the bench}\n")
	if err := os.WriteFile(file, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	a := c.Atelier
	if a.Tagline.String() != "Rings made by hand" || a.Intro.String() != "Come and sit with us." || a.Directions.String() != "Ring the bell at the blue door." {
		t.Errorf("words: %q %q %q", a.Tagline, a.Intro, a.Directions)
	}
	if want := filepath.Join(dir, "media"); a.MediaPath != want {
		t.Errorf("media path %q, want %q (relative to the file)", a.MediaPath, want)
	}
	if b := c.Services[0].Bring; b.InPerson.String() != "Your ring." || b.Virtual.String() != "A piece of string." {
		t.Errorf("bring %+v", b)
	}
	var got []string
	for _, p := range c.Photos() {
		got = append(got, p.Key+" "+strings.TrimPrefix(p.Path, dir+string(filepath.Separator))+" "+p.Alt)
	}
	want := []string{
		"atelier.logo " + filepath.Join("media", "logo.png") + " Test Atelier",
		"atelier.photos[0] " + filepath.Join("media", "bench.jpg") + " The bench by the window",
		"services[0].photo " + filepath.Join("media", "services", "fitting.webp") + " A ring on a mandrel",
		"artisans[0].photo " + filepath.Join("media", "ann.jpg") + " Ann at the bench",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("photos:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestFaceInvalid(t *testing.T) {
	media := "  address: 1 High Street\n  media_dir: media\n"
	tests := []struct {
		name  string
		edits []string
		want  []string
	}{
		{name: "PhotoWithoutAlt",
			edits: []string{"  address: 1 High Street\n", media + "  photos:\n    - {file: a.jpg}\n"},
			want:  []string{"atelier.photos[0].alt: is required: what the picture shows, for visitors who cannot see it (line 8)"}},
		{name: "BlankAlt",
			edits: []string{"    name: Ann\n", "    name: Ann\n    photo: {file: ann.jpg, alt: \"  \"}\n", "  address: 1 High Street\n", media},
			want:  []string{"artisans[0].photo.alt: is required"}},
		{name: "PhotoWithoutFile",
			edits: []string{"  address: 1 High Street\n", media + "  logo: {alt: Logo}\n"},
			want:  []string{"atelier.logo.file: is required"}},
		{name: "PhotoOutsideMediaDir",
			edits: []string{"    modes: [in_person, virtual]\n", "    modes: [in_person, virtual]\n    photo: {file: ../secret.jpg, alt: x}\n", "  address: 1 High Street\n", media},
			want:  []string{`services[0].photo.file: "../secret.jpg" must be a path inside atelier.media_dir (line 19)`}},
		{name: "AbsolutePhoto",
			edits: []string{"  address: 1 High Street\n", media + "  logo: {file: /etc/logo.png, alt: Logo}\n"},
			want:  []string{`atelier.logo.file: "/etc/logo.png" must be a path inside atelier.media_dir`}},
		{name: "NotAPicture",
			edits: []string{"  address: 1 High Street\n", media + "  logo: {file: logo.gif, alt: Logo}\n"},
			want:  []string{`atelier.logo.file: "logo.gif" is not a JPEG, PNG or WebP file`}},
		{name: "NoMediaDir",
			edits: []string{"  address: 1 High Street\n", "  address: 1 High Street\n  logo: {file: logo.png, alt: Logo}\n"},
			want:  []string{"atelier.logo: needs atelier.media_dir, the folder that holds the pictures (line 6)"}},
		{name: "UnknownBringKey",
			edits: []string{"    modes: [in_person, virtual]\n", "    modes: [in_person, virtual]\n    bring: {video: x}\n"},
			want:  []string{"services[0].bring.video: unknown key (allowed here: in_person, virtual)"}},
		{name: "LongTagline",
			edits: []string{"  address: 1 High Street\n", "  address: 1 High Street\n  tagline: " + strings.Repeat("a", 121) + "\n"},
			want:  []string{"atelier.tagline: is 121 characters long; at most 120"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse([]byte(edit(t, tt.edits...)))
			var ce *config.Error
			if !errors.As(err, &ce) {
				t.Fatalf("Parse = %v, want a *config.Error", err)
			}
			if len(ce.Problems) != len(tt.want) {
				t.Errorf("%d problems, want %d:\n%v", len(ce.Problems), len(tt.want), err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%v\ndoes not contain\n%s", err, w)
				}
			}
		})
	}
}
