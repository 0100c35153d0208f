package engine

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Reader reads one YAML file keeping every position: the parse that
// definitions and runbook test files share, and readers of its nodes that
// report each problem at the node's line:col in Diags.
type Reader struct {
	File  string
	Src   []byte
	Diags Diagnostics
	lines []string
	nodes int
	doc   Doc
}

// NewReader returns a Reader of file, whose content is src.
func NewReader(file string, src []byte) *Reader {
	return &Reader{File: file, Src: src}
}

// Doc says what a file holds, for Parse's messages.
type Doc struct {
	Noun  string // "definition", "test file"
	Start string // how one starts: "starts with `apiVersion: runbook/v1`"
	Shape string // "a YAML mapping starting with `apiVersion: runbook/v1`"
}

// Parse reads the file's one YAML document, a mapping, and returns its
// root; nil when it has none. It reports a file too large or binary,
// syntax errors at their real line, an empty file, several documents,
// duplicate keys and excessive nesting.
func (r *Reader) Parse(doc Doc) *yaml.Node {
	r.doc = doc
	at := Pos{File: r.File, Line: 1, Col: 1}
	if len(r.Src) > MaxFileSize {
		r.Diags.Errorf(at, "file is %.1f MB; a %s may be at most %d MB", float64(len(r.Src))/(1<<20), doc.Noun, MaxFileSize>>20)
		return nil
	}
	if bytes.IndexByte(r.Src, 0) >= 0 {
		r.Diags.Errorf(at, "file is binary, not YAML")
		return nil
	}
	r.lines = strings.Split(string(r.Src), "\n")
	dec := yaml.NewDecoder(bytes.NewReader(r.Src))
	var root yaml.Node
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			r.Diags.Errorf(at, "file is empty; a %s %s", doc.Noun, doc.Start)
		} else {
			r.syntaxError(err)
		}
		return nil
	}
	var next yaml.Node
	if err := dec.Decode(&next); err == nil {
		at := &next
		if len(next.Content) > 0 {
			at = next.Content[0]
		}
		r.Errorf(at, "a file holds one %s; move this document to its own file", doc.Noun)
	}
	if len(root.Content) == 0 {
		r.Diags.Errorf(at, "file is empty; a %s %s", doc.Noun, doc.Start)
		return nil
	}
	n := root.Content[0]
	if !r.walk(n, 0) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		r.Errorf(n, "a %s is %s, not %s", doc.Noun, doc.Shape, Describe(n))
		return nil
	}
	return n
}

// Pos is the position of node n.
func (r *Reader) Pos(n *yaml.Node) Pos { return Pos{File: r.File, Line: n.Line, Col: n.Column} }

// Errorf reports an error at node n.
func (r *Reader) Errorf(n *yaml.Node, format string, args ...any) *Diagnostic {
	return r.Diags.Errorf(r.Pos(n), format, args...)
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxError reports a yaml.v3 error at the line the problem is on. For
// parser (as opposed to scanner) errors yaml.v3 names a 0-based line, one
// before the problem: an unclosed `[` on line 8 reads "line 7".
func (r *Reader) syntaxError(err error) {
	msg := err.Error()
	line := 1
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
		if strings.HasPrefix(msg, "did not find expected ") && !scannerProblem(msg) {
			line++
		}
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	line = min(max(line, 1), len(r.lines))
	if strings.Contains(msg, "tab character") {
		line = r.tabLine(line)
	}
	if strings.Contains(msg, "did not find expected key") {
		line = r.quoteLine(line)
	}
	col := r.syntaxCol(line, msg)
	r.Diags.Errorf(Pos{File: r.File, Line: line, Col: col}, "invalid YAML: %s", msg).Hint = syntaxHint(msg)
}

// tabLine finds the first line from line on indented with a tab: yaml.v3
// names the line of the scalar before it.
func (r *Reader) tabLine(line int) int {
	for i := line; i <= len(r.lines); i++ {
		text := r.lines[i-1]
		if strings.ContainsRune(text[:len(text)-len(strings.TrimLeft(text, " \t"))], '\t') {
			return i
		}
	}
	return line
}

var textAfterQuote = regexp.MustCompile(`^\s*(?:-\s+)?[^:#'"]+:\s+("[^"]*"|'[^']*')\s*[^\s#]`)

// quoteLine finds, from line on, a value that starts with a quoted string
// and goes on after it, the usual cause of "did not find expected key"
// (yaml.v3 names the line of the enclosing mapping).
func (r *Reader) quoteLine(line int) int {
	for i := line; i <= len(r.lines); i++ {
		if textAfterQuote.MatchString(r.lines[i-1]) {
			return i
		}
	}
	return line
}

func scannerProblem(msg string) bool {
	for _, s := range []string{"alphabetic", "comment or line break", "URI escaped", "hexdecimal", "whitespace or line break"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// syntaxCol guesses the column of a syntax error on line: the unclosed
// bracket, else the first non-blank character.
func (r *Reader) syntaxCol(line int, msg string) int {
	text := r.lines[line-1]
	if strings.Contains(msg, "tab character") {
		return strings.IndexByte(text, '\t') + 1
	}
	for _, p := range [][2]string{{"']'", "["}, {"'}'", "{"}} {
		if strings.Contains(msg, p[0]) {
			if i := strings.LastIndex(text, p[1]); i >= 0 {
				return i + 1
			}
		}
	}
	return len(text) - len(strings.TrimLeft(text, " \t")) + 1
}

func syntaxHint(msg string) string {
	switch {
	case strings.Contains(msg, "tab character"):
		return "indent with spaces, not tabs"
	case strings.Contains(msg, "']'"), strings.Contains(msg, "'}'"):
		return "close the bracket on the same line, or write the list as an indented block"
	case strings.Contains(msg, "mapping values are not allowed"):
		return "check the indentation, or quote a value that contains \": \""
	case strings.Contains(msg, "end of stream"):
		return "close the quoted string"
	case strings.Contains(msg, "did not find expected key"):
		return "a value that starts with a quote must end with it: quote the whole value ('\"a\" in b')"
	}
	return ""
}

// walk counts nodes and checks nesting and duplicate keys everywhere in the
// document, so that later stages can trust the tree.
func (r *Reader) walk(n *yaml.Node, depth int) bool {
	r.nodes++
	if r.nodes > MaxNodes {
		r.Errorf(n, "%s is too large: more than %d YAML nodes (aliases expanded)", r.doc.Noun, MaxNodes)
		return false
	}
	if depth > MaxDepth {
		r.Errorf(n, "%s nests more than %d levels deep", r.doc.Noun, MaxDepth)
		return false
	}
	switch n.Kind {
	case yaml.AliasNode:
		return r.walk(n.Alias, depth+1)
	case yaml.MappingNode:
		// Report a duplicate key at its second occurrence and drop it, so
		// later stages see each key once (the first wins).
		seen := map[string]*yaml.Node{}
		kept := n.Content[:0]
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if first, dup := seen[k.Value]; dup && k.Kind == yaml.ScalarNode {
				r.Errorf(k, "duplicate key %q (first at line %d); remove one", k.Value, first.Line)
				continue
			}
			seen[k.Value] = k
			kept = append(kept, k, n.Content[i+1])
		}
		n.Content = kept
	}
	for _, c := range n.Content {
		if !r.walk(c, depth+1) {
			return false
		}
	}
	return true
}

// describe names a node's YAML type for messages.
func Describe(n *yaml.Node) string {
	n = Deref(n)
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	switch n.ShortTag() {
	case "!!null":
		return "null"
	case "!!bool":
		return "a bool"
	case "!!int":
		return "an integer"
	case "!!float":
		return "a number"
	}
	return fmt.Sprintf("the string %q", clip(n.Value))
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:37] + "..."
	}
	return s
}

func Deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}
