package deploy

import (
	"maps"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// composeFile is the part of the Compose specification the compose file
// may use: decoded with unknown fields refused, a typo is an error.
type composeFile struct {
	Name     string                    `yaml:"name"`
	Services map[string]composeService `yaml:"services"`
	Secrets  map[string]struct {
		File string `yaml:"file"`
	} `yaml:"secrets"`
	Volumes map[string]struct{} `yaml:"volumes"`
}

type composeService struct {
	Image string `yaml:"image"`
	Build *struct {
		Context    string            `yaml:"context"`
		Dockerfile string            `yaml:"dockerfile"`
		Args       map[string]string `yaml:"args"`
	} `yaml:"build"`
	Entrypoint  []string          `yaml:"entrypoint"`
	Command     []string          `yaml:"command"`
	Environment map[string]string `yaml:"environment"`
	Secrets     []string          `yaml:"secrets"`
	Volumes     []string          `yaml:"volumes"`
	Tmpfs       []string          `yaml:"tmpfs"`
	Ports       []string          `yaml:"ports"`
	ReadOnly    bool              `yaml:"read_only"`
	Healthcheck *struct {
		Test     []string `yaml:"test"`
		Interval string   `yaml:"interval"`
		Timeout  string   `yaml:"timeout"`
		Retries  int      `yaml:"retries"`
	} `yaml:"healthcheck"`
	DependsOn map[string]struct {
		Condition string `yaml:"condition"`
	} `yaml:"depends_on"`
	Deploy *struct {
		Replicas int `yaml:"replicas"`
	} `yaml:"deploy"`
	Restart string `yaml:"restart"`
}

const composeDir = "compose"

// TestCompose checks the compose file: its services' images, their
// dependencies and mounts; for the runbook services their flags and
// variables against the binary's, the ports, and the files their flags
// name against the secrets and volumes mounted there.
func TestCompose(t *testing.T) {
	var f composeFile
	strictYAML(t, filepath.Join(composeDir, "compose.yaml"), &f)
	versions := goModVersions(t)
	for _, want := range []string{"postgresql", "temporal", "temporal-ui", "runbook-serve", "runbook-worker"} {
		if _, ok := f.Services[want]; !ok {
			t.Errorf("compose.yaml: no service %s", want)
		}
	}
	var runbook []string
	for name, s := range f.Services {
		where := "compose.yaml: " + name
		checkImage(t, where, s.Image, versions)
		for dep := range s.DependsOn {
			if _, ok := f.Services[dep]; !ok {
				t.Errorf("%s: depends on %s, which is no service", where, dep)
			}
		}
		for _, v := range s.Volumes {
			src, _, _ := strings.Cut(v, ":")
			if strings.HasPrefix(src, ".") {
				if _, err := os.Stat(filepath.Join(composeDir, src)); err != nil {
					t.Errorf("%s: bind mount %s: %v", where, src, err)
				}
			} else if _, ok := f.Volumes[src]; !ok {
				t.Errorf("%s: volume %s is not declared", where, src)
			}
		}
		if strings.HasPrefix(s.Image, "runbook:") {
			runbook = append(runbook, name)
			checkComposeRunbook(t, where, &f, s)
		}
	}
	if w := f.Services["runbook-worker"]; w.Deploy == nil || w.Deploy.Replicas != 2 {
		t.Error("compose.yaml: runbook-worker: want deploy.replicas 2")
	}
	checkComposeTemporal(t, &f)
	if len(runbook) < 2 {
		t.Errorf("compose.yaml: runbook services %v, want serve and workers", runbook)
	}
}

// checkImage: every image has a pinned tag; Temporal's are go.mod's
// server and UI versions.
func checkImage(t *testing.T, where, image string, versions map[string]string) {
	repo, tag, ok := strings.Cut(image, ":")
	if !ok || tag == "" || tag == "latest" {
		t.Errorf("%s: image %s has no pinned tag", where, image)
	}
	want := map[string]string{
		"temporalio/server":      versions["go.temporal.io/server"],
		"temporalio/admin-tools": versions["go.temporal.io/server"],
		"temporalio/ui":          versions["github.com/temporalio/ui-server/v2"],
	}[repo]
	if want != "" && "v"+tag != want {
		t.Errorf("%s: image %s, want tag %s (go.mod's)", where, image, strings.TrimPrefix(want, "v"))
	}
}

// goModVersions is go.mod's required versions by module.
func goModVersions(t *testing.T) map[string]string {
	out := map[string]string{}
	re := regexp.MustCompile(`(?m)^\s*([\w./-]+) (v\S+)`)
	for _, m := range re.FindAllStringSubmatch(string(mustRead(t, filepath.Join(repoRoot, "go.mod"))), -1) {
		out[m[1]] = m[2]
	}
	return out
}

// checkComposeRunbook checks a service running the runbook image.
func checkComposeRunbook(t *testing.T, where string, f *composeFile, s composeService) {
	if s.Build != nil {
		root := filepath.Join(composeDir, s.Build.Context)
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
			t.Errorf("%s: build context %s is not the module's root", where, s.Build.Context)
		}
		got, _ := filepath.Abs(filepath.Join(root, s.Build.Dockerfile))
		want, _ := filepath.Abs(dockerfile)
		if got != want {
			t.Errorf("%s: build dockerfile %s is not deploy/Dockerfile", where, s.Build.Dockerfile)
		}
	} else if b := f.Services["runbook-serve"].Build; b == nil {
		t.Errorf("%s: no service builds the runbook image", where)
	}
	if len(s.Entrypoint) > 0 || !s.ReadOnly {
		t.Errorf("%s: want the image's entrypoint and read_only: true", where)
	}
	inv := parseArgs(t, where, s.Command)
	checkEnv(t, where, inv.cmd, slices.Collect(maps.Keys(s.Environment)))
	mounts := map[string]string{} // container path -> what
	for _, name := range s.Secrets {
		if _, ok := f.Secrets[name]; !ok {
			t.Errorf("%s: secret %s is not declared", where, name)
		}
		mounts["/run/secrets/"+name] = "secret " + name
	}
	for _, v := range s.Volumes {
		parts := strings.Split(v, ":")
		if len(parts) < 2 {
			t.Errorf("%s: volume %q names no container path", where, v)
			continue
		}
		mounts[parts[1]] = "volume " + parts[0]
	}
	for _, p := range s.Tmpfs {
		mounts[p] = "tmpfs"
	}
	u := help(t, inv.cmd)
	for flag, values := range inv.paths(t) {
		for _, v := range values {
			if !composeMounted(mounts, v, u.flags[flag] == "FILE") {
				t.Errorf("%s: --%s=%s is on no secret or volume (mounted: %v)", where, flag, v, slices.Sorted(maps.Keys(mounts)))
			}
		}
	}
	if dir := s.Environment["RUNBOOK_STATE_DIR"]; dir == "" || mounts[dir] == "" {
		t.Errorf("%s: RUNBOOK_STATE_DIR %q is not a volume or tmpfs (read_only: the state directory must be mounted)", where, dir)
	}
	if !slices.Contains(s.Secrets, "codec.keys") || inv.value("codec-key-file") != "/run/secrets/codec.keys" {
		t.Errorf("%s: every runbook process shares the codec keys: want secret codec.keys and --codec-key-file=/run/secrets/codec.keys", where)
	}
	if addr := inv.value("address"); addr != "" {
		host, port, _ := net.SplitHostPort(addr)
		if _, ok := f.Services[host]; !ok || port != "7233" {
			t.Errorf("%s: --address=%s is not the temporal service's frontend (SERVICE:7233)", where, addr)
		}
	} else {
		t.Errorf("%s: no --address: it would start an embedded server of its own", where)
	}
	if inv.cmd == "serve" {
		_, port, err := net.SplitHostPort(inv.value("listen"))
		if err != nil || port != strconv.Itoa(servePort) {
			t.Errorf("%s: --listen=%s, want port %d (the image's EXPOSE)", where, inv.value("listen"), servePort)
		}
		if !slices.ContainsFunc(s.Ports, func(p string) bool { return strings.HasSuffix(p, ":"+port) }) {
			t.Errorf("%s: ports %v publish no --listen port %s", where, s.Ports, port)
		}
	}
}

// composeMounted reports whether path lies on one of mounts (isFile: in
// a mounted folder, or a mounted file itself).
func composeMounted(mounts map[string]string, path string, isFile bool) bool {
	for m, what := range mounts {
		if path == m && (!isFile || strings.HasPrefix(what, "secret ") || strings.HasPrefix(what, "volume .") && filepath.Ext(m) != "") {
			return true
		}
		if strings.HasPrefix(path, strings.TrimSuffix(m, "/")+"/") {
			return true
		}
	}
	return false
}

// checkComposeTemporal: the server reads the dynamic config file of
// deploy/temporal, and `runbook setup` registers the namespace the
// runbook services use, with the search attributes runbook sets.
func checkComposeTemporal(t *testing.T, f *composeFile) {
	srv := f.Services["temporal"]
	path := srv.Environment["DYNAMIC_CONFIG_FILE_PATH"]
	want := "../temporal/dynamicconfig.yaml:" + filepath.Join("/etc/temporal", path)
	if !slices.ContainsFunc(srv.Volumes, func(v string) bool { return strings.TrimSuffix(v, ":ro") == want }) {
		t.Errorf("compose.yaml: temporal: DYNAMIC_CONFIG_FILE_PATH=%s is not where ../temporal/dynamicconfig.yaml is mounted", path)
	}
	setup := f.Services["runbook-setup"]
	if len(setup.Command) == 0 || setup.Command[0] != "setup" || !strings.HasPrefix(setup.Image, "runbook:") {
		t.Errorf("compose.yaml: runbook-setup runs %v in %s, want `runbook setup` of the runbook image", setup.Command, setup.Image)
	}
	for name, s := range f.Services {
		if strings.HasPrefix(s.Image, "runbook:") && s.Environment["TEMPORAL_NAMESPACE"] != setup.Environment["TEMPORAL_NAMESPACE"] {
			t.Errorf("compose.yaml: %s: TEMPORAL_NAMESPACE %q is not the namespace runbook-setup sets up (%q)", name, s.Environment["TEMPORAL_NAMESPACE"], setup.Environment["TEMPORAL_NAMESPACE"])
		}
	}
	for _, s := range []string{"temporal-schema"} {
		if c := f.Services[s].Command; len(c) != 1 || !slices.ContainsFunc(f.Services[s].Volumes, func(v string) bool { return strings.Contains(v, ":"+c[0]+":") }) {
			t.Errorf("compose.yaml: %s runs %v, which is not a script mounted from deploy/compose", s, c)
		}
	}
}
