// crd-cel-cost runs the API server's own CustomResourceDefinition validation
// (k8s.io/apiextensions-apiserver, the code behind `kubectl apply` of a CRD) over CRD files:
// structural schema rules, CEL compilation and the static CEL cost estimate, which an offline
// CEL evaluator does not check. Prints every error and exits 1 when any file has one.
//
// Usage: crd-cel-cost FILE.yaml...
package main

import (
	"context"
	"fmt"
	"os"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	v1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation"
	"sigs.k8s.io/yaml"
)

func check(path string) (int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	var in v1.CustomResourceDefinition
	if err := yaml.UnmarshalStrict(data, &in); err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	// As the API server does before validating: defaults, then the internal version.
	v1.SetObjectDefaults_CustomResourceDefinition(&in)
	var out apiextensions.CustomResourceDefinition
	if err := v1.Convert_v1_CustomResourceDefinition_To_apiextensions_CustomResourceDefinition(&in, &out, nil); err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	errs := validation.ValidateCustomResourceDefinition(context.Background(), &out)
	for _, e := range errs {
		fmt.Printf("%s: %s\n", path, e.Error())
	}
	return len(errs), nil
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: crd-cel-cost FILE.yaml...")
		os.Exit(2)
	}
	failed := false
	for _, path := range os.Args[1:] {
		n, err := check(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		fmt.Printf("%s: %d errors\n", path, n)
		failed = failed || n > 0
	}
	if failed {
		os.Exit(1)
	}
}
