// ESLint (flat config): typescript-eslint's recommended type-checked rules, plus the Pulumi plugin,
// which catches Output values interpolated into template strings (use pulumi.interpolate).
import pulumi from "@pulumi/eslint-plugin";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", ".lab/", "test/support/summary-reporter.js", "eslint.config.mjs"] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    files: ["**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { "@pulumi": pulumi },
    rules: {
      "@pulumi/no-output-in-template-literal": "error",
      "@pulumi/no-output-instance-in-template-literal": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // Tests read deep into plain objects (builder output, parsed YAML, JSON reports) to assert on
    // them; typing every such path would add noise, not safety.
    files: ["test/**/*.ts"],
    rules: {
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/no-base-to-string": "off",
      "@typescript-eslint/restrict-template-expressions": "off",
      // Fakes implement async interfaces synchronously.
      "@typescript-eslint/require-await": "off",
    },
  },
  {
    // zx entry points: plain JavaScript, no type information.
    files: ["**/*.mjs"],
    ...tseslint.configs.disableTypeChecked,
  },
);
