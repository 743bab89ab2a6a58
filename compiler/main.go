//go:build js && wasm

// Command compiler is OPA's Rego-to-wasm compiler built for GOOS=js GOARCH=wasm. It registers one global function,
// credcheckCompile(requestJSON), and then stays alive so later calls skip Go's start-up.
package main

import (
	"encoding/json"
	"fmt"
	"syscall/js"

	"github.com/open-policy-agent/opa/v1/version"
)

// call handles {"op":"compile",...} (the default) and {"op":"capabilities"}. It returns {json, wasm}: the response
// as JSON text and, on success, the policy.wasm bytes as a Uint8Array (no base64 round trip).
func call(_ js.Value, args []js.Value) (result any) {
	defer func() {
		if recovered := recover(); recovered != nil {
			result = reply(Response{Errors: []Problem{{Code: "internal_error", Message: fmt.Sprintf("internal compiler error: %v", recovered)}}}, nil)
		}
	}()
	if len(args) != 1 || args[0].Type() != js.TypeString {
		return reply(Response{Errors: []Problem{{Code: "bad_request", Message: "credcheckCompile expects one JSON string"}}}, nil)
	}
	// The op first: each op's body is decoded on its own ("schema" is a flag in compile, a document in configure).
	var envelope struct {
		Op string `json:"op"`
	}
	if err := json.Unmarshal([]byte(args[0].String()), &envelope); err != nil {
		return reply(Response{Errors: []Problem{{Code: "bad_request", Message: "bad request JSON: " + err.Error()}}}, nil)
	}
	text := []byte(args[0].String())
	switch envelope.Op {
	case "capabilities":
		return reply(capabilitiesReport(version.Version), nil)
	case "configure":
		var config Configuration
		if err := json.Unmarshal(text, &config); err != nil {
			return reply(Response{Errors: []Problem{{Code: "bad_request", Message: err.Error()}}}, nil)
		}
		if err := configure(config); err != nil {
			return reply(Response{Errors: []Problem{{Code: "bad_request", Message: err.Error()}}}, nil)
		}
		return reply(Response{OK: true}, nil)
	case "check":
		var request CheckRequest
		if err := json.Unmarshal(text, &request); err != nil {
			return reply(Response{Errors: []Problem{{Code: "bad_request", Message: err.Error()}}}, nil)
		}
		return reply(checkModules(request), nil)
	case "format":
		var request struct {
			Module Module `json:"module"`
		}
		if err := json.Unmarshal(text, &request); err != nil {
			return reply(Response{Errors: []Problem{{Code: "bad_request", Message: err.Error()}}}, nil)
		}
		return reply(formatModule(request.Module), nil)
	case "test":
		var request TestRequest
		if err := json.Unmarshal(text, &request); err != nil {
			return reply(Response{Errors: []Problem{{Code: "bad_request", Message: err.Error()}}}, nil)
		}
		// Each result goes to the host as it arrives: if the run is stopped for its time limit, those are kept.
		progress := js.Global().Get("credcheckTestProgress")
		return reply(runTests(request, func(result TestResult) {
			if progress.Type() == js.TypeFunction {
				if encoded, err := json.Marshal(result); err == nil {
					progress.Invoke(string(encoded))
				}
			}
		}), nil)
	case "builtins":
		return reply(builtinDocs(), nil)
	}
	var request Request
	if err := json.Unmarshal(text, &request); err != nil {
		return reply(Response{Errors: []Problem{{Code: "bad_request", Message: "bad request JSON: " + err.Error()}}}, nil)
	}
	response := compilePolicy(request)
	return reply(response, response.Wasm)
}

func reply(body any, wasm []byte) js.Value {
	text, err := json.Marshal(body)
	if err != nil {
		text = []byte(`{"ok":false,"errors":[{"message":"cannot encode the compiler response"}]}`)
	}
	out := js.Global().Get("Object").New()
	out.Set("json", string(text))
	if wasm != nil {
		array := js.Global().Get("Uint8Array").New(len(wasm))
		js.CopyBytesToJS(array, wasm)
		out.Set("wasm", array)
	}
	return out
}

func main() {
	js.Global().Set("credcheckCompile", js.FuncOf(call))
	if ready := js.Global().Get("credcheckCompilerReady"); ready.Type() == js.TypeFunction {
		ready.Invoke()
	}
	select {}
}
