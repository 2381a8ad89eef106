// The plan-review page's evaluations, off the page's thread: a 100 MB plan or 10 000 clusters
// take longer than a frame, and the page stays responsive meanwhile. Messages: {id, plans,
// options} in (a plan is a Blob, read here, or text); {id, report, bad, good, options} or {id,
// error} out: the report, the messages of plans that could not be read, the indices of the ones
// reported and the options they were evaluated with (for "Copy as Markdown").
import { evaluate, loadConfigReader } from '../browser.js';

/**
 * Evaluates the plans; when that fails and there are several, each alone, so that one bad file
 * does not hide the others' report: the good ones are evaluated together and the bad ones named.
 */
function evaluateEach(plans, options) {
  try {
    return { report: evaluate(plans, options), bad: [], good: plans.map((_, i) => i), options };
  } catch (e) {
    if (plans.length < 2) throw e;
    const bad = [];
    const good = [];
    plans.forEach((p, i) => {
      try {
        evaluate([p], { ...options, names: [options.names[i]], config: options.config ? [options.config[i]] : undefined });
        good.push(i);
      } catch (err) {
        bad.push(err.message);
      }
    });
    if (good.length === 0) throw e;
    const pick = (xs) => good.map((i) => xs[i]);
    const opts = { ...options, names: pick(options.names), config: options.config ? pick(options.config) : undefined };
    return { report: evaluate(pick(plans), opts), bad, good, options: opts };
  }
}

self.onmessage = async ({ data: { id, plans, options } }) => {
  try {
    if (options.config) await loadConfigReader();
    const read = await Promise.all(plans.map(async (p) => (typeof p === 'string' ? p : new Uint8Array(await p.arrayBuffer()))));
    self.postMessage({ id, ...evaluateEach(read, options) });
  } catch (e) {
    self.postMessage({ id, error: e.message });
  }
};
self.postMessage({ ready: true });
