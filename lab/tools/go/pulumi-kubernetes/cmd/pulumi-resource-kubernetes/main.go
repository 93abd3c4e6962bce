// The upstream entry point of pulumi-resource-kubernetes (provider/cmd/pulumi-resource-kubernetes),
// rebuilt in the wrapper module because upstream's embeds files its release build generates.
// schema-embed.json and terraform-mapping-embed.json are written next to this file by `npm run tools`
// from the pinned module's schema.json / terraform-mapping.json (never committed).
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var pulumiSchema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, pulumiSchema, terraformMapping)
}
