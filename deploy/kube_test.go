package deploy

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	k8sjson "sigs.k8s.io/json"
	k8syaml "sigs.k8s.io/yaml"
)

const kubeDir = "kubernetes"

// kubeKinds are the kinds the manifests may hold, with their apiVersion
// and a new object of their k8s.io/api type.
var kubeKinds = map[string]struct {
	apiVersion string
	new        func() any
}{
	"Namespace":           {"v1", func() any { return &corev1.Namespace{} }},
	"ServiceAccount":      {"v1", func() any { return &corev1.ServiceAccount{} }},
	"ConfigMap":           {"v1", func() any { return &corev1.ConfigMap{} }},
	"Secret":              {"v1", func() any { return &corev1.Secret{} }},
	"Service":             {"v1", func() any { return &corev1.Service{} }},
	"Deployment":          {"apps/v1", func() any { return &appsv1.Deployment{} }},
	"PodDisruptionBudget": {"policy/v1", func() any { return &policyv1.PodDisruptionBudget{} }},
}

// cluster is every object of the manifests, by kind and name.
type cluster struct {
	files       []string // the manifest files, kustomization.yaml aside
	namespaces  map[string]*corev1.Namespace
	accounts    map[string]*corev1.ServiceAccount
	configMaps  map[string]*corev1.ConfigMap
	secrets     map[string]*corev1.Secret
	services    map[string]*corev1.Service
	deployments map[string]*appsv1.Deployment
	pdbs        map[string]*policyv1.PodDisruptionBudget
	where       map[any]string // object -> "file: Kind name"
	// fileFlags holds the text of the files the pods' flags name, by
	// flag (--tokens), from the Secret or ConfigMap mounted there.
	fileFlags map[string]string
}

var docSep = regexp.MustCompile(`(?m)^---[ \t]*$`)

// loadCluster decodes every document of kubernetes/*.yaml strictly into
// its k8s.io/api type: an unknown or misspelt field, a duplicate key or a
// value of the wrong type fails.
func loadCluster(t *testing.T) *cluster {
	t.Helper()
	c := &cluster{namespaces: map[string]*corev1.Namespace{}, accounts: map[string]*corev1.ServiceAccount{},
		configMaps: map[string]*corev1.ConfigMap{}, secrets: map[string]*corev1.Secret{}, services: map[string]*corev1.Service{},
		deployments: map[string]*appsv1.Deployment{}, pdbs: map[string]*policyv1.PodDisruptionBudget{}, where: map[any]string{},
		fileFlags: map[string]string{}}
	paths, err := filepath.Glob(filepath.Join(kubeDir, "*.yaml"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no manifests in %s: %v", kubeDir, err)
	}
	for _, path := range paths {
		if filepath.Base(path) == "kustomization.yaml" {
			continue
		}
		c.files = append(c.files, filepath.Base(path))
		for i, doc := range docSep.Split(string(mustRead(t, path)), -1) {
			if strings.TrimSpace(stripComments(doc)) == "" {
				continue
			}
			c.add(t, path, i, []byte(doc))
		}
	}
	return c
}

// decodeStrict decodes a YAML manifest as the API server's strict field
// validation does: a duplicate key, an unknown field, or a known one
// spelt in another case (encoding/json would take readOnlyRootFileSystem
// for readOnlyRootFilesystem) is an error.
func decodeStrict(doc []byte, obj any) error {
	j, err := k8syaml.YAMLToJSONStrict(doc)
	if err != nil {
		return err
	}
	strict, err := k8sjson.UnmarshalStrict(j, obj, k8sjson.DisallowDuplicateFields, k8sjson.DisallowUnknownFields)
	if err != nil {
		return err
	}
	return errors.Join(strict...)
}

func stripComments(doc string) string {
	var b strings.Builder
	for _, l := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

func (c *cluster) add(t *testing.T, path string, i int, doc []byte) {
	var tm metav1.TypeMeta
	if err := k8syaml.Unmarshal(doc, &tm); err != nil {
		t.Errorf("%s: document %d: %v", path, i+1, err)
		return
	}
	k, ok := kubeKinds[tm.Kind]
	if !ok || tm.APIVersion != k.apiVersion {
		t.Errorf("%s: document %d: %s %s is not a kind these manifests use (or the wrong apiVersion)", path, i+1, tm.APIVersion, tm.Kind)
		return
	}
	obj := k.new()
	if err := decodeStrict(doc, obj); err != nil {
		t.Errorf("%s: %s: %v", path, tm.Kind, err)
		return
	}
	meta := obj.(metav1.ObjectMetaAccessor).GetObjectMeta()
	where := path + ": " + tm.Kind + " " + meta.GetName()
	c.where[obj] = where
	if meta.GetName() == "" {
		t.Errorf("%s: no name", where)
	}
	if tm.Kind != "Namespace" && meta.GetNamespace() != "runbook" {
		t.Errorf("%s: namespace %q, want runbook", where, meta.GetNamespace())
	}
	dup := false
	switch o := obj.(type) {
	case *corev1.Namespace:
		dup = put(c.namespaces, o.Name, o)
	case *corev1.ServiceAccount:
		dup = put(c.accounts, o.Name, o)
	case *corev1.ConfigMap:
		dup = put(c.configMaps, o.Name, o)
	case *corev1.Secret:
		dup = put(c.secrets, o.Name, o)
	case *corev1.Service:
		dup = put(c.services, o.Name, o)
	case *appsv1.Deployment:
		dup = put(c.deployments, o.Name, o)
	case *policyv1.PodDisruptionBudget:
		dup = put(c.pdbs, o.Name, o)
	}
	if dup {
		t.Errorf("%s: a second %s of that name", where, tm.Kind)
	}
}

func put[T any](m map[string]T, name string, v T) (dup bool) {
	_, dup = m[name]
	m[name] = v
	return dup
}

// TestKubernetes checks the manifests against each other and against the
// binary: see the subtests.
func TestKubernetes(t *testing.T) {
	c := loadCluster(t)
	if _, ok := c.namespaces["runbook"]; !ok {
		t.Error("no Namespace runbook")
	}
	for _, want := range []string{"runbook-serve", "runbook-worker"} {
		if c.deployments[want] == nil {
			t.Fatalf("no Deployment %s", want)
		}
	}
	t.Run("kustomization", func(t *testing.T) { checkKustomization(t, c) })
	t.Run("kustomize", checkKustomize)
	for _, d := range c.deployments {
		t.Run(d.Name, func(t *testing.T) { checkDeployment(t, c, d) })
	}
	t.Run("services", func(t *testing.T) { checkServices(t, c) })
	t.Run("disruption", func(t *testing.T) { checkPDBs(t, c) })
	t.Run("secrets", func(t *testing.T) { checkSecrets(t, c) })
	t.Run("catalog", func(t *testing.T) { checkCatalogConfigMap(t, c) })
	if sa := c.deployments["runbook-worker"].Spec.Template.Spec.ServiceAccountName; sa == "" || c.accounts[sa] == nil {
		t.Errorf("Deployment runbook-worker: ServiceAccount %q is not in the manifests", sa)
	} else if arn := c.accounts[sa].Annotations["eks.amazonaws.com/role-arn"]; !iamRole.MatchString(arn) {
		t.Errorf("%s: eks.amazonaws.com/role-arn is %q, want an IAM role ARN", c.where[c.accounts[sa]], arn)
	}
}

var iamRole = regexp.MustCompile(`^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$`)

// kustomization is the part of kustomization.yaml these manifests use.
type kustomization struct {
	APIVersion string           `yaml:"apiVersion"`
	Kind       string           `yaml:"kind"`
	Resources  []string         `yaml:"resources"`
	Images     []kustomizeImage `yaml:"images"`
}

// kustomizeImage rewrites the image a container names.
type kustomizeImage struct {
	Name    string `yaml:"name"`
	NewName string `yaml:"newName"`
	NewTag  string `yaml:"newTag"`
}

// checkKustomization: it lists every manifest but the Secrets' template,
// and names the image every container uses, with a tag.
func checkKustomization(t *testing.T, c *cluster) {
	var k kustomization
	strictYAML(t, filepath.Join(kubeDir, "kustomization.yaml"), &k)
	var want []string
	for _, f := range c.files {
		if f != "secrets.yaml" {
			want = append(want, f)
		}
	}
	got := slices.Clone(k.Resources)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("kustomization.yaml resources %v, want every manifest but secrets.yaml: %v", got, want)
	}
	for _, d := range c.deployments {
		for _, ctr := range d.Spec.Template.Spec.Containers {
			i := slices.IndexFunc(k.Images, func(im kustomizeImage) bool { return im.Name == ctr.Image })
			if i < 0 || k.Images[i].NewTag == "" || k.Images[i].NewTag == "latest" {
				t.Errorf("%s: image %q has no pinned tag in kustomization.yaml's images", c.where[d], ctr.Image)
			}
		}
	}
}

// strictYAML decodes path into v, refusing fields v lacks.
func strictYAML(t *testing.T, path string, v any) {
	t.Helper()
	dec := yaml.NewDecoder(bytes.NewReader(mustRead(t, path)))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// checkServices: each Service selects a Deployment's pods, on ports its
// containers declare.
func checkServices(t *testing.T, c *cluster) {
	if c.services["runbook-serve"] == nil {
		t.Error("no Service runbook-serve")
	}
	for _, s := range c.services {
		d := c.selected(labels.SelectorFromSet(s.Spec.Selector))
		if d == nil {
			t.Errorf("%s: its selector picks no Deployment's pods", c.where[s])
			continue
		}
		for _, p := range s.Spec.Ports {
			if _, ok := containerPort(d, p.TargetPort.String()); !ok {
				t.Errorf("%s: targetPort %s is no port of %s", c.where[s], p.TargetPort.String(), c.where[d])
			}
		}
	}
}

// checkPDBs: each budget selects a Deployment's pods and leaves it room
// to evict one.
func checkPDBs(t *testing.T, c *cluster) {
	if c.pdbs["runbook-serve"] == nil {
		t.Error("no PodDisruptionBudget runbook-serve")
	}
	for _, p := range c.pdbs {
		sel, err := metav1.LabelSelectorAsSelector(p.Spec.Selector)
		if err != nil {
			t.Errorf("%s: %v", c.where[p], err)
			continue
		}
		d := c.selected(sel)
		if d == nil {
			t.Errorf("%s: its selector picks no Deployment's pods", c.where[p])
			continue
		}
		if p.Spec.MinAvailable == nil || d.Spec.Replicas == nil || p.Spec.MinAvailable.IntValue() >= int(*d.Spec.Replicas) {
			t.Errorf("%s: minAvailable %v leaves no pod of %s to evict", c.where[p], p.Spec.MinAvailable, c.where[d])
		}
	}
}

// selected is the Deployment whose pods sel picks, if any.
func (c *cluster) selected(sel labels.Selector) *appsv1.Deployment {
	if sel.Empty() {
		return nil
	}
	for _, d := range c.deployments {
		if sel.Matches(labels.Set(d.Spec.Template.Labels)) {
			return d
		}
	}
	return nil
}

// containerPort resolves a probe's or a Service's port (a name or a
// number) to a container port of d.
func containerPort(d *appsv1.Deployment, port string) (int32, bool) {
	for _, ctr := range d.Spec.Template.Spec.Containers {
		for _, p := range ctr.Ports {
			if p.Name == port || p.ContainerPort > 0 && port == strconv.Itoa(int(p.ContainerPort)) {
				return p.ContainerPort, true
			}
		}
	}
	return 0, false
}

// writeVolume writes files into dir, as a ConfigMap or Secret volume lays them
// out: the files in a hidden timestamped folder, reached through ..data
// and one symlink per key.
func writeVolume(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	ts := filepath.Join(dir, "..2026_01_01_00_00_00.000000000")
	if err := os.MkdirAll(ts, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(ts, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join("..data", name), filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Base(ts), filepath.Join(dir, "..data")); err != nil {
		t.Fatal(err)
	}
}

// checkKustomize renders the kustomization with kubectl's kustomize,
// where kubectl is installed (it needs no cluster): the images become the
// kustomization's.
func checkKustomize(t *testing.T) {
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Skip("kubectl is not installed: the kustomization is not rendered")
	}
	out, err := exec.Command(kubectl, "kustomize", kubeDir).CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl kustomize %s: %v\n%s", kubeDir, err, out)
	}
	var k kustomization
	strictYAML(t, filepath.Join(kubeDir, "kustomization.yaml"), &k)
	for _, im := range k.Images {
		want := "image: " + im.NewName + ":" + im.NewTag
		if n := strings.Count(string(out), want); n != 2 {
			t.Errorf("kubectl kustomize: %q appears %d times, want 2 (serve, worker)", want, n)
		}
	}
}
