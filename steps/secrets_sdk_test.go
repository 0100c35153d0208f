package steps

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"maps"
	"os"
	"path"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite steps/secrets_sdk.go")

// sdkSecretsFile is the generated table of the secrets sdkSeals seal.
const sdkSecretsFile = "secrets_sdk.go"

// sdkFinding is one output member that is, or may be, a secret: the
// operation, its output type, the member's path (Go field names, "[]"
// and "{}" for the elements of a list and the values of a map), and what
// says it is sensitive.
type sdkFinding struct {
	op   string
	out  reflect.Type
	path string
	by   string
}

// What says a member is sensitive (sdkFinding.by).
const (
	bySchema = "the SDK's schema marks it sensitive"
	byV1     = "aws-sdk-go v1 tags it sensitive"
	byName   = "its name suggests a secret (the SDK says nothing)"
)

// TestSecretFieldsCoverSDK: every output member the SDK marks sensitive,
// in every operation of every registered service, is sealed (by hand in
// secretFields, or by a rule of sdkSeals in the generated
// sdkSecretFields) or excluded by a rule of sdkExclusions, and by one
// rule only. Every rule must still match a member, and secrets_sdk.go
// must be what the rules give: refresh it with
// `go test ./steps -run TestSecretFieldsCoverSDK -update` (or go generate).
func TestSecretFieldsCoverSDK(t *testing.T) {
	found, unknown := sdkFindings(t)
	gen := map[string][]string{}
	used := map[ruleRoot]bool{}
	for _, f := range found {
		if sealedByHand(f.op, f.path) {
			continue
		}
		n := 0
		for i, r := range sdkSeals {
			if roots := ruleMatches(r.ops, r.roots, f); roots != nil {
				n++
				for _, j := range roots {
					used[ruleRoot{true, i, j}] = true
				}
				for _, p := range leafPaths(f.path, r.leaves) {
					if got, err := sdkGoPath(f.out, strings.Split(p, ".")); err != nil || got != p {
						t.Errorf("%s: sdkSeals leaf %s: %v", f.op, p, err)
					}
					gen[f.op] = append(gen[f.op], p)
				}
			}
		}
		for i, r := range sdkExclusions {
			if roots := ruleMatches(r.ops, r.roots, f); roots != nil {
				n++
				for _, j := range roots {
					used[ruleRoot{false, i, j}] = true
				}
			}
		}
		switch {
		case n == 0:
			t.Errorf("%s %s: %s; seal it (secretFields, sdkSeals) or exclude it (sdkExclusions)", f.op, f.path, f.by)
		case n > 1:
			t.Errorf("%s %s: matched by %d rules of sdkSeals and sdkExclusions; make it one", f.op, f.path, n)
		}
	}
	for i, r := range sdkSeals {
		for j, root := range r.roots {
			if !used[ruleRoot{true, i, j}] {
				t.Errorf("sdkSeals: %s %s matches no sensitive member (any more)", r.ops, root)
			}
		}
	}
	for i, r := range sdkExclusions {
		for j, root := range r.roots {
			if !used[ruleRoot{false, i, j}] {
				t.Errorf("sdkExclusions: %s %s matches no sensitive member (any more)", r.ops, root)
			}
		}
	}
	if len(unknown) > 0 {
		t.Logf("%d operations have no schema and are not in aws-sdk-go v1, so were checked by their fields' names only (-v lists them): %s",
			len(unknown), countByService(unknown))
		if testing.Verbose() {
			t.Log(strings.Join(unknown, " "))
		}
	}
	checkGenerated(t, gen)
}

// TestSecretFieldsResolve: every path of secretFields and
// sdkSecretFields names fields of its operation's output, when its
// service is registered (ecr, in secretFields, is not).
func TestSecretFieldsResolve(t *testing.T) {
	r := AWS()
	for _, table := range []map[string][]secretField{secretFields, sdkSecretFields} {
		for op, fields := range table {
			name, method, _ := strings.Cut(op, ":")
			s := r.services[name]
			if s == nil {
				continue
			}
			m, ok := s.load().methods[method]
			if !ok {
				t.Errorf("%s: no such operation", op)
				continue
			}
			for _, f := range fields {
				p := strings.Join(f.path, ".")
				if got, err := sdkGoPath(m.Type.Out(0).Elem(), f.path); err != nil || got != p {
					t.Errorf("%s %s: not a path of its output (%v)", op, p, err)
				}
			}
		}
	}
}

// sdkFindings lists the sensitive output members of every operation of
// every registered service, from its smithy schemas (sdkSchemaSecrets)
// where its aws-sdk-go-v2 module has them, else from aws-sdk-go v1's
// `sensitive:"true"` tags (sdkV1Service.secrets), else (unknown lists
// those operations) the fields whose names suggest a secret
// (nameSecrets).
func sdkFindings(t *testing.T) (found []sdkFinding, unknown []string) {
	r := AWS()
	for _, name := range r.Services() {
		s := r.services[name].load()
		var v1 *sdkV1Service
		for _, op := range s.names {
			id, out := name+":"+op, s.methods[op].Type.Out(0).Elem()
			paths, ok := sdkSchemaSecrets(out)
			by := bySchema
			if !ok {
				if v1 == nil {
					v1 = loadSDKV1(t, name)
				}
				by = byV1
				if paths, ok = v1.secrets(op); !ok {
					unknown = append(unknown, id)
					paths, by = nameSecrets(out), byName
				}
			}
			for _, p := range paths {
				goPath, err := sdkGoPath(out, p)
				if err != nil {
					t.Errorf("%s %s: %v", id, strings.Join(p, "."), err)
					continue
				}
				found = append(found, sdkFinding{id, out, goPath, by})
			}
		}
	}
	return found, unknown
}

// countByService is how many of ops (service:Operation) each service
// has: "ec2 3, s3 1".
func countByService(ops []string) string {
	n := map[string]int{}
	for _, op := range ops {
		name, _, _ := strings.Cut(op, ":")
		n[name]++
	}
	var out []string
	for _, name := range slices.Sorted(maps.Keys(n)) {
		out = append(out, fmt.Sprintf("%s %d", name, n[name]))
	}
	return strings.Join(out, ", ")
}

// sealedByHand reports whether secretFields seals path in the results of
// operation op: the path itself or, for a list, map or structure,
// something inside it.
func sealedByHand(op, path string) bool {
	for _, f := range secretFields[op] {
		if p := strings.Join(f.path, "."); p == path || strings.HasPrefix(p, path+".") {
			return true
		}
	}
	return false
}

// ruleRoot is a pattern of roots of a rule: of sdkSeals[rule] or
// sdkExclusions[rule].
type ruleRoot struct {
	seal       bool
	rule, root int
}

// ruleMatches returns the indexes of the patterns of roots that match
// the end of f's path (whole elements, the "[]" and "{}" steps left out)
// when ops matches f's operation; nil when the rule does not match f.
func ruleMatches(ops string, roots []string, f sdkFinding) []int {
	if ok, err := path.Match(ops, f.op); !ok || err != nil {
		return nil
	}
	var elems []string
	for _, e := range strings.Split(f.path, ".") {
		if e != "[]" && e != "{}" {
			elems = append(elems, e)
		}
	}
	var out []int
	for j, r := range roots {
		for i := range elems {
			if ok, _ := path.Match(r, strings.Join(elems[i:], ".")); ok {
				out = append(out, j)
				break
			}
		}
	}
	return out
}

// leafPaths are the paths a seal rule seals at root: root itself, or
// each of leaves under it.
func leafPaths(root string, leaves []string) []string {
	if len(leaves) == 0 {
		return []string{root}
	}
	var out []string
	for _, l := range leaves {
		out = append(out, root+"."+l)
	}
	return out
}

// checkGenerated compares secrets_sdk.go with the table gen gives, or
// writes it with -update.
func checkGenerated(t *testing.T, gen map[string][]string) {
	var b bytes.Buffer
	b.WriteString("// Code generated by go test ./steps -run TestSecretFieldsCoverSDK -update; DO NOT EDIT.\n\n")
	b.WriteString("package steps\n\n")
	b.WriteString("// sdkSecretFields are the secret fields of results that the SDK marks\n")
	b.WriteString("// sensitive and the review (secrets_review_test.go) seals, beside\n")
	b.WriteString("// secretFields: see TestSecretFieldsCoverSDK.\n")
	b.WriteString("var sdkSecretFields = map[string][]secretField{\n")
	ops := make([]string, 0, len(gen))
	for op := range gen {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	for _, op := range ops {
		paths := gen[op]
		sort.Strings(paths)
		fmt.Fprintf(&b, "\t%q: {", op)
		for i, p := range paths {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "field(%q, nil)", p)
		}
		b.WriteString("},\n")
	}
	b.WriteString("}\n")
	want, err := format.Source(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(sdkSecretsFile, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if got, err := os.ReadFile(sdkSecretsFile); err != nil || !bytes.Equal(got, want) {
		t.Errorf("steps/%s is stale or missing: run go test ./steps -run TestSecretFieldsCoverSDK -update, review and commit it", sdkSecretsFile)
	}
}
