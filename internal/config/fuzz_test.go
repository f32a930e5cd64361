package config_test

import (
	"errors"
	"testing"

	atelier "github.com/atelier-app/atelier"
	"github.com/atelier-app/atelier/internal/config"
)

// FuzzParse checks that any file either parses into a configuration whose
// catalogue builds, or is refused with a *config.Error naming problems;
// never a panic.
func FuzzParse(f *testing.F) {
	f.Add(string(atelier.ExampleConfig))
	f.Add(minimal)
	f.Add(minimal + "colour: red\nbooking: {horizon_days: x}\n")
	f.Add("atelier: {opening_hours: {mon: [[\"10:00\"], \"x\", {a: b}]}}\n")
	f.Fuzz(func(t *testing.T, data string) {
		c, err := config.Parse([]byte(data))
		if err != nil {
			var ce *config.Error
			if !errors.As(err, &ce) || len(ce.Problems) == 0 {
				t.Fatalf("error %T with no problems: %v", err, err)
			}
			return
		}
		if _, err := c.Catalog(); err != nil {
			t.Fatalf("Parse accepted a file whose catalogue fails: %v", err)
		}
	})
}
