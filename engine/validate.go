package engine

// File is a definition file's path and content.
type File struct {
	Path string
	Src  []byte
}

// Options configure validation.
type Options struct {
	Kinds    Kinds    // the step kinds (steps.All())
	Services Services // the AWS registry; nil skips AWS checks
	// Catalog holds definitions that `run:` and `recommend.run` may name
	// besides the files validated: --catalog folders and the built-in
	// library. They are loaded but not reported on.
	Catalog []File
}

// Result is what validation found: every definition that loaded, the plan
// of each one that checked clean, and every diagnostic.
type Result struct {
	Defs  []*Definition
	Plans []*Plan
	Diags Diagnostics
}

// Validate is the pipeline: load every file, check each definition against
// the others and the catalog, and lower the clean ones to plans.
func Validate(files []File, opts Options) *Result {
	r := &Result{}
	for _, f := range files {
		d, ds := Load(f.Path, f.Src, opts.Kinds)
		r.Diags = append(r.Diags, ds...)
		if d != nil {
			r.Defs = append(r.Defs, d)
		}
	}
	var catalog []*Definition
	for _, f := range opts.Catalog {
		if d, ds := Load(f.Path, f.Src, opts.Kinds); d != nil && !ds.HasErrors() {
			catalog = append(catalog, d)
		}
	}
	c := newChecker(opts, r.Defs, catalog)
	for _, d := range r.Defs {
		ds := c.check(d)
		r.Diags = append(r.Diags, ds...)
		if !ds.HasErrors() && !hasErrorsIn(r.Diags, d.File) {
			r.Plans = append(r.Plans, Lower(d))
		}
	}
	r.Diags.Sort()
	return r
}

func hasErrorsIn(ds Diagnostics, file string) bool {
	for _, d := range ds {
		if d.Severity == Error && d.Pos.File == file {
			return true
		}
	}
	return false
}
