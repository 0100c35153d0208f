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

// Limits on definition files, so that a hostile or broken file gives a clear
// error instead of a hang.
const (
	MaxFileSize = 4 << 20 // bytes
	MaxDepth    = 64      // nesting of YAML collections
	MaxNodes    = 200000  // YAML nodes, aliases expanded
)

// IsTestFile reports whether path is a runbook test file (NAME.test.yaml),
// which is not a definition.
func IsTestFile(path string) bool {
	return strings.HasSuffix(path, ".test.yaml") || strings.HasSuffix(path, ".test.yml")
}

// Load parses one definition file. It returns the definition (nil when the
// file is not a readable YAML mapping) and every diagnostic found while
// loading; Check finds the rest.
func Load(file string, src []byte, kinds Kinds) (*Definition, Diagnostics) {
	l := &loader{file: file, src: src, kinds: kinds}
	root := l.parse()
	if root == nil {
		return nil, l.diags
	}
	d := l.definition(root)
	return d, l.diags
}

type loader struct {
	file  string
	src   []byte
	lines []string
	kinds Kinds
	diags Diagnostics
	nodes int
	// inPlaybook is set while loading a playbook's nodes.
	inPlaybook bool
}

func (l *loader) pos(n *yaml.Node) Pos { return Pos{File: l.file, Line: n.Line, Col: n.Column} }

func (l *loader) errorf(n *yaml.Node, format string, args ...any) *Diagnostic {
	return l.diags.Errorf(l.pos(n), format, args...)
}

// parse reads the YAML document, reporting syntax errors at their real line,
// an empty file, several documents, duplicate keys and excessive nesting.
func (l *loader) parse() *yaml.Node {
	at := Pos{File: l.file, Line: 1, Col: 1}
	if len(l.src) > MaxFileSize {
		l.diags.Errorf(at, "file is %.1f MB; a definition may be at most %d MB", float64(len(l.src))/(1<<20), MaxFileSize>>20)
		return nil
	}
	if bytes.IndexByte(l.src, 0) >= 0 {
		l.diags.Errorf(at, "file is binary, not YAML")
		return nil
	}
	l.lines = strings.Split(string(l.src), "\n")
	dec := yaml.NewDecoder(bytes.NewReader(l.src))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			l.diags.Errorf(at, "file is empty; a definition starts with `apiVersion: %s`", APIVersion)
		} else {
			l.syntaxError(err)
		}
		return nil
	}
	var next yaml.Node
	if err := dec.Decode(&next); err == nil {
		at := &next
		if len(next.Content) > 0 {
			at = next.Content[0]
		}
		l.errorf(at, "a file holds one definition; move this document to its own file")
	}
	if len(doc.Content) == 0 {
		l.diags.Errorf(at, "file is empty; a definition starts with `apiVersion: %s`", APIVersion)
		return nil
	}
	root := doc.Content[0]
	if !l.walk(root, 0) {
		return nil
	}
	if root.Kind != yaml.MappingNode {
		l.errorf(root, "a definition is a YAML mapping starting with `apiVersion: %s`, not %s", APIVersion, describe(root))
		return nil
	}
	return root
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxError reports a yaml.v3 error at the line the problem is on. For
// parser (as opposed to scanner) errors yaml.v3 names a 0-based line, one
// before the problem: an unclosed `[` on line 8 reads "line 7".
func (l *loader) syntaxError(err error) {
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
	line = min(max(line, 1), len(l.lines))
	if strings.Contains(msg, "tab character") {
		line = l.tabLine(line)
	}
	if strings.Contains(msg, "did not find expected key") {
		line = l.quoteLine(line)
	}
	col := l.syntaxCol(line, msg)
	l.diags.Errorf(Pos{File: l.file, Line: line, Col: col}, "invalid YAML: %s", msg).Hint = syntaxHint(msg)
}

// tabLine finds the first line from line on indented with a tab: yaml.v3
// names the line of the scalar before it.
func (l *loader) tabLine(line int) int {
	for i := line; i <= len(l.lines); i++ {
		text := l.lines[i-1]
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
func (l *loader) quoteLine(line int) int {
	for i := line; i <= len(l.lines); i++ {
		if textAfterQuote.MatchString(l.lines[i-1]) {
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
func (l *loader) syntaxCol(line int, msg string) int {
	text := l.lines[line-1]
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
func (l *loader) walk(n *yaml.Node, depth int) bool {
	l.nodes++
	if l.nodes > MaxNodes {
		l.errorf(n, "definition is too large: more than %d YAML nodes (aliases expanded)", MaxNodes)
		return false
	}
	if depth > MaxDepth {
		l.errorf(n, "definition nests more than %d levels deep", MaxDepth)
		return false
	}
	switch n.Kind {
	case yaml.AliasNode:
		return l.walk(n.Alias, depth+1)
	case yaml.MappingNode:
		// Report a duplicate key at its second occurrence and drop it, so
		// later stages see each key once (the first wins).
		seen := map[string]*yaml.Node{}
		kept := n.Content[:0]
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if first, dup := seen[k.Value]; dup && k.Kind == yaml.ScalarNode {
				l.errorf(k, "duplicate key %q (first at line %d); remove one", k.Value, first.Line)
				continue
			}
			seen[k.Value] = k
			kept = append(kept, k, n.Content[i+1])
		}
		n.Content = kept
	}
	for _, c := range n.Content {
		if !l.walk(c, depth+1) {
			return false
		}
	}
	return true
}

// describe names a node's YAML type for messages.
func describe(n *yaml.Node) string {
	n = deref(n)
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

func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}
