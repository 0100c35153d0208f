package engine

import (
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// foldWidth is the column folded scalars are wrapped at: yaml.v3 writes
// them on one line (it has no width setting) and mangles more-indented
// lines, so Format writes them itself.
const foldWidth = 100

// folds holds the folded scalars (key: >- text) of a document while it is
// encoded: each is replaced by a placeholder line, then written back
// wrapped at foldWidth.
type folds []string

// hide replaces every folded scalar under n that fold can write with a
// placeholder, keeping its chomping.
func (fs *folds) hide(n *yaml.Node) {
	if n.Kind == yaml.ScalarNode && n.Style&yaml.FoldedStyle != 0 && foldable(n.Value) {
		body := strings.TrimSuffix(n.Value, "\n")
		*fs = append(*fs, body)
		n.Value = fmt.Sprintf("runbookfold%08d", len(*fs)-1) + n.Value[len(body):]
		return
	}
	for _, c := range n.Content {
		fs.hide(c)
	}
}

// foldable reports whether fold writes v exactly: text, with no tab,
// no space at a line's end or at its start, and at most one final newline
// (strip or clip chomping).
func foldable(v string) bool {
	body := strings.TrimSuffix(v, "\n")
	return body != "" && !strings.ContainsAny(body, "\t\r") && !strings.HasPrefix(body, " ") &&
		!strings.HasPrefix(body, "\n") && !strings.HasSuffix(body, "\n") && !strings.Contains(body, " \n") && !strings.HasSuffix(body, " ")
}

var foldPlaceholder = regexp.MustCompile(`(?m)^( *)runbookfold(\d{8})$`)

// restore writes each placeholder line of out back as its folded text.
func (fs folds) restore(out []byte) []byte {
	return foldPlaceholder.ReplaceAllFunc(out, func(m []byte) []byte {
		sub := foldPlaceholder.FindSubmatch(m)
		var i int
		fmt.Sscanf(string(sub[2]), "%d", &i)
		return []byte(fold(fs[i], string(sub[1])))
	})
}

// fold writes text as the lines of a folded block scalar indented by
// indent: normal lines wrapped at foldWidth (a line break between two
// normal lines reads as a space, so k newlines between them take k empty
// lines); more-indented lines (starting with a space) as they are, the
// line breaks beside them kept (k newlines, k-1 empty lines).
func fold(text, indent string) string {
	var b strings.Builder
	prev, gap := "", 0
	for i, l := range strings.Split(text, "\n") {
		if i > 0 {
			gap++
		}
		if l == "" {
			continue
		}
		if i > 0 {
			empty := gap - 1
			if normal(prev) && normal(l) {
				empty = gap
			}
			b.WriteString(strings.Repeat("\n", empty+1))
		}
		b.WriteString(wrap(l, indent))
		prev, gap = l, 0
	}
	return b.String()
}

// normal reports whether a line of text is folded: not more-indented.
func normal(l string) bool { return !strings.HasPrefix(l, " ") }

// wrap writes a line at indent, a normal one broken at single spaces so
// that lines stay within foldWidth where they can.
func wrap(l, indent string) string {
	if !normal(l) {
		return indent + l
	}
	var b strings.Builder
	col := 0
	for _, w := range splitSingle(l) {
		if col > 0 && col+1+len(w) > foldWidth-len(indent) {
			b.WriteString("\n")
			col = 0
		} else if col > 0 {
			b.WriteString(" ")
			col++
		}
		if col == 0 {
			b.WriteString(indent)
		}
		b.WriteString(w)
		col += len(w)
	}
	return b.String()
}

// splitSingle splits l at the single spaces outside ${{ }}, where a line
// break may stand for one; runs of spaces stay inside a piece.
func splitSingle(l string) []string {
	var out []string
	start, depth := 0, 0
	for i := 1; i+1 < len(l); i++ {
		switch {
		case strings.HasPrefix(l[i:], "${{"):
			depth++
		case strings.HasPrefix(l[i:], "}}") && depth > 0:
			depth--
		case depth == 0 && l[i] == ' ' && l[i-1] != ' ' && l[i+1] != ' ':
			out = append(out, l[start:i])
			start = i + 1
		}
	}
	return append(out, l[start:])
}
