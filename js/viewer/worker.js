// The plan-review page's evaluations, off the page's thread: a 100 MB plan or 10 000 clusters
// take longer than a frame, and the page stays responsive meanwhile. Messages: {plans, options}
// in; {report, bad, used} or {error} out (reports are plain objects: structured clones).
import { evaluate, loadConfigReader } from '../browser.js';

/**
 * Evaluates the plans; when that fails and there are several, each alone, so that one bad file
 * does not hide the others' report: the good ones are evaluated together and the bad ones named.
 */
function evaluateEach(plans, options) {
  try {
    return { report: evaluate(plans, options), bad: [], used: { plans, options } };
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
    return { report: evaluate(pick(plans), opts), bad, used: { plans: pick(plans), options: opts } };
  }
}

self.onmessage = async ({ data: { id, plans, options } }) => {
  try {
    if (options.config) await loadConfigReader();
    self.postMessage({ id, ...evaluateEach(plans, options) });
  } catch (e) {
    self.postMessage({ id, error: e.message });
  }
};
self.postMessage({ ready: true });
