/** Reading async iterables in tests: until a condition holds, with a deadline instead of sleeps. */

export async function readUntil<T>(
  iterable: AsyncIterable<T>,
  done: (items: T[]) => boolean,
  timeoutMs = 10_000,
): Promise<T[]> {
  const items: T[] = [];
  const iterator = iterable[Symbol.asyncIterator]();
  const deadline = Date.now() + timeoutMs;
  while (!done(items)) {
    const remaining = deadline - Date.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), Math.max(0, remaining));
    });
    const next = await Promise.race([iterator.next(), timeout]);
    clearTimeout(timer);
    if (next === 'timeout') {
      throw new Error(`condition not met within ${timeoutMs} ms; got ${items.length} items`);
    }
    if (next.done) break;
    items.push(next.value);
  }
  return items;
}
