package steps

import (
	"reflect"
	"regexp"
	"strings"
)

// secretName matches the field names that suggest a secret. It is the
// check of last resort, for the operations that neither the SDK's
// schemas nor aws-sdk-go v1 describe (see sdkFindings): a field so named
// must be sealed or excluded as if the SDK marked it sensitive.
var secretName = regexp.MustCompile(`(?i)password|passphrase|secret|privatekey|keymaterial|token|credential|signature|presigned`)

// notSecretName matches the names secretName matches that are not
// secrets anywhere: pagination and idempotency tokens, and enums.
var notSecretName = regexp.MustCompile(`^(Next|NextContinuation|Continuation|Pagination|Client)Token$|Type$`)

// nameSecrets lists the paths (Go field names, "[]" and "{}" as in
// sdkSchemaSecrets) of the fields of output type out whose names match
// secretName, not walking into them.
func nameSecrets(out reflect.Type) [][]string {
	var paths [][]string
	walkNames(out, nil, map[reflect.Type]bool{}, func(p []string) { paths = append(paths, p) })
	return paths
}

func walkNames(t reflect.Type, path []string, seen map[reflect.Type]bool, emit func([]string)) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Slice:
		if t.Elem().Kind() != reflect.Uint8 {
			walkNames(t.Elem(), append(path[:len(path):len(path)], "[]"), seen, emit)
		}
	case reflect.Map:
		walkNames(t.Elem(), append(path[:len(path):len(path)], "{}"), seen, emit)
	case reflect.Struct:
		if seen[t] || t.PkgPath() == "time" {
			return
		}
		seen[t] = true
		defer delete(seen, t)
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() || isResultMetadata(f.Type) {
				continue
			}
			p := append(path[:len(path):len(path)], f.Name)
			if secretName.MatchString(f.Name) && !notSecretName.MatchString(f.Name) {
				emit(p)
			} else {
				walkNames(f.Type, p, seen, emit)
			}
		}
	}
}

// isResultMetadata reports smithy's middleware.Metadata, an output's
// ResultMetadata, which is not data.
func isResultMetadata(t reflect.Type) bool {
	return t.Name() == "Metadata" && strings.HasSuffix(t.PkgPath(), "smithy-go/middleware")
}
