// Package auth holds the security primitives of staff sign-in: argon2id
// password hashes in PHC format and the Checker that runs their checks a
// few at a time, session tokens of the form "id.secret" of which only a
// hash of the secret is stored. The sign-in limits (per client address,
// per account) are the HTTP edge's (internal/httpx).
package auth
