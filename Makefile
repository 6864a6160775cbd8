# phl-platform: the two commands the README gives, and helpers.
#   make plan   synth every stack of every environment and plan each offline (no AWS account)
#   make test   the verification ladder (what CI runs)
SHELL := bash
.DEFAULT_GOAL := help

.PHONY: help plan test synth cost diagram preflight deploy destroy bootstrap bootstrap-migrate tools bench clean app-image-check

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

plan: ## synthesize every stack and run its offline terraform plan, with a summary per stack
	@scripts/tools.sh
	@echo "== synth"; scripts/synth.sh
	@echo "== offline plan"; scripts/plan.sh plan

test: ## run the whole verification ladder (vet/tests, synth, validate, offline plan + assertions, security scan)
	@scripts/ladder.sh

synth: ## synthesize every stack into cdktf.out/ (PHL_ENVIRONMENTS=dev to pick)
	@scripts/tools.sh
	@scripts/synth.sh

cost: ## monthly cost per stack and environment from cdktf.out, written into README.md and docs/cost.md (synthesizes first if cdktf.out is missing)
	@[ -f cdktf.out/manifest.json ] || { scripts/tools.sh && scripts/synth.sh; }
	@go run ./tools/cost -docs write $(ARGS)

diagram: ## draw docs/architecture.{dot,svg,png} from dev's stacks and gitops/charts (commit them; rung 2 fails when they are stale)
	@scripts/tools.sh --graphviz
	@echo "== synth (every environment: the bootstrap stacks come only with the full synthesis)"; scripts/synth.sh
	@go run ./tools/diagram -env dev

preflight: ## read-only checks of cdktf.out against the AWS account, before a deploy (make synth first; needs AWS credentials)
	@go run ./cmd/preflight

deploy: ## deploy one environment to its AWS account: make deploy ENV=dev (needs AWS credentials; README "make deploy and make destroy")
	@go run ./cmd/deploy deploy -env="$(ENV)"

destroy: ## destroy one environment, leaving nothing billable: make destroy ENV=dev (prod: CONFIRM=prod and teardown: true)
	@go run ./cmd/deploy destroy -env="$(ENV)" -confirm="$(CONFIRM)"

bootstrap: ## once per AWS account: state bucket, GitHub OIDC provider, CI roles: make bootstrap ACCOUNT=<name> (README "Bootstrap")
	@scripts/tools.sh
	@scripts/bootstrap-state.sh apply "$(ACCOUNT)"

bootstrap-migrate: ## move a bootstrap stack's local state into its bucket (after state_in_bucket: true): make bootstrap-migrate ACCOUNT=<name>
	@scripts/bootstrap-state.sh migrate "$(ACCOUNT)"

tools: ## install the pinned tools (Node 22 LTS, cdktf-cli, the Helm provider Go binding, trivy, kube-apiserver, kubectl, etcd, helm; MariaDB and Graphviz from apt) into gitignored folders
	@scripts/tools.sh --scanner --k8s --mariadb --graphviz

app-image-check: ## run the phl-store image the chart pins as the chart runs it (UID, read-only root) against a TLS MySQL and call its API (needs Docker)
	@scripts/app-image-check.sh

bench: ## measure wall time and peak memory of synth and each ladder rung (writes .work/bench.tsv)
	@scripts/bench.sh

clean: ## remove synthesized output and scratch files (keeps the tool cache)
	rm -rf cdktf.out .work bin
