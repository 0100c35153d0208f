package main

import (
	"encoding/json"
	"io"
	"net/url"
	"os"
	"path/filepath"

	"github.com/runbook-dev/runbook/engine"
)

// SARIF 2.1.0, the static-analysis format that GitHub code scanning and
// other tools read. Only the parts runbook fills are declared.
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool       sarifTool     `json:"tool"`
		ColumnKind string        `json:"columnKind"`
		Results    []sarifResult `json:"results"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		InformationURI string      `json:"informationUri"`
		Version        string      `json:"version"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID                   string      `json:"id"`
		Name                 string      `json:"name"`
		ShortDescription     sarifText   `json:"shortDescription"`
		DefaultConfiguration sarifConfig `json:"defaultConfiguration"`
	}
	sarifConfig struct {
		Level string `json:"level"`
	}
	sarifText struct {
		Text string `json:"text"`
	}
	sarifResult struct {
		RuleID    string          `json:"ruleId"`
		RuleIndex int             `json:"ruleIndex"`
		Level     string          `json:"level"`
		Message   sarifText       `json:"message"`
		Locations []sarifLocation `json:"locations"`
	}
	sarifLocation struct {
		PhysicalLocation sarifPhysical `json:"physicalLocation"`
	}
	sarifPhysical struct {
		ArtifactLocation sarifArtifact `json:"artifactLocation"`
		Region           *sarifRegion  `json:"region,omitempty"`
	}
	sarifArtifact struct {
		URI       string `json:"uri"`
		URIBaseID string `json:"uriBaseId,omitempty"`
	}
	sarifRegion struct {
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn,omitempty"`
	}
)

// sarifRules are one rule per severity: diagnostics carry no finer code.
var sarifRules = []sarifRule{
	{ID: "runbook/error", Name: "InvalidDefinition", ShortDescription: sarifText{"The definition is invalid: it cannot run as written."}, DefaultConfiguration: sarifConfig{"error"}},
	{ID: "runbook/warning", Name: "DefinitionWarning", ShortDescription: sarifText{"The definition is valid but likely wrong: an unused param, an unreachable step."}, DefaultConfiguration: sarifConfig{"warning"}},
}

// printSARIF writes the diagnostics as a SARIF 2.1.0 log with one run.
// Columns count characters (unicodeCodePoints), as yaml.v3 does.
func printSARIF(w io.Writer, ds engine.Diagnostics) error {
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name:           "runbook",
			InformationURI: "https://github.com/runbook-dev/runbook",
			Version:        buildVersion(),
			Rules:          sarifRules,
		}},
		ColumnKind: "unicodeCodePoints",
		Results:    []sarifResult{},
	}
	for _, d := range ds {
		i := 0
		if d.Severity == engine.Warning {
			i = 1
		}
		loc := sarifPhysical{ArtifactLocation: sarifURI(d.Pos.File)}
		if d.Pos.Line > 0 {
			loc.Region = &sarifRegion{StartLine: d.Pos.Line, StartColumn: d.Pos.Col}
		}
		run.Results = append(run.Results, sarifResult{
			RuleID:    sarifRules[i].ID,
			RuleIndex: i,
			Level:     sarifRules[i].DefaultConfiguration.Level,
			Message:   sarifText{d.Message()},
			Locations: []sarifLocation{{PhysicalLocation: loc}},
		})
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs:    []sarifRun{run},
	})
}

// sarifURI names a file by a URI relative to the source root (the working
// directory), or by an absolute file URI when it lies outside it.
func sarifURI(file string) sarifArtifact {
	p := file
	if filepath.IsAbs(p) {
		if wd, err := os.Getwd(); err == nil {
			if rel, err := filepath.Rel(wd, p); err == nil && filepath.IsLocal(rel) {
				p = rel
			}
		}
	}
	if filepath.IsAbs(p) {
		return sarifArtifact{URI: (&url.URL{Scheme: "file", Path: filepath.ToSlash(p)}).String()}
	}
	return sarifArtifact{URI: (&url.URL{Path: filepath.ToSlash(p)}).String(), URIBaseID: "%SRCROOT%"}
}
