// `npm run csp [-- --dir <build>] [--also <source>]…`: rewrites the Content-Security-Policy of a build's
// index.html so that its connect-src names the servers of that build's config.json. The build does this by
// itself from public/config.json; whoever edits dist/config.json afterwards runs this, or the page cannot
// reach the new servers. `--also` adds sources. Plain node: it runs where the build is served.
import { join, resolve } from 'node:path';
import { writeContentSecurityPolicy } from './lib/csp.mjs';

const USAGE = 'Usage: npm run csp -- [--dir dist] [--also <source>]…';

function main(argv) {
  let dir = 'dist';
  const also = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const value = argv[i + 1];
    if ((arg === '--dir' || arg === '--also') && value !== undefined && !value.startsWith('--')) {
      if (arg === '--dir') dir = value;
      else also.push(value);
      i += 1;
    } else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      return;
    } else {
      throw new Error(`unknown or incomplete option ${arg}\n${USAGE}`);
    }
  }
  const policy = writeContentSecurityPolicy(resolve(dir), also);
  console.log(`${join(dir, 'index.html')}: ${policy.split('; ').find((d) => d.startsWith('connect-src'))}`);
}

try {
  main(process.argv.slice(2));
} catch (error) {
  console.error(`npm run csp: ${error.message}`);
  process.exit(1);
}
