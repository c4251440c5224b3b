/**
 * Module workers that the page's Content-Security-Policy applies to. A worker started from its own URL takes
 * its policy from that response's headers, and a policy in a `<meta>` tag is in none: the engine's WebSocket
 * would escape connect-src. A worker started from a blob: URL inherits its creator's policy, so each starts
 * as a one-line blob that imports the real script (which script-src 'self' allows). Workers the engine starts
 * are started the same way, so the policy reaches them too.
 */
export function startPolicyBoundWorker(scriptUrl: string, name: string): Worker {
  // The blob has no base to resolve a relative URL against; this module's own URL is a real one, in a worker too.
  const absolute = new URL(scriptUrl, import.meta.url).href;
  const source = `import ${JSON.stringify(absolute)};\nURL.revokeObjectURL(import.meta.url);\n`;
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  return new Worker(url, { type: 'module', name });
}
