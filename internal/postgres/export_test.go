package postgres

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"
)

// OpenConns opens n connections of the pool at once and gives them back,
// so that a race test's transactions meet in the database instead of
// queueing behind the pool's connection set-up.
func (db *DB) OpenConns(ctx context.Context, n int) error {
	conns := make([]*pgxpool.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Release()
		}
	}()
	for range n {
		c, err := db.pool.Acquire(ctx)
		if err != nil {
			return err
		}
		conns = append(conns, c)
	}
	return nil
}

// JobPayload reads the stored payload of job id, whatever its state
// (storetest.PayloadReader).
func (db *DB) JobPayload(ctx context.Context, id int64) ([]byte, error) {
	var p []byte
	err := db.pool.QueryRow(ctx, `SELECT coalesce((SELECT body FROM job_payloads WHERE job_id = $1), (SELECT payload FROM jobs WHERE id = $1), '\x'::bytea)`, id).Scan(&p)
	return p, err
}
