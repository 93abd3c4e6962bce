// Placeholder for github.com/agentgateway/agentgateway/api, which the Go module proxy does not
// serve at any version. Only istiod's agentgateway controller imports it, and the build replaces
// that package with overlay/agentgateway.go (see lab/tools/pins.yaml), so nothing links this module.
module github.com/agentgateway/agentgateway/api

go 1.24
