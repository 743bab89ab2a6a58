package main

import (
	"slices"

	"github.com/open-policy-agent/opa/v1/ast"
)

// nativeBuiltins are the builtins OPA's wasm backend implements inside policy.wasm. It mirrors the private
// builtinsFunctions map in github.com/open-policy-agent/opa/internal/compiler/wasm/wasm.go at the pinned version
// (internal, so it cannot be imported); capabilities_test.go re-reads that file and fails when the two drift apart.
// Every other builtin a policy calls becomes an import that the JavaScript host must supply.
var nativeBuiltins = []string{
	ast.Plus.Name, ast.Minus.Name, ast.Multiply.Name, ast.Divide.Name, ast.Abs.Name, ast.Round.Name, ast.Ceil.Name,
	ast.Floor.Name, ast.Rem.Name,
	ast.ArrayConcat.Name, ast.ArrayFlatten.Name, ast.ArrayReverse.Name, ast.ArraySlice.Name,
	ast.SetDiff.Name, ast.And.Name, ast.Or.Name, ast.Intersection.Name, ast.Union.Name,
	ast.IsNumber.Name, ast.IsString.Name, ast.IsBoolean.Name, ast.IsArray.Name, ast.IsSet.Name, ast.IsObject.Name,
	ast.IsNull.Name, ast.TypeNameBuiltin.Name,
	ast.BitsOr.Name, ast.BitsAnd.Name, ast.BitsNegate.Name, ast.BitsXOr.Name, ast.BitsShiftLeft.Name,
	ast.BitsShiftRight.Name,
	ast.Count.Name, ast.Sum.Name, ast.Product.Name, ast.Max.Name, ast.Min.Name, ast.Sort.Name, ast.All.Name, ast.Any.Name,
	ast.Base64IsValid.Name, ast.Base64Decode.Name, ast.Base64Encode.Name, ast.Base64UrlEncode.Name,
	ast.Base64UrlDecode.Name,
	ast.NetCIDRContains.Name, ast.NetCIDROverlap.Name, ast.NetCIDRIntersects.Name,
	ast.Equal.Name, ast.GreaterThan.Name, ast.GreaterThanEq.Name, ast.LessThan.Name, ast.LessThanEq.Name,
	ast.NotEqual.Name,
	ast.GlobMatch.Name,
	ast.JSONMarshal.Name, ast.JSONUnmarshal.Name, ast.JSONIsValid.Name,
	ast.ObjectFilter.Name, ast.ObjectGet.Name, ast.ObjectKeys.Name, ast.ObjectRemove.Name, ast.ObjectUnion.Name,
	ast.ObjectUnionN.Name,
	ast.Concat.Name, ast.FormatInt.Name, ast.IndexOf.Name, ast.Substring.Name, ast.Lower.Name, ast.Upper.Name,
	ast.Contains.Name, ast.StartsWith.Name, ast.EndsWith.Name, ast.StringReverse.Name, ast.Split.Name,
	ast.Replace.Name, ast.ReplaceN.Name, ast.Trim.Name, ast.TrimLeft.Name, ast.TrimPrefix.Name, ast.TrimRight.Name,
	ast.TrimSuffix.Name, ast.TrimSpace.Name, ast.InternalTemplateString.Name,
	ast.NumbersRange.Name, ast.ToNumber.Name, ast.WalkBuiltin.Name, ast.ReachableBuiltin.Name,
	ast.RegexIsValid.Name, ast.RegexMatch.Name, ast.RegexMatchDeprecated.Name, ast.RegexFindAllStringSubmatch.Name,
	ast.JSONRemove.Name, ast.JSONFilter.Name, ast.Member.Name, ast.MemberWithKey.Name,
}

// plannerBuiltins never reach the wasm backend: the planner compiles unification and assignment away.
var plannerBuiltins = []string{ast.Equality.Name, ast.Assign.Name}

// sdkBuiltins are implemented in JavaScript by @open-policy-agent/opa-wasm (src/builtins/*.js).
var sdkBuiltins = []string{"json.is_valid", "regex.split", "sprintf", "yaml.is_valid", "yaml.marshal", "yaml.unmarshal"}

// engineBuiltins are the builtins the credcheck engine passes to loadPolicy as custom builtins: the time builtins and
// the Go-compatible sprintf every sprintf call is renamed to (sprintf.go), and internal.print, what the compiler
// rewrites print() into (print statements are kept, print.go), which the engine captures.
var engineBuiltins = []string{
	"time.now_ns", "time.parse_rfc3339_ns", "time.parse_ns", "time.parse_duration_ns", "time.add_date", "time.diff",
	"time.date", "time.clock", "time.weekday", hostSprintf.Name, ast.InternalPrint.Name,
}

// erasedBuiltins are accepted by the type checker and then rewritten by the compiler: print() becomes internal.print
// (an engine builtin), so print itself never reaches the runtime.
var erasedBuiltins = []string{ast.Print.Name}

// capabilities returns OPA's capabilities for this version with the builtins restricted to those that really work
// at runtime, so a call to anything else (http.send, opa.runtime, crypto.*) is a compile-time "undefined function".
func capabilities() *ast.Capabilities {
	caps := ast.CapabilitiesForThisVersion()
	allowed := allowedBuiltins()
	kept := caps.Builtins[:0]
	for _, builtin := range caps.Builtins {
		if slices.Contains(allowed, builtin.Name) {
			kept = append(kept, builtin)
		}
	}
	caps.Builtins = append(kept, hostSprintf)
	return caps
}

func allowedBuiltins() []string {
	return slices.Concat(nativeBuiltins, plannerBuiltins, sdkBuiltins, engineBuiltins, erasedBuiltins)
}

// CapabilitiesReport tells the engine which builtins exist and which of them the host must supply.
type CapabilitiesReport struct {
	OPAVersion string   `json:"opa_version"`
	Native     []string `json:"native"`
	SDK        []string `json:"sdk"`
	Engine     []string `json:"engine"`
	Erased     []string `json:"erased"`
	Builtins   []string `json:"builtins"`
}

func capabilitiesReport(opaVersion string) CapabilitiesReport {
	names := []string{}
	for _, builtin := range capabilities().Builtins {
		names = append(names, builtin.Name)
	}
	slices.Sort(names)
	return CapabilitiesReport{
		OPAVersion: opaVersion,
		Native:     sorted(nativeBuiltins),
		SDK:        sorted(sdkBuiltins),
		Engine:     sorted(engineBuiltins),
		Erased:     sorted(erasedBuiltins),
		Builtins:   slices.Compact(names),
	}
}

func sorted(names []string) []string {
	out := slices.Clone(names)
	slices.Sort(out)
	return slices.Compact(out)
}
