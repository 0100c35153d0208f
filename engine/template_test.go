package engine

import (
	"strings"
	"testing"
)

func TestParseTemplate(t *testing.T) {
	for _, tc := range []struct {
		in    string
		parts []string // "L:" literal or "E:" expression
		whole bool
		err   string
	}{
		{in: "plain", parts: []string{"L:plain"}},
		{in: "${{ params.X }}", parts: []string{"E: params.X "}, whole: true},
		{in: "a ${{ x }} b", parts: []string{"L:a ", "E: x ", "L: b"}},
		{in: `${{ "}}" + x }}`, parts: []string{`E: "}}" + x `}, whole: true},
		{in: "$${{ x }}", parts: []string{"L:${{ x }}"}},
		{in: "${{ x }}${{ y }}", parts: []string{"E: x ", "E: y "}},
		{in: "a ${{ x", err: "unclosed"},
		{in: "${{   }}", err: "empty"},
	} {
		parts, err, _ := parseTemplate(tc.in)
		if tc.err != "" {
			if !strings.Contains(err, tc.err) {
				t.Errorf("%q: error %q, want %q", tc.in, err, tc.err)
			}
			continue
		}
		var got []string
		for _, p := range parts {
			if p.Expr != nil {
				got = append(got, "E:"+p.Expr.Src)
			} else {
				got = append(got, "L:"+p.Lit)
			}
		}
		if strings.Join(got, "|") != strings.Join(tc.parts, "|") {
			t.Errorf("%q: parts %q, want %q", tc.in, got, tc.parts)
		}
		if whole := len(parts) == 1 && parts[0].Expr != nil; whole != tc.whole {
			t.Errorf("%q: whole %v", tc.in, whole)
		}
	}
}

// FuzzTemplate checks that the `${{ }}` parser never panics and that every
// expression it returns lies inside the input at its offset.
func FuzzTemplate(f *testing.F) {
	for _, s := range []string{"a ${{ x }} b", "${{ '}}' }}", "$${{", "${{", "}}${{\"", "${{ `a}}` }}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		parts, err, at := parseTemplate(s)
		if err != "" {
			if at < 0 || at > len(s) {
				t.Fatalf("error offset %d outside %q", at, s)
			}
			return
		}
		for _, p := range parts {
			if e := p.Expr; e != nil && s[e.base:e.base+len(e.Src)] != e.Src {
				t.Fatalf("expression %q not at offset %d of %q", e.Src, e.base, s)
			}
		}
	})
}
