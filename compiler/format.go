package main

import (
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/format"
)

type FormatResponse struct {
	OK        bool      `json:"ok"`
	Formatted string    `json:"formatted,omitempty"`
	Errors    []Problem `json:"errors,omitempty"`
}

// formatModule is `opa fmt` for one file: the same options cmd/fmt.go uses by default (Rego v1, this version's full
// capabilities for parsing), so the output is byte-identical to the native formatter's.
func formatModule(module Module) (response FormatResponse) {
	capabilities := ast.CapabilitiesForThisVersion(ast.CapabilitiesRegoVersion(ast.RegoV1))
	formatted, err := format.SourceWithOpts(module.File, []byte(module.Source), format.Opts{
		RegoVersion:   ast.RegoV1,
		Capabilities:  capabilities,
		ParserOptions: &ast.ParserOptions{RegoVersion: ast.RegoV1, Capabilities: capabilities},
	})
	if err != nil {
		sources := map[string]string{module.File: module.Source}
		problems := toProblems(err, []Module{module}, sources, nil)
		for i := range problems {
			problems[i].Severity = "error"
		}
		return FormatResponse{Errors: problems}
	}
	return FormatResponse{OK: true, Formatted: string(formatted)}
}
