package ssm

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/runbook-dev/runbook/engine"
)

// Result is an imported document.
type Result struct {
	Name string // the runbook's name, from the document's
	YAML []byte // the definition in format v1
	// Notes are what the runbook leaves out of the document, one per
	// step (an onCancel handler), also said in the step's description.
	Notes Problems
}

// Import translates the Automation document src, named by its file name
// path, into a v1 runbook. A document that is not an Automation document,
// or is malformed, is an error; steps with no faithful translation are
// reported together as Problems.
func Import(path string, src []byte, opts Options) (*Result, error) {
	resumers, err := opts.resumers()
	if err != nil {
		return nil, err
	}
	d, err := parseDocument(src)
	if err != nil {
		return nil, err
	}
	t := &translator{doc: d, services: opts.Services, resumers: resumers, outs: map[string]ref{}, kinds: map[string]refKind{}, names: map[string]string{}, used: map[string]bool{}, copies: map[string][]string{}, assigns: map[string]string{}}
	return t.run(runbookName(path))
}

var nonName = regexp.MustCompile(`[^a-z0-9]+`)

// runbookName derives a v1 name (^[a-z][a-z0-9-]*$) from the file name:
// AWS-RestartEC2Instance.json gives aws-restartec2instance.
func runbookName(path string) string {
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	n := strings.Trim(nonName.ReplaceAllString(strings.ToLower(base), "-"), "-")
	if n == "" || n[0] < 'a' || n[0] > 'z' {
		n = "ssm-" + n
	}
	return n
}

// translator holds what translating one document needs.
type translator struct {
	doc      *document
	services engine.Services
	resumers []string
	params   map[string]*param
	outs     map[string]ref       // "step.Output" -> expression
	kinds    map[string]refKind   // expression -> kind, for conform
	names    map[string]string    // SSM step name -> v1 entry step name
	carrier  map[string]string    // SSM step name -> v1 step holding outputs
	used     map[string]bool      // v1 step names taken
	copies   map[string][]string  // v1 step -> its copies (see split)
	assigns  map[string]string    // v1 step -> the variable it assigns
	loop     *loopContext         // the loop being translated, if any
	conv     map[string]*ifConv   // SSM branch -> its if-conversion
	arm      map[string]armOf     // SSM step on a converted arm -> its arm
	blockEnd map[string]*ifConv   // SSM step ending a conversion's arms
	plain    map[string]string    // "step.Output" of an arm step -> nil-safe read
	store    map[string]*storeRef // Parameter Store references, by ssm:NAME
	// inDefault is the parameter whose default is being resolved, and
	// inHeader is set while the header's assumeRole is (see defaults.go).
	inDefault    string
	inHeader     bool
	resolving    map[string]bool // the defaults being resolved
	defaultReads map[string]bool // parameters read through the defaults step
	problems     Problems
	notes        Problems // what the runbook leaves out (see Result.Notes)
	needEnd      bool     // a step ends the execution (isEnd, a branch without default)
	needFail     bool
	// referenced holds every name the document refers to ({{ NAME }}).
	referenced map[string]bool
}

func (t *translator) run(name string) (*Result, error) {
	d := t.doc
	ps, pm, err := declareParams(d.Parameters)
	if err != nil {
		var u *unsupportedError
		if errors.As(err, &u) {
			return nil, Problems{{Reason: u.reason, Detail: u.detail}}
		}
		return nil, fmt.Errorf("malformed document: %v", err)
	}
	t.params = ps
	t.referenced = references(d)
	rb := &runbook{APIVersion: "runbook/v1", Kind: "Runbook", Name: name, Version: "1.0.0", Description: d.Description, Params: pm.yamlNode()}
	if len(d.Files) > 0 {
		t.problems = append(t.problems, t.attachments()...)
	}
	t.conversions(d.MainSteps)
	t.plan(d.MainSteps)
	if d.AssumeRole != "" {
		t.inHeader = true
		if rb.AssumeRole, err = t.text(d.AssumeRole); err != nil {
			t.fail(nil, err)
		}
		t.inHeader = false
	}
	order := t.layout(d.MainSteps)
	for i, s := range order {
		var next *ssmStep
		if i+1 < len(order) {
			next = order[i+1]
		}
		out, err := t.step(s, t.armNext(s, next))
		if err != nil {
			t.fail(s, err)
			continue
		}
		if t.isArm(s) {
			t.onArm(s, out)
		}
		rb.Steps = append(rb.Steps, out...)
		if r := t.afterBlock(s, next); r != nil {
			rb.Steps = append(rb.Steps, r)
		}
	}
	outs := t.outputs(d.Outputs)
	if len(t.problems) > 0 {
		return nil, t.problems
	}
	if last := rb.Steps[len(rb.Steps)-1]; (t.needEnd || t.needFail) && last.Fail == "" && last.Succeed == "" && last.Default == "" && len(last.Branch) == 0 {
		// SSM ends after the last step: keep it from falling into the
		// helper steps below.
		last.Default = t.endName()
		t.needEnd = true
	}
	if t.needEnd {
		rb.Steps = append(rb.Steps, &step{Name: t.endName(), Succeed: "the document's path ended here"})
	}
	if t.needFail {
		rb.Steps = append(rb.Steps, &step{Name: t.failName(), Fail: "no branch choice matched and the branch has no default"})
	}
	rb.Steps = t.resolveVars(rb.Steps)
	rb.Steps = t.split(prune(append(t.prologue(), rb.Steps...)))
	t.bound(rb.Steps)
	om := &orderedMap{}
	for _, o := range t.checkReads(rb.Steps, outs) {
		om.set(o[0], o[1])
	}
	rb.Outputs = om.yamlNode()
	if len(t.problems) > 0 {
		return nil, t.problems
	}
	return &Result{Name: name, YAML: rb.marshal(), Notes: t.notes}, nil
}

// fail records why step s (nil: the document) cannot be translated.
func (t *translator) fail(s *ssmStep, err error) {
	p := Problem{Reason: err.Error()}
	var u *unsupportedError
	if errors.As(err, &u) {
		p = Problem{Reason: u.reason, Detail: u.detail}
	}
	if s != nil {
		p.Step, p.Action = s.Name, s.Action
	}
	t.problems = append(t.problems, p)
}

// attachments reports executeScript steps whose code is in an attachment
// (files:), which the document does not carry.
func (t *translator) attachments() Problems {
	var ps Problems
	for _, s := range t.doc.MainSteps {
		if _, ok := s.Inputs["Attachment"]; ok && s.Action == "aws:executeScript" {
			ps = append(ps, Problem{Step: s.Name, Action: s.Action, Reason: "executeScript: code in an attachment the document does not include", Detail: fmt.Sprint(s.Inputs["Attachment"])})
		}
	}
	return ps
}

// outputs translates the document's outputs, "step.Output", into runbook
// outputs named step_Output, with their expressions.
func (t *translator) outputs(names []string) [][2]string {
	var out [][2]string
	for _, n := range names {
		r, err := t.lookup(strings.TrimSpace(n))
		if p, ok := t.plain[strings.TrimSpace(n)]; ok {
			r.expr = p
		}
		if err != nil {
			t.fail(nil, err)
			continue
		}
		out = append(out, [2]string{stepName(strings.TrimSpace(n)), r.expr})
	}
	return out
}

// references lists the names a document refers to, wherever it does.
func references(d *document) map[string]bool {
	b, _ := json.Marshal(d)
	out := map[string]bool{}
	for _, m := range refPattern.FindAllStringSubmatch(string(b), -1) {
		out[strings.TrimSpace(m[1])] = true
	}
	for _, o := range d.Outputs {
		out[strings.TrimSpace(o)] = true
	}
	return out
}
