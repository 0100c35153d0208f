package ssm

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/steps"
)

// corpusFloor is the number of corpus documents that must import and
// validate; raise it as the importer learns more.
const corpusFloor = 374

// corpusDir is where the SSM corpus lives: shared/ssm-corpus beside the
// repository, or $RUNBOOK_SSM_CORPUS.
func corpusDir(tb testing.TB) string {
	dir := os.Getenv("RUNBOOK_SSM_CORPUS")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "ssm-corpus")
	}
	if _, err := os.Stat(dir); err != nil {
		tb.Skipf("no SSM corpus at %s (set RUNBOOK_SSM_CORPUS)", dir)
	}
	return dir
}

type corpusDoc struct {
	path string
	src  []byte
}

func readCorpus(tb testing.TB) []corpusDoc {
	dir := corpusDir(tb)
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(paths) == 0 {
		tb.Fatalf("no documents in %s: %v", dir, err)
	}
	sort.Strings(paths)
	docs := make([]corpusDoc, len(paths))
	for i, p := range paths {
		src, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		docs[i] = corpusDoc{p, src}
	}
	return docs
}

func importOptions() (Options, engine.Options) {
	return Options{Services: steps.AWS()}, engine.Options{Kinds: steps.All(), Services: steps.AWS()}
}

func importCorpus(docs []corpusDoc) *Summary {
	opts, vopts := importOptions()
	outcomes := make([]*Outcome, len(docs))
	for i, d := range docs {
		outcomes[i] = ImportAndValidate(d.path, d.src, opts, vopts)
	}
	return Summarize(outcomes)
}

// TestCorpus imports every corpus document: every runbook the importer
// writes must validate, and at least corpusFloor documents must import.
func TestCorpus(t *testing.T) {
	s := importCorpus(readCorpus(t))
	var b strings.Builder
	s.WriteTable(&b)
	t.Log("\n" + b.String())
	for _, o := range s.Outcomes {
		if o.Result != nil && len(o.Invalid) > 0 {
			t.Errorf("%s: the imported runbook does not validate:\n  %s", filepath.Base(o.Path), strings.Join(o.Invalid, "\n  "))
		}
	}
	if s.Valid < corpusFloor {
		t.Errorf("%d documents imported and valid, want at least %d", s.Valid, corpusFloor)
	}
}

// BenchmarkImportCorpus imports and validates the whole corpus.
func BenchmarkImportCorpus(b *testing.B) {
	docs := readCorpus(b)
	importCorpus(docs) // warm the AWS registry's lazy tables
	b.ResetTimer()
	for b.Loop() {
		importCorpus(docs)
	}
}
