// Package engine is the runbook language and its runtime: it loads YAML
// definitions with their source positions, checks them (collecting every
// diagnostic, type-checking every expression), and lowers them to a
// serializable Plan.
//
// The pipeline reads in one function, Validate: Load -> Check -> Lower.
// Step kinds are described by Kind descriptors supplied by the steps package;
// AWS operations by a Services registry. The engine imports neither.
package engine
