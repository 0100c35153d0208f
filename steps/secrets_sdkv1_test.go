package steps

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	// aws-sdk-go v1 is here for its source only: its service packages tag
	// every sensitive member `sensitive:"true"`, which aws-sdk-go-v2 says
	// nowhere in the modules not yet migrated to schemas (ec2, redshift,
	// s3, ...). Importing this small package keeps the module required
	// (go mod tidy) and has go test download it.
	//lint:ignore SA1019 v1 is deprecated, but its source is all we read, and nothing newer says what it says.
	_ "github.com/aws/aws-sdk-go/aws/awserr"
)

// sdkV1Module is aws-sdk-go v1's module path.
const sdkV1Module = "github.com/aws/aws-sdk-go"

// sdkV1Packages are the v1 packages of the services whose v1 package is
// not named as v2's, or not only: wafregional's operations are waf's.
var sdkV1Packages = map[string][]string{
	"elasticloadbalancing":   {"elb"},
	"elasticloadbalancingv2": {"elbv2"},
	"wafregional":            {"wafregional", "waf"},
}

// sdkV1Dir is the directory of the module in the module cache, "" when
// it is not there (go test downloads it, see the import above).
var sdkV1Dir = sync.OnceValues(func() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", sdkV1Module).Output()
	if ee, ok := err.(*exec.ExitError); ok {
		err = fmt.Errorf("%v: %s", err, ee.Stderr)
	}
	return strings.TrimSpace(string(out)), err
})

// sdkV1Service is the structs of one service's v1 api.go, by name, and
// its operations' output types (the client's methods' first results:
// mostly XOutput, but ec2:AttachVolume returns a VolumeAttachment).
type sdkV1Service struct {
	structs map[string]*ast.StructType
	outputs map[string]string
}

// loadSDKV1 parses service's api.go in the aws-sdk-go v1 module (found
// with go list -m, which reads the module cache). A service v1 does not
// have gives an empty sdkV1Service.
func loadSDKV1(t *testing.T, service string) *sdkV1Service {
	t.Helper()
	dir, err := sdkV1Dir()
	if err != nil || dir == "" {
		t.Fatalf("go list -m %s: %q, %v (go mod download %[1]s fills the module cache)", sdkV1Module, dir, err)
	}
	pkgs, ok := sdkV1Packages[service]
	if !ok {
		pkgs = []string{service}
	}
	s := &sdkV1Service{structs: map[string]*ast.StructType{}, outputs: map[string]string{}}
	for _, pkg := range pkgs {
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, "service", pkg, "api.go"), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Logf("%s: no aws-sdk-go v1 source: %v", service, err)
			continue
		}
		for _, d := range f.Decls {
			s.add(d)
		}
	}
	return s
}

// add notes declaration d: a struct type, or an operation (a method with
// one parameter and two results, the output a pointer to a struct).
func (s *sdkV1Service) add(d ast.Decl) {
	switch d := d.(type) {
	case *ast.GenDecl:
		for _, spec := range d.Specs {
			if ts, ok := spec.(*ast.TypeSpec); ok {
				if st, ok := ts.Type.(*ast.StructType); ok && s.structs[ts.Name.Name] == nil {
					s.structs[ts.Name.Name] = st
				}
			}
		}
	case *ast.FuncDecl:
		ft := d.Type
		if d.Recv == nil || ft.Params.NumFields() != 1 || ft.Results.NumFields() != 2 {
			return
		}
		if star, ok := ft.Results.List[0].Type.(*ast.StarExpr); ok {
			if id, ok := star.X.(*ast.Ident); ok && s.outputs[d.Name.Name] == "" {
				s.outputs[d.Name.Name] = id.Name
			}
		}
	}
}

// secrets lists the paths to the sensitive members of op's output, in
// the form of sdkSchemaSecrets, and whether v1 has the operation.
func (s *sdkV1Service) secrets(op string) ([][]string, bool) {
	name := s.outputs[op]
	st := s.structs[name]
	if st == nil {
		return nil, false
	}
	var paths [][]string
	s.walkStruct(name, st, nil, map[string]bool{}, func(p []string) {
		paths = append(paths, p)
	})
	return paths, true
}

// walkStruct walks the fields of struct st (named name), as walkSchema
// walks a structure's members: a field tagged sensitive is emitted, and
// not walked into.
func (s *sdkV1Service) walkStruct(name string, st *ast.StructType, path []string, seen map[string]bool, emit func([]string)) {
	if seen[name] {
		return
	}
	seen[name] = true
	defer delete(seen, name)
	for _, f := range st.Fields.List {
		sensitive := f.Tag != nil && reflect.StructTag(strings.Trim(f.Tag.Value, "`")).Get("sensitive") == "true"
		for _, n := range f.Names {
			switch p := append(path[:len(path):len(path)], n.Name); {
			case !n.IsExported():
			case sensitive:
				emit(p)
			default:
				s.walkType(f.Type, p, seen, emit)
			}
		}
	}
}

// walkType walks into a field's type: pointers, lists ("[]"), maps ("{}")
// and the service's structs; anything else is a scalar, never sensitive
// itself (in v1 only fields are).
func (s *sdkV1Service) walkType(e ast.Expr, path []string, seen map[string]bool, emit func([]string)) {
	switch e := e.(type) {
	case *ast.StarExpr:
		s.walkType(e.X, path, seen, emit)
	case *ast.ArrayType:
		s.walkType(e.Elt, append(path[:len(path):len(path)], "[]"), seen, emit)
	case *ast.MapType:
		s.walkType(e.Value, append(path[:len(path):len(path)], "{}"), seen, emit)
	case *ast.Ident:
		if st := s.structs[e.Name]; st != nil {
			s.walkStruct(e.Name, st, path, seen, emit)
		}
	}
}
