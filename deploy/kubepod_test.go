package deploy

import (
	"encoding/json"
	"maps"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/serve"
)

// checkDeployment checks a Deployment's pods: their security settings,
// and for each container its args (flags `runbook CMD --help` lists),
// its environment (variables those flags read; ConfigMaps and Secrets
// that exist), the file and folder flags (on a mounted volume; a file of
// a Secret or ConfigMap one of its keys), its state directory (writable),
// and for serve the port --listen gives and the probes (paths serve
// answers, on that port).
func checkDeployment(t *testing.T, c *cluster, d *appsv1.Deployment) {
	where := c.where[d]
	spec := d.Spec.Template.Spec
	if sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector); err != nil || !sel.Matches(labels.Set(d.Spec.Template.Labels)) {
		t.Errorf("%s: the selector does not pick the template's pods (%v)", where, err)
	}
	uid := imageUID(t)
	if psc := spec.SecurityContext; psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser != uid {
		t.Errorf("%s: want securityContext runAsNonRoot and runAsUser %d (the image's user)", where, uid)
	}
	if sa := spec.ServiceAccountName; sa != "" && c.accounts[sa] == nil {
		t.Errorf("%s: no ServiceAccount %s in the manifests", where, sa)
	}
	vols := map[string]corev1.Volume{}
	for _, v := range spec.Volumes {
		vols[v.Name] = v
		switch {
		case v.Secret != nil && c.secrets[v.Secret.SecretName] == nil:
			t.Errorf("%s: volume %s: no Secret %s in the manifests", where, v.Name, v.Secret.SecretName)
		case v.ConfigMap != nil && c.configMaps[v.ConfigMap.Name] == nil:
			t.Errorf("%s: volume %s: no ConfigMap %s in the manifests", where, v.Name, v.ConfigMap.Name)
		}
	}
	for _, ctr := range spec.Containers {
		cw := where + ", container " + ctr.Name
		if ctr.Image != "runbook" || len(ctr.Command) > 0 {
			t.Errorf("%s: want image runbook (kustomization.yaml pins it) and no command (the image's ENTRYPOINT)", cw)
		}
		if sc := ctr.SecurityContext; sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
			sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation || sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") {
			t.Errorf("%s: want readOnlyRootFilesystem, no privilege escalation, capabilities dropped", cw)
		}
		inv := parseArgs(t, cw, ctr.Args)
		env := c.env(t, cw, ctr)
		checkEnv(t, cw, inv.cmd, slices.Collect(maps.Keys(env)))
		for _, m := range ctr.VolumeMounts {
			if _, ok := vols[m.Name]; !ok {
				t.Errorf("%s: mounts volume %s, which the pod lacks", cw, m.Name)
			}
		}
		u := help(t, inv.cmd)
		for flag, values := range inv.paths(t) {
			for _, v := range values {
				c.mounted(t, cw, ctr.VolumeMounts, vols, "--"+flag, v, u.flags[flag] == "FILE")
			}
		}
		state := inv.value("state-dir")
		if state == "" {
			state = env["RUNBOOK_STATE_DIR"]
		}
		if m, ok := mountOf(ctr.VolumeMounts, state); state == "" || !ok || m.ReadOnly || vols[m.Name].EmptyDir == nil && vols[m.Name].PersistentVolumeClaim == nil {
			t.Errorf("%s: the state directory %q (--state-dir or RUNBOOK_STATE_DIR) is not a writable volume: the root file system is read-only", cw, state)
		}
		checkListen(t, cw, d, ctr, inv)
	}
}

// env is the container's environment by name (values from ConfigMaps
// resolved), every ConfigMap and Secret it names checked to exist.
func (c *cluster) env(t *testing.T, where string, ctr corev1.Container) map[string]string {
	env := map[string]string{}
	for _, ef := range ctr.EnvFrom {
		switch {
		case ef.ConfigMapRef != nil && c.configMaps[ef.ConfigMapRef.Name] != nil:
			maps.Copy(env, c.configMaps[ef.ConfigMapRef.Name].Data)
		case ef.SecretRef != nil && c.secrets[ef.SecretRef.Name] != nil:
			for k := range secretData(c.secrets[ef.SecretRef.Name]) {
				env[k] = ""
			}
		default:
			t.Errorf("%s: envFrom names a ConfigMap or Secret the manifests lack", where)
		}
	}
	for _, e := range ctr.Env {
		env[e.Name] = e.Value
		if f := e.ValueFrom; f != nil && f.SecretKeyRef != nil {
			if s := c.secrets[f.SecretKeyRef.Name]; s == nil || secretData(s)[f.SecretKeyRef.Key] == "" {
				t.Errorf("%s: env %s: no key %s in a Secret %s", where, e.Name, f.SecretKeyRef.Key, f.SecretKeyRef.Name)
			}
		}
	}
	return env
}

func secretData(s *corev1.Secret) map[string]string {
	out := maps.Clone(s.StringData)
	if out == nil {
		out = map[string]string{}
	}
	for k, v := range s.Data {
		out[k] = string(v)
	}
	return out
}

// mountOf is the mount path lies on (the deepest one), if any.
func mountOf(mounts []corev1.VolumeMount, path string) (corev1.VolumeMount, bool) {
	var best corev1.VolumeMount
	for _, m := range mounts {
		if (path == m.MountPath || strings.HasPrefix(path, strings.TrimSuffix(m.MountPath, "/")+"/")) && len(m.MountPath) > len(best.MountPath) {
			best = m
		}
	}
	return best, best.Name != ""
}

// mounted reports a path flag's value that lies on no volume, or (isFile)
// names a file that its Secret or ConfigMap volume does not hold. It
// records the file's text in c.files by flag.
func (c *cluster) mounted(t *testing.T, where string, mounts []corev1.VolumeMount, vols map[string]corev1.Volume, flag, path string, isFile bool) {
	m, ok := mountOf(mounts, path)
	if !ok {
		t.Errorf("%s: %s=%s is on no volume (the root file system is read-only and the image holds only the binary)", where, flag, path)
		return
	}
	var data map[string]string
	switch v := vols[m.Name]; {
	case v.Secret != nil && c.secrets[v.Secret.SecretName] != nil:
		data = secretData(c.secrets[v.Secret.SecretName])
	case v.ConfigMap != nil && c.configMaps[v.ConfigMap.Name] != nil:
		data = c.configMaps[v.ConfigMap.Name].Data
	default:
		return
	}
	rel := strings.TrimPrefix(strings.TrimPrefix(path, m.MountPath), "/")
	switch {
	case isFile && rel == "":
		t.Errorf("%s: %s=%s names the folder volume %s is mounted on, not a file in it", where, flag, path, m.Name)
	case rel != "":
		text, ok := data[rel]
		if !ok {
			t.Errorf("%s: %s=%s: volume %s has no key %q (keys: %v)", where, flag, path, m.Name, rel, slices.Sorted(maps.Keys(data)))
		}
		c.fileFlags[flag] = text
	}
}

// checkListen: serve listens on all interfaces (a pod's port), on the
// container's port; its probes ask serve's health paths on that port.
// A container that serves no HTTP has no HTTP probe.
func checkListen(t *testing.T, where string, d *appsv1.Deployment, ctr corev1.Container, inv *invocation) {
	probes := map[string]*corev1.Probe{"liveness": ctr.LivenessProbe, "readiness": ctr.ReadinessProbe, "startup": ctr.StartupProbe}
	if inv.cmd != "serve" {
		for kind, p := range probes {
			if p != nil && p.HTTPGet != nil {
				t.Errorf("%s: %s probe over HTTP, but runbook %s serves no HTTP", where, kind, inv.cmd)
			}
		}
		return
	}
	host, port, err := net.SplitHostPort(inv.value("listen"))
	if err != nil || host == "" || net.ParseIP(host) != nil && net.ParseIP(host).IsLoopback() {
		t.Errorf("%s: --listen=%s: want an address other pods reach (0.0.0.0:PORT)", where, inv.value("listen"))
	}
	if p, ok := containerPort(d, port); !ok || strconv.Itoa(servePort) != port {
		t.Errorf("%s: --listen port %s is not a containerPort (%d), or not the image's EXPOSE %d", where, port, p, servePort)
	}
	if ctr.LivenessProbe == nil || ctr.ReadinessProbe == nil {
		t.Errorf("%s: serve wants a liveness and a readiness probe", where)
	}
	for kind, p := range probes {
		if p == nil {
			continue
		}
		if p.HTTPGet == nil {
			t.Errorf("%s: %s probe is not an HTTP GET", where, kind)
			continue
		}
		if got, ok := containerPort(d, p.HTTPGet.Port.String()); !ok || strconv.Itoa(int(got)) != port {
			t.Errorf("%s: %s probe on port %s, not --listen's %s", where, kind, p.HTTPGet.Port.String(), port)
		}
		checkProbePath(t, where+", "+kind+" probe", p.HTTPGet.Path)
	}
}

// checkSecrets: the tokens file the pods mount is one serve loads; the
// codec keys' placeholder is one every process refuses (so a deployment
// never runs on it).
func checkSecrets(t *testing.T, c *cluster) {
	tokens, ok := c.fileFlags["--tokens"]
	if !ok {
		t.Fatal("no pod mounts a --tokens file")
	}
	path := filepath.Join(t.TempDir(), "tokens.yaml")
	if err := os.WriteFile(path, []byte(tokens), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := serve.LoadTokens(path); err != nil {
		t.Errorf("the --tokens file of the manifests: %v", err)
	}
	keys, ok := c.fileFlags["--codec-key-file"]
	if !ok {
		t.Fatal("no pod mounts a --codec-key-file")
	}
	if _, err := engine.ParseKeys(keys, "codec.keys"); err == nil {
		t.Errorf("the codec keys' placeholder parses as keys: a deployment could run on a published key")
	}
}

// checkCatalogConfigMap: the catalog ConfigMap holds the files of
// compose/catalog, and the binary, given it as a ConfigMap volume lays it
// out, finds every definition and finds it valid.
func checkCatalogConfigMap(t *testing.T, c *cluster) {
	cm := c.configMaps["runbook-catalog"]
	if cm == nil {
		t.Fatal("no ConfigMap runbook-catalog")
	}
	files, err := filepath.Glob(filepath.Join("compose", "catalog", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, f := range files {
		want[filepath.Base(f)] = string(mustRead(t, f))
	}
	if !maps.Equal(cm.Data, want) {
		t.Errorf("%s: its data is not compose/catalog's files (%v vs %v)", c.where[cm], slices.Sorted(maps.Keys(cm.Data)), slices.Sorted(maps.Keys(want)))
	}
	dir := filepath.Join(t.TempDir(), "catalog")
	writeVolume(t, dir, cm.Data)
	// validate refuses what serve and the workers would refuse at start;
	// catalog shows that the files were found through the volume's links.
	if out, err := exec.Command(binary(t), "validate", dir).CombinedOutput(); err != nil {
		t.Errorf("runbook validate (the ConfigMap as mounted): %v\n%s", err, out)
	}
	out, err := exec.Command(binary(t), "catalog", "--catalog", dir, "-o", "json").Output()
	if err != nil {
		t.Fatalf("runbook catalog --catalog (the ConfigMap): %v\n%s", err, exitStderr(err))
	}
	var listed []struct{ Name string }
	if err := json.Unmarshal(out, &listed); err != nil {
		t.Fatal(err)
	}
	for key, text := range cm.Data {
		var head struct{ Name string }
		if err := yaml.Unmarshal([]byte(text), &head); err != nil || head.Name == "" {
			t.Errorf("%s: %s: no definition name (%v)", c.where[cm], key, err)
			continue
		}
		if !slices.ContainsFunc(listed, func(l struct{ Name string }) bool { return l.Name == head.Name }) {
			t.Errorf("%s: %s: runbook catalog does not list %s", c.where[cm], key, head.Name)
		}
	}
}

func exitStderr(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}
