// Package deploy holds the files that deploy runbook, and the tests that
// keep them true to the binary. It has no code of its own.
//
//   - Dockerfile (with Dockerfile.dockerignore): the image, a static binary
//     on distroless, non-root, its version stamped at build time;
//   - compose/: PostgreSQL, a Temporal server, the Temporal Web UI, `runbook
//     serve` and two `runbook worker`s on one Docker host;
//   - kubernetes/: serve (Deployment, Service, PodDisruptionBudget), the
//     workers, their ServiceAccount (an IAM role on EKS), the Secrets and
//     ConfigMaps they mount, and a kustomization;
//   - systemd/: runbook-server (one box), runbook-serve and
//     runbook-worker@ units, hardened;
//   - temporal/dynamicconfig.yaml: the embedded server's latency tuning, for
//     a Temporal cluster.
//
// The tests build the binary and check every flag, environment variable,
// port, probe path, mounted file and secret these files use against what
// `runbook CMD --help` lists and what `runbook serve` answers; they decode
// the Kubernetes manifests strictly into the k8s.io/api types, the compose
// file into a struct of the fields it may use, load the dynamic config with
// Temporal's own loader, and run `systemd-analyze verify` on the units
// where it is installed. No image is built and nothing is deployed.
package deploy
