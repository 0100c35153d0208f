package engine

import (
	"bytes"
	"encoding/json"
)

// SchemaBase is where the committed JSON Schemas (the *.schema.json files
// at the repository root) are served; each schema's $id is SchemaBase
// followed by its file name.
const SchemaBase = "https://raw.githubusercontent.com/runbook-dev/runbook/main/"

// SchemaObject is a JSON object that keeps its keys in the order given
// (key, value pairs), so that a schema other packages generate (test
// files, tokens files) reads top-down and is the same on every run.
func SchemaObject(kv ...any) json.Marshaler { return sobj(kv...) }

// SchemaDocument is the root of a JSON Schema (draft 2020-12) in file
// (its $id is SchemaBase+file) with a title and description, followed by
// the key, value pairs kv.
func SchemaDocument(file, title, description string, kv ...any) json.Marshaler {
	root := sobj("$schema", "https://json-schema.org/draft/2020-12/schema", "$id", SchemaBase+file,
		"title", title, "description", description)
	for i := 0; i+1 < len(kv); i += 2 {
		root.set(kv[i].(string), kv[i+1])
	}
	return root
}

// EncodeSchema writes a schema as indented JSON without HTML escaping,
// ending in a newline. It panics on a value JSON cannot hold: schemas are
// built of strings, numbers, bools, slices and SchemaObjects.
func EncodeSchema(root any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(root); err != nil {
		panic("engine: schema: " + err.Error())
	}
	return b.Bytes()
}
