package main

import (
	"fmt"

	"github.com/open-policy-agent/opa/v1/ast"
)

// printLocationPrefix starts the extra first operand locatePrints gives every print call. OPA's wasm ABI hands a
// builtin its arguments and nothing else (opa_builtinN(id, ctx, args...), ctx always 0), so the host could not say
// which print of which file produced a line: the location travels as a constant operand instead. The NUL makes it
// impossible for a user's own first operand to be mistaken for it (a Rego string literal cannot produce one
// unescaped, and "\u0000" written by a user is unlikely enough that the host then only mislabels that one line).
// src/core/engine/policyPrints.ts reads it.
const printLocationPrefix = "\x00credcheck-print:"

// locatePrints turns every `print(a, b)` of the modules into `print("<prefix>file:line", a, b)`, keeping the call's
// location. Prints are kept in the wasm (WithEnablePrintStatements): OPA's compiler rewrites each call into
// internal.print([{a}, {b}]), an import the engine answers by capturing the line (policyEngine.ts).
func locatePrints(modules []*ast.Module) {
	for _, module := range modules {
		ast.WalkExprs(module, func(expr *ast.Expr) bool {
			terms, ok := expr.Terms.([]*ast.Term)
			if !ok || len(terms) == 0 {
				return false
			}
			ref, ok := terms[0].Value.(ast.Ref)
			if !ok || !ref.Equal(ast.Print.Ref()) || expr.Location == nil {
				return false
			}
			marker := ast.StringTerm(fmt.Sprintf("%s%s:%d", printLocationPrefix, expr.Location.File, expr.Location.Row))
			marker.Location = expr.Location
			expr.Terms = append([]*ast.Term{terms[0], marker}, terms[1:]...)
			return false
		})
	}
}

// containsPrint: does any module call print()?
func containsPrint(modules []*ast.Module) bool {
	found := false
	for _, module := range modules {
		ast.WalkExprs(module, func(expr *ast.Expr) bool {
			if terms, ok := expr.Terms.([]*ast.Term); ok && len(terms) > 0 {
				if ref, ok := terms[0].Value.(ast.Ref); ok && ref.Equal(ast.Print.Ref()) {
					found = true
				}
			}
			return found
		})
	}
	return found
}
