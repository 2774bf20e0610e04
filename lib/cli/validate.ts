/**
 * `node build/cli/validate.js [--schemas DIR] [paths...]` (default path: dist).
 * Validates every object in the YAML files strictly against imports/schemas and scans it for secrets (a Secret
 * with data, token formats, credentials in URLs, secret-named env values); prints one line per problem and a
 * summary. Exit status: 0 valid, 1 problems, no manifest found or unreadable input, 2 usage error.
 */
import { parseArgs, UsageError } from '../validation/cli-args';
import { findSecretsInAll, formatIssues, ManifestValidator, readManifestFolder } from '../validation';

const USAGE = 'usage: validate [--schemas DIR] [paths...]   (default path: dist)';

function main(argv: readonly string[]): number {
  let args;
  try {
    args = parseArgs(argv, ['schemas']);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`validate: ${error.message}\n${USAGE}`);
      return 2;
    }
    throw error;
  }
  if (args.options.has('help')) {
    console.log(USAGE);
    return 0;
  }
  const paths = args.positionals.length > 0 ? [...args.positionals] : ['dist'];
  const validator = ManifestValidator.load(args.options.get('schemas'));
  const objects = readManifestFolder(paths);
  if (objects.length === 0) {
    console.error(`validate: no Kubernetes object found in ${paths.join(', ')} (no *.yaml/*.yml file with a document other than kustomization.yaml); nothing was validated`);
    return 1;
  }
  const issues = [...validator.validateAll(objects), ...findSecretsInAll(objects)];
  if (issues.length > 0) {
    console.log(formatIssues(issues));
  }
  const files = new Set(objects.map((o) => o.source)).size;
  console.log(`validated ${objects.length} objects in ${files} files: ${issues.length} problem${issues.length === 1 ? '' : 's'}`);
  return issues.length === 0 ? 0 : 1;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  console.error(`validate: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
