package embedded

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/runbook-dev/runbook/engine"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/persistence/sql/sqlplugin"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"google.golang.org/protobuf/types/known/durationpb"

	_ "modernc.org/sqlite" // database/sql driver "sqlite", the one the Temporal plugin uses
)

// FormatVersion is the version of the state format this build reads and writes.
// It is kept in the runbook_meta table of the database; bump it (and add a
// migration to migrateState) whenever the layout of the state changes, including
// a new Temporal SQLite schema.
const FormatVersion = 1

// Keys of the runbook_meta table.
const (
	metaFormat         = "format"          // FormatVersion of the directory
	metaTemporalSchema = "temporal_schema" // Temporal SQLite schema version, for the record
)

// ErrNewerFormat matches (errors.Is) the error Start returns for a state directory
// written by a newer build.
var ErrNewerFormat = errors.New("state written by a newer runbook")

// newerFormatError tells which directory and format were refused.
type newerFormatError struct {
	dir    string
	format int
}

func (e newerFormatError) Error() string {
	return fmt.Sprintf("state in %s was written by a newer runbook (format %d); "+
		"this build reads format %d: upgrade runbook or use another --state-dir",
		e.dir, e.format, FormatVersion)
}

func (e newerFormatError) Is(target error) bool { return target == ErrNewerFormat }

// prepareState checks and, when needed, creates or migrates the state in dbPath:
// the format record, then the Temporal schema, in one transaction. It runs before
// the Temporal server opens the database.
func prepareState(ctx context.Context, dir, dbPath string) error {
	// Create the file ourselves, private: SQLite would use 0644, and gives its
	// -wal and -shm files the mode of the database.
	f, err := os.OpenFile(dbPath, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open %s: %w", dbPath, err)
	}
	_ = f.Close()
	db, err := sql.Open("sqlite", "file:"+dbPath+
		"?_pragma=busy_timeout(10000)&_pragma=journal_mode(wal)&_txlock=immediate")
	if err != nil {
		return fmt.Errorf("open %s: %w", dbPath, err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)

	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("open %s: %w", dbPath, err)
	}
	defer func() { _ = tx.Rollback() }()

	format, err := readFormat(ctx, tx)
	if err != nil {
		return fmt.Errorf("read state format in %s: %w", dir, err)
	}
	switch {
	case format > FormatVersion:
		return newerFormatError{dir, format}
	case format == FormatVersion:
		return nil // the common case: nothing to write
	case format > 0:
		if err := migrateState(ctx, tx, format); err != nil {
			return fmt.Errorf("migrate state in %s from format %d: %w", dir, format, err)
		}
	}

	// No record (fresh or pre-record database) or just migrated.
	hasSchema, err := tableExists(ctx, tx, "namespaces")
	if err != nil {
		return err
	}
	if !hasSchema {
		if err := sqliteschema.SetupSchemaOnDB(txAdmin{ctx: ctx, tx: tx}); err != nil {
			return fmt.Errorf("create Temporal schema in %s: %w", dbPath, err)
		}
	}
	for k, v := range map[string]string{
		metaFormat:         strconv.Itoa(FormatVersion),
		metaTemporalSchema: sqliteschema.Version,
	} {
		if _, err := tx.ExecContext(ctx,
			`INSERT OR REPLACE INTO runbook_meta (key, value) VALUES (?, ?)`, k, v); err != nil {
			return fmt.Errorf("write state format: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("write state format in %s: %w", dir, err)
	}
	return nil
}

// readFormat returns the recorded format, 0 when there is none. It creates the
// (empty) runbook_meta table when missing; the caller's transaction decides
// whether that sticks.
func readFormat(ctx context.Context, tx *sql.Tx) (int, error) {
	if _, err := tx.ExecContext(ctx,
		`CREATE TABLE IF NOT EXISTS runbook_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`); err != nil {
		return 0, err
	}
	var v string
	err := tx.QueryRowContext(ctx, `SELECT value FROM runbook_meta WHERE key = ?`, metaFormat).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("bad format record %q", v)
	}
	return n, nil
}

// migrateState brings the state from format from to FormatVersion. There is no
// older format yet.
func migrateState(_ context.Context, _ *sql.Tx, from int) error {
	return fmt.Errorf("no migration from format %d", from)
}

func tableExists(ctx context.Context, tx *sql.Tx, name string) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx,
		`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, name).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("inspect database: %w", err)
	}
	return n > 0, nil
}

// txAdmin runs the statements of the Temporal schema in our transaction, so that a
// database never holds half a schema. SetupSchemaOnDB only calls Exec; the other
// methods of the embedded (nil) interface are never used.
type txAdmin struct {
	sqlplugin.AdminDB
	ctx context.Context
	tx  *sql.Tx
}

func (a txAdmin) Exec(stmt string, args ...any) error {
	_, err := a.tx.ExecContext(a.ctx, stmt, args...)
	return err
}

// createNamespace registers the namespace, with its retention and the search
// attributes, directly in the database when it is absent, so that it is usable as
// soon as the server is up. An existing namespace is left alone here; configure
// reconciles it through the API.
func createNamespace(sqlCfg *config.SQL, name string, retention time.Duration) error {
	attrs := make(map[string]enumspb.IndexedValueType, len(engine.SearchAttributes))
	for _, a := range engine.SearchAttributes {
		attrs[a] = enumspb.INDEXED_VALUE_TYPE_KEYWORD
	}
	ns, err := sqliteschema.NewNamespaceConfig(clusterName, name, false, attrs)
	if err != nil {
		return fmt.Errorf("namespace %s: %w", name, err)
	}
	ns.Detail.Config.Retention = durationpb.New(retention)
	if err := sqliteschema.CreateNamespaces(sqlCfg, ns); err != nil {
		return fmt.Errorf("namespace %s: %w", name, err)
	}
	return nil
}
