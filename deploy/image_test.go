package deploy

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	op, args string
	line     int
}

// stage is a Dockerfile stage: its base image, name and instructions.
type stage struct {
	from, name string
	ins        []instruction
}

// readDockerfile splits path into stages.
func readDockerfile(t *testing.T, path string) []*stage {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var stages []*stage
	var cur string
	start := 0
	for i, line := range strings.Split(string(b), "\n") {
		trimmed := strings.TrimSpace(line)
		if cur == "" && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if cur == "" {
			start = i + 1
		}
		if strings.HasSuffix(trimmed, "\\") {
			cur += strings.TrimSuffix(trimmed, "\\") + " "
			continue
		}
		cur += trimmed
		op, args, _ := strings.Cut(cur, " ")
		in := instruction{op: strings.ToUpper(op), args: strings.TrimSpace(args), line: start}
		cur = ""
		if in.op == "FROM" {
			f := strings.Fields(in.args)
			s := &stage{}
			for _, w := range f {
				if !strings.HasPrefix(w, "--") && s.from == "" {
					s.from = w
				}
			}
			if n := len(f); n >= 3 && strings.EqualFold(f[n-2], "AS") {
				s.name = f[n-1]
			}
			stages = append(stages, s)
			continue
		}
		if len(stages) > 0 {
			stages[len(stages)-1].ins = append(stages[len(stages)-1].ins, in)
		}
	}
	if len(stages) < 2 {
		t.Fatalf("%s: want a multi-stage build, found %d stage(s)", path, len(stages))
	}
	return stages
}

func (s *stage) find(op string) []instruction {
	var out []instruction
	for _, in := range s.ins {
		if in.op == op {
			out = append(out, in)
		}
	}
	return out
}

var (
	dockerfile = filepath.Join("Dockerfile")
	xVersion   = regexp.MustCompile(`-X ([\w./-]+)=\$\{?VERSION\}?`)
)

// versionSymbol is the symbol the Dockerfile's build stamps with
// VERSION, as -X gives it.
func versionSymbol() (string, error) {
	b, err := os.ReadFile(dockerfile)
	if err != nil {
		return "", err
	}
	m := xVersion.FindSubmatch(b)
	if m == nil {
		return "", fmt.Errorf("%s: no -ldflags \"-X SYMBOL=${VERSION}\" in its go build", dockerfile)
	}
	return string(m[1]), nil
}

// TestDockerfile: a static, trimmed, stamped build of ./cmd/runbook in
// one stage; a final stage running it as a non-root user, with the port
// the deployment files give --listen and a state directory it may write.
func TestDockerfile(t *testing.T) {
	stages := readDockerfile(t, dockerfile)
	build, final := stages[0], stages[len(stages)-1]
	var goBuild string
	cgoOff := false
	for _, in := range build.find("ENV") {
		cgoOff = cgoOff || strings.Contains(in.args, "CGO_ENABLED=0")
	}
	for _, in := range build.find("RUN") {
		if strings.Contains(in.args, "go build") {
			goBuild = in.args
			cgoOff = cgoOff || strings.Contains(in.args, "CGO_ENABLED=0")
		}
	}
	if goBuild == "" {
		t.Fatalf("%s: no go build in the first stage", dockerfile)
	}
	if !cgoOff {
		t.Errorf("%s: the build does not set CGO_ENABLED=0 (a static binary)", dockerfile)
	}
	for _, want := range []string{"-trimpath", `-ldflags "-s -w `, "./cmd/runbook"} {
		if !strings.Contains(goBuild, want) {
			t.Errorf("%s: go build lacks %s: %s", dockerfile, want, goBuild)
		}
	}
	if args := build.find("ARG"); !hasArg(args, "VERSION") {
		t.Errorf("%s: the build stage declares no ARG VERSION", dockerfile)
	}
	out := regexp.MustCompile(`-o (\S+)`).FindStringSubmatch(goBuild)
	if out == nil {
		t.Fatalf("%s: go build without -o", dockerfile)
	}
	goVersion(t, stages)

	// The final stage: the binary copied from the build, run as non-root.
	var bin string
	for _, in := range final.find("COPY") {
		f := strings.Fields(in.args)
		if len(f) >= 3 && f[0] == "--from="+build.name && f[len(f)-2] == out[1] {
			bin = f[len(f)-1]
		}
	}
	if bin == "" {
		t.Errorf("%s: the final stage copies no %s from stage %s", dockerfile, out[1], build.name)
	}
	if ep := final.find("ENTRYPOINT"); len(ep) != 1 || ep[0].args != `["`+bin+`"]` {
		t.Errorf("%s: ENTRYPOINT is %v, want [%q] (exec form: args come from the deployment files)", dockerfile, ep, bin)
	}
	uid := nonRootUser(t, final)
	if strings.Contains(final.from, ":latest") || !strings.Contains(final.from, ":") {
		t.Errorf("%s: base image %s is not pinned", dockerfile, final.from)
	}

	// The state directory: named by RUNBOOK_STATE_DIR, owned by the user.
	env := map[string]string{}
	for _, in := range final.find("ENV") {
		k, v, _ := strings.Cut(in.args, "=")
		env[k] = v
		checkEnv(t, dockerfile, "worker", []string{k})
	}
	dir := env["RUNBOOK_STATE_DIR"]
	owned := false
	for _, in := range final.find("COPY") {
		f := strings.Fields(in.args)
		owned = owned || (strings.Contains(in.args, "--chown="+uid+":") && f[len(f)-1] == dir)
	}
	if dir == "" || !owned {
		t.Errorf("%s: want ENV RUNBOOK_STATE_DIR naming a folder copied --chown=%s: (the user can write it), got %q", dockerfile, uid, dir)
	}
	if got := exposed(final); !got[servePort] {
		t.Errorf("%s: EXPOSE %v, want %d (runbook serve --listen in the deployment files)", dockerfile, got, servePort)
	}
}

// servePort is the port `runbook serve` listens on in the deployment
// files (checked there against their --listen).
const servePort = 8080

func hasArg(args []instruction, name string) bool {
	for _, in := range args {
		for _, f := range strings.Fields(in.args) {
			if n, _, _ := strings.Cut(f, "="); n == name {
				return true
			}
		}
	}
	return false
}

// goVersion: the builder's Go is go.mod's (GOTOOLCHAIN=local refuses an
// older one).
func goVersion(t *testing.T, stages []*stage) {
	b, err := os.ReadFile(filepath.Join(repoRoot, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	want := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(b)
	got := regexp.MustCompile(`(?m)^ARG GO_VERSION=(\S+)$`).FindSubmatch(mustRead(t, dockerfile))
	if want == nil || got == nil || string(got[1]) != string(want[1]) {
		t.Errorf("%s: ARG GO_VERSION=%s, want go.mod's go %s", dockerfile, got, want)
	}
	if !strings.Contains(stages[0].from, "golang:${GO_VERSION}") {
		t.Errorf("%s: build stage from %s, want golang:${GO_VERSION}", dockerfile, stages[0].from)
	}
}

// nonRootUser is the final stage's USER, which must be a numeric uid
// other than 0 (Kubernetes' runAsNonRoot can check only a number).
func nonRootUser(t *testing.T, s *stage) string {
	users := s.find("USER")
	if len(users) == 0 {
		t.Errorf("%s: the final stage has no USER: it would run as root", dockerfile)
		return ""
	}
	u, _, _ := strings.Cut(users[len(users)-1].args, ":")
	if n, err := strconv.Atoi(u); err != nil || n == 0 {
		t.Errorf("%s: USER %s, want a numeric uid other than 0", dockerfile, u)
	}
	return u
}

func exposed(s *stage) map[int]bool {
	out := map[int]bool{}
	for _, in := range s.find("EXPOSE") {
		for _, f := range strings.Fields(in.args) {
			p, _, _ := strings.Cut(f, "/")
			if n, err := strconv.Atoi(p); err == nil {
				out[n] = true
			}
		}
	}
	return out
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// imageUID is the final stage's user, as the Kubernetes manifests and
// the compose file must run it.
func imageUID(t *testing.T) int64 {
	stages := readDockerfile(t, dockerfile)
	n, err := strconv.ParseInt(nonRootUser(t, stages[len(stages)-1]), 10, 64)
	if err != nil {
		t.Fatalf("%s: no numeric USER", dockerfile)
	}
	return n
}
