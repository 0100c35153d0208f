package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/playbooks"
	"github.com/runbook-dev/runbook/runbooks"
	"github.com/runbook-dev/runbook/steps"
)

// options are the validation options: every step kind, the AWS registry
// and the catalog.
func options(catalog []engine.File) engine.Options {
	return engine.Options{Kinds: steps.All(), Services: steps.AWS(), Catalog: catalog}
}

// isDefinition reports whether a file is a definition by its name: *.yaml
// or *.yml, and not a runbook test (*.test.yaml).
func isDefinition(name string) bool {
	ext := filepath.Ext(name)
	return (ext == ".yaml" || ext == ".yml") && !engine.IsTestFile(name)
}

// collect reads the definition files at paths (see walk): a file as given
// (runbook tests aside), the definitions in a directory.
func collect(paths []string) ([]engine.File, error) {
	found, err := walk(paths, func(p string, given bool) (string, error) {
		if given && !engine.IsTestFile(p) || isDefinition(p) {
			return p, nil
		}
		return "", nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]engine.File, 0, len(found))
	for _, p := range found {
		src, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		out = append(out, engine.File{Path: p, Src: src})
	}
	return out, nil
}

// collectSome is collect, where finding no definition is a usage error.
func collectSome(paths []string) ([]engine.File, error) {
	files, err := collect(paths)
	if err == nil && len(files) == 0 {
		err = usagef("no definition files (*.yaml, *.yml) in %s", strings.Join(paths, ", "))
	}
	return files, err
}

// walk finds the files at paths that pick keeps, each once: pick sees a
// file given (given is true), and every file of a directory given, which
// is searched recursively, skipping hidden directories and testdata
// (fixtures, as the go tool does). pick returns the path to keep (the
// file, or another one it stands for), "" to skip it, or an error. A
// path that does not exist is a usage error.
func walk(paths []string, pick func(p string, given bool) (string, error)) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	keep := func(p string, given bool) error {
		k, err := pick(p, given)
		if err != nil || k == "" || seen[filepath.Clean(k)] {
			return err
		}
		seen[filepath.Clean(k)] = true
		out = append(out, k)
		return nil
	}
	for _, root := range paths {
		info, err := os.Stat(root)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, usagef("%s: no such file or directory", root)
		} else if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			if err := keep(root, true); err != nil {
				return nil, err
			}
			continue
		}
		err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			switch {
			case err != nil:
				return err
			case d.IsDir() && p != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata"):
				return filepath.SkipDir
			case d.IsDir():
				return nil
			}
			return keep(p, false)
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// loadCatalog reads the --catalog folders, then the built-in library.
func loadCatalog(dirs []string) ([]engine.File, error) {
	files, err := collect(dirs)
	if err != nil {
		return nil, err
	}
	return append(files, builtin()...), nil
}

// validCatalog validates the --catalog folders dirs, the built-in library
// and the files at paths (routing files) together, and returns their
// plans; an error in any of them is an error.
func validCatalog(dirs, paths []string) ([]*engine.Plan, error) {
	files, err := loadCatalog(dirs)
	if err != nil {
		return nil, err
	}
	more, err := collect(paths)
	if err != nil {
		return nil, err
	}
	r := engine.Validate(append(files, more...), options(nil))
	if r.Diags.HasErrors() {
		return nil, fmt.Errorf("definitions: %w", r.Diags)
	}
	return r.Plans, nil
}

// builtin returns the shipped library, named builtin/runbooks/NAME.yaml
// and builtin/playbooks/NAME.yaml.
func builtin() []engine.File {
	var out []engine.File
	for _, lib := range []struct {
		name string
		fsys fs.FS
	}{{"runbooks", runbooks.FS}, {"playbooks", playbooks.FS}} {
		_ = fs.WalkDir(lib.fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !isDefinition(p) {
				return err
			}
			src, err := fs.ReadFile(lib.fsys, p)
			if err == nil {
				out = append(out, engine.File{Path: path.Join("builtin", lib.name, p), Src: src})
			}
			return err
		})
	}
	return out
}

// sources indexes file contents by path, for printing source lines.
func sources(sets ...[]engine.File) map[string][]byte {
	m := map[string][]byte{}
	for _, files := range sets {
		for _, f := range files {
			m[f.Path] = f.Src
		}
	}
	return m
}
