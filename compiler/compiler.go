package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/bundle"
	"github.com/open-policy-agent/opa/v1/compile"
	"github.com/open-policy-agent/opa/v1/storage"
)

// Module is one Rego source file; File is the name errors are reported under.
type Module struct {
	File   string `json:"file"`
	Source string `json:"source"`
}

type Request struct {
	Modules     []Module `json:"modules"`
	Entrypoints []string `json:"entrypoints"`
	// Schema type-checks input against the input schema (schema.go); nil means on.
	Schema *bool `json:"schema,omitempty"`
}

// Problem is a located diagnostic. Lines and columns are 1-based, columns in UTF-16 units; EndLine/EndColumn
// (exclusive) are set when the offending range is known.
type Problem struct {
	File        string   `json:"file"`
	Line        int      `json:"line"`
	Column      int      `json:"column"`
	EndLine     int      `json:"endLine,omitempty"`
	EndColumn   int      `json:"endColumn,omitempty"`
	Message     string   `json:"message"`
	Code        string   `json:"code,omitempty"`
	Severity    string   `json:"severity,omitempty"`
	Suggestions []string `json:"suggestions,omitempty"`
}

type RelatedResource struct {
	Ref         string `json:"ref"`
	Description string `json:"description,omitempty"`
}

type Annotation struct {
	Path             string            `json:"path"`
	Scope            string            `json:"scope"`
	Title            string            `json:"title,omitempty"`
	Description      string            `json:"description,omitempty"`
	RelatedResources []RelatedResource `json:"related_resources,omitempty"`
	Custom           map[string]any    `json:"custom,omitempty"`
	File             string            `json:"file"`
	Line             int               `json:"line"`
}

type RuleLocation struct {
	Package string `json:"package"`
	Name    string `json:"name"`
	File    string `json:"file"`
	Line    int    `json:"line"`
}

type Response struct {
	OK          bool           `json:"ok"`
	Entrypoints []string       `json:"entrypoints,omitempty"`
	Annotations []Annotation   `json:"annotations,omitempty"`
	Rules       []RuleLocation `json:"rules,omitempty"`
	Errors      []Problem      `json:"errors,omitempty"`
	// Projection is what of the input the policy can read (projection.go).
	Projection *InputProjection `json:"projection,omitempty"`
	// Wasm is handed to JavaScript as a Uint8Array, not through JSON.
	Wasm []byte `json:"-"`
}

// decisionRule matches the conftest rule vocabulary that makes a package a check.
var decisionRule = regexp.MustCompile(`^((deny|violation|warn|info|skip)(_[A-Za-z0-9_]+)?|exception)$`)

// compilePolicy never panics: a Go panic would kill the whole wasm instance, so it becomes a located error.
func compilePolicy(request Request) (response Response) {
	defer func() {
		if recovered := recover(); recovered != nil {
			file, line := firstPackageLine(request.Modules, nil)
			response = Response{Errors: []Problem{{
				File: file, Line: line, Column: 1, Code: "internal_error",
				Message: fmt.Sprintf("internal compiler error: %v\n%s", recovered, debug.Stack()),
			}}}
		}
	}()
	if len(request.Modules) == 0 {
		return Response{Errors: []Problem{{Message: "no Rego modules to compile", Code: "no_modules"}}}
	}
	sources := map[string]string{}
	parsed := make([]*ast.Module, 0, len(request.Modules))
	var problems []Problem
	for _, module := range request.Modules {
		sources[module.File] = module.Source
		m, err := ast.ParseModuleWithOpts(module.File, module.Source, ast.ParserOptions{
			RegoVersion: ast.RegoV1, ProcessAnnotation: true,
		})
		if err != nil {
			problems = append(problems, toProblems(err, request.Modules, sources, nil)...)
			continue
		}
		if m == nil {
			problems = append(problems, Problem{File: module.File, Line: 1, Column: 1, Code: "rego_parse_error",
				Message: "empty module: a Rego file needs a package declaration"})
			continue
		}
		parsed = append(parsed, m)
	}
	if len(problems) > 0 {
		return Response{Errors: problems}
	}
	// One compile of copies type-checks (against the input schema unless asked not to) and gives the modules the
	// projection analysis reads.
	problems, compiled := compiledCopies(parsed, sources, request.Schema == nil || *request.Schema)
	if len(problems) > 0 {
		return Response{Errors: problems}
	}
	projection := inputProjection(compiled)
	// The copies were compiled with print erased: a print may show a row as it is, so a policy that prints gets the
	// whole input.
	if !projection.Whole && containsPrint(parsed) {
		projection = InputProjection{Whole: true, Reason: "print() shows values whole"}
	}
	if problems := resultContract(parsed, sources); len(problems) > 0 {
		return Response{Errors: problems}
	}
	useHostSprintf(parsed)
	locatePrints(parsed)

	entrypoints := slices.Clone(request.Entrypoints)
	if len(entrypoints) == 0 {
		entrypoints = decisionRules(parsed)
		if len(entrypoints) == 0 {
			file, line := firstPackageLine(request.Modules, parsed)
			return Response{Errors: []Problem{{File: file, Line: line, Column: 1, Code: "no_entrypoint",
				Message: "no rule named deny, violation, warn, info, skip or exception: nothing to evaluate"}}}
		}
	}

	annotations, errs := annotationsOf(parsed)
	if errs != nil {
		return Response{Errors: toProblems(errs, request.Modules, sources, parsed)}
	}
	// Before Build: building rule entrypoints rewrites the parsed modules in place (the entrypoint rules lose their
	// locations).
	rules := ruleLocations(parsed)

	policyBundle := &bundle.Bundle{Data: map[string]any{}}
	policyBundle.SetRegoVersion(ast.RegoV1)
	policyBundle.Manifest.Init()
	for i, module := range parsed {
		file := request.Modules[i].File
		policyBundle.Modules = append(policyBundle.Modules, bundle.ModuleFile{
			URL: file, Path: file, Raw: []byte(request.Modules[i].Source), Parsed: module,
		})
	}

	compiler := compile.New().
		WithTarget(compile.TargetWasm).
		WithRegoVersion(ast.RegoV1).
		WithCapabilities(capabilities()).
		// print() output is shown to the policy author (the log channel, stderr of `credcheck check`), not erased.
		WithEnablePrintStatements(true).
		WithEntrypoints(entrypoints...).
		WithBundle(policyBundle)
	if err := compiler.Build(context.Background()); err != nil {
		return Response{Errors: toProblems(err, request.Modules, sources, parsed)}
	}
	built := compiler.Bundle()
	if len(built.WasmModules) == 0 {
		file, line := firstPackageLine(request.Modules, parsed)
		return Response{Errors: []Problem{{File: file, Line: line, Column: 1, Code: "internal_error",
			Message: "the compiler produced no wasm module"}}}
	}
	return Response{
		OK:          true,
		Wasm:        built.WasmModules[0].Raw,
		Entrypoints: entrypoints,
		Annotations: annotations,
		Rules:       rules,
		Projection:  &projection,
	}
}

// decisionRules picks every conftest-style rule (not function) of every package: the entrypoint is `<package>/<rule>`,
// and the engine groups the per-rule results back per package. Package entrypoints are not used because OPA's wasm
// planner cannot plan a package document whose functions call other functions of the same package ("function ...
// used as reference, not called", open-policy-agent/opa#4411); a rule entrypoint plans only what the rule needs.
func decisionRules(modules []*ast.Module) []string {
	var paths []string
	for _, module := range modules {
		pkg, err := slashPath(module.Package.Path)
		if err != nil {
			continue
		}
		for _, rule := range module.Rules {
			name := ruleName(rule)
			if len(rule.Head.Args) > 0 || !decisionRule.MatchString(name) {
				continue
			}
			if path := pkg + "/" + name; !slices.Contains(paths, path) {
				paths = append(paths, path)
			}
		}
	}
	return paths
}

func ruleName(rule *ast.Rule) string {
	ref := rule.Head.Ref()
	if len(ref) == 1 {
		if v, ok := ref[0].Value.(ast.Var); ok {
			return string(v)
		}
	}
	return ref.GroundPrefix().String()
}

// slashPath turns data.a.b into a/b, the form entrypoints and the SDK use.
func slashPath(ref ast.Ref) (string, error) {
	path, err := storage.NewPathForRef(ref)
	if err != nil {
		return "", err
	}
	return strings.TrimPrefix(path.String(), "/"), nil
}

func annotationsOf(modules []*ast.Module) ([]Annotation, error) {
	set, errs := ast.BuildAnnotationSet(modules)
	if len(errs) > 0 {
		return nil, errs
	}
	var out []Annotation
	for _, ref := range set.Flatten() {
		a := ref.Annotations
		path, err := slashPath(ref.Path)
		if err != nil {
			path = ref.Path.String()
		}
		annotation := Annotation{Path: path, Scope: a.Scope, Title: a.Title, Description: a.Description, Custom: a.Custom}
		for _, resource := range a.RelatedResources {
			annotation.RelatedResources = append(annotation.RelatedResources,
				RelatedResource{Ref: resource.Ref.String(), Description: resource.Description})
		}
		// The METADATA block's own location: that is where a bad annotation must be reported.
		if location := a.Location; location != nil {
			annotation.File, annotation.Line = location.File, location.Row
		} else if ref.Location != nil {
			annotation.File, annotation.Line = ref.Location.File, ref.Location.Row
		}
		out = append(out, annotation)
	}
	return out, nil
}

func ruleLocations(modules []*ast.Module) []RuleLocation {
	var out []RuleLocation
	for _, module := range modules {
		pkg, _ := slashPath(module.Package.Path)
		for _, rule := range module.Rules {
			if rule.Location == nil {
				continue
			}
			out = append(out, RuleLocation{Package: pkg, Name: ruleName(rule), File: rule.Location.File, Line: rule.Location.Row})
		}
	}
	return out
}

// toProblems flattens whatever the compiler returned into located problems with UTF-16 columns.
func toProblems(err error, modules []Module, sources map[string]string, parsed []*ast.Module) []Problem {
	var astErrors ast.Errors
	if errors.As(err, &astErrors) && len(astErrors) > 0 {
		out := make([]Problem, 0, len(astErrors))
		for _, e := range astErrors {
			out = append(out, fromASTError(e, modules, sources, parsed))
		}
		return out
	}
	var astError *ast.Error
	if errors.As(err, &astError) {
		return []Problem{fromASTError(astError, modules, sources, parsed)}
	}
	file, line := packageLineFor(err.Error(), modules, parsed)
	return []Problem{{File: file, Line: line, Column: 1, Message: userFacingMessage(err.Error()), Code: "rego_compile_error"}}
}

func fromASTError(e *ast.Error, modules []Module, sources map[string]string, parsed []*ast.Module) Problem {
	problem := Problem{Message: userFacingMessage(e.Message), Code: e.Code}
	if e.Location != nil && e.Location.File != "" && e.Location.Row > 0 {
		problem.File, problem.Line = e.Location.File, e.Location.Row
		problem.Column = utf16Column(sources[e.Location.File], e.Location.Row, e.Location.Col, e.Location.Offset)
		return problem
	}
	problem.File, problem.Line = packageLineFor(e.Message, modules, parsed)
	problem.Column = 1
	return problem
}

// packageLineFor attaches an unlocated error (an unknown entrypoint, say) to the package it names, else to the
// first module's package line.
func packageLineFor(message string, modules []Module, parsed []*ast.Module) (string, int) {
	for _, module := range parsed {
		if module.Package == nil || module.Package.Location == nil {
			continue
		}
		if path, err := slashPath(module.Package.Path); err == nil && strings.Contains(message, `"`+path) {
			return module.Package.Location.File, module.Package.Location.Row
		}
	}
	return firstPackageLine(modules, parsed)
}

func firstPackageLine(modules []Module, parsed []*ast.Module) (string, int) {
	for _, module := range parsed {
		if module.Package != nil && module.Package.Location != nil {
			return module.Package.Location.File, module.Package.Location.Row
		}
	}
	for _, module := range modules {
		for i, line := range strings.Split(module.Source, "\n") {
			if bytes.HasPrefix([]byte(strings.TrimSpace(line)), []byte("package ")) {
				return module.File, i + 1
			}
		}
	}
	if len(modules) > 0 {
		return modules[0].File, 1
	}
	return "", 0
}
