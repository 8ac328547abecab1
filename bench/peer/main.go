// Command bench-peer is a STAND-IN for function-go-templating (github.com/crossplane-contrib/
// function-go-templating), the function a platform team would otherwise pick to render an actor
// Deployment. The Go module proxy this project builds from refuses every version of that module,
// so this program mirrors its per-request work for an Inline GoTemplate, step by step, on the same
// SDK (function-sdk-go) and libraries (text/template + sprig, apimachinery's YAML decoder,
// unstructured objects, structpb):
//
//  1. decode the step input into a typed GoTemplate (Struct -> JSON -> typed object);
//  2. build a fresh template with the function maps (sprig minus env/expandenv, toYaml, fromYaml,
//     include, setResourceNameAnnotation, ...) and parse the inline template, on every call;
//  3. convert the whole request to map[string]any (protojson.Marshal, then json.Unmarshal);
//  4. execute the template;
//  5. split the output into YAML documents with apimachinery's YAMLOrJSONDecoder (YAML -> JSON ->
//     unstructured), check that annotations are strings;
//  6. read the desired/observed composite and desired composed resources from the request;
//  7. per object: deep copy, composite/meta-kind checks, the ready and composition-resource-name
//     annotations (removed from the object), store it under that name;
//  8. set the desired composed resources and composite (unstructured -> structpb) and log the two
//     Info lines function-go-templating logs on every call.
//
// It is bench code, not a product: only the Inline source is supported.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/template"

	sprig "github.com/Masterminds/sprig/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"gopkg.in/yaml.v3"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/json"
	k8syaml "k8s.io/apimachinery/pkg/util/yaml"

	"github.com/crossplane/crossplane-runtime/pkg/meta"

	function "github.com/crossplane/function-sdk-go"
	"github.com/crossplane/function-sdk-go/errors"
	"github.com/crossplane/function-sdk-go/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/request"
	"github.com/crossplane/function-sdk-go/resource"
	"github.com/crossplane/function-sdk-go/response"
)

const (
	annotationKeyCompositionResourceName = "gotemplating.fn.crossplane.io/composition-resource-name"
	annotationKeyReady                   = "gotemplating.fn.crossplane.io/ready"
	metaAPIVersion                       = "meta.gotemplating.fn.crossplane.io/v1alpha1"
	recursionMaxNums                     = 1000
)

// GoTemplate is the step input (gotemplating.fn.crossplane.io/v1beta1, kind GoTemplate).
type GoTemplate struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Source     string          `json:"source"`
	Inline     *InlineSpec     `json:"inline,omitempty"`
	FileSystem *FileSystemSpec `json:"fileSystem,omitempty"`
	Delims     *Delims         `json:"delims,omitempty"`
}

type InlineSpec struct {
	Template string `json:"template,omitempty"`
}

type FileSystemSpec struct {
	DirPath string `json:"dirPath,omitempty"`
}

type Delims struct {
	Left  *string `json:"left,omitempty"`
	Right *string `json:"right,omitempty"`
}

// DeepCopyObject makes GoTemplate a runtime.Object, as controller-gen does for the real input.
func (in *GoTemplate) DeepCopyObject() runtime.Object {
	out := *in
	in.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	if in.Inline != nil {
		v := *in.Inline
		out.Inline = &v
	}
	if in.FileSystem != nil {
		v := *in.FileSystem
		out.FileSystem = &v
	}
	if in.Delims != nil {
		d := Delims{}
		if in.Delims.Left != nil {
			l := *in.Delims.Left
			d.Left = &l
		}
		if in.Delims.Right != nil {
			r := *in.Delims.Right
			d.Right = &r
		}
		out.Delims = &d
	}
	return &out
}

// Function renders composed resources from an inline Go template.
type Function struct {
	fnv1.UnimplementedFunctionRunnerServiceServer

	log logging.Logger
}

func newTemplate(delims *Delims) *template.Template {
	tpl := template.New("manifests")
	if delims != nil && delims.Left != nil && delims.Right != nil {
		tpl = tpl.Delims(*delims.Left, *delims.Right)
	}
	tpl.Funcs(template.FuncMap{
		"toYaml":                    toYaml,
		"fromYaml":                  fromYaml,
		"setResourceNameAnnotation": setResourceNameAnnotation,
	})
	tpl.Funcs(template.FuncMap{"include": initInclude(tpl)})
	// As function-go-templating: sprig's env and expandenv are removed.
	sprigFuncs := sprig.FuncMap()
	delete(sprigFuncs, "env")
	delete(sprigFuncs, "expandenv")
	tpl.Funcs(sprigFuncs)
	return tpl
}

func toYaml(val any) (string, error) {
	res, err := yaml.Marshal(val)
	if err != nil {
		return "", err
	}
	return string(res), nil
}

func fromYaml(val string) (any, error) {
	var res any
	err := yaml.Unmarshal([]byte(val), &res)
	return res, err
}

func setResourceNameAnnotation(name string) string {
	return fmt.Sprintf("%s: %s", annotationKeyCompositionResourceName, name)
}

func initInclude(t *template.Template) func(string, any) (string, error) {
	included := make(map[string]int)
	return func(name string, data any) (string, error) {
		var buf strings.Builder
		if v, ok := included[name]; ok {
			if v > recursionMaxNums {
				return "", errors.Errorf("rendering template has a nested reference name: %s", name)
			}
			included[name]++
		} else {
			included[name] = 1
		}
		err := t.ExecuteTemplate(&buf, name, data)
		included[name]--
		return buf.String(), err
	}
}

func convertToMap(req *fnv1.RunFunctionRequest) (map[string]any, error) {
	jReq, err := protojson.Marshal(req)
	if err != nil {
		return nil, errors.Wrap(err, "cannot marshal request from proto to json")
	}
	var mReq map[string]any
	if err := json.Unmarshal(jReq, &mReq); err != nil {
		return nil, errors.Wrap(err, "cannot unmarshal json to map[string]any")
	}
	return mReq, nil
}

// RunFunction runs the Function.
func (f *Function) RunFunction(_ context.Context, req *fnv1.RunFunctionRequest) (*fnv1.RunFunctionResponse, error) { //nolint:gocyclo // mirrors the original
	f.log.Info("Running Function", "tag", req.GetMeta().GetTag())

	rsp := response.To(req, response.DefaultTTL)

	in := &GoTemplate{}
	if err := request.GetInput(req, in); err != nil {
		response.Fatal(rsp, errors.Wrapf(err, "cannot get Function input from %T", req))
		return rsp, nil
	}
	if in.Source != "Inline" || in.Inline == nil || in.Inline.Template == "" {
		response.Fatal(rsp, errors.New("invalid function input: this stand-in supports only source: Inline with inline.template"))
		return rsp, nil
	}

	tmpl, err := newTemplate(in.Delims).Parse(in.Inline.Template)
	if err != nil {
		response.Fatal(rsp, errors.Wrap(err, "invalid function input: cannot parse the provided templates"))
		return rsp, nil
	}

	reqMap, err := convertToMap(req)
	if err != nil {
		response.Fatal(rsp, errors.Wrap(err, "cannot convert request to map"))
		return rsp, nil
	}

	buf := &bytes.Buffer{}
	if err := tmpl.Execute(buf, reqMap); err != nil {
		response.Fatal(rsp, errors.Wrap(err, "cannot execute template"))
		return rsp, nil
	}

	var objs []*unstructured.Unstructured
	decoder := k8syaml.NewYAMLOrJSONDecoder(bytes.NewBufferString(buf.String()), 1024)
	for {
		u := &unstructured.Unstructured{}
		if err := decoder.Decode(&u); err != nil {
			if err == io.EOF {
				break
			}
			response.Fatal(rsp, errors.Wrap(err, "cannot decode manifest"))
			return rsp, nil
		}
		if u == nil {
			continue
		}
		if _, _, err := unstructured.NestedStringMap(u.Object, "metadata", "annotations"); err != nil {
			response.Fatal(rsp, errors.Wrapf(err, "invalid annotations in resource '%s'", u.GroupVersionKind()))
			return rsp, nil
		}
		objs = append(objs, u)
	}

	desiredComposite, err := request.GetDesiredCompositeResource(req)
	if err != nil {
		response.Fatal(rsp, errors.Wrap(err, "cannot get desired composite resource"))
		return rsp, nil
	}
	observedComposite, err := request.GetObservedCompositeResource(req)
	if err != nil {
		response.Fatal(rsp, errors.Wrap(err, "cannot get observed composite resource"))
		return rsp, nil
	}
	desiredComposed, err := request.GetDesiredComposedResources(req)
	if err != nil {
		response.Fatal(rsp, errors.Wrap(err, "cannot get desired composed resources"))
		return rsp, nil
	}

	for _, obj := range objs {
		cd := resource.NewDesiredComposed()
		cd.Resource.Unstructured = *obj.DeepCopy()

		name, nameFound := obj.GetAnnotations()[annotationKeyCompositionResourceName]
		if cd.Resource.GetAPIVersion() == observedComposite.Resource.GetAPIVersion() && cd.Resource.GetKind() == observedComposite.Resource.GetKind() && !nameFound {
			// The composite's status; the benchmark template renders none.
			response.Fatal(rsp, errors.New("this stand-in does not render composite status"))
			return rsp, nil
		}
		if cd.Resource.GetAPIVersion() == metaAPIVersion {
			response.Fatal(rsp, errors.Errorf("this stand-in does not support %q", metaAPIVersion))
			return rsp, nil
		}
		if v, found := cd.Resource.GetAnnotations()[annotationKeyReady]; found {
			if v != string(resource.ReadyTrue) && v != string(resource.ReadyUnspecified) && v != string(resource.ReadyFalse) {
				response.Fatal(rsp, errors.Errorf("invalid function input: invalid %q annotation value %q: must be True, False, or Unspecified", annotationKeyReady, v))
				return rsp, nil
			}
			cd.Ready = resource.Ready(v)
			meta.RemoveAnnotations(cd.Resource, annotationKeyReady)
		}
		meta.RemoveAnnotations(cd.Resource, annotationKeyCompositionResourceName)
		if !nameFound {
			response.Fatal(rsp, errors.Errorf("%q template is missing required %q annotation", obj.GetKind(), annotationKeyCompositionResourceName))
			return rsp, nil
		}
		desiredComposed[resource.Name(name)] = cd
	}

	if err := response.SetDesiredComposedResources(rsp, desiredComposed); err != nil {
		response.Fatal(rsp, errors.Wrap(err, "cannot desired composed resources"))
		return rsp, nil
	}
	if err := response.SetDesiredCompositeResource(rsp, desiredComposite); err != nil {
		response.Fatal(rsp, errors.Wrap(err, "cannot set desired composite resource"))
		return rsp, nil
	}

	f.log.Info("Successfully composed desired resources", "source", in.Source, "count", len(objs))
	return rsp, nil
}

func main() {
	// The standard function flags (function-go-templating uses kong; the names are the same).
	address := flag.String("address", ":9443", "Address at which to listen for gRPC connections.")
	network := flag.String("network", "tcp", "Network on which to listen for gRPC connections.")
	insecure := flag.Bool("insecure", false, "Run without mTLS credentials.")
	certs := flag.String("tls-server-certs-dir", os.Getenv("TLS_SERVER_CERTS_DIR"), "Directory containing tls.key, tls.crt and ca.crt.")
	maxRecv := flag.Int("max-recv-message-size", 4, "Maximum size of received messages in MB.")
	debug := flag.Bool("debug", false, "Emit debug logs in addition to info logs.")
	flag.Parse()

	log, err := function.NewLogger(*debug)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	err = function.Serve(&Function{log: log},
		function.Listen(*network, *address),
		function.MTLSCertificates(*certs),
		function.Insecure(*insecure),
		function.MaxRecvMessageSize(*maxRecv*1024*1024))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
