package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"golang.org/x/term"
)

// Laying text out in a given width: the terminal's, else 80 columns.

// defaultWidth is the width of output that does not go to a terminal.
const defaultWidth = 80

// terminalWidth is w's width when it is a terminal, else 80 columns.
func terminalWidth(w io.Writer) int {
	if f, ok := w.(*os.File); ok && isTerminal(w) {
		if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols > 0 {
			return cols
		}
	}
	return defaultWidth
}

// maxWrapped is how many lines a cell of fitColumns' last column may
// take; the last one ends with an ellipsis when the text goes on.
const maxWrapped = 2

// fitColumns writes head and rows as columns two spaces apart, each line
// at most width characters: the last column's text is wrapped to the
// room left (at least 20 characters), on up to maxWrapped lines.
func fitColumns(w io.Writer, head []string, rows [][]string, width int, ellipsis string) error {
	all := append([][]string{head}, rows...)
	widths := make([]int, len(head))
	for _, r := range all {
		for i, cell := range r[:len(r)-1] {
			widths[i] = max(widths[i], utf8.RuneCountInString(cell))
		}
	}
	used := 0
	for _, n := range widths[:len(widths)-1] {
		used += n + 2
	}
	room := max(width-used, 20)
	for _, r := range all {
		var b strings.Builder
		for i, cell := range r[:len(r)-1] {
			b.WriteString(cell + strings.Repeat(" ", widths[i]-utf8.RuneCountInString(cell)+2))
		}
		lines := wrap(r[len(r)-1], room)
		if len(lines) > maxWrapped {
			lines = lines[:maxWrapped]
			lines[maxWrapped-1] = truncate(lines[maxWrapped-1]+" "+ellipsis, room, " "+ellipsis)
		}
		if len(lines) == 0 {
			lines = []string{""}
		}
		for i, l := range lines {
			if i > 0 {
				b.WriteString(strings.Repeat(" ", used))
			}
			b.WriteString(l)
			if _, err := fmt.Fprintln(w, strings.TrimRight(b.String(), " ")); err != nil {
				return err
			}
			b.Reset()
		}
	}
	return nil
}

// truncate cuts s to n characters at a space, the last ones being
// ellipsis when it was longer.
func truncate(s string, n int, ellipsis string) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	keep := n - utf8.RuneCountInString(ellipsis)
	if keep < 1 {
		return ""
	}
	cut := string([]rune(s)[:keep])
	if i := strings.LastIndex(cut, " "); i > 0 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:") + ellipsis
}

// firstSentence is s's first sentence on one line: up to the first
// period followed by a space or the end.
func firstSentence(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i+1]
	}
	return s
}

// wrap breaks s into lines of at most width characters, at spaces (a
// longer word stays whole).
func wrap(s string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		switch {
		case line == "":
			line = word
		case utf8.RuneCountInString(line)+1+utf8.RuneCountInString(word) > width:
			lines = append(lines, line)
			line = word
		default:
			line += " " + word
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}
