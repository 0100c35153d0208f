package deploy

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const systemdDir = "systemd"

// unit is a systemd unit file: each section's directives, in order.
type unit map[string][][2]string

// readUnit parses path, continuation lines joined.
func readUnit(t *testing.T, path string) unit {
	t.Helper()
	u := unit{}
	section, cur := "", ""
	sc := bufio.NewScanner(bytes.NewReader(mustRead(t, path)))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if cur == "" && (line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";")) {
			continue
		}
		if strings.HasPrefix(line, "[") && cur == "" {
			section = strings.Trim(line, "[]")
			continue
		}
		if strings.HasSuffix(line, "\\") {
			cur += strings.TrimSuffix(line, "\\") + " "
			continue
		}
		k, v, ok := strings.Cut(cur+line, "=")
		cur = ""
		if !ok {
			t.Errorf("%s: [%s] %q is no KEY=VALUE", path, section, line)
			continue
		}
		u[section] = append(u[section], [2]string{k, v})
	}
	return u
}

// get is the last value of key in section, "" if absent.
func (u unit) get(section, key string) string {
	v := ""
	for _, kv := range u[section] {
		if kv[0] == key {
			v = kv[1]
		}
	}
	return v
}

func (u unit) all(section, key string) []string {
	var out []string
	for _, kv := range u[section] {
		if kv[0] == key {
			out = append(out, kv[1])
		}
	}
	return out
}

// unitBinary is where the units expect the binary (the README installs
// it there).
const unitBinary = "/usr/local/bin/runbook"

// TestSystemd checks each unit's ExecStart against the binary's flags,
// its specifiers against its own directories and credentials, its
// environment against the variables the binary reads, and its hardening;
// then has systemd-analyze verify it, where systemd is installed.
func TestSystemd(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(systemdDir, "*.service"))
	if err != nil || len(paths) < 3 {
		t.Fatalf("want runbook-server, runbook-serve and runbook-worker@ units in %s, found %v", systemdDir, paths)
	}
	for _, path := range paths {
		u := readUnit(t, path)
		where := path
		argv := strings.Fields(u.get("Service", "ExecStart"))
		if len(argv) < 2 || argv[0] != unitBinary {
			t.Errorf("%s: ExecStart %v, want %s CMD ...", where, argv, unitBinary)
			continue
		}
		inv := parseArgs(t, where, argv[1:])
		checkUnitPaths(t, where, u, inv)
		var env []string
		for _, e := range u.all("Service", "Environment") {
			k, _, _ := strings.Cut(e, "=")
			env = append(env, k)
		}
		checkEnv(t, where, inv.cmd, env)
		for key, want := range map[string]string{"NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes", "CapabilityBoundingSet": "", "RestrictSUIDSGID": "yes"} {
			if got := u.get("Service", key); got != want || len(u.all("Service", key)) == 0 {
				t.Errorf("%s: %s=%q, want %q", where, key, got, want)
			}
		}
		if u.get("Service", "DynamicUser") != "yes" && u.get("Service", "User") == "" {
			t.Errorf("%s: runs as root: want DynamicUser=yes or a User", where)
		}
		if inv.cmd != "server" && u.get("Service", "Environment") == "" && inv.value("address") == "" {
			t.Errorf("%s: no TEMPORAL_ADDRESS nor --address: it would start an embedded server of its own", where)
		}
	}
	checkEnvFile(t, filepath.Join(systemdDir, "runbook.env"))
	t.Run("verify", func(t *testing.T) { verifyUnits(t, paths) })
}

var specifier = regexp.MustCompile(`^%([Sd])/(.+)$`)

// checkUnitPaths: every file or folder flag names an absolute path or a
// specifier the unit backs: %S/DIR a StateDirectory, %d/NAME a
// LoadCredential; and the state directory is the unit's own.
func checkUnitPaths(t *testing.T, where string, u unit, inv *invocation) {
	creds := map[string]bool{}
	for _, lc := range u.all("Service", "LoadCredential") {
		name, _, _ := strings.Cut(lc, ":")
		creds[name] = true
	}
	for flag, values := range inv.paths(t) {
		for _, v := range values {
			m := specifier.FindStringSubmatch(v)
			switch {
			case m == nil && !filepath.IsAbs(v):
				t.Errorf("%s: --%s=%s is not an absolute path", where, flag, v)
			case m != nil && m[1] == "S" && m[2] != u.get("Service", "StateDirectory"):
				t.Errorf("%s: --%s=%s is not the unit's StateDirectory=%s", where, flag, v, u.get("Service", "StateDirectory"))
			case m != nil && m[1] == "d" && !creds[m[2]]:
				t.Errorf("%s: --%s=%s names no LoadCredential", where, flag, v)
			}
		}
	}
	if sd := inv.value("state-dir"); sd != "%S/"+u.get("Service", "StateDirectory") {
		t.Errorf("%s: --state-dir=%s, want %%S/ and the unit's StateDirectory (the only place it may write)", where, sd)
	}
}

// checkEnvFile: every variable the example environment file sets, or
// shows commented out, is one the binary reads.
func checkEnvFile(t *testing.T, path string) {
	re := regexp.MustCompile(`(?m)^#?([A-Z][A-Z0-9_]*)=`)
	var names []string
	for _, m := range re.FindAllStringSubmatch(string(mustRead(t, path)), -1) {
		names = append(names, m[1])
	}
	if len(names) == 0 {
		t.Errorf("%s: no variable", path)
	}
	checkEnv(t, path, "serve", names)
}

// verifyUnits runs systemd-analyze verify on copies of the units that
// start the binary the tests built (verify wants an executable there):
// any warning about them fails. Without systemd-analyze it skips, saying
// so.
func verifyUnits(t *testing.T, paths []string) {
	sa, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed (apt-get install systemd): the units are not verified")
	}
	dir := t.TempDir()
	var copies []string
	for _, p := range paths {
		text := strings.ReplaceAll(string(mustRead(t, p)), unitBinary, binary(t))
		c := filepath.Join(dir, filepath.Base(p))
		if err := os.WriteFile(c, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		copies = append(copies, c)
	}
	cmd := exec.Command(sa, append([]string{"verify"}, copies...)...)
	cmd.Env = append(os.Environ(), "SYSTEMD_LOG_LEVEL=warning")
	out, err := cmd.CombinedOutput()
	var ours []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if strings.Contains(line, dir) || strings.Contains(line, ".service") && strings.Contains(line, "runbook") {
			ours = append(ours, line)
		} else if line != "" {
			t.Logf("systemd-analyze (not about these units): %s", line)
		}
	}
	if err != nil || len(ours) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, strings.Join(ours, "\n"))
	}
}
