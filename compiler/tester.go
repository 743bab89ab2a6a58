package main

import (
	"bytes"
	"context"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/tester"
	"github.com/open-policy-agent/opa/v1/topdown"
)

type TestRequest struct {
	Modules   []Module `json:"modules"`
	Run       string   `json:"run"`
	TimeoutMs int      `json:"timeoutMs"`
}

type TestFailure struct {
	Message string `json:"message"`
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
}

type TestResult struct {
	Package    string       `json:"package"`
	Name       string       `json:"name"`
	File       string       `json:"file"`
	Line       int          `json:"line"`
	Status     string       `json:"status"`
	DurationMs float64      `json:"durationMs"`
	Failure    *TestFailure `json:"failure,omitempty"`
	Output     []string     `json:"output"`
}

type TestResponse struct {
	Results []TestResult `json:"results"`
	Errors  []Problem    `json:"errors,omitempty"`
	// Report and VerboseReport are what `opa test` and `opa test -v` print for these results.
	Report        string `json:"report"`
	VerboseReport string `json:"verboseReport"`
}

// runTests runs the *_test.rego rules with OPA's tester (topdown, in this process), print() captured per test.
// progress, when set, is told about each result as it arrives, so a host that must stop a runaway run keeps the
// results it already has.
func runTests(request TestRequest, progress func(TestResult)) TestResponse {
	sources := map[string]string{}
	modules := map[string]*ast.Module{}
	var problems []Problem
	for _, module := range request.Modules {
		sources[module.File] = module.Source
		parsed, err := ast.ParseModuleWithOpts(module.File, module.Source, ast.ParserOptions{RegoVersion: ast.RegoV1, ProcessAnnotation: true})
		if err != nil {
			problems = append(problems, toProblems(err, request.Modules, sources, nil)...)
			continue
		}
		if parsed != nil {
			modules[module.File] = parsed
		}
	}
	if len(problems) > 0 {
		return TestResponse{Results: []TestResult{}, Errors: withSeverity(problems)}
	}
	compiler := ast.NewCompiler().
		WithCapabilities(capabilities()).
		WithEnablePrintStatements(true).
		WithDefaultRegoVersion(ast.RegoV1)
	timeout := 5 * time.Second
	if request.TimeoutMs > 0 {
		timeout = time.Duration(request.TimeoutMs) * time.Millisecond
	}
	runner := tester.NewRunner().
		SetCompiler(compiler).
		SetModules(modules).
		CapturePrintOutput(true).
		EnableTracing(true).
		SetTimeout(timeout).
		Filter(request.Run).
		SetDefaultRegoVersion(ast.RegoV1)
	channel, err := runner.RunTests(context.Background(), nil)
	if err != nil {
		return TestResponse{Results: []TestResult{}, Errors: withSeverity(toProblems(err, request.Modules, sources, nil))}
	}
	var raw []*tester.Result
	results := []TestResult{}
	for result := range channel {
		raw = append(raw, result)
		converted := convertResult(result, sources)
		results = append(results, converted)
		if progress != nil {
			progress(converted)
		}
	}
	return TestResponse{Results: results, Report: report(raw, false), VerboseReport: report(raw, true)}
}

func withSeverity(problems []Problem) []Problem {
	for i := range problems {
		problems[i].Severity = "error"
	}
	return problems
}

func report(results []*tester.Result, verbose bool) string {
	var out bytes.Buffer
	channel := make(chan *tester.Result, len(results))
	for _, result := range results {
		channel <- result
	}
	close(channel)
	_ = tester.PrettyReporter{Output: &out, Verbose: verbose}.Report(channel)
	return out.String()
}

func convertResult(result *tester.Result, sources map[string]string) TestResult {
	converted := TestResult{
		Package:    strings.TrimPrefix(result.Package, "data."),
		Name:       result.Name,
		DurationMs: float64(result.Duration.Microseconds()) / 1000,
		Output:     []string{},
		Status:     "pass",
	}
	if result.Location != nil {
		converted.File, converted.Line = result.Location.File, result.Location.Row
	}
	if len(result.Output) > 0 {
		converted.Output = strings.Split(strings.TrimSuffix(string(result.Output), "\n"), "\n")
	}
	switch {
	case result.Skip:
		converted.Status = "skip"
	case result.Error != nil:
		converted.Status = "error"
		failure := &TestFailure{Message: result.Error.Error(), File: converted.File, Line: converted.Line, Column: 1}
		if topdownError, ok := result.Error.(*topdown.Error); ok && topdownError.Location != nil {
			failure.Message = topdownError.Message
			failure.File, failure.Line = topdownError.Location.File, topdownError.Location.Row
			failure.Column = utf16Column(sources[failure.File], failure.Line, topdownError.Location.Col, topdownError.Location.Offset)
		}
		if topdown.IsCancel(result.Error) {
			failure.Message = "the test exceeded its time limit"
		}
		converted.Failure = failure
	case result.Fail:
		converted.Status = "fail"
		converted.Failure = failedExpression(result, sources)
	}
	return converted
}

// failedExpression finds the last expression of the test's own body that failed, from the evaluation trace.
func failedExpression(result *tester.Result, sources map[string]string) *TestFailure {
	failure := &TestFailure{Message: "test failed", Column: 1}
	if result.Location != nil {
		failure.File, failure.Line = result.Location.File, result.Location.Row
	}
	if result.Location == nil {
		return failure
	}
	first := result.Location.Row
	last := first + strings.Count(string(result.Location.Text), "\n")
	for _, event := range result.Trace {
		if event.Op != topdown.FailOp {
			continue
		}
		expr, ok := event.Node.(*ast.Expr)
		if !ok || expr.Location == nil || expr.Location.File != result.Location.File || expr.Location.Row < first || expr.Location.Row > last {
			continue
		}
		failure.Line = expr.Location.Row
		failure.Column = utf16Column(sources[expr.Location.File], expr.Location.Row, expr.Location.Col, expr.Location.Offset)
		failure.Message = "failed: " + string(expr.Location.Text)
	}
	return failure
}
