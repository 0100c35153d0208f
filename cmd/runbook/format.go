package main

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/runbook-dev/runbook/engine"
)

// printDiags writes the diagnostics in a format.
func printDiags(w io.Writer, format string, ds engine.Diagnostics, srcs map[string][]byte) error {
	switch format {
	case "json":
		return printDiagsJSON(w, ds)
	case "github":
		return printGitHub(w, ds)
	case "sarif":
		return printSARIF(w, ds)
	}
	return printText(w, ds, srcs)
}

// printText writes `file:line:col: severity: message`, then the source line
// with a caret under the column, as compilers do:
//
//	demo.yaml:7:5: error: unknown field "slep" in step; did you mean "sleep"?
//	  7 |     slep: 10s
//	    |     ^
func printText(w io.Writer, ds engine.Diagnostics, srcs map[string][]byte) error {
	bw := bufio.NewWriter(w)
	for _, d := range ds {
		where := d.Pos.String()
		if where == "" {
			where = "runbook"
		}
		fmt.Fprintf(bw, "%s: %s: %s\n", where, d.Severity, d.Message())
		line, ok := sourceLine(srcs[d.Pos.File], d.Pos.Line)
		if !ok {
			continue
		}
		num := strconv.Itoa(d.Pos.Line)
		fmt.Fprintf(bw, " %s | %s\n", num, line)
		fmt.Fprintf(bw, " %s | %s^\n", strings.Repeat(" ", len(num)), caretIndent(line, d.Pos.Col))
	}
	return bw.Flush()
}

// sourceLine returns line n (from 1) of src, without its line break.
func sourceLine(src []byte, n int) (string, bool) {
	if src == nil || n < 1 {
		return "", false
	}
	lines := strings.Split(string(src), "\n")
	if n > len(lines) {
		return "", false
	}
	return strings.TrimRight(lines[n-1], "\r"), true
}

// caretIndent is the blank space before column col (from 1, counted in
// characters, as yaml.v3 counts) of line; tabs stay tabs so the caret lines
// up under the source in any terminal.
func caretIndent(line string, col int) string {
	var b strings.Builder
	i := 1
	for _, r := range line {
		if i >= col {
			break
		}
		if r == '\t' {
			b.WriteByte('\t')
		} else {
			b.WriteByte(' ')
		}
		i++
	}
	for ; i < col; i++ {
		b.WriteByte(' ')
	}
	return b.String()
}

// jsonDiag is one diagnostic in --format json.
type jsonDiag struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Col      int    `json:"col"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
}

// printDiagsJSON writes a JSON array of diagnostics ([] when there are none).
func printDiagsJSON(w io.Writer, ds engine.Diagnostics) error {
	out := make([]jsonDiag, 0, len(ds))
	for _, d := range ds {
		out = append(out, jsonDiag{File: d.Pos.File, Line: d.Pos.Line, Col: d.Pos.Col, Severity: d.Severity.String(), Message: d.Message()})
	}
	return writeJSON(w, out)
}

// printGitHub writes GitHub Actions workflow commands, which the runner
// turns into annotations on the pull request:
//
//	::error file=demo.yaml,line=7,col=5::unknown field "slep" in step
func printGitHub(w io.Writer, ds engine.Diagnostics) error {
	bw := bufio.NewWriter(w)
	for _, d := range ds {
		var props []string
		if d.Pos.File != "" {
			props = append(props, "file="+githubProperty(d.Pos.File))
		}
		if d.Pos.Line > 0 {
			props = append(props, "line="+strconv.Itoa(d.Pos.Line), "col="+strconv.Itoa(d.Pos.Col))
		}
		cmd := d.Severity.String()
		if len(props) > 0 {
			cmd += " " + strings.Join(props, ",")
		}
		fmt.Fprintf(bw, "::%s::%s\n", cmd, githubData(d.Message()))
	}
	return bw.Flush()
}

// githubData escapes a command's message as the Actions toolkit does.
func githubData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// githubProperty escapes a command's property value: as data, plus : and ,.
func githubProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// summary is the closing line on stderr: "3 definitions valid" or
// "2 errors, 1 warning in 3 files".
func summary(ds engine.Diagnostics, definitions int, strict bool) string {
	var errs, warns int
	files := map[string]bool{}
	for _, d := range ds {
		files[d.Pos.File] = true
		if d.Severity == engine.Error {
			errs++
		} else {
			warns++
		}
	}
	if !failed(ds, strict) {
		s := plural(definitions, "definition") + " valid"
		if warns > 0 {
			s += ", " + plural(warns, "warning")
		}
		return s
	}
	var parts []string
	if errs > 0 {
		parts = append(parts, plural(errs, "error"))
	}
	if warns > 0 {
		parts = append(parts, plural(warns, "warning"))
	}
	s := strings.Join(parts, ", ") + " in " + plural(len(files), "file")
	if errs == 0 {
		s += " (--strict)"
	}
	return s
}

// failed reports whether the diagnostics fail validation: any error, or
// with strict any warning.
func failed(ds engine.Diagnostics, strict bool) bool {
	return ds.HasErrors() || (strict && len(ds) > 0)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
