// istiod's agentgateway controller, compiled out of the lab's build.
//
// Upstream's package (pilot/pkg/config/kube/agentgateway) imports
// github.com/agentgateway/agentgateway/api, which the Go module proxy does not serve at any version,
// so `go build -overlay` swaps the package's files for this one. The controller only serves the
// experimental istio-agentgateway GatewayClass and runs only with PILOT_ENABLE_AGENTGATEWAY=true
// (default false, pilot/pkg/features/experimental.go); sidecar xDS, PeerAuthentication,
// AuthorizationPolicy and Sidecar scoping never reach it. Constructing it fails loudly instead of
// pretending to serve agentgateway.
package agentgateway

import (
	"errors"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"istio.io/istio/pilot/pkg/model"
	"istio.io/istio/pilot/pkg/serviceregistry/kube/controller"
	"istio.io/istio/pilot/pkg/status"
	"istio.io/istio/pilot/pkg/xds"
	"istio.io/istio/pkg/config"
	"istio.io/istio/pkg/config/schema/collection"
	"istio.io/istio/pkg/kube"
	"istio.io/istio/pkg/kube/krt"
)

var errCompiledOut = errors.New("agentgateway is compiled out of the hard-tenancy lab's istiod (its API module is not served by the Go module proxy)")

// Controller has the method set istiod's bootstrap needs; every method refuses.
type Controller struct {
	Registrations []xds.Registration
}

// NewAgwController refuses: PILOT_ENABLE_AGENTGATEWAY must stay false in the lab.
func NewAgwController(kube.Client, func(schema.GroupVersionResource, <-chan struct{}) bool, controller.Options) *Controller {
	panic(errCompiledOut.Error() + "; unset PILOT_ENABLE_AGENTGATEWAY")
}

func (c *Controller) Schemas() collection.Schemas                                 { return collection.Schemas{} }
func (c *Controller) Get(config.GroupVersionKind, string, string) *config.Config { return nil }
func (c *Controller) List(config.GroupVersionKind, string) []config.Config       { return nil }
func (c *Controller) SetStatusWrite(bool, *status.Manager)                        {}
func (c *Controller) Reconcile(*model.PushContext)                                {}
func (c *Controller) Create(config.Config) (string, error)                        { return "", errCompiledOut }
func (c *Controller) Update(config.Config) (string, error)                        { return "", errCompiledOut }
func (c *Controller) UpdateStatus(config.Config) (string, error)                  { return "", errCompiledOut }
func (c *Controller) Delete(config.GroupVersionKind, string, string, *string) error {
	return errCompiledOut
}
func (c *Controller) KrtCollection(config.GroupVersionKind) krt.Collection[config.Config] {
	return nil
}
func (c *Controller) RegisterEventHandler(config.GroupVersionKind, model.EventHandler) {}
func (c *Controller) Run(<-chan struct{})                                           {}
func (c *Controller) HasSynced() bool                                               { return true }
