package main

import (
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/types"
)

type BuiltinDoc struct {
	Name        string   `json:"name"`
	Signature   string   `json:"signature"`
	Description string   `json:"description"`
	Categories  []string `json:"categories"`
}

// builtinDocs documents the builtins a policy may call (capabilities.go), from OPA's own metadata. Operators (which
// are written infix) and internal builtins are left out: nobody calls them by name.
func builtinDocs() []BuiltinDoc {
	docs := []BuiltinDoc{}
	for _, builtin := range capabilities().Builtins {
		if builtin.Infix != "" || strings.HasPrefix(builtin.Name, "internal.") || builtin.Name == hostSprintf.Name || builtin.Decl == nil {
			continue
		}
		source := builtin
		if full := ast.BuiltinMap[builtin.Name]; full != nil {
			source = full
		}
		categories := slices.Clone(source.Categories)
		if len(categories) == 0 {
			// OPA leaves the category of a namespaced builtin (array.concat) implicit.
			if dot := strings.IndexByte(source.Name, '.'); dot > 0 {
				categories = []string{source.Name[:dot]}
			} else {
				categories = []string{}
			}
		}
		docs = append(docs, BuiltinDoc{
			Name: source.Name, Signature: signature(source.Name, source.Decl),
			Description: source.Description, Categories: categories,
		})
	}
	slices.SortFunc(docs, func(a, b BuiltinDoc) int { return strings.Compare(a.Name, b.Name) })
	return slices.CompactFunc(docs, func(a, b BuiltinDoc) bool { return a.Name == b.Name })
}

// signature renders `sprintf(format: string, values: array[any]) => string`.
func signature(name string, decl *types.Function) string {
	args := decl.NamedFuncArgs()
	parts := make([]string, 0, len(args.Args)+1)
	for _, arg := range args.Args {
		parts = append(parts, typeText(arg))
	}
	if args.Variadic != nil {
		parts = append(parts, typeText(args.Variadic)+"...")
	}
	text := name + "(" + strings.Join(parts, ", ") + ")"
	if result := decl.Result(); result != nil {
		text += " => " + types.Sprint(result)
	}
	return text
}

func typeText(t types.Type) string {
	if named, ok := t.(*types.NamedType); ok {
		return named.Name + ": " + types.Sprint(named.Type)
	}
	return types.Sprint(t)
}
