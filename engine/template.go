package engine

import "strings"

// parseTemplate splits s into literal parts and `${{ expr }}` parts. Inside
// an expression, quoted strings may contain "}}". `$${{` writes a literal
// `${{`. On error it returns a message and the offset it applies to.
func parseTemplate(s string) (parts []Part, err string, at int) {
	var lit strings.Builder
	i := 0
	for i < len(s) {
		j := strings.Index(s[i:], "${{")
		if j < 0 {
			lit.WriteString(s[i:])
			break
		}
		j += i
		if j > 0 && s[j-1] == '$' {
			lit.WriteString(s[i : j-1])
			lit.WriteString("${{")
			i = j + 3
			continue
		}
		lit.WriteString(s[i:j])
		start := j + 3
		end, ok := closeBraces(s, start)
		if !ok {
			return nil, "unclosed ${{: add }}", j
		}
		src := s[start:end]
		if strings.TrimSpace(src) == "" {
			return nil, "empty ${{ }}: write an expression inside", j
		}
		if lit.Len() > 0 {
			parts = append(parts, Part{Lit: lit.String()})
			lit.Reset()
		}
		parts = append(parts, Part{Expr: &Expr{Src: src, base: start}})
		i = end + 2
	}
	if lit.Len() > 0 || len(parts) == 0 {
		parts = append(parts, Part{Lit: lit.String()})
	}
	return parts, "", 0
}

// closeBraces finds the "}}" that ends an expression starting at i, skipping
// quoted strings.
func closeBraces(s string, i int) (int, bool) {
	for i < len(s) {
		switch c := s[i]; c {
		case '"', '\'', '`':
			i++
			for i < len(s) && s[i] != c {
				if s[i] == '\\' && c != '`' {
					i++
				}
				i++
			}
			i++
		case '}':
			if strings.HasPrefix(s[i:], "}}") {
				return i, true
			}
			i++
		default:
			i++
		}
	}
	return 0, false
}
