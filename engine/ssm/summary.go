package ssm

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/runbook-dev/runbook/engine"
)

// Outcome is what became of one document.
type Outcome struct {
	Path    string
	Result  *Result  // nil unless imported
	Err     error    // why it was not imported (Problems, or a bad document)
	Invalid []string // the imported runbook's validation errors
	Reasons []string // countable reasons, one per kind of problem
	Notes   []string // what an imported runbook leaves out, one per kind
}

// Valid reports whether the document was imported and validates.
func (o *Outcome) Valid() bool { return o.Result != nil && len(o.Invalid) == 0 }

// Summary counts the outcomes of many documents.
type Summary struct {
	Outcomes []*Outcome
	Valid    int
	// Reasons maps each reason to the documents it keeps out, and to
	// those it alone keeps out (fixing it would bring them in).
	Reasons map[string][2]int
	// Notes maps what imported and valid runbooks leave out of their
	// documents (Result.Notes) to the documents concerned.
	Notes map[string]int
}

// ImportAndValidate imports one document and validates the runbook.
func ImportAndValidate(path string, src []byte, opts Options, vopts engine.Options) *Outcome {
	o := &Outcome{Path: path}
	o.Result, o.Err = Import(path, src, opts)
	var ps Problems
	switch {
	case errors.As(o.Err, &ps):
		o.Reasons = reasons(ps)
	case o.Err != nil:
		o.Reasons = []string{"not an Automation document or malformed"}
	default:
		o.Notes = reasons(o.Result.Notes)
		res := engine.Validate([]engine.File{{Path: o.Result.Name + ".yaml", Src: o.Result.YAML}}, vopts)
		seen := map[string]bool{}
		for _, d := range res.Diags {
			if d.Severity != engine.Error {
				continue
			}
			o.Invalid = append(o.Invalid, fmt.Sprintf("%d:%d: %s", d.Pos.Line, d.Pos.Col, d.Message()))
			r := "invalid: " + generalize(d.Summary)
			if !seen[r] {
				seen[r] = true
				o.Reasons = append(o.Reasons, r)
			}
		}
	}
	return o
}

// reasons lists the distinct reasons of ps, in order.
func reasons(ps Problems) []string {
	var out []string
	for _, p := range ps {
		if !contains(out, p.Reason) {
			out = append(out, p.Reason)
		}
	}
	return out
}

// Summarize counts outcomes by reason.
func Summarize(outcomes []*Outcome) *Summary {
	s := &Summary{Outcomes: outcomes, Reasons: map[string][2]int{}, Notes: map[string]int{}}
	for _, o := range outcomes {
		if o.Valid() {
			s.Valid++
			for _, n := range o.Notes {
				s.Notes[n]++
			}
			continue
		}
		for _, r := range o.Reasons {
			c := s.Reasons[r]
			c[0]++
			if len(o.Reasons) == 1 {
				c[1]++
			}
			s.Reasons[r] = c
		}
	}
	return s
}

var (
	quoted   = regexp.MustCompile(`"[^"]*"|'[^']*'`)
	numbers  = regexp.MustCompile(`\b[0-9]+\b`)
	refNames = regexp.MustCompile(`steps\.[A-Za-z0-9_.]+|params\.[A-Za-z0-9_]+`)
)

// generalize strips names and numbers from a diagnostic so that the same
// error in different documents counts once.
func generalize(s string) string {
	s = quoted.ReplaceAllString(s, `"…"`)
	s = refNames.ReplaceAllString(s, "…")
	s = numbers.ReplaceAllString(s, "N")
	if len(s) > 90 {
		s = s[:90] + "…"
	}
	return s
}

// WriteTable writes the summary: the documents imported and valid, then
// each reason with the documents it keeps out, most first.
func (s *Summary) WriteTable(w io.Writer) {
	n := len(s.Outcomes)
	fmt.Fprintf(w, "%d documents: %d imported and valid (%.1f%%), %d not\n\n", n, s.Valid, pct(s.Valid, n), n-s.Valid)
	reasons := make([]string, 0, len(s.Reasons))
	for r := range s.Reasons {
		reasons = append(reasons, r)
	}
	sort.Slice(reasons, func(i, j int) bool {
		a, b := s.Reasons[reasons[i]], s.Reasons[reasons[j]]
		if a[0] != b[0] {
			return a[0] > b[0]
		}
		return reasons[i] < reasons[j]
	})
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "documents\tonly reason\treason")
	for _, r := range reasons {
		c := s.Reasons[r]
		fmt.Fprintf(tw, "%d\t%d\t%s\n", c[0], c[1], strings.ReplaceAll(r, "\t", " "))
	}
	tw.Flush()
	if len(s.Notes) == 0 {
		return
	}
	fmt.Fprintf(w, "\nimported and valid, but leaving out (said in the step's description):\n\n")
	notes := make([]string, 0, len(s.Notes))
	for n := range s.Notes {
		notes = append(notes, n)
	}
	sort.Strings(notes)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "documents\tnote")
	for _, n := range notes {
		fmt.Fprintf(tw, "%d\t%s\n", s.Notes[n], n)
	}
	tw.Flush()
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}
