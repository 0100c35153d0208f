package serve

import (
	"strings"
	"unicode/utf8"
)

// labelValue makes v valid UTF-8, which Prometheus requires of a label's
// value (the exposition escapes the rest).
func labelValue(v string) string {
	if !utf8.ValidString(v) {
		v = strings.ToValidUTF8(v, "\uFFFD")
	}
	return v
}

// promMetricName maps name onto [a-zA-Z_:][a-zA-Z0-9_:]*, every other
// character becoming _ (and a leading digit gaining one).
func promMetricName(name string) string { return promName(name, true) }

// promLabelName maps name onto [a-zA-Z_][a-zA-Z0-9_]*, renaming the
// names Prometheus reserves (le, quantile, __*) by prefixing tag_.
func promLabelName(name string) string {
	name = promName(name, false)
	if name == "le" || name == "quantile" || strings.HasPrefix(name, "__") {
		name = "tag_" + name
	}
	return name
}

func promName(name string, colon bool) string {
	valid := func(i int, c rune) bool {
		return c == '_' || (colon && c == ':') || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || (i > 0 && '0' <= c && c <= '9')
	}
	ok := name != ""
	for i, c := range name {
		ok = ok && valid(i, c)
	}
	if ok {
		return name
	}
	var b strings.Builder
	if name == "" || ('0' <= name[0] && name[0] <= '9') {
		b.WriteByte('_')
	}
	for _, c := range name {
		if valid(1, c) {
			b.WriteRune(c)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}
