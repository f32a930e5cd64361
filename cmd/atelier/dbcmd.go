package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/atelier-app/atelier/internal/config"
	"github.com/atelier-app/atelier/internal/dbcopy"
)

const dbUsage = `Usage:
  atelier db copy --to URL

Copies every table of the SQLite database (database.path, or --db) into
the empty PostgreSQL database at URL (postgres://user:password@host/db),
in one transaction: an atelier moves from SQLite to PostgreSQL. Without
--to the URL is read from ATELIER_DATABASE_URL (which keeps the password
out of the process list). A database that holds any row is refused; the
rows of every table are counted on both sides before the copy commits.
Stop the server on the SQLite file first, or bookings made during the
copy stay behind. Then set database.driver: postgres and start the
servers. Flags --config and --db work as with every sub-command.
`

// dbCommand runs "atelier db copy".
func dbCommand(ctx context.Context, g globalFlags, args []string, env Env) error {
	if len(args) == 0 || args[0] != "copy" {
		if len(args) > 0 && (args[0] == "help" || args[0] == "-h" || args[0] == "--help") {
			fmt.Fprint(env.Stdout, dbUsage)
			return nil
		}
		fmt.Fprint(env.Stderr, dbUsage)
		return errUsage
	}
	fs := flag.NewFlagSet("atelier db copy", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() { fmt.Fprint(env.Stderr, dbUsage) }
	g.register(fs, false)
	to := fs.String("to", "", "the PostgreSQL `URL` to copy into (default: $"+config.DatabaseURLEnv+")")
	if err := fs.Parse(args[1:]); err != nil {
		return usageErr(err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(env.Stderr, "atelier db copy: unexpected argument %q\n%s", fs.Arg(0), dbUsage)
		return errUsage
	}
	url := strings.TrimSpace(*to)
	if url == "" {
		url = strings.TrimSpace(os.Getenv(config.DatabaseURLEnv))
	}
	if url == "" {
		fmt.Fprintf(env.Stderr, "atelier db copy: --to URL (or %s) is required\n%s", config.DatabaseURLEnv, dbUsage)
		return errUsage
	}
	probe := config.Database{Driver: config.DriverPostgres, URL: url}
	if err := probe.ApplyEnv(func(string) string { return "" }); err != nil {
		return err
	}
	// The source is the configuration's SQLite file, whatever its driver
	// (a configuration already switched to postgres still names it).
	cfg, _, err := loadConfig(g)
	if err != nil {
		return err
	}
	rep, err := dbcopy.Copy(ctx, cfg.Database.Path, url)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "copied %s into PostgreSQL: %d rows in %d tables, counts checked\n", cfg.Database.Path, rep.Rows(), len(rep.Tables))
	for _, t := range rep.Tables {
		if t.Rows > 0 {
			fmt.Fprintf(env.Stdout, "  %-24s %d\n", t.Name, t.Rows)
		}
	}
	fmt.Fprintln(env.Stdout, "next: set database.driver: postgres (and database.url or "+config.DatabaseURLEnv+") and start the servers")
	return nil
}
