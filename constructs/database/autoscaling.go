package database

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/appautoscalingpolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/appautoscalingtarget"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// addReaderAutoscaling adds readers on average reader CPU through Application Auto Scaling
// (Aurora User Guide, "Amazon Aurora Auto Scaling with Aurora Replicas"), between Props.Readers
// and Props.MaxReaders. The replicas it adds are not in Terraform's state: a destroy must scale
// the target to its minimum first (docs/database.md: tearing down).
func (d *Database) addReaderAutoscaling() {
	if d.props.MaxReaders <= d.props.Readers {
		return
	}
	deps := make([]cdktf.ITerraformDependable, len(d.instances))
	for i, inst := range d.instances {
		deps[i] = inst
	}
	target := appautoscalingtarget.NewAppautoscalingTarget(d.Construct, jsii.String("readers-target"), &appautoscalingtarget.AppautoscalingTargetConfig{
		ServiceNamespace:  jsii.String("rds"),
		ScalableDimension: jsii.String("rds:cluster:ReadReplicaCount"),
		ResourceId:        jsii.String("cluster:" + d.props.Name),
		MinCapacity:       jsii.Number(d.props.Readers),
		MaxCapacity:       jsii.Number(d.props.MaxReaders),
		// Scaling starts once the cluster's own instances exist.
		DependsOn: &deps,
	})
	appautoscalingpolicy.NewAppautoscalingPolicy(d.Construct, jsii.String("readers-cpu"), &appautoscalingpolicy.AppautoscalingPolicyConfig{
		Name:              jsii.String(d.name("readers-cpu")),
		PolicyType:        jsii.String("TargetTrackingScaling"),
		ServiceNamespace:  target.ServiceNamespace(),
		ScalableDimension: target.ScalableDimension(),
		ResourceId:        target.ResourceId(),
		TargetTrackingScalingPolicyConfiguration: &appautoscalingpolicy.AppautoscalingPolicyTargetTrackingScalingPolicyConfiguration{
			TargetValue: jsii.Number(d.props.ReaderTargetCPU),
			PredefinedMetricSpecification: &appautoscalingpolicy.AppautoscalingPolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecification{
				PredefinedMetricType: jsii.String("RDSReaderAverageCPUUtilization"),
			},
			ScaleInCooldown:  jsii.Number(300),
			ScaleOutCooldown: jsii.Number(300),
		},
	})
}
