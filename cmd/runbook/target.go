package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/runbook-dev/runbook/engine"
)

// target names what to run: a definition file, or NAME[@VERSION] in the
// built-in library and the --catalog folders.
type target struct {
	Target     string   `arg:"" name:"file|name" predictor:"definition" help:"A definition file, or NAME[@VERSION-OR-RANGE] from the built-in library and --catalog."`
	Params     []string `short:"p" name:"param" placeholder:"KEY=VALUE" sep:"none" predictor:"param" help:"A param, parsed by its declared type (lists: a,b or a JSON array; maps: a JSON object). Repeatable."`
	ParamsFile string   `name:"params-file" placeholder:"FILE" type:"path" help:"Params from a YAML or JSON file."`
	Catalog    []string `placeholder:"DIR" sep:"none" help:"A folder of definitions, besides the built-in library. Repeatable."`
	// valid are the plans of every valid definition plan read: the file
	// given, the catalog's.
	valid []*engine.Plan
}

// plan validates the target and returns its plan with the params checked
// and typed. Nothing has started when it fails.
func (t *target) plan(e *env) (*engine.Plan, map[string]any, error) {
	p, valid, err := resolve(e, t.Target, t.Catalog)
	if err != nil {
		return nil, nil, err
	}
	t.valid = valid
	params, err := t.params(p)
	if err != nil {
		return nil, nil, err
	}
	return p, params, nil
}

// resolve validates the definition name names (a file, or NAME[@RANGE]
// in the built-in library and the catalog folders) and returns its plan
// and the plans of every valid definition read. The file's errors are
// printed on stderr.
func resolve(e *env, name string, catalogDirs []string) (*engine.Plan, []*engine.Plan, error) {
	catalog, err := loadCatalog(catalogDirs)
	if err != nil {
		return nil, nil, err
	}
	var files []engine.File
	if _, statErr := os.Stat(name); statErr == nil {
		if files, err = collect([]string{name}); err != nil {
			return nil, nil, err
		}
	}
	r := engine.Validate(append(files, catalog...), options(nil))
	if err := printText(e.stderr, errorsOnly(r.Diags, files), sources(files, catalog)); err != nil {
		return nil, nil, err
	}
	p, err := pick(r.Plans, name, files)
	if err != nil {
		return nil, nil, err
	}
	return p, r.Plans, nil
}

// errorsOnly keeps the errors of the files given (catalog files are
// reported by validate, not here).
func errorsOnly(ds engine.Diagnostics, files []engine.File) engine.Diagnostics {
	var out engine.Diagnostics
	for _, d := range ds {
		for _, f := range files {
			if d.Severity == engine.Error && d.Pos.File == f.Path {
				out = append(out, d)
			}
		}
	}
	return out
}

// pick finds the plan of the file given, or the highest version matching
// a NAME[@RANGE] reference.
func pick(plans []*engine.Plan, name string, files []engine.File) (*engine.Plan, error) {
	if len(files) > 0 {
		for _, p := range plans {
			if p.Source.File == files[0].Path {
				return p, nil
			}
		}
		return nil, errInvalid
	}
	ref, err := engine.ParseRef(name)
	if err != nil {
		return nil, usagef("%s is neither a file nor NAME[@VERSION]: %v", name, err)
	}
	var best *engine.Plan
	var bestV engine.Version
	var names []string
	for _, p := range plans {
		names = append(names, p.Name)
		v, err := engine.ParseVersion(p.Version)
		if err != nil || p.Name != ref.Name || !ref.Matches(v) || p.Kind == engine.KindRouting {
			continue
		}
		if best == nil || bestV.Less(v) {
			best, bestV = p, v
		}
	}
	if best == nil {
		sort.Strings(names)
		msg := fmt.Sprintf("%s: no such file, and no definition %s in the built-in library or --catalog", name, name)
		if h := engine.DidYouMean(ref.Name, names); h != "" {
			msg += "; " + h
		}
		return nil, usagef("%s", msg)
	}
	return best, nil
}

// params reads --params-file then -p (which wins), parses each by its
// declared type, and checks them all.
func (t *target) params(p *engine.Plan) (map[string]any, error) {
	given := map[string]any{}
	if t.ParamsFile != "" {
		raw, err := os.ReadFile(t.ParamsFile)
		if err != nil {
			return nil, usagef("--params-file: %v", err)
		}
		var m map[string]any
		if err := yaml.Unmarshal(raw, &m); err != nil {
			if jerr := json.Unmarshal(raw, &m); jerr != nil {
				return nil, usagef("--params-file %s: not a YAML or JSON mapping: %v", t.ParamsFile, err)
			}
		}
		for k, v := range m {
			given[k] = v
		}
	}
	byName := map[string]*engine.PlanParam{}
	for _, pp := range p.Params {
		byName[pp.Name] = pp
	}
	for _, kv := range t.Params {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, usagef("-p %s: write -p KEY=VALUE", kv)
		}
		pp := byName[k]
		if pp == nil {
			given[k] = v // reported as unknown by CheckParams
			continue
		}
		parsed, err := engine.ParseParam(pp, v)
		if err != nil {
			return nil, usagef("-p %s: %v", k, err)
		}
		given[k] = parsed
	}
	checked, err := engine.CheckParams(p, given)
	if err != nil {
		return nil, usagef("%s@%s: %v", p.Name, p.Version, err)
	}
	return checked, nil
}
