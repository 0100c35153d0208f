package engine

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

var semverRE = regexp.MustCompile(`^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$`)

// Version is a parsed MAJOR.MINOR.PATCH version.
type Version [3]int

// ParseVersion parses strict semver MAJOR.MINOR.PATCH (no prefix, no
// pre-release).
func ParseVersion(s string) (Version, error) {
	m := semverRE.FindStringSubmatch(s)
	if m == nil {
		return Version{}, fmt.Errorf("version %q is not MAJOR.MINOR.PATCH (for example 1.0.0)", s)
	}
	var v Version
	for i := range v {
		v[i], _ = strconv.Atoi(m[i+1])
	}
	return v, nil
}

// Less orders versions.
func (v Version) Less(w Version) bool {
	for i := range v {
		if v[i] != w[i] {
			return v[i] < w[i]
		}
	}
	return false
}

func (v Version) String() string { return fmt.Sprintf("%d.%d.%d", v[0], v[1], v[2]) }

// Ref is a reference to a definition: NAME, NAME@1.2.3, NAME@^1, NAME@~1.2.
type Ref struct {
	Name  string
	Op    byte // 0 any, '=' exact, '^' same major, '~' same minor
	Parts []int
}

// ParseRef parses a reference.
func ParseRef(s string) (Ref, error) {
	name, rng, found := strings.Cut(s, "@")
	r := Ref{Name: name}
	if !found {
		return r, nil
	}
	r.Op = '='
	if rng != "" && (rng[0] == '^' || rng[0] == '~') {
		r.Op, rng = rng[0], rng[1:]
	}
	for _, p := range strings.Split(rng, ".") {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || len(r.Parts) == 3 {
			return r, fmt.Errorf("bad version range %q in %q", rng, s)
		}
		r.Parts = append(r.Parts, n)
	}
	if r.Op == '=' && len(r.Parts) != 3 {
		return r, fmt.Errorf("%q: an exact version is MAJOR.MINOR.PATCH; use @^%s for a range", s, rng)
	}
	return r, nil
}

// Matches reports whether version v satisfies the reference's range.
func (r Ref) Matches(v Version) bool {
	switch r.Op {
	case 0:
		return true
	case '=':
		return v == Version{r.Parts[0], r.Parts[1], r.Parts[2]}
	}
	// ^1 / ^1.2 / ^1.2.3: same major, at least the given; ~1.2: same minor.
	fixed := 1
	if r.Op == '~' {
		fixed = min(2, len(r.Parts))
	}
	var low Version
	copy(low[:], r.Parts)
	for i := 0; i < fixed; i++ {
		if v[i] != low[i] {
			return false
		}
	}
	return !v.Less(low)
}
