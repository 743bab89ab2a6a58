package main

import (
	"github.com/open-policy-agent/opa/v1/ast"
)

type CheckRequest struct {
	Modules []Module `json:"modules"`
	Schema  *bool    `json:"schema,omitempty"`
	Lint    *bool    `json:"lint,omitempty"`
}

type CheckResponse struct {
	Diagnostics []Problem `json:"diagnostics"`
}

// checkModules is what an editor asks while the user types: every parse, compile and type error, the result
// contract, and (as warnings) the lints; never wasm.
func checkModules(request CheckRequest) CheckResponse {
	sources := map[string]string{}
	var parsed []*ast.Module
	diagnostics := []Problem{}
	for _, module := range request.Modules {
		sources[module.File] = module.Source
		m, err := ast.ParseModuleWithOpts(module.File, module.Source, ast.ParserOptions{RegoVersion: ast.RegoV1, ProcessAnnotation: true})
		if err != nil {
			diagnostics = append(diagnostics, withSeverity(toProblems(err, request.Modules, sources, nil))...)
			continue
		}
		if m != nil {
			parsed = append(parsed, m)
		}
	}
	if len(parsed) > 0 {
		withSchema := request.Schema == nil || *request.Schema
		diagnostics = append(diagnostics, withSeverity(compileCheck(parsed, sources, withSchema))...)
		diagnostics = append(diagnostics, resultContract(parsed, sources)...)
		if request.Lint == nil || *request.Lint {
			diagnostics = append(diagnostics, lint(parsed, sources)...)
		}
	}
	return CheckResponse{Diagnostics: diagnostics}
}
