package engine

// stepFieldDocs documents the step-level fields (stepFields) for the JSON
// Schema and the docs: the type as the docs show it, then what it does.
var stepFieldDocs = map[string][2]string{
	"name":        {"name", "the step's name, read as `steps.NAME` and named by `goto` (letters, digits and _)"},
	"description": {"string", "what the step does, for readers"},
	"if":          {"bool expression", "skip the step unless this holds; a skipped step's outputs are nil"},
	"timeout":     {"duration", "bounds the whole step, retries included (waitFor and approve carry their own instead)"},
	"retry":       {"object", "`maxAttempts` (every attempt, the first included), `interval`, `backoff` (the factor between intervals)"},
	"onFailure":   {"string", "`abort` (default), `continue` or `goto:STEP`"},
	"outputs":     {"map of expressions", "named expressions over `result` and earlier outputs; `NAME: {value: EXPR, secret: true}` keeps one secret"},
	"branch":      {"list of {when, goto}", "routes: the first `when` that holds sends the execution to its `goto`"},
	"default":     {"name", "where to go when no branch holds (else the next step)"},
	"region":      {"text", "the AWS region of this step's calls"},
	"assumeRole":  {"text", "an IAM role ARN assumed for this step's AWS calls"},
	"maxVisits":   {"int (at least 1)", "how many times a routing cycle may enter this step"},
}

// schemaSteps adds the step definitions: the step-level fields, one entry
// per kind, a pure decision, and the step and node lists built from them.
// A step has its step-level fields plus exactly one kind (or a branch);
// unevaluatedProperties then refuses what no form allows.
func schemaSteps(kinds Kinds, defs *schemaObj) {
	defs.set("stepFields", sobj("type", "object", "required", []string{"name"}, "properties", schemaStepProps()))
	var steps, nodes, anyKind []any
	for _, k := range kinds {
		defs.set("kind."+k.Name, schemaKind(k))
		nodes = append(nodes, schemaRef("kind."+k.Name))
		if !k.PlaybookOnly {
			steps = append(steps, schemaRef("kind."+k.Name))
		}
		anyKind = append(anyKind, sobj("required", []string{k.Name}))
	}
	defs.set("decision", sobj(
		"description", "a pure decision: no kind key, only branch and default",
		"required", []string{"branch"},
		"not", sobj("anyOf", anyKind),
	))
	steps = append(steps, schemaRef("decision"))
	nodes = append(nodes, schemaRef("decision"))
	defs.set("step", sobj("description", "a runbook step", "$ref", "#/$defs/stepFields", "oneOf", steps, "unevaluatedProperties", false))
	defs.set("node", sobj("description", "a playbook node", "$ref", "#/$defs/stepFields", "oneOf", nodes, "unevaluatedProperties", false))
	defs.set("steps", sobj("type", "array", "minItems", 1, "items", schemaRef("step")))
	defs.set("nodes", sobj("type", "array", "minItems", 1, "items", schemaRef("node")))
}

func schemaStepProps() *schemaObj {
	branch := sobj("type", "object", "required", []string{"when", "goto"}, "additionalProperties", false, "properties", sobj(
		"when", schemaDoc(schemaRef("expression"), "a bool expression"),
		"goto", schemaDoc(schemaRef("name"), "the step to go to"),
	))
	byName := map[string]*schemaObj{
		"name":        schemaRef("name"),
		"description": sobj("type", "string"),
		"if":          schemaRef("expression"),
		"timeout":     schemaRef("duration"),
		"retry": sobj("type", "object", "additionalProperties", false, "properties", sobj(
			"maxAttempts", sobj("type", "integer", "minimum", 1, "description", "every attempt, the first included"),
			"interval", schemaDoc(schemaRef("duration"), "the wait before the second attempt"),
			"backoff", sobj("type", "number", "minimum", 1, "description", "the factor between intervals"),
		)),
		"onFailure":  sobj("type", "string", "pattern", "^(abort|continue|goto:.+)$"),
		"outputs":    schemaRef("outputs"),
		"branch":     sobj("type", "array", "items", branch),
		"default":    schemaRef("name"),
		"region":     schemaRef("text"),
		"assumeRole": schemaRef("text"),
		"maxVisits":  sobj("type", "integer", "minimum", 1),
	}
	props := sobj()
	for _, name := range stepFields {
		o := byName[name]
		if o == nil {
			o = sobj()
		}
		props.set(name, schemaDoc(o, stepFieldDocs[name][1]))
	}
	return props
}

// schemaKind describes a kind's forms: the scalar form (the kind key with
// a scalar, its other fields beside it) and the mapping form (the kind key
// with a mapping of its fields); oneOf when it has both.
func schemaKind(k *Kind) *schemaObj {
	var forms []any
	form := func(props *schemaObj, required []string) {
		if k.OwnTimeout {
			props.set("timeout", false) // the kind carries its own
		}
		forms = append(forms, sobj("properties", props, "required", required))
	}
	if k.Scalar != nil {
		props := sobj(k.Name, schemaDoc(schemaField(*k.Scalar), k.Summary))
		required := []string{k.Name}
		for _, f := range k.Beside {
			props.set(f.Name, schemaField(f))
			if f.Required {
				required = append(required, f.Name)
			}
		}
		form(props, required)
	}
	if k.Fields != nil {
		form(sobj(k.Name, schemaDoc(schemaFields(k.Fields, false), k.Summary)), []string{k.Name})
	}
	if len(forms) == 1 {
		f := forms[0].(*schemaObj)
		return sobj("description", k.Summary, "properties", f.vals[0], "required", f.vals[1])
	}
	return sobj("description", k.Summary, "oneOf", forms)
}

// schemaFields is an object of fields; oneOf allows exactly one of them.
func schemaFields(fields []Field, oneOf bool) *schemaObj {
	props := sobj()
	var required []string
	for _, f := range fields {
		props.set(f.Name, schemaField(f))
		if f.Required {
			required = append(required, f.Name)
		}
	}
	o := sobj("type", "object", "properties", props)
	if len(required) > 0 {
		o.set("required", required)
	}
	o.set("additionalProperties", false)
	if oneOf {
		o.set("minProperties", 1).set("maxProperties", 1)
	}
	return o
}

// schemaField maps a field's type to a schema.
func schemaField(f Field) *schemaObj {
	var o *schemaObj
	switch f.Type {
	case TextField:
		o = schemaRef("text")
	case ExprField, BoolExprField, ListExprField:
		o = schemaRef("expression")
	case DurationField:
		o = schemaRef("duration")
	case IntField:
		o = sobj("type", "integer", "minimum", f.Min)
	case BoolField:
		o = sobj("type", "boolean")
	case TextMapField:
		o = sobj("type", "object", "additionalProperties", schemaRef("text"))
	case TextListField:
		o = sobj("type", "array", "items", schemaRef("text"))
	case PrincipalsField:
		o = schemaRef("principals")
	case EnumField:
		o = sobj("enum", f.Enum)
	case RefField:
		o = sobj("type", "string", "pattern", refRE.String())
	case OperationField:
		o = sobj("type", "string", "pattern", opRE.String())
	case StatusField:
		code := sobj("type", "integer", "minimum", 100, "maximum", 599)
		o = sobj("oneOf", []any{code, sobj("type", "array", "minItems", 1, "items", code)})
	case ObjectField:
		o = schemaFields(f.Fields, f.OneOf)
	case StepsField:
		o = schemaRef("steps")
	case ParamsField:
		o = sobj("type", "object", "propertyNames", schemaRef("name"), "additionalProperties", schemaRef("param"), "minProperties", 1)
	case LinksField:
		link := sobj("type", "object", "required", []string{"title", "url"}, "additionalProperties", false,
			"properties", sobj("title", schemaRef("text"), "url", schemaRef("text")))
		o = sobj("type", "array", "items", link)
	default: // DataField: any data
		o = sobj()
	}
	return schemaDoc(o, f.Doc)
}
