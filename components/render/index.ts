export { canonicalObject, renderDocument, renderYaml } from "./yaml";
export { CLUSTER_SCOPED_FILE, RENDER_INDEX, RENDER_SPLITS, RenderOutError, planRendered, writeRendered, type RenderOptions, type RenderSplit, type RenderedFile, type WriteOptions, type WriteResult } from "./write";
export { EXIT_INVALID, EXIT_OK, RENDER_USAGE, parseRenderArgs, renderableObjects, runRenderCli, type CliIo, type ExtraObjects, type RenderArgs } from "./cli";
