// Placeholder for github.com/projectcalico/calico/lib/httpmachinery: calico's go.mod requires it
// through a ./lib/httpmachinery replace (a nested module the proxy does not serve), but neither
// calico-felix nor calicoctl imports it. An empty module satisfies the module graph; a build that
// imported it would fail loudly (no packages), never silently use something else.
module github.com/projectcalico/calico/lib/httpmachinery

go 1.24
