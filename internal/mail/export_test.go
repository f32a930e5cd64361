package mail

import (
	"testing"

	"github.com/atelier-app/atelier/internal/auth"
)

// FixSecrets makes every manage token token until the test ends, so that
// two renderings of one message can be compared byte for byte.
func FixSecrets(tb testing.TB, token string) {
	newSecret = func() (string, []byte) { return token, auth.HashSecret(token) }
	tb.Cleanup(func() { newSecret = auth.NewSecret })
}
