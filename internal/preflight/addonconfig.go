package preflight

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"gopkg.in/yaml.v3"
)

// checkAddonConfig validates an add-on's synthesized configuration_values against the JSON
// schema EKS publishes for that add-on version (DescribeAddonConfiguration), the check EKS runs
// at apply time. Values that are Terraform expressions (subnet and security group IDs) are
// known only at apply: the check ignores what their placeholders violate, and says how many.
func (r *runner) checkAddonConfig(addon, version string, raw any) {
	name := "cluster.addon-config." + addon
	text, ok := raw.(string)
	if !ok {
		r.fail(name, fmt.Sprintf("configuration_values is a %T, not a string", raw), "synthesize again: make synth")
		return
	}
	doc, err := parseConfig(text)
	if err != nil {
		if isExpression(text) {
			r.skip(name, "configuration_values is computed at apply")
			return
		}
		r.fail(name, "configuration_values is neither JSON nor YAML: "+err.Error(), "fix the add-on's configuration in constructs/cluster")
		return
	}
	out, err := r.aws.EKS.DescribeAddonConfiguration(r.ctx, &eks.DescribeAddonConfigurationInput{AddonName: aws.String(addon), AddonVersion: aws.String(version)})
	if err != nil {
		r.apiFail(name, "eks:DescribeAddonConfiguration", err)
		return
	}
	schema := aws.ToString(out.ConfigurationSchema)
	if strings.TrimSpace(schema) == "" {
		r.fail(name, fmt.Sprintf("%s %s publishes no configuration schema: EKS accepts no configuration_values for it", addon, version),
			"remove the add-on's configuration_values in constructs/cluster")
		return
	}
	problems, err := validateConfig(schema, doc)
	if err != nil {
		r.skip(name, fmt.Sprintf("the schema EKS publishes for %s %s does not compile here: %v", addon, version, err))
		return
	}
	note := ""
	if computed := countExpressions(doc); computed > 0 {
		note = fmt.Sprintf(" (%d values computed at apply not checked)", computed)
	}
	if len(problems) > 0 {
		r.fail(name, fmt.Sprintf("configuration_values do not match the schema of %s %s: %s%s", addon, version, strings.Join(problems, "; "), note),
			"change the add-on's configuration in constructs/cluster to what the schema allows (aws eks describe-addon-configuration --addon-name "+addon+" --addon-version "+version+")")
		return
	}
	r.pass(name, fmt.Sprintf("configuration_values validate against the schema of %s %s%s", addon, version, note))
}

// parseConfig reads configuration values as JSON, or YAML (EKS takes both), into the value
// types the schema library validates.
func parseConfig(text string) (any, error) {
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(text))
	if err == nil {
		return doc, nil
	}
	var y any
	if yerr := yaml.Unmarshal([]byte(text), &y); yerr != nil {
		return nil, err
	}
	if _, isMap := y.(map[string]any); !isMap {
		return nil, err
	}
	b, jerr := json.Marshal(y)
	if jerr != nil {
		return nil, jerr
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(b))
}

var printer = message.NewPrinter(language.English)

// validateConfig validates doc against a schema text. problems are the schema's violations,
// each with its instance location, less those at values that are Terraform expressions.
func validateConfig(schemaText string, doc any) (problems []string, err error) {
	schemaDoc, err := jsonschema.UnmarshalJSON(strings.NewReader(schemaText))
	if err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.UseLoader(jsonschema.SchemeURLLoader{}) // the schema is self-contained: fetch nothing
	const url = "urn:eks:addon-configuration-schema"
	if err := c.AddResource(url, schemaDoc); err != nil {
		return nil, err
	}
	sch, err := c.Compile(url)
	if err != nil {
		return nil, err
	}
	verr := sch.Validate(doc)
	if verr == nil {
		return nil, nil
	}
	ve, ok := verr.(*jsonschema.ValidationError)
	if !ok {
		return []string{verr.Error()}, nil
	}
	seen := map[string]bool{}
	for _, leaf := range leaves(ve) {
		if s, ok := at(doc, leaf.InstanceLocation).(string); ok && isExpression(s) {
			continue
		}
		p := "/" + strings.Join(leaf.InstanceLocation, "/") + ": " + leaf.ErrorKind.LocalizedString(printer)
		if !seen[p] {
			seen[p] = true
			problems = append(problems, p)
		}
	}
	return problems, nil
}

// countExpressions counts the string values holding Terraform expressions.
func countExpressions(doc any) int {
	switch v := doc.(type) {
	case string:
		if isExpression(v) {
			return 1
		}
	case map[string]any:
		n := 0
		for _, e := range v {
			n += countExpressions(e)
		}
		return n
	case []any:
		n := 0
		for _, e := range v {
			n += countExpressions(e)
		}
		return n
	}
	return 0
}

func leaves(e *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(e.Causes) == 0 {
		return []*jsonschema.ValidationError{e}
	}
	var out []*jsonschema.ValidationError
	for _, c := range e.Causes {
		out = append(out, leaves(c)...)
	}
	return out
}

// at is the value at an instance location.
func at(doc any, loc []string) any {
	for _, k := range loc {
		switch v := doc.(type) {
		case map[string]any:
			doc = v[k]
		case []any:
			var i int
			if _, err := fmt.Sscan(k, &i); err != nil || i < 0 || i >= len(v) {
				return nil
			}
			doc = v[i]
		default:
			return nil
		}
	}
	return doc
}
