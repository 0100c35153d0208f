package engine

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Severity says whether a diagnostic fails validation.
type Severity int

// The severities, from the worst.
const (
	Error Severity = iota
	Warning
)

func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// Pos is a position in a source file; Line and Col count from 1.
type Pos struct {
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	Col  int    `json:"col,omitempty"`
}

func (p Pos) String() string {
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Diagnostic is one finding about a definition: where, how bad, what is
// wrong (Summary) and, when known, what would be right (Hint).
type Diagnostic struct {
	Severity Severity `json:"severity"`
	Pos      Pos      `json:"pos"`
	Summary  string   `json:"summary"`
	Hint     string   `json:"hint,omitempty"`
}

// Message is the summary followed by the hint.
func (d Diagnostic) Message() string {
	if d.Hint == "" {
		return d.Summary
	}
	return d.Summary + "; " + d.Hint
}

func (d Diagnostic) String() string {
	return fmt.Sprintf("%s: %s: %s", d.Pos, d.Severity, d.Message())
}

// Diagnostics is a list of findings. It is an error when it holds at least
// one error; Err returns nil otherwise.
type Diagnostics []Diagnostic

// Errorf adds an error at pos.
func (ds *Diagnostics) Errorf(pos Pos, format string, args ...any) *Diagnostic {
	*ds = append(*ds, Diagnostic{Severity: Error, Pos: pos, Summary: fmt.Sprintf(format, args...)})
	return &(*ds)[len(*ds)-1]
}

// Warnf adds a warning at pos.
func (ds *Diagnostics) Warnf(pos Pos, format string, args ...any) *Diagnostic {
	*ds = append(*ds, Diagnostic{Severity: Warning, Pos: pos, Summary: fmt.Sprintf(format, args...)})
	return &(*ds)[len(*ds)-1]
}

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Sort orders the diagnostics by file, line and column, dropping exact
// duplicates.
func (ds *Diagnostics) Sort() {
	sort.SliceStable(*ds, func(i, j int) bool {
		a, b := (*ds)[i].Pos, (*ds)[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	out := (*ds)[:0]
	for i, d := range *ds {
		if i > 0 && d == out[len(out)-1] {
			continue
		}
		out = append(out, d)
	}
	*ds = out
}

// Err returns ds as an error when it holds an error, else nil.
func (ds Diagnostics) Err() error {
	if !ds.HasErrors() {
		return nil
	}
	return ds
}

// Error prints the first error and how many more there are.
func (ds Diagnostics) Error() string {
	var first *Diagnostic
	n := 0
	for i := range ds {
		if ds[i].Severity == Error {
			if first == nil {
				first = &ds[i]
			}
			n++
		}
	}
	if first == nil {
		return "no errors"
	}
	switch n {
	case 1:
		return first.String()
	case 2:
		return first.String() + " (and 1 more error)"
	}
	return fmt.Sprintf("%s (and %d more errors)", first, n-1)
}

// DidYouMean returns a hint naming the candidate closest to name, or "" when
// none is close enough.
func DidYouMean(name string, candidates []string) string {
	limit := 2 + len(name)/4
	best, bestD := "", limit+1
	for _, c := range candidates {
		d := editDistance(strings.ToLower(name), strings.ToLower(c))
		if strings.EqualFold(name, c) {
			d = 0
		}
		if d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" || best == name {
		return ""
	}
	return fmt.Sprintf("did you mean %q?", best)
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// MarshalJSON writes a position compactly, as "file:line:col".
func (p Pos) MarshalJSON() ([]byte, error) { return json.Marshal(p.String()) }

// UnmarshalJSON reads "file:line:col" (the file may itself hold colons).
func (p *Pos) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*p = Pos{File: s}
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return nil
	}
	j := strings.LastIndexByte(s[:i], ':')
	if j < 0 {
		return nil
	}
	line, err1 := strconv.Atoi(s[j+1 : i])
	col, err2 := strconv.Atoi(s[i+1:])
	if err1 == nil && err2 == nil {
		*p = Pos{File: s[:j], Line: line, Col: col}
	}
	return nil
}
