// The spec module: types, defaults, labels, validation and stack config loading.
export * from "./types";
export * from "./defaults";
export * from "./labels";
export { ConfigError, formatProblem, type ConfigProblem } from "./problems";
export { checkPlatformConfig, validatePlatformConfig, PLATFORM_CONFIG_KEYS } from "./validate";
export { CONFIG_NAMESPACE, stackConfigPath, readStackConfigFile, loadStackSpec } from "./stack-config";
export { parseQuantity, compareQuantities } from "./quantity";
export { parseCidr, cidrsOverlap, type ParsedCidr } from "./cidr";
export { grantId } from "./validate-grants";
