module github.com/phl-platform/phl-platform

go 1.26

require (
	github.com/aws/constructs-go/constructs/v10 v10.4.2
	github.com/aws/jsii-runtime-go v1.116.0
	github.com/cdktf/cdktf-provider-aws-go/aws/v19 v19.65.1
	github.com/cdktf/cdktf-provider-helm-go/helm/v10 v10.5.0
	github.com/go-sql-driver/mysql v1.10.1
	github.com/hashicorp/terraform-cdk-go/cdktf v0.21.0
	github.com/hashicorp/terraform-json v0.29.0
	gopkg.in/yaml.v3 v3.0.1
)

require (
	filippo.io/edwards25519 v1.2.0 // indirect
	github.com/Masterminds/semver/v3 v3.4.0 // indirect
	github.com/apparentlymart/go-textseg/v15 v15.0.0 // indirect
	github.com/fatih/color v1.18.0 // indirect
	github.com/hashicorp/go-version v1.9.0 // indirect
	github.com/mattn/go-colorable v0.1.13 // indirect
	github.com/mattn/go-isatty v0.0.20 // indirect
	github.com/yuin/goldmark v1.4.13 // indirect
	github.com/zclconf/go-cty v1.16.4 // indirect
	golang.org/x/lint v0.0.0-20210508222113-6edffad5e616 // indirect
	golang.org/x/mod v0.27.0 // indirect
	golang.org/x/sync v0.16.0 // indirect
	golang.org/x/sys v0.35.0 // indirect
	golang.org/x/text v0.11.0 // indirect
	golang.org/x/tools v0.36.0 // indirect
)

// Not on the Go module proxy: generated from npm (@cdktf/provider-helm, package-lock.json) by
// scripts/tools.sh into the gitignored .gen/helm (`scripts/tools.sh --binding-only`).
replace github.com/cdktf/cdktf-provider-helm-go/helm/v10 => ./.gen/helm
