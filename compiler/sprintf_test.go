package main

import (
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
)

func TestUseHostSprintfRenamesEveryCall(t *testing.T) {
	module := ast.MustParseModuleWithOpts(`package p

msgs contains sprintf("%s", ["statement-free term"]) if true

deny contains msg if {
	msg := sprintf("%q", [input.x])
}

warn contains m if {
	m := [x | some y in [1]; x := sprintf("%d", [y])][0]
}

f(x) := sprintf("%v", [x]) if x > 1 else := concat("", ["sprintf", "x"])

info contains y if {
	y := f(2)
	sprintf("%s", ["call as a statement"]) != ""
}
`, ast.ParserOptions{RegoVersion: ast.RegoV1})
	useHostSprintf([]*ast.Module{module})
	text := module.String()
	if strings.Count(text, "credcheck.sprintf(") != 5 {
		t.Fatalf("expected 5 renamed calls, got:\n%s", text)
	}
	if strings.Contains(strings.ReplaceAll(text, "credcheck.sprintf(", ""), "sprintf(") {
		t.Fatalf("a sprintf call was left:\n%s", text)
	}
	// A string that merely spells sprintf is data, not a call.
	if !strings.Contains(text, `"sprintf"`) {
		t.Fatalf("the string constant was changed:\n%s", text)
	}
}

func TestCompileErrorsNameSprintfAsWritten(t *testing.T) {
	response := compilePolicy(Request{Schema: schemaOff(), Modules: []Module{{File: "p.rego", Source: "package p\n\ndeny contains msg if {\n\tmsg := sprintf(1, [2])\n}\n"}}})
	if response.OK || len(response.Errors) == 0 {
		t.Fatalf("expected a type error, got %+v", response)
	}
	for _, problem := range response.Errors {
		if strings.Contains(problem.Message, "credcheck.sprintf") || !strings.Contains(problem.Message, "sprintf") {
			t.Fatalf("message should name sprintf as the user wrote it: %q", problem.Message)
		}
		if problem.Line != 4 {
			t.Fatalf("expected line 4, got %d (%q)", problem.Line, problem.Message)
		}
	}
}

func TestCompiledPolicyAsksTheHostForTheRenamedSprintf(t *testing.T) {
	response := compilePolicy(Request{Schema: schemaOff(), Modules: []Module{{File: "p.rego", Source: "package p\n\ndeny contains sprintf(\"%q\", [input.x]) if true\n"}}})
	if !response.OK {
		t.Fatalf("compile failed: %+v", response.Errors)
	}
	if !strings.Contains(string(response.Wasm), hostSprintf.Name) {
		t.Fatal("the wasm module does not name credcheck.sprintf among its host builtins")
	}
}
