package config

import (
	"fmt"
	"regexp"
	"slices"

	"github.com/atelier-app/atelier/internal/booking"
)

// Commissions configures the pieces made over several appointments
// (issue 13).
type Commissions struct {
	// Stages are the stages a commission moves through, in order, as
	// identifiers (lower-case letters, digits and '_'); the pages show
	// them as words ("ready_to_collect" is "Ready to collect"). Empty
	// means booking.DefaultCommissionStages. A stage removed from the list
	// stays on the commissions that are at it until staff move them on.
	Stages []string `yaml:"stages"`
}

// StageList is the configured stages, or the default ones.
func (c Commissions) StageList() []string {
	if len(c.Stages) == 0 {
		return slices.Clone(booking.DefaultCommissionStages)
	}
	return slices.Clone(c.Stages)
}

// stagePattern is the shape of a stage identifier.
var stagePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// commissions validates commissions.stages: identifiers, each once.
func (v *validator) commissions(c *Config) {
	seen := map[string]bool{}
	for i, s := range c.Commissions.Stages {
		key := fmt.Sprintf("commissions.stages[%d]", i)
		switch {
		case s == "":
			v.add(key, "is empty")
		case !stagePattern.MatchString(s):
			v.add(key, "%q is not a stage identifier (lower-case letters, digits and '_', starting with a letter, at most 40)", s)
		case seen[s]:
			v.add(key, "%q is listed twice", s)
		}
		seen[s] = true
	}
}
