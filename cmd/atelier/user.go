package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/atelier-app/atelier/internal/auth"
	"github.com/atelier-app/atelier/internal/booking"
)

const userUsage = `Usage:
  atelier user add --email E --name N --role admin|artisan [--artisan ID] --password-stdin
  atelier user list
  atelier user passwd --email E --password-stdin
  atelier user disable --email E
  atelier user enable --email E

Every command says which database file it uses (database.path, or --db).
Only add creates the database if it does not exist; the others refuse a
missing file, so a mistyped path never shows an empty list or changes a
new, empty database. Disabling an account signs it out and revokes the
calendar feed URLs it made (and its artisan's feed, unless another active
account of that artisan remains); enabling it brings none of them back.

Flags --config and --db work with every sub-command, before or after its name.
`

// userArgs are the flags of one user sub-command, and the password read
// from standard input for add and passwd.
type userArgs struct {
	sub                        string
	email, name, role, artisan string
	stdin                      bool
	password                   string
}

// userCommand runs "atelier user ...": staff accounts in the database
// named by the configuration. The arguments are checked before the
// database is touched.
func userCommand(ctx context.Context, g globalFlags, args []string, env Env) error {
	if len(args) == 0 {
		fmt.Fprint(env.Stderr, userUsage)
		return errUsage
	}
	a, err := parseUserFlags(&g, args[0], args[1:], env)
	if a == nil || err != nil {
		return err // help (nil) or a usage error
	}
	if err := a.check(env.Stdin); err != nil {
		return err
	}
	db, err := openUserDatabase(ctx, g, a.sub, env)
	if err != nil {
		return err
	}
	defer db.Close()
	return a.run(ctx, db, env.Seams.passwordParams(), env.Stdout)
}

// parseUserFlags reads the flags of sub-command sub. For help it prints
// the usage and returns nil, nil.
func parseUserFlags(g *globalFlags, sub string, args []string, env Env) (*userArgs, error) {
	a := &userArgs{sub: sub}
	fs := flag.NewFlagSet("atelier user "+sub, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() { fmt.Fprint(env.Stderr, userUsage) }
	g.register(fs, false)
	switch sub {
	case "add":
		fs.StringVar(&a.email, "email", "", "the account's e-mail `address` (its sign-in name)")
		fs.StringVar(&a.name, "name", "", "the account holder's `name`")
		fs.StringVar(&a.role, "role", "", "`admin` or artisan")
		fs.StringVar(&a.artisan, "artisan", "", "the artisan `id` of an artisan account")
		fs.BoolVar(&a.stdin, "password-stdin", false, "read the password from standard input")
	case "passwd":
		fs.StringVar(&a.email, "email", "", "the account's e-mail `address`")
		fs.BoolVar(&a.stdin, "password-stdin", false, "read the password from standard input")
	case "disable", "enable":
		fs.StringVar(&a.email, "email", "", "the account's e-mail `address`")
	case "list":
	case "help", "-h", "--help":
		fmt.Fprint(env.Stdout, userUsage)
		return nil, nil
	default:
		fmt.Fprintf(env.Stderr, "atelier user: unknown command %q\n%s", sub, userUsage)
		return nil, errUsage
	}
	if err := fs.Parse(args); err != nil {
		return nil, usageErr(err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(env.Stderr, "atelier user %s: unexpected argument %q\n%s", sub, fs.Arg(0), userUsage)
		return nil, errUsage
	}
	return a, nil
}

// check refuses missing or wrong arguments and reads the password of add
// and passwd from stdin.
func (a *userArgs) check(stdin io.Reader) error {
	switch a.sub {
	case "add", "passwd":
		if !a.stdin {
			return errors.New("give the password on standard input with --password-stdin (never on the command line)")
		}
		if a.email = strings.TrimSpace(a.email); a.email == "" || !strings.Contains(a.email, "@") {
			return errors.New("--email must be an e-mail address")
		}
		var err error
		if a.password, err = readPassword(stdin); err != nil {
			return err
		}
		if err := auth.ValidatePassword(a.password); err != nil {
			return err
		}
	case "disable", "enable":
		if a.email = strings.TrimSpace(a.email); a.email == "" {
			return errors.New("--email is required")
		}
	}
	if a.sub == "add" {
		return a.checkAccount()
	}
	return nil
}

// checkAccount checks the name, role and artisan of a new account.
func (a *userArgs) checkAccount() error {
	if strings.TrimSpace(a.name) == "" {
		return errors.New("--name is required")
	}
	switch booking.Role(a.role) {
	case booking.RoleAdmin:
		if a.artisan != "" {
			return errors.New("--artisan is only for --role artisan")
		}
	case booking.RoleArtisan:
		if a.artisan == "" {
			return errors.New("--role artisan needs --artisan ID (the artisan of the catalogue)")
		}
	default:
		return errors.New("--role must be admin or artisan")
	}
	return nil
}

// openUserDatabase opens the configured database, saying which it is;
// only add may create an SQLite file.
func openUserDatabase(ctx context.Context, g globalFlags, sub string, env Env) (database, error) {
	cfg, _, err := loadStoreConfig(g)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(env.Stderr, "database: %s\n", databaseName(cfg))
	if sub != "add" && !cfg.Database.Postgres() {
		dbPath, err := filepath.Abs(cfg.Database.Path)
		if err != nil {
			return nil, err
		}
		if err := existingDatabase(dbPath); err != nil {
			return nil, err
		}
	}
	cat, err := cfg.Catalog()
	if err != nil {
		return nil, err
	}
	return openDatabase(ctx, cfg, cat, storeOptions{}, slog.New(slog.NewTextHandler(env.Stderr, nil)))
}

// run carries out the checked sub-command on db; new password hashes
// cost params.
func (a *userArgs) run(ctx context.Context, store database, params auth.Params, out io.Writer) error {
	db, err := store.accounts()
	if err != nil {
		return err
	}
	switch a.sub {
	case "add":
		hash, err := auth.HashPassword(a.password, params)
		if err != nil {
			return err
		}
		u, err := db.CreateUser(ctx, booking.User{
			Email: a.email, Name: strings.TrimSpace(a.name), Role: booking.Role(a.role), ArtisanID: a.artisan, PasswordHash: hash,
		})
		if err != nil {
			return userError(err)
		}
		fmt.Fprintf(out, "created %s account %s (%s)\n", u.Role, u.Email, u.ID)
	case "passwd":
		hash, err := auth.HashPassword(a.password, params)
		if err != nil {
			return err
		}
		if err := db.SetUserPassword(ctx, a.email, hash); err != nil {
			return userError(err)
		}
		fmt.Fprintf(out, "password changed for %s; its sessions are signed out\n", a.email)
	case "disable":
		if err := db.DisableUser(ctx, a.email); err != nil {
			return userError(err)
		}
		fmt.Fprintf(out, "disabled %s; its sessions are signed out and its calendar feed URLs revoked\n", a.email)
	case "enable":
		if err := db.EnableUser(ctx, a.email); err != nil {
			return userError(err)
		}
		fmt.Fprintf(out, "enabled %s; it can sign in again (revoked calendar feed URLs stay revoked)\n", a.email)
	case "list":
		users, err := db.Users(ctx)
		if err != nil {
			return err
		}
		return listUsers(out, users)
	}
	return nil
}

// existingDatabase checks that path is an atelier database that exists:
// the user commands other than add never create one (SQLite would make
// an empty file at a mistyped path, and list would show no one).
func existingDatabase(path string) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("no database at %s: give the right one with --db or database.path (only \"atelier user add\" creates a new database)", path)
	case err != nil:
		return err
	case !fi.Mode().IsRegular():
		return fmt.Errorf("%s is not a database file", path)
	case fi.Size() == 0:
		// What an earlier version left at a mistyped path. A database
		// whose content is still in its -wal is not empty.
		if _, err := os.Stat(path + "-wal"); errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s is an empty file, not an atelier database: give the right one with --db or database.path", path)
		}
	}
	return nil
}

// userError shows a domain error by its message alone.
func userError(err error) error {
	var e *booking.Error
	if errors.As(err, &e) && e.Kind != booking.EINTERNAL {
		msg := e.Message
		for k, v := range e.Fields {
			msg += fmt.Sprintf("; %s: %s", k, v)
		}
		return errors.New(msg)
	}
	return err
}

func listUsers(w io.Writer, users []booking.User) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EMAIL\tNAME\tROLE\tARTISAN\tSTATE")
	for _, u := range users {
		state := "active"
		if u.Disabled {
			state = "disabled"
		}
		artisan := u.ArtisanID
		if artisan == "" {
			artisan = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Email, u.Name, u.Role, artisan, state)
	}
	return tw.Flush()
}
