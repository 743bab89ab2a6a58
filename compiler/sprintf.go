package main

import (
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// hostSprintf stands in for sprintf in every compiled policy. OPA's wasm runtime has no native sprintf, so the host
// answers it, and @open-policy-agent/opa-wasm would answer with sprintf-js, which is not Go's fmt: "%q" fails the whole
// evaluation, "%v" of an array prints "1,a" instead of `[1, "a"]`. The SDK consults its own builtins before the
// custom ones it is given, so the call is renamed here and the engine supplies this name
// (src/core/engine/regoSprintf.ts, checked against the native opa eval). Same declaration, so type checking is
// unchanged; error messages say "sprintf" again (userFacingMessage).
var hostSprintf = &ast.Builtin{Name: "credcheck.sprintf", Decl: ast.Sprintf.Decl}

// useHostSprintf renames every call of sprintf in the modules, in call expressions (`sprintf(f, a)` as a statement)
// and in call terms nested in other expressions (`x := sprintf(f, a)`), keeping the call's location.
func useHostSprintf(modules []*ast.Module) {
	original := ast.Sprintf.Ref()
	renamed := hostSprintf.Ref()
	rename := func(operator *ast.Term) *ast.Term {
		if ref, ok := operator.Value.(ast.Ref); ok && ref.Equal(original) {
			return &ast.Term{Value: renamed.Copy(), Location: operator.Location}
		}
		return operator
	}
	for _, module := range modules {
		ast.WalkExprs(module, func(expr *ast.Expr) bool {
			if terms, ok := expr.Terms.([]*ast.Term); ok && len(terms) > 0 {
				terms[0] = rename(terms[0])
			}
			return false
		})
		ast.WalkTerms(module, func(term *ast.Term) bool {
			if call, ok := term.Value.(ast.Call); ok && len(call) > 0 {
				call[0] = rename(call[0])
			}
			return false
		})
	}
}

// userFacingMessage names the builtin the user wrote.
func userFacingMessage(message string) string {
	return strings.ReplaceAll(message, hostSprintf.Name, ast.Sprintf.Name)
}
